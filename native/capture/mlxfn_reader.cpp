#include "capture/mlxfn_reader.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "capture/byte_reader.h"
#include "io/mapped_file.h"
#include "capture/primitive_states.h"

namespace mlx_onnx {
namespace {

struct FormatVersion {
  int minor = 0;
  int patch = 0;
};

FormatVersion parse_version(ByteReader& in, const std::string& version) {
  int major = -1, minor = -1, patch = -1;
  if (std::sscanf(version.c_str(), "%d.%d.%d", &major, &minor, &patch) != 3 || major != 0 ||
      minor != 32 || patch < 1) {
    in.error("written by MLX '" + version.substr(0, 64) +
             "'; this reader supports files of MLX 0.32.1 to 0.32.4 (re-export with MLX 0.32)");
  }
  return {minor, patch};
}

struct ConstantBytes {
  Shape shape;
  DType dtype;
  const uint8_t* data;
  size_t nbytes;
};

class TapeReader {
 public:
  TapeReader(ByteReader& in, FormatVersion version,
             std::unordered_map<uint64_t, ConstantBytes>& constants)
      : in_(in), version_(version), constants_(constants) {}

  Graph read_trace(bool shapeless) {
    graph_.shapeless = shapeless;
    uint64_t n_keys = in_.count("keyword-argument names", 8, 1 << 20);
    std::vector<std::string> keys;
    for (uint64_t i = 0; i < n_keys; ++i) {
      keys.push_back(in_.string("keyword-argument name", kMaxStringBytes));
      if (i > 0 && !(keys[i - 1] < keys[i])) in_.error("keyword-argument names are not sorted");
    }
    uint64_t n_ids = in_.count("trace inputs", 8, 1 << 20);
    std::vector<uint64_t> input_ids;
    for (uint64_t i = 0; i < n_ids; ++i) input_ids.push_back(in_.u64("input id"));
    uint64_t n_inputs = in_.count("input descriptions", 13, 1 << 20);
    if (n_inputs != n_ids) in_.error("trace lists " + std::to_string(n_ids) + " input ids but " +
                                     std::to_string(n_inputs) + " input descriptions");
    if (n_keys > n_inputs) in_.error("more keyword names than inputs");
    size_t n_positional = n_inputs - n_keys;
    graph_.keyword_inputs = n_keys;
    for (uint64_t i = 0; i < n_inputs; ++i) {
      auto [shape, dtype] = array_desc();
      ValueId v = define(input_ids[i], std::move(shape), dtype);
      graph_.inputs.push_back(v);
      graph_.input_names.push_back(i < n_positional ? "input_" + std::to_string(i)
                                                    : keys[i - n_positional]);
    }
    uint64_t n_outputs = in_.count("trace outputs", 8, 1 << 20);
    std::vector<uint64_t> output_ids;
    for (uint64_t i = 0; i < n_outputs; ++i) output_ids.push_back(in_.u64("output id"));
    uint64_t tape_len = in_.count("tape entries", 10, UINT64_MAX);
    for (uint64_t i = 0; i < tape_len; ++i) entry();
    for (uint64_t i = 0; i < n_outputs; ++i) {
      graph_.outputs.push_back(lookup(output_ids[i], "output"));
      graph_.output_names.push_back("output_" + std::to_string(i));
    }
    return std::move(graph_);
  }

 private:
  DType dtype() {
    size_t at = in_.offset();
    int32_t code = in_.i32("dtype code");
    uint8_t size = in_.scalar<uint8_t>("dtype size");
    auto dtype = dtype_from_code(code);
    if (!dtype || dtype_size(*dtype) != size) {
      ByteReader(in_).error("invalid dtype (code " + std::to_string(code) + ", size " +
                            std::to_string(size) + ") at byte " + std::to_string(at));
    }
    return *dtype;
  }

  Shape shape(const char* what) {
    uint64_t ndim = in_.count(what, 4, kMaxRank);
    Shape dims;
    bool empty = false;
    int64_t elements = 1;
    for (uint64_t i = 0; i < ndim; ++i) {
      int32_t d = in_.i32(what);
      if (d < 0) in_.error(std::string(what) + " has a negative dimension");
      empty = empty || d == 0;
      elements = d > 1 && elements > kMaxElements / d ? kMaxElements + 1 : elements * std::max(d, 1);
      dims.push_back(d);
    }
    if (!empty && elements > kMaxElements) {
      in_.error(std::string(what) + " has more than 2^48 elements");
    }
    return dims;
  }

