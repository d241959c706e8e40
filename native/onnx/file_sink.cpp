#include "onnx/file_sink.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "io/file_read.h"

namespace mlx_onnx::onnx {
namespace {
constexpr size_t kBufferBytes = size_t{1} << 20;
// Smaller views are cheaper to copy through the buffer than a system call each.
constexpr size_t kMinCopyBytes = size_t{64} << 10;
}  // namespace

FileSink::FileSink(int fd, SourceFile source) : fd_(fd), source_(source) {
  buffer_.reserve(kBufferBytes);
}

bool FileSink::write_all(const uint8_t* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd_, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool FileSink::flush() {
  bool ok = write_all(buffer_.data(), buffer_.size());
  buffer_.clear();
  return ok;
}

bool FileSink::write(const void* data, size_t size) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  if (buffer_.size() + size > kBufferBytes) {
    if (!flush()) return false;
    if (size >= kBufferBytes) return write_all(bytes, size);
  }
  buffer_.insert(buffer_.end(), bytes, bytes + size);
  return true;
}

bool FileSink::copy_from_source(uint64_t offset, size_t size, size_t& copied) {
  copied = 0;
#ifndef __linux__
  (void)offset;
  (void)size;
  copy_unsupported_ = true;  // no copy_file_range: plain writes from the mapping
  return true;
#else
  auto in_offset = static_cast<off64_t>(offset);
  while (copied < size) {
    ssize_t n = ::copy_file_range(source_.fd, &in_offset, fd_, nullptr, size - copied, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP ||
                  errno == EBADF || errno == EPERM)) {
      copy_unsupported_ = true;
      return true;
    }
    if (n < 0) return false;
    if (n == 0) {
      errno = EIO;  // the source file shrank under us
      return false;
    }
    copied += static_cast<size_t>(n);
  }
  return true;
#endif
}

std::optional<uint64_t> FileSink::source_offset(const uint8_t* data, size_t size) const {
  const uint8_t* base = source_.mapped.data();
  if (source_.fd < 0 || base == nullptr || data < base || size > source_.mapped.size() ||
      static_cast<size_t>(data - base) > source_.mapped.size() - size) {
    return std::nullopt;
  }
  return static_cast<uint64_t>(data - base);
}

bool FileSink::write_view(const uint8_t* data, size_t size) {
  auto offset = source_offset(data, size);
  if (!offset || size < kMinCopyBytes) return write(data, size);
  if (!flush()) return false;
  size_t copied = 0;
  if (!copy_unsupported_ && !copy_from_source(*offset, size, copied)) return false;
  // What the kernel could not copy goes through a buffer, not the mapping (see below).
  for (uint64_t at = *offset + copied, end = *offset + size; at < end;) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(kBufferBytes, end - at));
    if (!read_source(at, n) || !write_all(scratch_.data(), n)) return false;
    at += n;
  }
  return true;
}

// Source bytes are read with pread rather than through the mapping, so the pages do not
// stay in this process's memory (RSS) once written.
bool FileSink::read_source(uint64_t offset, size_t size) {
  scratch_.resize(size);
  return read_fully(source_.fd, scratch_.data(), size, offset);
}

bool FileSink::write_converted(const uint8_t* data, size_t size, const ElementConversion& conversion) {
  size_t count = size / conversion.to_size;
  size_t chunk = kBufferBytes / std::max(conversion.from_size, conversion.to_size);
  auto offset = source_offset(data, conversion.source_bytes(size));
  for (size_t done = 0; done < count;) {
    size_t n = std::min(chunk, count - done);
    const uint8_t* in = data + done * conversion.from_size;
    if (offset) {
      if (!read_source(*offset + done * conversion.from_size, n * conversion.from_size)) return false;
      in = scratch_.data();
    }
    if (buffer_.size() + n * conversion.to_size > kBufferBytes && !flush()) return false;
    size_t at = buffer_.size();
    buffer_.resize(at + n * conversion.to_size);
    conversion.convert(in, buffer_.data() + at, n);
    done += n;
  }
  return true;
}

}  // namespace mlx_onnx::onnx
