// A small JSON reader and the one string escaper the driver's JSON writers share.
//
// The driver reads JSON in one place (capability profiles, EMVK_PROFILE) and writes it in a few
// (the EMVK_TRACE timeline, emvk-inspect --json). Tests compile this same file to read what the
// driver and vulkaninfo write. No dependency: the grammar is RFC 8259, small enough to own.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace emvk::json {

class Value {
 public:
  enum class Kind { Null, Bool, Number, String, Array, Object };

  Kind kind() const { return kind_; }
  bool isNull() const { return kind_ == Kind::Null; }
  bool isBool() const { return kind_ == Kind::Bool; }
  bool isNumber() const { return kind_ == Kind::Number; }
  bool isString() const { return kind_ == Kind::String; }
  bool isArray() const { return kind_ == Kind::Array; }
  bool isObject() const { return kind_ == Kind::Object; }

  bool boolean() const { return boolean_; }
  double number() const { return number_; }
  // The number as an exact integer, when its text was one that fits (2^64-1 survives, unlike
  // through a double).
  std::optional<uint64_t> unsignedInteger() const { return unsigned_; }
  std::optional<int64_t> signedInteger() const { return signed_; }
  const std::string& string() const { return string_; }
  const std::vector<Value>& array() const { return array_; }
  // Members in the order the text gave them; a repeated key keeps its last value.
  const std::vector<std::pair<std::string, Value>>& members() const { return members_; }

  // The member called `key`, or nullptr (also when this is not an object).
  const Value* find(std::string_view key) const;
  // find() through a path of keys: value.at({"capabilities", "baseline", "features"}).
  const Value* at(std::initializer_list<std::string_view> path) const;

  static Value makeNull() { return Value(Kind::Null); }

 private:
  friend class Parser;
  explicit Value(Kind kind) : kind_(kind) {}
  Kind kind_;
  bool boolean_ = false;
  double number_ = 0;
  std::optional<uint64_t> unsigned_;
  std::optional<int64_t> signed_;
  std::string string_;
  std::vector<Value> array_;
  std::vector<std::pair<std::string, Value>> members_;
};

struct ParseResult {
  std::optional<Value> value;
  std::string error;  // "line 3, column 7: expected ':' after an object key", when value is empty
};

// Parses one JSON text (whitespace around it allowed, nothing else after it). Nesting deeper than
// 256 levels is refused rather than recursed into.
ParseResult parse(std::string_view text);

// `text` as a JSON string literal, quotes included.
std::string quote(std::string_view text);

}  // namespace emvk::json
