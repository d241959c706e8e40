#pragma once
// A bounds-checked reader of the JSON subset that file headers use (objects, arrays,
// strings with escapes, integers, null), driven by the caller's schema: whoever reads knows
// what comes next, so nesting is only as deep as the schema and memory stays
// proportional to the text. Every failure is an ERR_INVALID_INPUT naming the byte offset.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace mlx_onnx {

class JsonCursor {
 public:
  // `base` is the offset of `text` in its file, so errors name file offsets.
  JsonCursor(std::string_view text, size_t base, std::string source)
      : text_(text), base_(base), source_(std::move(source)) {}

  // File offset of the next token (after white space).
  size_t offset();
  [[noreturn]] void error(const std::string& what, size_t at) const;

  std::string string(const char* what);
  int64_t integer(const char* what);
  // Calls `member(key, key_offset)` for each member of an object; the callback reads
  // the member's value.
  void object(const char* what, const std::function<void(const std::string&, size_t)>& member);
  // Calls `item(index)` for each element of an array; the callback reads the element.
  void array(const char* what, const std::function<void(size_t)>& item);
  // Reads `null` if it comes next.
  bool null();
  // Only white space may follow the value just read.
  void end();

 private:
  void skip_space();
  bool at_end() const { return pos_ >= text_.size(); }
  char peek(const char* what);
  void expect(char c, const char* what);
  uint32_t hex4();

  std::string_view text_;
  size_t base_;
  std::string source_;
  size_t pos_ = 0;
};

}  // namespace mlx_onnx