  std::pair<Shape, DType> array_desc() {
    Shape s = shape("shape");
    return {std::move(s), dtype()};
  }

  ValueId define(uint64_t id, Shape shape, DType dtype) {
    if (ids_.count(id)) in_.error("array id defined twice");
    ValueId v = graph_.add_value(std::move(shape), dtype);
    ids_[id] = v;
    return v;
  }

  ValueId lookup(uint64_t id, const char* role) {
    auto it = ids_.find(id);
    if (it == ids_.end()) in_.error(std::string(role) + " refers to an array not defined before");
    return it->second;
  }

  void entry() {
    uint64_t id = in_.u64("tape entry id");
    if (in_.boolean("has_primitive")) return primitive_node(id);
    if (!in_.boolean("is_constant")) {
      // A function input: it must be one this trace declared.
      auto it = ids_.find(id);
      if (it == ids_.end() || !is_input(it->second)) in_.error("input entry names no trace input");
      return;
    }
    auto known = constants_.find(id);
    if (known == constants_.end()) {
      auto [s, dt] = array_desc();
      size_t count = 1;
      for (auto d : s) {
        if (d != 0 && count > SIZE_MAX / static_cast<size_t>(d)) in_.error("constant too large");
        count *= static_cast<size_t>(d);
      }
      if (count > SIZE_MAX / dtype_size(dt)) in_.error("constant too large");
      size_t nbytes = count * dtype_size(dt);
      in_.need(nbytes, "constant data");
      known = constants_.emplace(id, ConstantBytes{std::move(s), dt, in_.here(), nbytes}).first;
      in_.skip(nbytes, "constant data");
    }
    const ConstantBytes& c = known->second;
    ValueId v = define(id, c.shape, c.dtype);
    graph_.constants.push_back(Constant{v, c.data, c.nbytes});
  }

  bool is_input(ValueId v) const {
    for (auto input : graph_.inputs) {
      if (input == v) return true;
    }
    return false;
  }

  void primitive_node(uint64_t id) {
    Node node;
    uint64_t n_operands = in_.count("operands", 8, 1 << 20);
    for (uint64_t i = 0; i < n_operands; ++i) node.inputs.push_back(lookup(in_.u64("operand"), "operand"));
    in_.i32("stream index");
    int32_t device = in_.i32("device type");
    if (device != 0 && device != 1) in_.error("device type " + std::to_string(device) + " is not cpu (0) or gpu (1)");
    node.on_gpu = device == 1;
    in_.i32("device index");
    node.op = in_.string("primitive name", 256);
    const PrimitiveState* state = find_primitive_state(node.op);
    if (!state) in_.error("unknown primitive '" + node.op + "' (not an MLX 0.32 primitive)");
    read_state(node, *state);
    uint64_t n_siblings = in_.u64("sibling count");
    if (n_siblings == 0) {
      auto [s, dt] = array_desc();
      node.outputs.push_back(define(id, std::move(s), dt));
    } else {
      uint64_t n_ids = in_.count("output ids", 8, 1 << 16);
      if (n_ids != n_siblings + 1) in_.error("sibling count does not match output ids");
      std::vector<uint64_t> out_ids;
      bool has_self = false;
      for (uint64_t i = 0; i < n_ids; ++i) {
        out_ids.push_back(in_.u64("output id"));
        has_self = has_self || out_ids.back() == id;
      }
      if (!has_self) in_.error("multi-output entry does not list its own id");
      if (in_.count("output shapes", 8, 1 << 16) != n_ids) in_.error("output shapes do not match output ids");
      std::vector<Shape> shapes;
      for (uint64_t i = 0; i < n_ids; ++i) shapes.push_back(shape("output shape"));
      if (in_.count("output dtypes", 5, 1 << 16) != n_ids) in_.error("output dtypes do not match output ids");
      for (uint64_t i = 0; i < n_ids; ++i) node.outputs.push_back(define(out_ids[i], std::move(shapes[i]), dtype()));
    }
    graph_.nodes.push_back(std::move(node));
  }

