#include "addon/mx_ops.h"

#include <functional>
#include <map>
#include <optional>

#include "addon/mx_array.h"
#include "addon/mx_dtypes.h"
#include "addon/promise_worker.h"

namespace mlx_onnx::addon {
namespace {

namespace mx = mlx::core;
using Arrays = std::vector<mx::array>;

// The operands and named parameters of one call.
class OpArgs {
 public:
  OpArgs(Napi::Array arrays, Napi::Object params) : arrays_(arrays), params_(params) {}

  size_t count() const { return arrays_.Length(); }
  mx::array a(uint32_t i) const {
    if (i >= arrays_.Length()) throw std::invalid_argument("missing array operand " + std::to_string(i));
    return MxArray::unwrap(arrays_.Get(i));
  }
  std::optional<mx::array> opt(uint32_t i) const {
    if (i >= arrays_.Length() || arrays_.Get(i).IsNull() || arrays_.Get(i).IsUndefined()) return std::nullopt;
    return a(i);
  }
  Arrays all() const {
    Arrays out;
    for (uint32_t i = 0; i < arrays_.Length(); ++i) out.push_back(a(i));
    return out;
  }
  bool has(const char* key) const {
    Napi::Value v = params_.Get(key);
    return !v.IsUndefined() && !v.IsNull();
  }
  double number(const char* key, std::optional<double> fallback = std::nullopt) const {
    Napi::Value v = params_.Get(key);
    if (v.IsNumber()) return v.As<Napi::Number>().DoubleValue();
    if (fallback && (v.IsUndefined() || v.IsNull())) return *fallback;
    throw std::invalid_argument(std::string("parameter '") + key + "' must be a number");
  }
  int integer(const char* key, std::optional<int> fallback = std::nullopt) const {
    return static_cast<int>(number(key, fallback ? std::optional<double>(*fallback) : std::nullopt));
  }
  std::optional<int> opt_integer(const char* key) const {
    return has(key) ? std::optional<int>(integer(key)) : std::nullopt;
  }
  bool flag(const char* key, bool fallback) const {
    Napi::Value v = params_.Get(key);
    return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : fallback;
  }
  std::string str(const char* key, const std::string& fallback) const {
    Napi::Value v = params_.Get(key);
    return v.IsString() ? v.As<Napi::String>().Utf8Value() : fallback;
  }
  std::vector<int> ints(const char* key) const {
    Napi::Value v = params_.Get(key);
    if (!v.IsArray()) throw std::invalid_argument(std::string("parameter '") + key + "' must be an array of integers");
    auto arr = v.As<Napi::Array>();
    std::vector<int> out;
    for (uint32_t i = 0; i < arr.Length(); ++i) out.push_back(arr.Get(i).As<Napi::Number>().Int32Value());
    return out;
  }
  mx::Shape shape(const char* key) const {
    auto v = ints(key);
    return mx::Shape(v.begin(), v.end());
  }
  // `axes` given as an array, or one `axis`; nullopt when neither.
  std::optional<std::vector<int>> axes() const {
    if (has("axes")) return ints("axes");
    if (has("axis")) return std::vector<int>{integer("axis")};
    return std::nullopt;
  }
  mx::Dtype dtype(const char* key, mx::Dtype fallback) const {
    return has(key) ? dtype_from_js_name(str(key, "")) : fallback;
  }

