// 8- and 16-bit integers and 16-bit floats through jit::Program: arithmetic that wraps at its own
// width, half operations each rounded to half, conversions between all widths, and 8/16-bit
// scalars, vectors and structs in buffers, uniform blocks, push constants and shared memory.
// Every output element is checked against a C++ reference; half values are built with GCC's
// _Float16 conversions (correctly rounded) and computed in float, one rounding per operation.
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "jit_runner.hpp"

using namespace jit_test;

namespace {

int16_t wrap16(int64_t v) { return static_cast<int16_t>(static_cast<uint16_t>(v)); }
int8_t wrap8(int64_t v) { return static_cast<int8_t>(static_cast<uint8_t>(v)); }

// GLSL's % on signed integers is OpSMod: the remainder takes the sign of the divisor.
int64_t smod(int64_t x, int64_t y) {
  int64_t r = x % y;
  return r != 0 && (r < 0) != (y < 0) ? r + y : r;
}

// The JIT's choice where SPIR-V leaves division undefined (by zero, MIN / -1): divide by 1.
int64_t safeDivisor(int64_t x, int64_t y, int64_t min) {
  return y == 0 || (x == min && y == -1) ? 1 : y;
}

// A float rounded to the nearest half, as a float; and the bits of that half.
float toHalf(float v) { return static_cast<float>(static_cast<_Float16>(v)); }
uint16_t halfBits(float v) { return std::bit_cast<uint16_t>(static_cast<_Float16>(v)); }
float fromBits(uint16_t bits) { return static_cast<float>(std::bit_cast<_Float16>(bits)); }

// OpConvertFToS/U: saturating, NaN gives 0 (jit/translator_arithmetic.cpp).
template <class T>
T saturate(float v) {
  if (std::isnan(v)) return 0;
  if (v <= static_cast<float>(std::numeric_limits<T>::min())) return std::numeric_limits<T>::min();
  if (v >= static_cast<float>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  return static_cast<T>(v);
}

// Equal bits, or both NaN (a NaN's sign and payload are not specified).
bool sameHalf(uint16_t got, uint16_t expected) {
  if (std::isnan(fromBits(expected))) return std::isnan(fromBits(got));
  return got == expected;
}

}  // namespace

TEST_CASE("jit: 8- and 16-bit integers wrap, divide safely, shift and convert like SPIR-V",
          "[jit]") {
  Variant variant = GENERATE(Variant::Plain, Variant::Optimized);
  // The 16-bit spec constant kOffset: its default, and a negative value given as 2 bytes.
  int16_t offset = GENERATE(int16_t{-3}, int16_t{-30000});
  INFO(variantName(variant) << ", kOffset = " << offset);
  auto program = offset == -3 ? compile("int8_int16", variant)
                              : compile("int8_int16", variant, {specialization(0, offset)});
  const uint32_t count = 64;
  std::vector<int16_t> in(count * 2);
  std::mt19937 random(16);
  const int16_t special[] = {0, 1, -1, 7, -7, INT16_MIN, INT16_MAX, 255, -128, 127, 15, 128};
  for (uint32_t i = 0; i < count; ++i) {
    in[2 * i] = i < 12 ? special[i] : static_cast<int16_t>(random());
    in[2 * i + 1] = i >= 12 && i < 24 ? special[i - 12]
                    : i % 2           ? static_cast<int16_t>(random() % 200 - 100)
                                      : static_cast<int16_t>(random());
  }
  in[2 * 40] = INT16_MIN;  // INT16_MIN / -1 and x / 0 must not crash
  in[2 * 40 + 1] = -1;
  in[2 * 41] = -128;  // and INT8_MIN / -1 once truncated to 8 bits
  in[2 * 41 + 1] = 0x7FF;
  in[2 * 42] = 100;  // 8-bit division by zero: the low byte of y is 0
  in[2 * 42 + 1] = 0x300;
  std::vector<int16_t> out16(count * 16, 0x5a5a);
  std::vector<int8_t> out8(count * 8, 0x5a);
  std::vector<int32_t> out32(count * 8, 0x5a5a5a5a);
  std::vector<std::array<int16_t, 4>> v16(count), v16Before;
  std::vector<std::array<uint8_t, 4>> v8(count), v8Before;
  for (uint32_t i = 0; i < count; ++i) {
    for (uint32_t c = 0; c < 4; ++c) {
      v16[i][c] = static_cast<int16_t>(random());
      v8[i][c] = static_cast<uint8_t>(random());
    }
  }
  v16Before = v16;
  v8Before = v8;
  struct {
    int16_t bias;
    uint16_t factor;
    int8_t step;
  } parameters{0x1234, 40503, -77};
  Dispatch()
      .bind(0, in)
      .bind(1, out16)
      .bind(2, out8)
      .bind(3, out32)
      .bind(4, v16)
      .bind(5, v8)
      .push(parameters)
      .run(*program, {4, 1, 1});

  for (uint32_t i = 0; i < count; ++i) {
    int16_t x = in[2 * i], y = in[2 * i + 1];
    auto ux = static_cast<uint16_t>(x), uy = static_cast<uint16_t>(y);
    int32_t x32 = x, y32 = y;
    int16_t d = static_cast<int16_t>(safeDivisor(x, y, INT16_MIN));
    uint16_t ud = uy ? uy : 1;
    int32_t extracted = static_cast<int32_t>(static_cast<uint32_t>(x32) << 22) >> 25;
    uint16_t reversed = 0;
    for (int bit = 0; bit < 16; ++bit) reversed |= ((ux >> bit) & 1) << (15 - bit);
    int32_t inserted = (x32 & ~(0x1F << 4)) | ((y32 << 4) & (0x1F << 4));
    int16_t expected16[16] = {
        wrap16(x + y),
        wrap16(x - y),
        wrap16(x * y),
        wrap16(x / d),
        wrap16(smod(x, d)),
        static_cast<int16_t>(ux / ud),
        static_cast<int16_t>(ux % ud),
        wrap16(ux << (i & 15)),
        static_cast<int16_t>(x >> (uy & 15)),
        static_cast<int16_t>(ux >> (uy & 15)),
        static_cast<int16_t>((x < y ? 1 : 0) + (ux < uy ? 2 : 0) + (x == y ? 4 : 0) +
                             (x >= y ? 8 : 0) + (ux >= uy ? 16 : 0) + (x != y ? 32 : 0)),
        static_cast<int16_t>((x & 0x0F0F) | (~y ^ parameters.bias)),
        wrap16(extracted),
        wrap16(reversed + inserted),
        static_cast<int16_t>(std::popcount(static_cast<uint32_t>(x32))),
        wrap16(wrap16(uint32_t{ux} * parameters.factor) + std::max(x, y) + std::min(ux, uy) +
               wrap16(std::abs(x32))),
    };
    for (uint32_t s = 0; s < 16; ++s) {
      INFO("x = " << x << ", y = " << y << ", 16-bit slot " << s);
      CHECK(out16[i * 16 + s] == expected16[s]);
    }

    auto a = static_cast<int8_t>(x), c = static_cast<int8_t>(y);
    auto ua = static_cast<uint8_t>(a), uc = static_cast<uint8_t>(c);
    int8_t d8 = static_cast<int8_t>(safeDivisor(a, c, INT8_MIN));
    int8_t expected8[8] = {
        wrap8(a + c),
        wrap8(a * c),
        wrap8(a / d8),
        wrap8(smod(a, d8)),
        static_cast<int8_t>(ua / (uc ? uc : 1)),
        static_cast<int8_t>(a >> (uc & 7)),
        wrap8(wrap8(ua << (i & 7)) + parameters.step),
        wrap8(std::popcount(static_cast<uint32_t>(int32_t{a})) + std::clamp<int16_t>(x, -100, 100)),
    };
    for (uint32_t s = 0; s < 8; ++s) {
      INFO("a = " << int{a} << ", c = " << int{c} << ", 8-bit slot " << s);
      CHECK(out8[i * 8 + s] == expected8[s]);
    }

    int32_t expected32[8] = {
        x32,
        int32_t{ux},
        int32_t{a},
        int32_t{ua},
        wrap16(static_cast<int32_t>(i) * 4099 - 30000),
        static_cast<int32_t>(static_cast<uint32_t>(uint64_t{ux} * 65537u >> 3)),
        int32_t{wrap8(static_cast<uint32_t>(x32) + 0x300u)},
        static_cast<int32_t>(uint32_t{ua} * uc) + offset,
    };
    for (uint32_t s = 0; s < 8; ++s) {
      INFO("x = " << x << ", y = " << y << ", conversion slot " << s);
      CHECK(out32[i * 8 + s] == expected32[s]);
    }

    const int16_t offsets[4] = {1, -2, 3, -4};
    const uint8_t mix[4] = {ua, uc, 7, 255};
    for (uint32_t k = 0; k < 4; ++k) {
      INFO("invocation " << i << ", component " << k);
      int16_t v = v16Before[i][k];
      CHECK(v16[i][k] == wrap16(wrap16(v * x) + offsets[k] - (v >> 1)));
      CHECK(v8[i][k] == static_cast<uint8_t>((v8Before[i][k] + 200) ^ mix[k]));
    }
  }
}

TEST_CASE("jit: 16-bit floats round every operation to half and convert like IEEE", "[jit]") {
  Variant variant = GENERATE(Variant::Plain, Variant::Optimized);
  INFO(variantName(variant));
  auto program = compile("float16", variant);
  const uint32_t count = 64;
  std::vector<uint16_t> in(count * 2);
  for (uint32_t i = 0; i < count; ++i) {
    in[2 * i] = halfBits(static_cast<float>(static_cast<int32_t>(i * 7919 % 2001) - 1000) / 7.0f);
    in[2 * i + 1] =
        halfBits(static_cast<float>(static_cast<int32_t>(i * 104729 % 1999) - 999) / 3.0f + 0.5f);
  }
  in[2 * 5 + 1] = in[2 * 5];                                        // equal operands
  in[2 * 6] = halfBits(60000.0f), in[2 * 6 + 1] = halfBits(2.0f);   // products overflow to inf
  in[2 * 7] = halfBits(1e-5f), in[2 * 7 + 1] = halfBits(3.0f);      // subnormal halves
  in[2 * 8] = halfBits(-3.25f), in[2 * 8 + 1] = halfBits(0.0f);     // division by zero
  in[2 * 9] = halfBits(0.1f), in[2 * 9 + 1] = halfBits(-65504.0f);  // the largest half
  std::vector<uint16_t> out(count * 16, 0x5a5a);
  std::vector<int32_t> ints(count * 4, -1);
  std::vector<uint32_t> bits(count * 2, 0);
  const uint16_t scale = halfBits(1.0f / 3.0f);
  Dispatch().bind(0, in).bind(1, out).bind(2, ints).bind(3, bits).push(scale).run(*program,
                                                                                  {4, 1, 1});

  for (uint32_t i = 0; i < count; ++i) {
    float x = fromBits(in[2 * i]), y = fromBits(in[2 * i + 1]);
    float quotient = std::floor(toHalf(x / y));
    float mod = toHalf(x - toHalf(y * quotient));
    float product = toHalf(x * y);
    uint16_t expected[16] = {
        halfBits(x + y),
        halfBits(x - y),
        halfBits(x * y),
        halfBits(x / y),
        halfBits(std::sqrt(std::fabs(x))),
        halfBits(std::floor(x) + std::ceil(y)),
        halfBits(std::fmin(x, y)),
        halfBits(std::fmax(x, y) * 2.5f),
        halfBits(x * 3.1f),
        std::bit_cast<uint16_t>(static_cast<_Float16>(static_cast<double>(x) / 3.0)),
        halfBits(x * fromBits(scale)),
        halfBits(std::sin(x)),
        halfBits(std::exp2(toHalf(y * 0.125f))),
        halfBits(mod),
        halfBits(toHalf(static_cast<float>(wrap16(static_cast<int32_t>(i) * -1001))) +
                 toHalf(static_cast<float>(i * 409u))),
        halfBits(std::fmin(std::fmax(x, -2.0f), 2.0f) + toHalf(y - std::floor(y))),
    };
    for (uint32_t s = 0; s < 16; ++s) {
      INFO("x = " << x << ", y = " << y << ", slot " << s << ": got " << fromBits(out[i * 16 + s])
                  << ", expected " << fromBits(expected[s]));
      CHECK(sameHalf(out[i * 16 + s], expected[s]));
    }
    INFO("x = " << x << ", y = " << y);
    CHECK(ints[i * 4 + 0] == saturate<int32_t>(toHalf(x * 100.0f)));
    CHECK(ints[i * 4 + 1] == int32_t{saturate<uint16_t>(std::fabs(y))});
    CHECK(ints[i * 4 + 2] ==
          (x < y ? 1 : 0) + (x == y ? 2 : 0) + (x >= y ? 4 : 0) + (std::isinf(product) ? 8 : 0));
    CHECK(ints[i * 4 + 3] == saturate<int32_t>(product));
    CHECK(bits[i * 2] == (uint32_t{in[2 * i]} | uint32_t{in[2 * i + 1]} << 16));
    CHECK(bits[i * 2 + 1] == (uint32_t{halfBits(y * 2.0f)} | uint32_t{halfBits(x * -0.5f)} << 16));
  }
}

TEST_CASE("jit: 16-bit storage: arrays, structs, uniforms, push constants, shared memory",
          "[jit]") {
  Variant variant = GENERATE(Variant::Plain, Variant::Optimized);
  INFO(variantName(variant));
  auto program = compile("storage16", variant);
  const uint32_t count = 64;
  // The std430 Record of storage16.comp: 20 bytes of members, array stride 24.
  struct Record {
    uint16_t id;
    uint16_t weight;
    uint16_t padding0[2];
    int16_t position[3];
    uint16_t padding1;
    uint16_t range[2];
    uint16_t padding2[2];
  };
  static_assert(sizeof(Record) == 24);
  std::vector<uint16_t> halves(count), inputs(count);
  std::vector<int16_t> shorts(count);
  std::vector<Record> records(count), moved(count);
  std::vector<float> sums(count, -1.0f);
  std::mt19937 random(5);
  for (uint32_t i = 0; i < count; ++i) {
    halves[i] = halfBits(static_cast<float>(static_cast<int32_t>(random() % 4001) - 2000) / 16.0f);
    inputs[i] = halfBits(static_cast<float>(random() % 1000) / 3.0f);
    shorts[i] = static_cast<int16_t>(random());
    Record& r = records[i];
    r = {static_cast<uint16_t>(random()),
         halfBits(static_cast<float>(i) / 5.0f),
         {0xAAAA, 0xAAAA},
         {static_cast<int16_t>(random()), static_cast<int16_t>(random()), INT16_MAX},
         0xAAAA,
         {halfBits(-0.75f), halfBits(static_cast<float>(i % 7) + 0.5f)},
         {0xAAAA, 0xAAAA}};
    moved[i] = {0x5a5a, 0x5a5a,           {0xBBBB, 0xBBBB}, {0x5a5a, 0x5a5a, 0x5a5a},
                0xBBBB, {0x5a5a, 0x5a5a}, {0xBBBB, 0xBBBB}};
  }
  const std::vector<uint16_t> halvesBefore = halves;
  const std::vector<int16_t> shortsBefore = shorts;
  struct {
    uint16_t unit, count, padding[2];
    uint16_t offsets[4];
  } table{
      halfBits(0.5f), 3, {}, {halfBits(1.0f), halfBits(-2.0f), halfBits(0.25f), halfBits(8.0f)}};
  struct {
    uint16_t stride;
    uint16_t bias;
    int16_t shift[2];
  } parameters{5, halfBits(-1.5f), {-300, 7}};
  Dispatch()
      .bind(0, halves)
      .bind(1, shorts)
      .bind(2, records)
      .bind(3, sums)
      .bind(4, &table, sizeof table)
      .bind(5, inputs)
      .bind(6, moved)
      .push(parameters)
      .run(*program, {4, 1, 1});

  for (uint32_t i = 0; i < count; ++i) {
    INFO("invocation " << i);
    uint32_t j = i * parameters.stride % count;
    float a = fromBits(halvesBefore[i]), c = fromBits(inputs[j]);
    float sum = a + c;
    sum += fromBits(parameters.bias);
    sum += fromBits(table.unit) * static_cast<float>(table.count);
    sum += fromBits(table.offsets[i & 3]);
    sum += fromBits(halvesBefore[i - i % 16 + 15 - i % 16]);  // staged in shared memory
    CHECK(sums[i] == sum);
    CHECK(halves[i] == halfBits(a * 2.0f + 1.0f));
    CHECK(shorts[j] == wrap16(shortsBefore[j] * 3 + parameters.shift[0] + static_cast<int32_t>(i)));
    const Record& r = records[i];
    const Record& m = moved[count - 1 - i];
    CHECK(m.id == static_cast<uint16_t>(r.id + 1000));
    CHECK(m.weight == halfBits(fromBits(r.weight) * fromBits(r.range[1])));
    CHECK(m.position[0] == wrap16(r.position[0] + parameters.shift[0]));
    CHECK(m.position[1] == wrap16(r.position[1] + parameters.shift[1]));
    CHECK(m.position[2] == wrap16(r.position[2] - static_cast<int32_t>(i)));
    CHECK(m.range[0] == r.range[1]);
    CHECK(m.range[1] == r.range[0]);
    // Padding is not written.
    CHECK(m.padding0[0] == 0xBBBB);
    CHECK(m.padding0[1] == 0xBBBB);
    CHECK(m.padding1 == 0xBBBB);
    CHECK(m.padding2[0] == 0xBBBB);
    CHECK(m.padding2[1] == 0xBBBB);
  }
}

TEST_CASE(
    "jit: 8-bit storage: bytes and u8vec4 in buffers, uniforms, shared memory, push constants",
    "[jit]") {
  Variant variant = GENERATE(Variant::Plain, Variant::Optimized);
  INFO(variantName(variant));
  auto program = compile("storage8", variant);
  const uint32_t count = 64, local = 32;
  std::vector<uint8_t> bytes(count);
  std::vector<std::array<uint8_t, 4>> pixels(count);
  std::vector<int8_t> signedBytes(count);
  std::vector<uint32_t> counts(count, 0);
  std::mt19937 random(8);
  for (uint32_t i = 0; i < count; ++i) {
    bytes[i] = static_cast<uint8_t>(random());
    for (uint8_t& p : pixels[i]) p = static_cast<uint8_t>(random());
    signedBytes[i] = static_cast<int8_t>(random());
  }
  const auto bytesBefore = bytes;
  const auto pixelsBefore = pixels;
  const auto signedBefore = signedBytes;
  struct {
    uint8_t add;
    int8_t scale;
    uint8_t swap[2];
  } parameters{200, -3, {17, 250}};
  struct {
    uint8_t weight, padding;
    int8_t pair[2];
    uint8_t rest[12];  // a uniform block is read in 16-byte rows
  } weights{0xC3, 0, {-9, 101}, {}};
  Dispatch()
      .bind(0, bytes)
      .bind(1, pixels)
      .bind(2, signedBytes)
      .bind(3, counts)
      .bind(4, &weights, sizeof weights)
      .push(parameters)
      .run(*program, {2, 1, 1});

  for (uint32_t i = 0; i < count; ++i) {
    INFO("invocation " << i);
    uint32_t l = i % local, group = i - l;
    auto shared = [&](uint32_t k) {
      return static_cast<uint8_t>(bytesBefore[group + k] + parameters.add);
    };
    CHECK(bytes[i] == static_cast<uint8_t>(shared(local - 1 - l) ^ l));
    const auto& p = pixelsBefore[i];
    const uint8_t add[4] = {parameters.swap[0], parameters.swap[1], parameters.swap[1],
                            parameters.swap[0]};
    for (uint32_t k = 0; k < 4; ++k) {
      CHECK(pixels[i][k] == static_cast<uint8_t>(p[3 - k] * 3 + add[k]));
    }
    uint32_t j = i * 13 % count;
    CHECK(signedBytes[j] ==
          wrap8(signedBefore[j] * parameters.scale - static_cast<int32_t>(i) + weights.pair[1]));
    CHECK(counts[i] ==
          bytesBefore[i] + shared(l) * 256u + p[0] * 65536u + weights.weight * (1u << 24));
  }
}
