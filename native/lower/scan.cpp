// Scan: cumulative sums, products, maxima, minima and logaddexp (state: reduce type
// Max 0, Min 1, Sum 2, Prod 3, LogAddExp 4; axis; reverse; inclusive).
//
// Sums are ONNX CumSum. The others have no ONNX operator: they are a log-step
// (Hillis-Steele) scan, ceil(log2(n)) rounds of combining the array with itself shifted
// by 1, 2, 4, ... along the axis (the gap filled with the identity element). That is
// exact for max/min and reassociates products and logaddexp. An exclusive scan is the
// inclusive scan of the input shifted by one.
#include <cstdint>
#include <limits>
#include <string>

#include "graph/error.h"
#include "lower/compute.h"
#include "lower/registry.h"

namespace mlx_onnx::lower {
namespace {

enum ScanType : int64_t { kMax = 0, kMin = 1, kSum = 2, kProd = 3, kLogAddExp = 4 };

struct ScanSpec {
  ScanType type;
  int64_t axis;
  int64_t n;      // axis length
  bool reverse;
  DType dtype;    // the operand's dtype
  DType compute;  // the dtype ONNX Runtime computes in
};

// ONNX Runtime's CPU kernels (CumSum, Mul, Max, Min) take kernel_dtype (narrow integer
// sums and products wrap the same in the low bits); uint64 sums and products run as
// int64 (the same bits).
DType compute_dtype(DType dtype, ScanType type) {
  if (dtype == DType::UInt64) return type == kSum || type == kProd ? DType::Int64 : dtype;
  return kernel_dtype(dtype);
}

// The largest and smallest values of an integer dtype, as int64 bits (uint64's largest
// is -1, which Cast turns back into 2^64 - 1).
int64_t int_max(DType dtype) {
  switch (dtype) {
    case DType::Bool: return 1;
    case DType::Int8: return std::numeric_limits<int8_t>::max();
    case DType::Int16: return std::numeric_limits<int16_t>::max();
    case DType::Int32: return std::numeric_limits<int32_t>::max();
    case DType::UInt8: return std::numeric_limits<uint8_t>::max();
    case DType::UInt16: return std::numeric_limits<uint16_t>::max();
    case DType::UInt32: return std::numeric_limits<uint32_t>::max();
    case DType::UInt64: return -1;
    default: return std::numeric_limits<int64_t>::max();
  }
}

int64_t int_min(DType dtype) {
  switch (dtype) {
    case DType::Int8: return std::numeric_limits<int8_t>::min();
    case DType::Int16: return std::numeric_limits<int16_t>::min();
    case DType::Int32: return std::numeric_limits<int32_t>::min();
    case DType::Int64: return std::numeric_limits<int64_t>::min();
    default: return 0;  // bool and unsigned
  }
}

// The scan's identity (MLX's `init`, which also starts an exclusive scan) in the compute
// dtype: the operand dtype's lowest value for max, its largest for min.
std::string identity(Context& ctx, const ScanSpec& s) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (s.type == kProd) return ctx.scalar(s.compute, 1.0);
  if (is_floating(s.compute)) return ctx.scalar(s.compute, s.type == kMin ? kInf : -kInf);
  int64_t value = s.type == kMin ? int_max(s.dtype) : int_min(s.dtype);
  if (s.compute == DType::Int64) return ctx.int64_scalar(value);
  if (s.compute == DType::UInt64) return ctx.cast(ctx.int64_scalar(value), DType::UInt64);
  return ctx.scalar(s.compute, static_cast<double>(value));
}

// x moved `by` places along the axis (forward: towards higher indices; reverse: lower),
// the vacated places holding `fill`.
std::string shift(Context& ctx, const ScanSpec& s, const std::string& x, int64_t by,
                  const std::string& fill) {
  std::vector<int64_t> pads = s.reverse ? std::vector<int64_t>{0, by} : std::vector<int64_t>{by, 0};
  std::string axes = ctx.int64s({s.axis});
  std::string padded = ctx.emit("Pad", {x, ctx.int64s(pads), fill, axes}, {{"mode", std::string("constant")}});
  int64_t start = s.reverse ? by : 0;
  return ctx.emit("Slice", {padded, ctx.int64s({start}), ctx.int64s({start + s.n}), axes});
}

// logaddexp(a, b) = max + log(1 + exp(min - max)), max itself where min is -inf or max
// is +inf (as MLX's LogAddExp).
std::string log_add_exp(Context& ctx, DType dtype, const std::string& a, const std::string& b) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::string hi = ctx.emit("Max", {a, b});
  std::string lo = ctx.emit("Min", {a, b});
  std::string e = ctx.emit("Exp", {ctx.emit("Sub", {lo, hi})});
  std::string sum = ctx.emit("Add", {hi, ctx.emit("Log", {ctx.emit("Add", {ctx.scalar(dtype, 1.0), e})})});
  std::string keep = ctx.emit("Or", {ctx.emit("Equal", {lo, ctx.scalar(dtype, -kInf)}),
                                     ctx.emit("Equal", {hi, ctx.scalar(dtype, kInf)})});
  return ctx.emit("Where", {keep, hi, sum});
}

