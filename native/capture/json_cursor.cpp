#include "capture/json_cursor.h"

#include <limits>

#include "graph/error.h"

namespace mlx_onnx {
namespace {

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Length of the well-formed UTF-8 sequence at the start of `s` (no overlong forms, no
// surrogates, nothing past U+10FFFF), or 0.
size_t utf8_length(std::string_view s) {
  auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  uint8_t b = byte(0);
  size_t n;
  uint32_t cp;
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) n = 2, cp = b & 0x1F;
  else if (b >= 0xE0 && b <= 0xEF) n = 3, cp = b & 0x0F;
  else if (b >= 0xF0 && b <= 0xF4) n = 4, cp = b & 0x07;
  else return 0;
  if (s.size() < n) return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i) & 0x3F);
  }
  bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
  if (overlong || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return 0;
  return n;
}

}  // namespace

void JsonCursor::error(const std::string& what, size_t at) const {
  fail(ErrorCode::InvalidInput, source_ + ": " + what + " (at byte " + std::to_string(at) + ")");
}

void JsonCursor::skip_space() {
  while (!at_end() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) {
    ++pos_;
  }
}

size_t JsonCursor::offset() {
  skip_space();
  return base_ + pos_;
}

char JsonCursor::peek(const char* what) {
  skip_space();
  if (at_end()) error(std::string("unexpected end of JSON in ") + what, base_ + pos_);
  return text_[pos_];
}

void JsonCursor::expect(char c, const char* what) {
  if (peek(what) != c) error(std::string(what) + ": expected '" + c + "'", base_ + pos_);
  ++pos_;
}

uint32_t JsonCursor::hex4() {
  if (text_.size() - pos_ < 4) error("unexpected end of JSON in a \\u escape", base_ + pos_);
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    char c = text_[pos_ + i];
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (digit < 0) error("bad \\u escape", base_ + pos_);
    value = value * 16 + static_cast<uint32_t>(digit);
  }
  pos_ += 4;
  return value;
}

std::string JsonCursor::string(const char* what) {
  expect('"', what);
  std::string out;
  while (true) {
    if (at_end()) error(std::string("unexpected end of JSON in ") + what, base_ + pos_);
    char c = text_[pos_];
    if (c == '"') {
      ++pos_;
      return out;
    }
    if (static_cast<uint8_t>(c) < 0x20) error(std::string("control character in ") + what, base_ + pos_);
    if (c != '\\') {
      size_t n = utf8_length(text_.substr(pos_));
      if (n == 0) error(std::string("invalid UTF-8 in ") + what, base_ + pos_);
      out.append(text_.substr(pos_, n));
      pos_ += n;
      continue;
    }
    size_t escape_at = base_ + pos_;
    if (++pos_ >= text_.size()) error(std::string("unexpected end of JSON in ") + what, escape_at);
    char e = text_[pos_++];
    switch (e) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        uint32_t cp = hex4();
        if (cp >= 0xDC00 && cp <= 0xDFFF) error("unpaired surrogate in \\u escape", escape_at);
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          if (text_.substr(pos_, 2) != "\\u") error("unpaired surrogate in \\u escape", escape_at);
          pos_ += 2;
          uint32_t low = hex4();
          if (low < 0xDC00 || low > 0xDFFF) error("unpaired surrogate in \\u escape", escape_at);
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        append_utf8(out, cp);
        break;
      }
      default: error(std::string("bad escape in ") + what, escape_at);
    }
  }
}

int64_t JsonCursor::integer(const char* what) {
  size_t at = offset();
  bool negative = !at_end() && text_[pos_] == '-';
  if (negative) ++pos_;
  if (at_end() || text_[pos_] < '0' || text_[pos_] > '9') error(std::string(what) + " is not an integer", at);
  if (text_[pos_] == '0' && pos_ + 1 < text_.size() && text_[pos_ + 1] >= '0' && text_[pos_ + 1] <= '9') {
    error(std::string(what) + " has a leading zero", at);
  }
  uint64_t magnitude = 0;
  const uint64_t limit = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  while (!at_end() && text_[pos_] >= '0' && text_[pos_] <= '9') {
    uint64_t digit = static_cast<uint64_t>(text_[pos_++] - '0');
    if (magnitude > (limit - digit) / 10) error(std::string(what) + " does not fit in 64 bits", at);
    magnitude = magnitude * 10 + digit;
  }
  if (!at_end() && (text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E')) {
    error(std::string(what) + " is not an integer", at);
  }
  return negative ? -static_cast<int64_t>(magnitude) : static_cast<int64_t>(magnitude);
}

void JsonCursor::object(const char* what, const std::function<void(const std::string&, size_t)>& member) {
  expect('{', what);
  if (peek(what) == '}') return void(++pos_);
  while (true) {
    size_t key_at = offset();
    std::string key = string("object key");
    expect(':', what);
    member(key, key_at);
    if (peek(what) == '}') return void(++pos_);
    expect(',', what);
  }
}

void JsonCursor::array(const char* what, const std::function<void(size_t)>& item) {
  expect('[', what);
  if (peek(what) == ']') return void(++pos_);
  for (size_t i = 0;; ++i) {
    item(i);
    if (peek(what) == ']') return void(++pos_);
    expect(',', what);
  }
}

bool JsonCursor::null() {
  skip_space();
  if (text_.substr(pos_, 4) != "null") return false;
  pos_ += 4;
  return true;
}

void JsonCursor::end() {
  skip_space();
  if (!at_end()) error("unexpected bytes after the header's JSON object", base_ + pos_);
}

}  // namespace mlx_onnx
