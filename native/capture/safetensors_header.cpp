#include "capture/safetensors_header.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <string_view>

#include "io/file_read.h"
#include "capture/json_cursor.h"
#include "graph/error.h"

namespace mlx_onnx {
namespace {

// The dtypes MLX's loader accepts, with their element sizes (F8_E4M3 loads as uint8).
size_t dtype_size(std::string_view dtype) {
  static const std::pair<std::string_view, size_t> sizes[] = {
      {"BOOL", 1}, {"U8", 1}, {"I8", 1}, {"F8_E4M3", 1}, {"U16", 2}, {"I16", 2}, {"F16", 2},
      {"BF16", 2}, {"U32", 4}, {"I32", 4}, {"F32", 4}, {"U64", 8}, {"I64", 8}, {"C64", 8},
  };
  for (const auto& [name, size] : sizes) {
    if (name == dtype) return size;
  }
  return 0;
}

std::string ints_text(const std::vector<int64_t>& values) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + std::to_string(values[i]);
  return s + "]";
}

std::string range_text(uint64_t begin, uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

struct Entry {
  SafetensorsTensor tensor;
  size_t at;  // file offset of its JSON object
};

Entry read_entry(JsonCursor& json, const std::string& name, uint64_t data_bytes) {
  Entry entry{{name, "", {}, 0, 0}, json.offset()};
  const std::string label = "tensor '" + name + "'";
  bool has_dtype = false, has_shape = false, has_offsets = false;
  json.object(label.c_str(), [&](const std::string& field, size_t field_at) {
    if (field == "dtype" && !has_dtype) {
      size_t at = json.offset();
      entry.tensor.dtype = json.string("dtype");
      if (dtype_size(entry.tensor.dtype) == 0) json.error(label + ": unknown dtype '" + entry.tensor.dtype + "'", at);
      has_dtype = true;
    } else if (field == "shape" && !has_shape) {
      json.array("shape", [&](size_t i) {
        size_t at = json.offset();
        if (i >= kMaxSafetensorsRank) json.error(label + ": rank exceeds " + std::to_string(kMaxSafetensorsRank), at);
        int64_t dim = json.integer("shape dimension");
        if (dim < 0) json.error(label + ": negative dimension " + std::to_string(dim), at);
        entry.tensor.shape.push_back(dim);
      });
      has_shape = true;
    } else if (field == "data_offsets" && !has_offsets) {
      std::vector<int64_t> offsets;
      size_t at = json.offset();
      json.array("data_offsets", [&](size_t i) {
        size_t item_at = json.offset();
        int64_t v = json.integer("data offset");
        if (i >= 2) json.error(label + ": data_offsets has more than 2 entries", item_at);
        if (v < 0) json.error(label + ": negative data offset " + std::to_string(v), item_at);
        offsets.push_back(v);
      });
      if (offsets.size() != 2) json.error(label + ": data_offsets must be [begin, end]", at);
      entry.tensor.begin = static_cast<uint64_t>(offsets[0]);
      entry.tensor.end = static_cast<uint64_t>(offsets[1]);
      if (entry.tensor.begin > entry.tensor.end) json.error(label + ": data_offsets " + ints_text(offsets) + " are not ordered", at);
      if (entry.tensor.end > data_bytes) {
        json.error(label + ": data_offsets " + ints_text(offsets) + " run past the end of the data section (" +
                       std::to_string(data_bytes) + " bytes)", at);
      }
      has_offsets = true;
    } else {
      json.error(label + ": unexpected or repeated field \"" + field + "\"", field_at);
    }
  });
  if (!has_dtype || !has_shape || !has_offsets) {
    json.error(label + ": needs \"dtype\", \"shape\" and \"data_offsets\"", entry.at);
  }
  uint64_t bytes = dtype_size(entry.tensor.dtype);
  for (int64_t dim : entry.tensor.shape) {
    if (__builtin_mul_overflow(bytes, static_cast<uint64_t>(dim), &bytes)) {
      json.error(label + ": shape " + ints_text(entry.tensor.shape) + " overflows 64 bits", entry.at);
    }
  }
  if (entry.tensor.end - entry.tensor.begin != bytes) {
    json.error(label + ": data_offsets " + range_text(entry.tensor.begin, entry.tensor.end) + " hold " +
                   std::to_string(entry.tensor.end - entry.tensor.begin) + " bytes; shape " +
                   ints_text(entry.tensor.shape) + " of " + entry.tensor.dtype + " needs " + std::to_string(bytes),
               entry.at);
  }
  return entry;
}

}  // namespace

SafetensorsHeader check_safetensors_header(std::span<const uint8_t> head, uint64_t file_size,
                                           const std::string& source) {
  auto bad = [&](const std::string& what) { fail(ErrorCode::InvalidInput, source + ": " + what); };
  if (file_size < 8 || head.size() < 8) bad("file is " + std::to_string(file_size) + " bytes, too short for a safetensors header");
  uint64_t length;
  std::memcpy(&length, head.data(), 8);  // little-endian hosts only (as MLX)
  if (length > kMaxSafetensorsHeaderBytes) {
    bad("header length " + std::to_string(length) + " exceeds the limit of " + std::to_string(kMaxSafetensorsHeaderBytes) + " bytes");
  }
  if (length > file_size - 8) {
    bad("header length " + std::to_string(length) + " runs past the end of the file (" + std::to_string(file_size) + " bytes)");
  }
  if (head.size() - 8 < length) bad("header is truncated");
  SafetensorsHeader header;
  header.data_start = 8 + length;
  const uint64_t data_bytes = file_size - header.data_start;

  JsonCursor json({reinterpret_cast<const char*>(head.data()) + 8, static_cast<size_t>(length)}, 8, source);
  std::vector<Entry> entries;
  std::set<std::string> names;
  json.object("header", [&](const std::string& key, size_t key_at) {
    if (!names.insert(key).second) json.error("'" + key + "' appears twice", key_at);
    if (key == "__metadata__") {
      if (json.null()) return;  // MLX writes null when there is none
      json.object("__metadata__", [&](const std::string& k, size_t) { header.metadata[k] = json.string("__metadata__ value"); });
    } else {
      entries.push_back(read_entry(json, key, data_bytes));
    }
  });
  json.end();

  // No two tensors may share bytes (empty tensors occupy none).
  std::vector<const Entry*> by_begin;
  for (const Entry& e : entries) {
    if (e.tensor.end > e.tensor.begin) by_begin.push_back(&e);
  }
  std::sort(by_begin.begin(), by_begin.end(), [](const Entry* a, const Entry* b) { return a->tensor.begin < b->tensor.begin; });
  for (size_t i = 1; i < by_begin.size(); ++i) {
    const SafetensorsTensor& prev = by_begin[i - 1]->tensor;
    const SafetensorsTensor& next = by_begin[i]->tensor;
    if (next.begin < prev.end) {
      json.error("tensor '" + next.name + "': data_offsets " + range_text(next.begin, next.end) + " overlap tensor '" +
                     prev.name + "' " + range_text(prev.begin, prev.end),
                 by_begin[i]->at);
    }
  }
  for (Entry& e : entries) header.tensors.push_back(std::move(e.tensor));
  return header;
}

SafetensorsHeader check_safetensors_file(const std::string& path) {
  uint64_t size = 0;
  int fd = open_regular_file(path, size);
  // The length word first, then exactly the header it announces (if within the limits).
  std::vector<uint8_t> head(std::min<uint64_t>(size, 8));
  auto read_at = [&](uint8_t* into, size_t n, uint64_t at) {
    if (read_fully(fd, into, n, at)) return;
    int err = errno;
    ::close(fd);
    fail(ErrorCode::Io, "cannot read " + path + ": " + std::strerror(err));
  };
  read_at(head.data(), head.size(), 0);
  if (head.size() == 8) {
    uint64_t length;
    std::memcpy(&length, head.data(), 8);
    if (length <= kMaxSafetensorsHeaderBytes && length <= size - 8) {
      head.resize(8 + length);
      read_at(head.data() + 8, length, 8);
    }
  }
  ::close(fd);
  return check_safetensors_header(head, size, path);
}

}  // namespace mlx_onnx
