#include "graph/size_expr.h"

#include <string>

#include "graph/error.h"

namespace mlx_onnx {

int64_t SizeExpr::evaluate(const std::function<int64_t(ValueAxis)>& size_of) const {
  int64_t size = offset;
  for (const SizeTerm& term : terms) {
    int64_t product = term.factor;
    for (ValueAxis dim : term.dims) product *= size_of(dim);
    size += product;
  }
  return size;
}

std::vector<ValueAxis> SizeExpr::dims() const {
  std::vector<ValueAxis> all;
  for (const SizeTerm& term : terms) all.insert(all.end(), term.dims.begin(), term.dims.end());
  return all;
}

std::vector<int64_t> encode_sizes(const SizeEntries& entries) {
  std::vector<int64_t> flat;
  for (const auto& [index, expr] : entries) {
    flat.insert(flat.end(), {static_cast<int64_t>(index), expr.offset, static_cast<int64_t>(expr.terms.size())});
    for (const SizeTerm& term : expr.terms) {
      flat.insert(flat.end(), {term.factor, static_cast<int64_t>(term.dims.size())});
      for (auto [value, axis] : term.dims) flat.insert(flat.end(), {static_cast<int64_t>(value), static_cast<int64_t>(axis)});
    }
  }
  return flat;
}

SizeEntries decode_sizes(const std::vector<int64_t>& flat) {
  size_t at = 0;
  auto next = [&]() {
    if (at >= flat.size()) fail(ErrorCode::InvalidInput, "a run-time size list ends early");
    return flat[at++];
  };
  // Indices are never negative, counts not beyond the list; offsets and factors may be anything.
  auto index = [&]() {
    int64_t n = next();
    if (n < 0) fail(ErrorCode::InvalidInput, "a run-time size list has a negative index");
    return static_cast<size_t>(n);
  };
  auto count = [&]() {
    size_t n = index();
    if (n > flat.size()) fail(ErrorCode::InvalidInput, "a run-time size list has a bad count");
    return n;
  };
  SizeEntries entries;
  while (at < flat.size()) {
    size_t entry = index();
    SizeExpr expr;
    expr.offset = next();
    expr.terms.resize(count());
    for (SizeTerm& term : expr.terms) {
      term.factor = next();
      term.dims.resize(count());
      for (ValueAxis& dim : term.dims) {
        dim.first = index();
        dim.second = index();
      }
    }
    entries.emplace_back(entry, std::move(expr));
  }
  return entries;
}

}  // namespace mlx_onnx