// ONNX Runtime 1.30's int64 Max/Min keep only the low 32 bits of each value, so int64
// maxima and minima are selected with a comparison instead.
std::string extremum(Context& ctx, const ScanSpec& s, const std::string& a, const std::string& b) {
  bool max = s.type == kMax;
  if (s.compute != DType::Int64) return ctx.emit(max ? "Max" : "Min", {a, b});
  return ctx.emit("Where", {ctx.emit(max ? "Greater" : "Less", {a, b}), a, b});
}

std::string combine(Context& ctx, const ScanSpec& s, const std::string& a, const std::string& b) {
  switch (s.type) {
    case kMax:
    case kMin: return extremum(ctx, s, a, b);
    case kProd: return ctx.emit("Mul", {a, b});
    default: return log_add_exp(ctx, s.compute, a, b);
  }
}

// MLX's cummax/cummin turn NaN from its first occurrence on; ONNX's Max/Min do not
// promise to propagate it, so the NaNs are put back where a NaN has been seen.
std::string propagate_nan(Context& ctx, const ScanSpec& s, const std::string& x, bool inclusive,
                          const std::string& scanned) {
  std::string nan = ctx.cast(ctx.emit("IsNaN", {x}), DType::Int32);
  std::string seen = ctx.emit("CumSum", {nan, ctx.int64_scalar(s.axis)},
                              {{"exclusive", int64_t{inclusive ? 0 : 1}}, {"reverse", int64_t{s.reverse}}});
  std::string any = ctx.emit("Greater", {seen, ctx.scalar(DType::Int32, 0.0)});
  std::string nan_value = ctx.scalar(s.compute, std::numeric_limits<double>::quiet_NaN());
  return ctx.emit("Where", {any, nan_value, scanned});
}

std::string log_step_scan(Context& ctx, const ScanSpec& s, const std::string& x, bool inclusive) {
  if (inclusive && s.n <= 1) return x;
  std::string fill = identity(ctx, s);
  std::string y = inclusive ? x : shift(ctx, s, x, 1, fill);
  for (int64_t by = 1; by < s.n; by *= 2) y = combine(ctx, s, y, shift(ctx, s, y, by, fill));
  bool min_max = s.type == kMax || s.type == kMin;
  return min_max && is_floating(s.compute) ? propagate_nan(ctx, s, x, inclusive, y) : y;
}

void lower_scan(Context& ctx, const Node& node) {
  auto type = static_cast<ScanType>(node.attr<int64_t>("reduce_type"));
  int64_t axis = node.attr<int64_t>("axis");
  bool reverse = node.attr<bool>("reverse");
  bool inclusive = node.attr<bool>("inclusive");
  DType in_dtype = ctx.in_value(node, 0).dtype;
  DType out_dtype = ctx.out_value(node).dtype;
  if (type < kMax || type > kLogAddExp) {
    fail(ErrorCode::InvalidInput, "Scan: unknown reduce type " + std::to_string(node.attr<int64_t>("reduce_type")));
  }
  if (in_dtype == DType::Complex64) fail(ErrorCode::UnsupportedOp, "Scan of complex64: no ONNX kernels");
  if (type == kLogAddExp && !is_floating(in_dtype)) {
    fail(ErrorCode::UnsupportedOp, "Scan (logcumsumexp) of " + std::string(dtype_name(in_dtype)));
  }
  ScanSpec s{type, axis, ctx.in_value(node, 0).shape.at(axis), reverse, in_dtype,
             compute_dtype(in_dtype, type)};
  std::string x = ctx.in(node, 0);
  if (s.compute != in_dtype) x = ctx.cast(x, s.compute);
  bool cast_back = s.compute != out_dtype;
  if (type == kSum) {
    std::string y = ctx.emit("CumSum", {x, ctx.int64_scalar(axis)},
                             {{"exclusive", int64_t{!inclusive}}, {"reverse", int64_t{reverse}}},
                             cast_back ? "" : ctx.out(node));
    if (cast_back) ctx.cast(y, out_dtype, ctx.out(node));
    return;
  }
  std::string y = log_step_scan(ctx, s, x, inclusive);
  if (cast_back) return void(ctx.cast(y, out_dtype, ctx.out(node)));
  ctx.emit("Identity", {y}, {}, ctx.out(node));
}

constexpr Rule kRules[] = {
    {"Scan", lower_scan, RuleKind::Decomposed},
};

}  // namespace

std::span<const Rule> scan_rules() { return kRules; }

}  // namespace mlx_onnx::lower