 private:
  Napi::Array arrays_;
  Napi::Object params_;
};

using Op = std::function<Arrays(const OpArgs&)>;

template <typename F>
Op one(F f) {
  return [f](const OpArgs& in) { return Arrays{f(in)}; };
}

// Reductions over `axes` (all axes when absent) with `keepdims`.
#define REDUCE(name, fn)                                                                  \
  {name, one([](const OpArgs& in) {                                                      \
     bool keep = in.flag("keepdims", false);                                             \
     auto axes = in.axes();                                                              \
     return axes ? mx::fn(in.a(0), *axes, keep) : mx::fn(in.a(0), keep);                 \
   })}
#define UNARY(name, fn) {name, one([](const OpArgs& in) { return mx::fn(in.a(0)); })}
#define BINARY(name, fn) {name, one([](const OpArgs& in) { return mx::fn(in.a(0), in.a(1)); })}

const std::map<std::string, Op>& table() {
  static const std::map<std::string, Op> ops = {
      // elementwise
      UNARY("abs", abs), UNARY("negative", negative), UNARY("exp", exp), UNARY("log", log),
      UNARY("log1p", log1p), UNARY("sqrt", sqrt), UNARY("rsqrt", rsqrt), UNARY("square", square),
      UNARY("sin", sin), UNARY("cos", cos), UNARY("tanh", tanh), UNARY("sigmoid", sigmoid),
      UNARY("erf", erf), UNARY("floor", floor), UNARY("ceil", ceil), UNARY("logical_not", logical_not),
      UNARY("stop_gradient", stop_gradient), UNARY("reciprocal", reciprocal),
      BINARY("add", add), BINARY("subtract", subtract), BINARY("multiply", multiply),
      BINARY("divide", divide), BINARY("power", power), BINARY("maximum", maximum),
      BINARY("minimum", minimum), BINARY("equal", equal), BINARY("not_equal", not_equal),
      BINARY("less", less), BINARY("less_equal", less_equal), BINARY("greater", greater),
      BINARY("greater_equal", greater_equal), BINARY("logical_and", logical_and),
      BINARY("logical_or", logical_or), BINARY("matmul", matmul), BINARY("remainder", remainder),
      BINARY("floor_divide", floor_divide), BINARY("right_shift", right_shift),
      BINARY("bitwise_and", bitwise_and),
      {"where", one([](const OpArgs& in) { return mx::where(in.a(0), in.a(1), in.a(2)); })},
      {"astype", one([](const OpArgs& in) { return mx::astype(in.a(0), in.dtype("dtype", mx::float32)); })},
      {"addmm", one([](const OpArgs& in) {
         return mx::addmm(in.a(0), in.a(1), in.a(2), in.number("alpha", 1.0), in.number("beta", 1.0));
       })},
      // reductions
            REDUCE("sum", sum),
            REDUCE("mean", mean),
            REDUCE("max", max),
            REDUCE("min", min),
            REDUCE("prod", prod),
            REDUCE("logsumexp", logsumexp),
      {"argmax", one([](const OpArgs& in) {
         bool keep = in.flag("keepdims", false);
         return in.has("axis") ? mx::argmax(in.a(0), in.integer("axis"), keep) : mx::argmax(in.a(0), keep);
       })},
      {"argmin", one([](const OpArgs& in) {
         bool keep = in.flag("keepdims", false);
         return in.has("axis") ? mx::argmin(in.a(0), in.integer("axis"), keep) : mx::argmin(in.a(0), keep);
       })},
      {"softmax", one([](const OpArgs& in) {
         auto axes = in.axes().value_or(std::vector<int>{-1});
         return mx::softmax(in.a(0), axes, in.flag("precise", false));
       })},
      {"cumsum", one([](const OpArgs& in) {
         return mx::cumsum(in.a(0), in.integer("axis"), in.flag("reverse", false), in.flag("inclusive", true));
       })},
      {"argpartition", one([](const OpArgs& in) {
         return mx::argpartition(in.a(0), in.integer("kth"), in.integer("axis"));
       })},
      // layout
      {"reshape", one([](const OpArgs& in) { return mx::reshape(in.a(0), in.shape("shape")); })},
      {"transpose", one([](const OpArgs& in) {
         return in.has("axes") ? mx::transpose(in.a(0), in.ints("axes")) : mx::transpose(in.a(0));
       })},
      {"expand_dims", one([](const OpArgs& in) { return mx::expand_dims(in.a(0), *in.axes()); })},
      {"squeeze", one([](const OpArgs& in) {
         auto axes = in.axes();
         return axes ? mx::squeeze(in.a(0), *axes) : mx::squeeze(in.a(0));
       })},
      {"broadcast_to", one([](const OpArgs& in) { return mx::broadcast_to(in.a(0), in.shape("shape")); })},
      {"flatten", one([](const OpArgs& in) {
         return mx::flatten(in.a(0), in.integer("start_axis", 0), in.integer("end_axis", -1));
       })},
      {"unflatten", one([](const OpArgs& in) { return mx::unflatten(in.a(0), in.integer("axis"), in.shape("shape")); })},
      {"concatenate", one([](const OpArgs& in) { return mx::concatenate(in.all(), in.integer("axis", 0)); })},
      {"stack", one([](const OpArgs& in) { return mx::stack(in.all(), in.integer("axis", 0)); })},
      {"split", [](const OpArgs& in) {
         int axis = in.integer("axis", 0);
         if (in.has("indices")) return mx::split(in.a(0), in.shape("indices"), axis);
         return mx::split(in.a(0), in.integer("sections"), axis);
       }},
      {"slice", one([](const OpArgs& in) {
         mx::Shape start = in.shape("start"), stop = in.shape("stop");
         mx::Shape strides = in.has("strides") ? in.shape("strides") : mx::Shape(start.size(), 1);
         return mx::slice(in.a(0), start, stop, strides);
       })},
      {"slice_update", one([](const OpArgs& in) {
         mx::Shape start = in.shape("start"), stop = in.shape("stop");
         mx::Shape strides = in.has("strides") ? in.shape("strides") : mx::Shape(start.size(), 1);
         return mx::slice_update(in.a(0), in.a(1), start, stop, strides);
       })},
      {"dynamic_slice", one([](const OpArgs& in) {
         return mx::slice(in.a(0), in.a(1), in.ints("axes"), in.shape("slice_size"));
       })},
      {"dynamic_slice_update", one([](const OpArgs& in) {
         return mx::slice_update(in.a(0), in.a(1), in.a(2), in.ints("axes"));
       })},
      {"take", one([](const OpArgs& in) {
         return in.has("axis") ? mx::take(in.a(0), in.a(1), in.integer("axis")) : mx::take(in.a(0), in.a(1));
       })},
      {"take_along_axis", one([](const OpArgs& in) { return mx::take_along_axis(in.a(0), in.a(1), in.integer("axis")); })},
      {"contiguous", one([](const OpArgs& in) { return mx::contiguous(in.a(0)); })},
      // creation
      {"zeros", one([](const OpArgs& in) { return mx::zeros(in.shape("shape"), in.dtype("dtype", mx::float32)); })},
      {"ones", one([](const OpArgs& in) { return mx::ones(in.shape("shape"), in.dtype("dtype", mx::float32)); })},
      {"full", one([](const OpArgs& in) {
         return mx::full(in.shape("shape"), in.number("value"), in.dtype("dtype", mx::float32));
       })},
      {"arange", one([](const OpArgs& in) {
         return mx::arange(in.number("start", 0.0), in.number("stop"), in.number("step", 1.0),
                           in.dtype("dtype", mx::int32));
       })},
      {"scalar", one([](const OpArgs& in) { return mx::astype(mx::array(in.number("value")), in.dtype("dtype", mx::float32)); })},
      // random (keys are arrays; without one, MLX's global seeded state)
      {"random_key", one([](const OpArgs& in) { return mx::random::key(static_cast<uint64_t>(in.number("seed"))); })},
      {"random_normal", one([](const OpArgs& in) {
         return mx::random::normal(in.shape("shape"), in.dtype("dtype", mx::float32), in.number("loc", 0.0),
                                   in.number("scale", 1.0), in.opt(0));
       })},
      {"random_uniform", one([](const OpArgs& in) {
         return mx::random::uniform(mx::array(in.number("low", 0.0)), mx::array(in.number("high", 1.0)),
                                    in.shape("shape"), in.dtype("dtype", mx::float32), in.opt(0));
       })},
      // fast
      {"rms_norm", one([](const OpArgs& in) { return mx::fast::rms_norm(in.a(0), in.opt(1), in.number("eps")); })},
      {"layer_norm", one([](const OpArgs& in) {
         return mx::fast::layer_norm(in.a(0), in.opt(1), in.opt(2), in.number("eps"));
       })},
      {"rope", one([](const OpArgs& in) {
         std::optional<float> base = in.has("base") ? std::optional<float>(in.number("base")) : std::nullopt;
         int dims = in.integer("dims");
         bool traditional = in.flag("traditional", false);
         float scale = in.number("scale", 1.0);
         if (auto offset = in.opt(1)) return mx::fast::rope(in.a(0), dims, traditional, base, scale, *offset, in.opt(2));
         return mx::fast::rope(in.a(0), dims, traditional, base, scale, in.integer("offset", 0), in.opt(2));
       })},
      {"scaled_dot_product_attention", one([](const OpArgs& in) {
         return mx::fast::scaled_dot_product_attention(in.a(0), in.a(1), in.a(2), in.number("scale"),
                                                       in.str("mask_mode", ""), in.opt(3), in.opt(4));
       })},
      // quantized
      {"quantized_matmul", one([](const OpArgs& in) {
         return mx::quantized_matmul(in.a(0), in.a(1), in.a(2), in.opt(3), in.flag("transpose", true),
                                     in.opt_integer("group_size"), in.opt_integer("bits"), in.str("mode", "affine"));
       })},
      {"quantize", [](const OpArgs& in) {
         return mx::quantize(in.a(0), in.opt_integer("group_size"), in.opt_integer("bits"), in.str("mode", "affine"));
       }},
      {"dequantize", one([](const OpArgs& in) {
         return mx::dequantize(in.a(0), in.a(1), in.opt(2), in.opt_integer("group_size"), in.opt_integer("bits"),
                               in.str("mode", "affine"));
       })},
      // convolution (channels last, as MLX)
      {"conv1d", one([](const OpArgs& in) {
         return mx::conv1d(in.a(0), in.a(1), in.integer("stride", 1), in.integer("padding", 0),
                           in.integer("dilation", 1), in.integer("groups", 1));
       })},
      {"conv2d", one([](const OpArgs& in) {
         auto pair = [&](const char* key) {
           auto v = in.has(key) ? in.ints(key) : std::vector<int>{};
           int d = std::string(key) == "padding" ? 0 : 1;
           return std::pair<int, int>(v.size() > 0 ? v[0] : d, v.size() > 1 ? v[1] : (v.size() > 0 ? v[0] : d));
         };
         return mx::conv2d(in.a(0), in.a(1), pair("stride"), pair("padding"), pair("dilation"), in.integer("groups", 1));
       })},
  };
  return ops;
}

Napi::Value to_js(Napi::Env env, Arrays results, bool list) {
  if (!list) return MxArray::wrap(env, std::move(results.at(0)));
  auto out = Napi::Array::New(env, results.size());
  for (size_t i = 0; i < results.size(); ++i) out.Set(i, MxArray::wrap(env, std::move(results[i])));
  return out;
}

}  // namespace

// op(name, arrays, params) -> array, or a list for split/quantize
Napi::Value call_op(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsArray() || !info[2].IsObject()) {
    throw make_error(env, "ERR_INVALID_ARGUMENT", "op(name, arrays, params)");
  }
  std::string name = info[0].As<Napi::String>().Utf8Value();
  auto it = table().find(name);
  if (it == table().end()) throw make_error(env, "ERR_INVALID_ARGUMENT", "unknown mx operation '" + name + "'");
  try {
    Arrays results = it->second(OpArgs(info[1].As<Napi::Array>(), info[2].As<Napi::Object>()));
    return to_js(env, std::move(results), name == "split" || name == "quantize");
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw_mlx_error(env, e);
  }
}

Napi::Value list_ops(const Napi::CallbackInfo& info) {
  auto out = Napi::Array::New(info.Env());
  for (const auto& [name, op] : table()) out.Set(out.Length(), name);
  return out;
}

}  // namespace mlx_onnx::addon