  std::vector<int64_t> int_list(const char* what, size_t item_bytes) {
    uint64_t n = in_.count(what, item_bytes, UINT64_MAX);
    std::vector<int64_t> items;
    for (uint64_t i = 0; i < n; ++i) {
      if (item_bytes == 4) items.push_back(in_.i32(what));
      else items.push_back(static_cast<int64_t>(in_.u64(what)));
    }
    return items;
  }

  void read_state(Node& node, const PrimitiveState& state) {
    size_t bools_seen = 0;
    for (const StateFieldSpec& field : state.fields) {
      if (field.type == StateField::Placeholder) continue;
      node.attrs.push_back({field.name, read_field(node, field.type, bools_seen)});
    }
  }

  Attr read_field(const Node& node, StateField type, size_t& bools_seen) {
    switch (type) {
      case StateField::Placeholder: break;
      case StateField::Bool:
        // Before 0.32.2 ScaledDotProductAttention had no trailing force_fused flag.
        if (node.op == "ScaledDotProductAttention" && version_.patch < 2 && ++bools_seen == 4) return false;
        // FFT's odd_out flag appears after 0.32.2.
        if (node.op == "FFT" && version_.patch <= 2 && ++bools_seen == 3) return false;
        return in_.boolean("state flag");
      case StateField::I32: return int64_t{in_.i32("state integer")};
      case StateField::U64: return static_cast<int64_t>(in_.u64("state integer"));
      case StateField::F32: return double{in_.scalar<float>("state number")};
      case StateField::F64: return in_.scalar<double>("state number");
      case StateField::Dtype: return dtype();
      case StateField::Shape:
      case StateField::VecI32: return int_list("state list", 4);
      case StateField::Strides:
      case StateField::VecU64: return int_list("state list", 8);
      case StateField::Str: return in_.string("state string", kMaxStringBytes);
      case StateField::OptF32:
        if (in_.boolean("optional flag")) return double{in_.scalar<float>("state number")};
        return std::monostate{};
      case StateField::I32x3: {
        std::vector<int64_t> v;
        for (int i = 0; i < 3; ++i) v.push_back(in_.i32("state integer"));
        return v;
      }
      case StateField::BoolTriples: {
        uint64_t n = in_.count("state list", 3, UINT64_MAX);
        std::vector<int64_t> v;
        for (uint64_t i = 0; i < 3 * n; ++i) v.push_back(in_.boolean("state flag"));
        return v;
      }
      case StateField::Variants: {
        uint64_t n = in_.count("state list", 5, UINT64_MAX);
        for (uint64_t i = 0; i < n; ++i) {
          int32_t tag = in_.i32("variant tag");
          if (tag == 0 || tag == 1) in_.skip(4, "variant value");
          else if (tag == 2) in_.boolean("variant value");
          else in_.error("variant tag " + std::to_string(tag) + " is not 0, 1 or 2");
        }
        return std::monostate{};
      }
    }
    return std::monostate{};
  }

  ByteReader& in_;
  FormatVersion version_;
  std::unordered_map<uint64_t, ConstantBytes>& constants_;
  std::unordered_map<uint64_t, ValueId> ids_;
  Graph graph_;
};

}  // namespace

MlxfnFile parse_mlxfn(std::span<const uint8_t> bytes, std::shared_ptr<const void> storage,
                      const std::string& source) {
  ByteReader in(bytes, source);
  MlxfnFile file;
  if (bytes.empty()) in.error("file is empty, not an .mlxfn export");
  file.version = in.string("version string", 256);
  FormatVersion version = parse_version(in, file.version);
  int32_t count = in.i32("trace count");
  if (count < 0 || static_cast<uint64_t>(count) > kMaxTraces) {
    in.error("trace count " + std::to_string(count) + " is out of range");
  }
  file.shapeless = in.boolean("shapeless flag");
  file.metadata = in.string("metadata", kMaxStringBytes);
  std::unordered_map<uint64_t, ConstantBytes> constants;  // shared by all traces
  for (int32_t i = 0; i < count; ++i) {
    TapeReader tape(in, version, constants);
    file.traces.push_back(tape.read_trace(file.shapeless));
    file.traces.back().storage = storage;
  }
  if (in.remaining() != 0) in.error(std::to_string(in.remaining()) + " unexpected bytes after the last trace");
  return file;
}

MlxfnFile read_mlxfn(const std::string& path) {
  auto mapped = MappedFile::open(path);
  return parse_mlxfn(mapped->bytes(), mapped, path);
}

}  // namespace mlx_onnx
