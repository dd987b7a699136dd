#include "device/json.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace emvk::json {

const Value* Value::find(std::string_view key) const {
  const Value* found = nullptr;
  for (const auto& [name, value] : members_)
    if (name == key) found = &value;
  return found;
}

const Value* Value::at(std::initializer_list<std::string_view> path) const {
  const Value* value = this;
  for (auto key : path) {
    if (!value) return nullptr;
    value = value->find(key);
  }
  return value;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  ParseResult run() {
    ParseResult result;
    skipSpace();
    auto value = parseValue(0);
    if (value) {
      skipSpace();
      if (pos_ != text_.size()) fail("unexpected text after the JSON value");
    }
    if (!error_.empty()) {
      result.error = where() + error_;
      return result;
    }
    result.value = std::move(value);
    return result;
  }

 private:
  static constexpr int kMaxDepth = 256;

  std::optional<Value> parseValue(int depth) {
    if (depth > kMaxDepth) return fail("nesting deeper than 256 levels");
    if (pos_ >= text_.size()) return fail("unexpected end of text");
    char c = text_[pos_];
    if (c == '{') return parseObject(depth);
    if (c == '[') return parseArray(depth);
    if (c == '"') {
      Value value(Value::Kind::String);
      if (!parseString(value.string_)) return std::nullopt;
      return value;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return parseNumber();
    if (consumeWord("true")) return boolean(true);
    if (consumeWord("false")) return boolean(false);
    if (consumeWord("null")) return Value(Value::Kind::Null);
    return fail(std::string("unexpected character '") + c + "'");
  }

  static Value boolean(bool b) {
    Value value(Value::Kind::Bool);
    value.boolean_ = b;
    return value;
  }

  std::optional<Value> parseObject(int depth) {
    Value object(Value::Kind::Object);
    ++pos_;
    skipSpace();
    if (consume('}')) return object;
    for (;;) {
      skipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"')
        return fail("expected a string as object key");
      std::string key;
      if (!parseString(key)) return std::nullopt;
      skipSpace();
      if (!consume(':')) return fail("expected ':' after an object key");
      skipSpace();
      auto member = parseValue(depth + 1);
      if (!member) return std::nullopt;
      object.members_.emplace_back(std::move(key), std::move(*member));
      skipSpace();
      if (consume('}')) return object;
      if (!consume(',')) return fail("expected ',' or '}' in an object");
    }
  }

  std::optional<Value> parseArray(int depth) {
    Value array(Value::Kind::Array);
    ++pos_;
    skipSpace();
    if (consume(']')) return array;
    for (;;) {
      skipSpace();
      auto element = parseValue(depth + 1);
      if (!element) return std::nullopt;
      array.array_.push_back(std::move(*element));
      skipSpace();
      if (consume(']')) return array;
      if (!consume(',')) return fail("expected ',' or ']' in an array");
    }
  }

  std::optional<Value> parseNumber() {
    size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '0') {
      ++pos_;
    } else if (!digits()) {
      return fail("a number needs digits");
    }
    bool integral = true;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      integral = false;
      ++pos_;
      if (!digits()) return fail("a fraction needs digits");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      integral = false;
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!digits()) return fail("an exponent needs digits");
    }
    std::string token(text_.substr(start, pos_ - start));
    Value value(Value::Kind::Number);
    value.number_ = std::strtod(token.c_str(), nullptr);
    if (integral) {
      const char* first = token.data();
      const char* last = first + token.size();
      uint64_t u;
      if (token[0] != '-' && std::from_chars(first, last, u).ec == std::errc()) value.unsigned_ = u;
      int64_t s;
      if (std::from_chars(first, last, s).ec == std::errc()) value.signed_ = s;
    }
    return value;
  }

  bool digits() {
    size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }

  bool parseString(std::string& out) {
    ++pos_;  // the opening quote
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20)
        return failed("a control character inside a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) break;
      char e = text_[pos_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          uint32_t code;
          if (!hex4(code)) return false;
          // A surrogate pair names one code point above U+FFFF.
          if (code >= 0xD800 && code < 0xDC00 && text_.substr(pos_, 2) == "\\u") {
            pos_ += 2;
            uint32_t low;
            if (!hex4(low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) return failed("an unpaired UTF-16 surrogate");
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          }
          appendUtf8(out, code);
          break;
        }
        default:
          return failed(std::string("unknown escape '\\") + e + "'");
      }
    }
    return failed("a string is not closed");
  }

  bool hex4(uint32_t& code) {
    if (pos_ + 4 > text_.size()) return failed("\\u needs four hex digits");
    auto r = std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, code, 16);
    if (r.ptr != text_.data() + pos_ + 4) return failed("\\u needs four hex digits");
    pos_ += 4;
    return true;
  }

  static void appendUtf8(std::string& out, uint32_t code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
  }

  bool consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool consumeWord(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  void skipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }

  std::nullopt_t fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return std::nullopt;
  }
  bool failed(std::string message) {
    fail(std::move(message));
    return false;
  }

  std::string where() const {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
};

ParseResult parse(std::string_view text) { return Parser(text).run(); }

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace emvk::json
