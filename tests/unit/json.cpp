// Unit tests of device/json: the reader the capability profiles and the trace tests rely on.
#include "device/json.hpp"

#include <catch2/catch.hpp>

using emvk::json::parse;

TEST_CASE("json: objects, arrays, numbers and strings read back exactly", "[unit][json]") {
  auto r = parse(R"( {"a": [1, -2, 3.5e2, true, false, null],
                      "big": 18446744073709551615, "s": "x\"\\\u00e9\ud83d\ude00", "a": 7} )");
  REQUIRE(r.value);
  const auto& v = *r.value;
  REQUIRE(v.isObject());
  REQUIRE(v.members().size() == 4);
  CHECK(v.find("a")->unsignedInteger() == 7u);  // the repeated key's last value
  const auto& a = v.members()[0].second.array();
  REQUIRE(a.size() == 6);
  CHECK(a[1].signedInteger() == -2);
  CHECK(!a[1].unsignedInteger());
  CHECK(a[2].number() == 350.0);
  CHECK(!a[2].signedInteger());
  CHECK(a[3].boolean());
  CHECK(a[5].isNull());
  CHECK(v.find("big")->unsignedInteger() == UINT64_MAX);
  CHECK(v.find("s")->string() == "x\"\\\xc3\xa9\xf0\x9f\x98\x80");
  CHECK(v.at({"missing", "deeper"}) == nullptr);
}

TEST_CASE("json: malformed text is refused with a position", "[unit][json]") {
  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "01x", "\"unterminated", "tru",
                          "{\"a\":1} x", "\"\\q\"", "[\"\x01\"]"}) {
    auto r = parse(bad);
    INFO(bad);
    CHECK(!r.value);
    CHECK(r.error.rfind("line ", 0) == 0);
  }
  std::string deep(300, '[');
  CHECK(parse(deep).error.find("256") != std::string::npos);
}

TEST_CASE("json: quote escapes what JSON needs", "[unit][json]") {
  std::string quoted = emvk::json::quote("a\"b\\c\nd\x01");
  CHECK(quoted == "\"a\\\"b\\\\c\\nd\\u0001\"");
  CHECK(parse(quoted).value->string() == "a\"b\\c\nd\x01");
}
