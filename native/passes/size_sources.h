#pragma once
// The state of passes/dynamic_dims as it walks a shapeless graph: which symbolic input
// dimensions each size follows, the conflicts where MLX baked a size, and what the opt-in
// shape recovery reads at run time instead. The shape rules are in dynamic_dims.cpp, the
// recovery in shape_recovery.cpp.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "graph/graph.h"
#include "graph/size_expr.h"

namespace mlx_onnx::passes::sizes {

// Which symbolic input dimensions a size follows: bit k for the k-th one (the 64th and
// later share the last bit, so fixing one of them fixes them all). 0: fixed.
using Sources = uint64_t;
using Dims = std::vector<Sources>;

// A size baked at its traced value where it meets one that follows these input dimensions.
struct Conflict {
  Sources sources;
  std::string why;
};

// Primitives whose result has the broadcast shape of their operands (aligned from the
// last axis): elementwise functions, and those that keep their operand's shape.
const std::unordered_set<std::string_view>& shape_following();

// Per value and axis, the Arange whose length a fixed size is (or nullptr).
using Origins = std::vector<std::vector<const Node*>>;

// An input dimension, by input index and axis.
using InputAxis = std::pair<size_t, size_t>;

// Bit k of Sources ↔ the k-th symbolic input dimension (input, axis).
struct SymbolicDims {
  std::vector<InputAxis> dims;

  explicit SymbolicDims(const Graph& graph) {
    for (size_t i = 0; i < graph.input_dim_params.size(); ++i) {
      for (size_t axis = 0; axis < graph.input_dim_params[i].size(); ++axis) {
        if (!graph.input_dim_params[i][axis].empty()) dims.emplace_back(i, axis);
      }
    }
  }
  static Sources bit(size_t k) { return Sources{1} << std::min<size_t>(k, 63); }
  Sources of(InputAxis dim) const {
    auto found = std::find(dims.begin(), dims.end(), dim);
    return found == dims.end() ? 0 : bit(static_cast<size_t>(found - dims.begin()));
  }
  Sources all() const {
    Sources s = 0;
    for (size_t k = 0; k < dims.size(); ++k) s |= bit(k);
    return s;
  }
};

// What recoverShapes reads at run time: reshape entries, and aranges whose length is an
// input dimension (the positions of `mx.arange(L)` code).
struct Recovered {
  std::map<const Node*, SizeEntries> copies;
  std::map<const Node*, InputAxis> aranges;
  bool grew = false;  // aranges found in this propagation
};

struct Marker {
  Graph& graph;
  std::vector<Dims>& dims;  // per value
  Origins& origins;
  std::vector<Conflict>& conflicts;
  Recovered& recovered;
  const SymbolicDims& symbolic;
  const std::vector<bool>& produced;  // per value: computed by the nodes walked so far
  // Merged traces: check sizes against the other traces. Only before the first input
  // dimension is fixed: sizes that differ between traces may follow a fixed one after.
  bool against_traces = false;
  const Node* node = nullptr;

  const Dims& in(size_t i) const { return dims.at(node->inputs.at(i)); }
  const Shape& in_shape(size_t i) const { return graph.value(node->inputs.at(i)).shape; }
  size_t in_rank(size_t i) const { return in_shape(i).size(); }
  size_t out_rank(size_t i = 0) const { return graph.value(node->outputs.at(i)).shape.size(); }
  Sources all_sources() const {
    Sources all = 0;
    for (ValueId v : node->inputs) {
      for (Sources s : dims.at(v)) all |= s;
    }
    return all;
  }
  void conflict(Sources sources, const std::string& why) const {
    if (sources) conflicts.push_back({sources, node->op + " " + why});
  }
  const std::vector<int64_t>& ints(const char* name) const { return node->attr<std::vector<int64_t>>(name); }
  static int64_t axis_in(int64_t axis, size_t rank) { return axis < 0 ? axis + static_cast<int64_t>(rank) : axis; }

  // The sizes of operands [first, first + count) that meet in each axis of a result of rank
  // `rank` (aligned from the last axis; the last `skip` axes of each left out). A varying
  // size may meet varying ones (their inputs must then agree at run time) but not a fixed
  // one, unless `broadcasting` and the fixed size is 1.
  Dims meet(size_t first, size_t count, size_t rank, bool broadcasting, const char* what, size_t skip = 0) const;

  // Axis a of operand i and axis b of operand j must be equal at run time (or, broadcasting,
  // either a fixed 1): a varying size against a fixed one is baked.
  void agree(size_t i, size_t a, size_t j, size_t b, bool broadcasting, const std::string& what) const;

  // MLX's reshape target keeps -1 where the code wrote it, and the traced value of every
  // Python-int size. The input and target dims fall into blocks of equal traced product; a
  // block whose input sizes vary must end in the -1, which then follows them all. With
  // Graph::recover_baked_sizes, the block's target entries are read at run time instead
  // when they match its varying input dimensions by traced size (recover_block).
  Dims reshape() const;

  // The sources of each result's dims.
  std::vector<Dims> results() const;

  // Sizes recovered from merged traces or recoverShapes (a node attribute, encode_sizes)
  // follow the dimensions they read; the other entries of a result of rank `rank` are fixed.
  // An array read that is no longer computed (a fused pattern's) is a conflict.
  Dims recovered_sources(const std::vector<int64_t>& flat, size_t rank) const;

  // Merged traces (Graph::other_trace_shapes): whether axis `axis` of `v` has one size in
  // every trace, and a conflict for each result axis whose sizes differ between traces but
  // that would be written at the first one's (fixing the node's dimensions, or all when
  // it reads none).
  bool same_in_traces(ValueId v, size_t axis) const;
  void check_against_traces(const std::vector<Dims>& results) const;

  // recoverShapes (shape_recovery.cpp): aranges whose length meets one varying input dimension of that traced
  // size take their length from it at run time (found now, used from the next propagation).
  bool recover(Sources varying, const std::vector<const Node*>& aranges) const;

  // For each fixed axis of the first result, the Arange whose length it is: aranges, and
  // what keeps their axis (elementwise ops, broadcasts, transposes, new axes).
  std::vector<const Node*> result_origins(const Dims& result) const;

  // recoverShapes: a reshape block's target entries as products of the input dimensions its
  // varying sizes follow; `product` is the block's traced size, and what the dimensions'
  // traced sizes leave of it is fixed. One entry takes them all (`B * L` when a linear layer
  // flattens); several entries each take the one dimension of their traced size (`B, L`
  // split back), which must be unique, the others multiplying to the fixed rest. False if
  // they do not match.
  bool recover_block(const std::vector<size_t>& block, Sources varying, int64_t product, const Shape& to, Dims& out) const;
};

}  // namespace mlx_onnx::passes::sizes
