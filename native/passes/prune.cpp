#include "passes/prune.h"

#include <algorithm>

namespace mlx_onnx::passes {

void prune_dead_code(Graph& graph) {
  std::vector<bool> live(graph.values.size(), false);
  for (ValueId v : graph.outputs) live[v] = true;
  std::vector<bool> keep(graph.nodes.size(), false);
  for (size_t i = graph.nodes.size(); i-- > 0;) {
    const Node& node = graph.nodes[i];
    bool used = std::any_of(node.outputs.begin(), node.outputs.end(), [&](ValueId v) { return live[v]; });
    if (!used) continue;
    keep[i] = true;
    for (ValueId v : node.inputs) live[v] = true;
  }
  std::vector<Node> nodes;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (keep[i]) nodes.push_back(std::move(graph.nodes[i]));
  }
  graph.nodes = std::move(nodes);
  std::erase_if(graph.constants, [&](const Constant& c) { return !live[c.value]; });
}

}  // namespace mlx_onnx::passes
