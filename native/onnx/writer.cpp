#include "onnx/writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <vector>

#include "graph/error.h"
#include "onnx/encode.h"

namespace mlx_onnx::onnx {
namespace {

namespace fs = std::filesystem;

// Large tensors start on page boundaries so ONNX Runtime can map them in place.
uint64_t aligned_offset(uint64_t offset, size_t nbytes) {
  uint64_t alignment = nbytes >= (64u << 10) ? 4096 : 64;
  return (offset + alignment - 1) / alignment * alignment;
}

// A temporary file next to the target that is removed unless committed.
class TempFile {
 public:
  TempFile(const fs::path& target, SourceFile source) : target_(target) {
    static std::atomic<int> counter{0};
    path_ = target.parent_path() / ("." + target.filename().string() + ".tmp-" +
                                    std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ < 0) fail(ErrorCode::Io, "cannot create " + path_.string() + ": " + std::strerror(errno));
    sink_.emplace(fd_, source);
  }
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) {
      std::error_code ignored;
      fs::remove(path_, ignored);
    }
  }
  FileSink& sink() { return *sink_; }
  [[noreturn]] void write_failed() {
    fail(ErrorCode::Io, "cannot write " + target_.string() + ": " + std::strerror(errno));
  }
  // Durable files reach the disk before they replace the target; otherwise the kernel
  // writes them back in its own time (as `cp` leaves them).
  void close(bool durable) {
    bool ok = sink_->flush() && (!durable || ::fsync(fd_) == 0);
    ok = ::close(fd_) == 0 && ok;
    fd_ = -1;
    if (!ok) write_failed();
  }
  void commit() {
    std::error_code ec;
    fs::rename(path_, target_, ec);
    if (ec) fail(ErrorCode::Io, "cannot rename to " + target_.string() + ": " + ec.message());
    committed_ = true;
  }

 private:
  fs::path target_;
  fs::path path_;
  int fd_ = -1;
  std::optional<FileSink> sink_;
  bool committed_ = false;
};

// Makes the renames themselves durable.
void sync_folder(const fs::path& folder) {
  int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  bool ok = fd >= 0 && ::fsync(fd) == 0;
  int err = errno;
  if (fd >= 0) ::close(fd);
  if (!ok) fail(ErrorCode::Io, "cannot sync folder " + folder.string() + ": " + std::strerror(err));
}

std::vector<TensorPlacement> place_tensors(const Model& model, const WriteOptions& options,
                                           const std::string& data_name) {
  uint64_t total = 0;
  for (const auto& t : model.initializers) total += t.nbytes;
  bool external = options.external_data == ExternalData::Always ||
                  (options.external_data == ExternalData::Auto && total > kInlineLimit);
  if (options.external_data == ExternalData::Never && total > kInlineLimit) {
    fail(ErrorCode::InvalidArgument,
         "the weights (" + std::to_string(total) +
             " bytes) do not fit in one ONNX file (2 GiB); use external data (--external-data auto)");
  }
  std::vector<TensorPlacement> placements(model.initializers.size());
  uint64_t offset = 0;
  for (size_t i = 0; i < model.initializers.size(); ++i) {
    const Tensor& t = model.initializers[i];
    if (!external || t.inline_only || t.nbytes < options.external_threshold) continue;
    offset = aligned_offset(offset, t.nbytes);
    placements[i] = TensorPlacement{true, data_name, offset};
    offset += t.nbytes;
  }
  return placements;
}

uint64_t write_external_data(const Model& model, const std::vector<TensorPlacement>& placements,
                             TempFile& file, const Cancel& cancel) {
  static const char zeros[4096] = {};
  uint64_t written = 0;
  for (size_t i = 0; i < placements.size(); ++i) {
    if (!placements[i].external) continue;
    cancel.check();
    const Tensor& t = model.initializers[i];
    uint64_t pad = placements[i].offset - written;
    bool ok = file.sink().write(zeros, pad) &&
              (t.conversion ? file.sink().write_converted(t.data, t.nbytes, t.conversion)
                            : file.sink().write_view(t.data, t.nbytes));
    if (!ok) file.write_failed();
    written = placements[i].offset + t.nbytes;
  }
  return written;
}

}  // namespace

WrittenFiles write_model(const Model& model, const std::string& path, const WriteOptions& options) {
  fs::path target = fs::absolute(path);
  if (!fs::is_directory(target.parent_path())) {
    fail(ErrorCode::Io, "output folder " + target.parent_path().string() + " does not exist");
  }
  std::string data_name = target.filename().string() + ".data";
  fs::path data_path = target.parent_path() / data_name;
  auto placements = place_tensors(model, options, data_name);

  WrittenFiles written;
  written.model_path = target.string();
  std::optional<TempFile> data_file;
  for (const auto& p : placements) {
    if (!p.external) continue;
    data_file.emplace(data_path, options.source);
    written.data_bytes = write_external_data(model, placements, *data_file, options.cancel);
    data_file->close(options.durable);
    written.data_path = data_path.string();
    break;
  }

  ProtoMessage encoded = encode_model(model, placements);
  if (encoded.size() >= (uint64_t{1} << 31)) {
    fail(ErrorCode::InvalidArgument, "the ONNX graph passes the 2 GiB protobuf limit");
  }
  TempFile model_file(target, options.source);
  if (!encoded.write_to(model_file.sink(), options.cancel)) model_file.write_failed();
  model_file.close(options.durable);
  written.model_bytes = encoded.size();
  if (data_file) data_file->commit();
  model_file.commit();
  if (options.durable) sync_folder(target.parent_path());
  return written;
}

}  // namespace mlx_onnx::onnx
