// recoverShapes (Graph::recover_baked_sizes): the sizes MLX recorded at traced values that
// passes/dynamic_dims reads at run time instead of fixing their input dimension — reshape
// entries, and aranges whose length meets one varying input dimension.
#include <algorithm>
#include <bit>

#include "passes/size_sources.h"

namespace mlx_onnx::passes::sizes {

// recoverShapes: aranges whose length meets one varying input dimension of that traced
// size take their length from it at run time (found now, used from the next propagation).
bool Marker::recover(Sources varying, const std::vector<const Node*>& aranges) const {
  if (!graph.recover_baked_sizes || aranges.empty() || (varying & (varying - 1))) return false;
  size_t k = 0;
  while (k < symbolic.dims.size() && SymbolicDims::bit(k) != varying) ++k;
  if (k >= symbolic.dims.size() || k >= 63) return false;
  auto [input, axis] = symbolic.dims[k];
  int64_t size = graph.value(graph.inputs.at(input)).shape.at(axis);
  for (const Node* arange : aranges) {
    if (graph.value(arange->outputs.at(0)).shape.at(0) != size) return false;
  }
  for (const Node* arange : aranges) recovered.grew |= recovered.aranges.emplace(arange, symbolic.dims[k]).second;
  return true;
}

// For each fixed axis of the first result, the Arange whose length it is: aranges, and
// what keeps their axis (elementwise ops, broadcasts, transposes, new axes).
std::vector<const Node*> Marker::result_origins(const Dims& result) const {
  const std::string& op = node->op;
  const Shape& shape = graph.value(node->outputs.at(0)).shape;
  std::vector<const Node*> out(shape.size(), nullptr);
  auto origin = [&](size_t i, size_t a) { return origins.at(node->inputs.at(i)).at(a); };
  if (op == "Arange") {
    if (!result.empty() && !result[0]) out[0] = node;
  } else if (shape_following().count(op)) {
    for (size_t axis = 0; axis < shape.size(); ++axis) {
      for (size_t i = 0; i < node->inputs.size() && !result[axis] && !out[axis]; ++i) {
        size_t r = in_rank(i);
        if (r > shape.size() || axis + r < shape.size()) continue;
        size_t a = axis + r - shape.size();
        if (in_shape(i)[a] == shape[axis]) out[axis] = origin(i, a);
      }
    }
  } else if (op == "Gather" && node->inputs.size() == 2) {
    // Rows picked by an arange: the index axes lead the result.
    for (size_t axis = 0; axis < in_rank(1) && axis < shape.size(); ++axis) {
      if (!result[axis]) out[axis] = origin(1, axis);
    }
  } else if (op == "Transpose" && in_rank(0) == shape.size()) {
    const std::vector<int64_t>& perm = ints("axes");
    for (size_t axis = 0; axis < shape.size() && axis < perm.size(); ++axis) out[axis] = origin(0, perm[axis]);
  } else if (op == "Squeeze") {
    std::vector<bool> listed(in_rank(0), false);
    for (int64_t a : ints("axes")) listed.at(axis_in(a, in_rank(0))) = true;
    for (size_t a = 0, axis = 0; a < in_rank(0) && axis < shape.size(); ++a) {
      if (!listed[a]) out[axis++] = origin(0, a);
    }
  } else if (op == "Reshape") {
    // Through blocks of one input dim and one target entry (unit axes apart).
    const Shape& from = in_shape(0);
    std::vector<size_t> kept_in, kept_out;
    for (size_t a = 0; a < from.size(); ++a) if (from[a] != 1) kept_in.push_back(a);
    for (size_t a = 0; a < shape.size(); ++a) if (shape[a] != 1) kept_out.push_back(a);
    for (size_t k = 0; k < kept_in.size() && k < kept_out.size() && from[kept_in[k]] == shape[kept_out[k]]; ++k) {
      out[kept_out[k]] = origin(0, kept_in[k]);
    }
  } else if (op == "ExpandDims") {
    std::vector<bool> listed(shape.size(), false);
    for (int64_t a : ints("axes")) listed.at(axis_in(a, shape.size())) = true;
    size_t next = 0;
    for (size_t axis = 0; axis < shape.size() && next < in_rank(0); ++axis) {
      if (!listed[axis]) out[axis] = origin(0, next++);
    }
  }
  return out;
}

// recoverShapes: a reshape block's target entries as products of the input dimensions its
// varying sizes follow; `product` is the block's traced size, and what the dimensions'
// traced sizes leave of it is fixed. One entry takes them all (`B * L` when a linear layer
// flattens); several entries each take the one dimension of their traced size (`B, L`
// split back), which must be unique, the others multiplying to the fixed rest. False if
// they do not match.
bool Marker::recover_block(const std::vector<size_t>& block, Sources varying, int64_t product, const Shape& to, Dims& out) const {
  std::vector<size_t> sources;
  for (size_t k = 0; k < symbolic.dims.size() && k < 63; ++k) {
    if (varying & SymbolicDims::bit(k)) sources.push_back(k);
  }
  if (std::popcount(varying) != static_cast<int>(sources.size())) return false;
  auto traced = [&](size_t k) { return graph.value(graph.inputs.at(symbolic.dims[k].first)).shape.at(symbolic.dims[k].second); };
  int64_t followed = 1;
  for (size_t k : sources) followed *= traced(k);
  if (followed == 0 || product % followed != 0) return false;
  const int64_t rest = product / followed;
  std::vector<std::vector<size_t>> taken(block.size());
  if (block.size() == 1) {
    taken[0] = sources;
  } else {
    int64_t unmatched = 1;
    std::vector<bool> used(sources.size(), false);
    for (size_t e = 0; e < block.size(); ++e) {
      std::vector<size_t> matches;
      for (size_t s = 0; s < sources.size(); ++s) {
        if (!used[s] && traced(sources[s]) == to[block[e]]) matches.push_back(s);
      }
      if (matches.size() > 1) return false;  // two dimensions of one traced size: ambiguous
      if (matches.empty()) {
        unmatched *= to[block[e]];
        continue;
      }
      used[matches[0]] = true;
      taken[e] = {sources[matches[0]]};
    }
    if (std::find(used.begin(), used.end(), false) != used.end() || unmatched != rest) return false;
  }
  SizeEntries& entries = recovered.copies[node];
  for (size_t e = 0; e < block.size(); ++e) {
    if (taken[e].empty()) continue;
    SizeTerm term{block.size() == 1 ? rest : 1, {}};
    for (size_t k : taken[e]) {
      term.dims.push_back({graph.inputs.at(symbolic.dims[k].first), symbolic.dims[k].second});
      out[block[e]] |= SymbolicDims::bit(k);
    }
    entries.emplace_back(block[e], SizeExpr{0, {term}});
  }
  return true;
}

}  // namespace mlx_onnx::passes::sizes
