#include "onnx/protobuf.h"

#include <cstring>

namespace mlx_onnx::onnx {
namespace {
constexpr int kVarint = 0;
constexpr int kLengthDelimited = 2;
constexpr int kFixed32 = 5;

size_t varint_size(uint64_t value) {
  size_t n = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++n;
  }
  return n;
}
}  // namespace

std::string& ProtoMessage::tail() {
  if (chunks_.empty() || chunks_.back().borrowed != nullptr) chunks_.emplace_back();
  return chunks_.back().owned;
}

void ProtoMessage::raw_varint(uint64_t value) {
  std::string& out = tail();
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
    ++size_;
  }
  out.push_back(static_cast<char>(value));
  ++size_;
}

void ProtoMessage::tag(int field, int wire_type) {
  raw_varint((static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(wire_type));
}

void ProtoMessage::varint(int field, uint64_t value) {
  tag(field, kVarint);
  raw_varint(value);
}

void ProtoMessage::fixed32(int field, uint32_t value) {
  tag(field, kFixed32);
  char bytes[4];
  std::memcpy(bytes, &value, 4);  // little-endian hosts
  tail().append(bytes, 4);
  size_ += 4;
}

void ProtoMessage::bytes(int field, std::string_view value) {
  tag(field, kLengthDelimited);
  raw_varint(value.size());
  tail().append(value);
  size_ += value.size();
}

void ProtoMessage::borrowed_bytes(int field, const uint8_t* data, size_t size, ElementConversion conversion) {
  tag(field, kLengthDelimited);
  raw_varint(size);
  if (size == 0) return;
  chunks_.push_back(Chunk{{}, data, size, conversion});
  size_ += size;
}

void ProtoMessage::packed_varints(int field, const std::vector<int64_t>& values) {
  if (values.empty()) return;
  size_t payload = 0;
  for (int64_t v : values) payload += varint_size(static_cast<uint64_t>(v));
  tag(field, kLengthDelimited);
  raw_varint(payload);
  for (int64_t v : values) raw_varint(static_cast<uint64_t>(v));
}

void ProtoMessage::message(int field, ProtoMessage&& child) {
  tag(field, kLengthDelimited);
  raw_varint(child.size_);
  for (auto& chunk : child.chunks_) {
    if (chunk.borrowed == nullptr) {
      tail().append(chunk.owned);
    } else {
      chunks_.push_back(std::move(chunk));
    }
  }
  size_ += child.size_;
}

bool ProtoMessage::write_to(FileSink& out, const Cancel& cancel) const {
  for (const auto& chunk : chunks_) {
    cancel.check();
    bool ok = !chunk.borrowed     ? out.write(chunk.owned.data(), chunk.owned.size())
              : chunk.conversion ? out.write_converted(chunk.borrowed, chunk.borrowed_size, chunk.conversion)
                                 : out.write_view(chunk.borrowed, chunk.borrowed_size);
    if (!ok) return false;
  }
  return out.flush();
}

}  // namespace mlx_onnx::onnx
