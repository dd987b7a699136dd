// A JSON Schema checker for the keywords the repository's schemas use (docs/trace/): type,
// required, properties, additionalProperties: false, enum, const, minimum, maximum, items, allOf,
// if/then and local $ref. Header-only; reads with the driver's own JSON reader (device/json.hpp).
#pragma once
#include <string>
#include <vector>

#include "device/json.hpp"

namespace test {

class SchemaChecker {
 public:
  explicit SchemaChecker(const emvk::json::Value& schema) : root_(schema) {}

  // Every violation as "path: what", empty when `value` conforms.
  std::vector<std::string> check(const emvk::json::Value& value) {
    problems_.clear();
    visit(root_, value, "$");
    return problems_;
  }

 private:
  using Value = emvk::json::Value;

  static bool equal(const Value& a, const Value& b) {
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
      case Value::Kind::Null:
        return true;
      case Value::Kind::Bool:
        return a.boolean() == b.boolean();
      case Value::Kind::Number:
        return a.number() == b.number();
      case Value::Kind::String:
        return a.string() == b.string();
      default:
        return false;  // the schemas compare scalars only
    }
  }

  static bool hasType(const Value& v, const std::string& type) {
    if (type == "object") return v.isObject();
    if (type == "array") return v.isArray();
    if (type == "string") return v.isString();
    if (type == "number") return v.isNumber();
    if (type == "integer") return v.isNumber() && (v.signedInteger() || v.unsignedInteger());
    if (type == "boolean") return v.isBool();
    if (type == "null") return v.isNull();
    return false;
  }

  const Value& resolve(const Value& schema) {
    const Value* ref = schema.find("$ref");
    if (!ref) return schema;
    // Local references only: "#/$defs/name".
    const Value* target = &root_;
    std::string path = ref->string().substr(2);
    size_t start = 0;
    while (target && start <= path.size()) {
      size_t slash = path.find('/', start);
      target = target->find(path.substr(start, slash - start));
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    if (!target) {
      problems_.push_back("schema: unresolved $ref " + ref->string());
      return schema;
    }
    return *target;
  }

  // True when `value` conforms; problems are recorded only when `record` is set (if-clauses are
  // tried silently).
  bool visit(const Value& schemaIn, const Value& value, const std::string& path,
             bool record = true) {
    const Value& schema = resolve(schemaIn);
    bool ok = true;
    auto fail = [&](const std::string& what) {
      ok = false;
      if (record) problems_.push_back(path + ": " + what);
    };
    if (const Value* type = schema.find("type")) {
      bool any = false;
      if (type->isString()) any = hasType(value, type->string());
      for (const Value& t : type->array()) any |= hasType(value, t.string());
      if (!any) return fail("not of the schema's type"), false;
    }
    if (const Value* options = schema.find("enum")) {
      bool any = false;
      for (const Value& o : options->array()) any |= equal(o, value);
      if (!any) fail("not one of the allowed values");
    }
    if (const Value* c = schema.find("const"); c && !equal(*c, value)) fail("not the constant");
    if (value.isNumber()) {
      if (const Value* m = schema.find("minimum"); m && value.number() < m->number())
        fail("below the minimum");
      if (const Value* m = schema.find("maximum"); m && value.number() > m->number())
        fail("above the maximum");
    }
    if (value.isObject()) {
      if (const Value* required = schema.find("required"))
        for (const Value& key : required->array())
          if (!value.find(key.string())) fail("lacks \"" + key.string() + "\"");
      const Value* properties = schema.find("properties");
      for (const auto& [key, member] : value.members()) {
        const Value* sub = properties ? properties->find(key) : nullptr;
        if (sub) {
          ok &= visit(*sub, member, path + "." + key, record);
        } else if (const Value* extra = schema.find("additionalProperties");
                   extra && extra->isBool() && !extra->boolean()) {
          fail("has no property \"" + key + "\" in the schema");
        }
      }
    }
    if (value.isArray()) {
      if (const Value* items = schema.find("items"))
        for (size_t i = 0; i < value.array().size(); ++i)
          ok &= visit(*items, value.array()[i], path + "[" + std::to_string(i) + "]", record);
    }
    if (const Value* all = schema.find("allOf"))
      for (const Value& sub : all->array()) ok &= visit(sub, value, path, record);
    if (const Value* condition = schema.find("if")) {
      const Value* then = schema.find("then");
      if (then && visit(*condition, value, path, false)) ok &= visit(*then, value, path, record);
    }
    return ok;
  }

  const Value& root_;
  std::vector<std::string> problems_;
};

}  // namespace test
