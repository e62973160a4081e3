#include "meldpunt/crypto/code.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace meldpunt::crypto {

static_assert(kCodeEntropyBits >= 100, "the design requires at least 100 bits per code");
static_assert(kCodeSymbols % kCodeGroupSize == 0, "display groups must be complete");
static_assert(kCodeDisplayLength == 29);
static_assert(kCodeMaxInputLength >= kCodeDisplayLength);

namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
static_assert(kAlphabet.size() == 32);

// GF(32) = GF(2)[x] / (x^5 + x^2 + 1); x^5 + x^2 + 1 is primitive, so
// alpha = x (the value 2) generates all 31 non-zero elements.
constexpr unsigned kFieldPoly = 0x25;
constexpr unsigned kFieldOrder = 31;

struct FieldTables {
  std::array<std::uint8_t, 62> exp{};  // doubled so exp[a + b] needs no reduction
  std::array<std::uint8_t, 32> log{};
};

constexpr FieldTables make_tables() {
  FieldTables t;
  unsigned v = 1;
  for (unsigned i = 0; i < kFieldOrder; ++i) {
    t.exp[i] = static_cast<std::uint8_t>(v);
    t.exp[i + kFieldOrder] = static_cast<std::uint8_t>(v);
    t.log[v] = static_cast<std::uint8_t>(i);
    v <<= 1;
    if (v & 0x20) v ^= kFieldPoly;
  }
  return t;
}
constexpr FieldTables kField = make_tables();
static_assert(kField.exp[5] == 0x05, "alpha^5 = alpha^2 + 1");
static_assert(kField.exp[30] != 1 && kField.exp[31] == 1, "alpha has order 31");

constexpr std::uint8_t gf_mul(std::uint8_t a, std::uint8_t b) {
  if (a == 0 || b == 0) return 0;
  return kField.exp[kField.log[a] + kField.log[b]];
}
constexpr std::uint8_t gf_div(std::uint8_t a, std::uint8_t b) {  // b != 0
  if (a == 0) return 0;
  return kField.exp[kField.log[a] + kFieldOrder - kField.log[b]];
}
constexpr std::uint8_t alpha_pow(std::size_t i) { return kField.exp[i % kFieldOrder]; }

// Symbol value of a typed character, after Crockford normalisation;
// kSeparator for ignored characters, kInvalid for everything else.
constexpr std::uint8_t kSeparator = 0xfe;
constexpr std::uint8_t kInvalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) v = kInvalid;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    const auto upper = static_cast<unsigned char>(kAlphabet[i]);
    t[upper] = static_cast<std::uint8_t>(i);
    if (upper >= 'A' && upper <= 'Z') t[upper + 32] = static_cast<std::uint8_t>(i);
  }
  t['O'] = t['o'] = 0;
  t['I'] = t['i'] = t['L'] = t['l'] = 1;
  for (char c : std::string_view(" -_.")) t[static_cast<unsigned char>(c)] = kSeparator;
  return t;
}
constexpr std::array<std::uint8_t, 256> kDecode = make_decode_table();

struct Syndromes {
  std::uint8_t s1 = 0;  // sum c_i
  std::uint8_t s2 = 0;  // sum alpha^i c_i
};

Syndromes syndromes(const std::uint8_t* values) {
  Syndromes s;
  for (std::size_t i = 0; i < kCodeSymbols; ++i) {
    s.s1 ^= values[i];
    s.s2 ^= gf_mul(alpha_pow(i), values[i]);
  }
  return s;
}

// Fills values[22] and values[23] so that both parity equations hold:
//   c22 + c23 = A                          (A = sum_{i<22} c_i)
//   alpha^22 c22 + alpha^23 c23 = B        (B = sum_{i<22} alpha^i c_i)
// which gives c22 = (B + alpha^23 A) / (alpha^22 + alpha^23), c23 = A + c22.
void set_check_symbols(std::uint8_t* values) {
  std::uint8_t a = 0, b = 0;
  for (std::size_t i = 0; i < kCodeDataSymbols; ++i) {
    a ^= values[i];
    b ^= gf_mul(alpha_pow(i), values[i]);
  }
  const std::uint8_t a22 = alpha_pow(22), a23 = alpha_pow(23);
  const std::uint8_t c22 =
      gf_div(static_cast<std::uint8_t>(b ^ gf_mul(a23, a)), static_cast<std::uint8_t>(a22 ^ a23));
  values[22] = c22;
  values[23] = static_cast<std::uint8_t>(a ^ c22);
}

SecretBuffer canonical_from_values(const std::uint8_t* values) {
  SecretBuffer out(kCodeSymbols);
  for (std::size_t i = 0; i < kCodeSymbols; ++i) {
    out.data()[i] = static_cast<std::uint8_t>(kAlphabet[values[i]]);
  }
  return out;
}

// Normalises `typed` into 24 symbol values or says what is wrong.
std::optional<CodeProblem> analyse(std::string_view typed, SecretBuffer& values) {
  using Kind = CodeProblem::Kind;
  if (typed.size() > kCodeMaxInputLength) return CodeProblem{Kind::kWrongLength, std::nullopt};
  values = SecretBuffer(kCodeSymbols);
  std::size_t count = 0;
  bool too_long = false;
  for (char ch : typed) {
    const std::uint8_t v = kDecode[static_cast<unsigned char>(ch)];
    if (v == kSeparator) continue;
    if (v == kInvalid) {
      std::optional<std::size_t> group;
      if (count < kCodeSymbols) group = count / kCodeGroupSize + 1;
      return CodeProblem{Kind::kBadCharacter, group};
    }
    if (count < kCodeSymbols) {
      values.data()[count] = v;
    } else {
      too_long = true;
    }
    ++count;
  }
  if (too_long || count != kCodeSymbols) return CodeProblem{Kind::kWrongLength, std::nullopt};

  const Syndromes s = syndromes(values.data());
  if (s.s1 == 0 && s.s2 == 0) return std::nullopt;
  // One wrong symbol e at position p gives S1 = e and S2 = alpha^p e, so
  // S2 / S1 = alpha^p names the position. Anything else (S1 or S2 zero, or a
  // position past the end) is more than one error, e.g. a swap.
  std::optional<std::size_t> group;
  if (s.s1 != 0 && s.s2 != 0) {
    const std::size_t p = kField.log[gf_div(s.s2, s.s1)];
    if (p < kCodeSymbols) group = p / kCodeGroupSize + 1;
  }
  return CodeProblem{Kind::kCheckFailed, group};
}

std::string describe(const CodeProblem& problem) {
  // Never include the typed text: it is (nearly) a secret.
  switch (problem.kind) {
    case CodeProblem::Kind::kWrongLength:
      return "the code does not have the right length: a code has 24 characters in six groups "
             "of four";
    case CodeProblem::Kind::kBadCharacter:
      if (problem.group) {
        return "group " + std::to_string(*problem.group) +
               " contains a character that cannot be in a code (allowed: digits and letters "
               "except U)";
      }
      return "the code contains a character that cannot be in a code (allowed: digits and "
             "letters except U)";
    case CodeProblem::Kind::kCheckFailed:
      if (problem.group) {
        return "check failed: probably a typo in group " + std::to_string(*problem.group);
      }
      return "check failed: two characters may be swapped or more than one is wrong";
  }
  return "the code is not valid";
}

}  // namespace

ReporterCode ReporterCode::generate() {
  // 256 is a multiple of 32, so the low 5 bits of a uniform byte are uniform.
  Secret<kCodeSymbols> values = Secret<kCodeSymbols>::random();
  for (std::size_t i = 0; i < kCodeDataSymbols; ++i) values.data()[i] &= 0x1f;
  set_check_symbols(values.data());
  return ReporterCode(canonical_from_values(values.data()));
}

ReporterCode ReporterCode::from_data_symbols(ByteView symbols) {
  if (symbols.size() != kCodeDataSymbols) {
    throw std::invalid_argument("a reporter code needs exactly 22 data symbols");
  }
  Secret<kCodeSymbols> values;
  for (std::size_t i = 0; i < kCodeDataSymbols; ++i) {
    if (symbols[i] >= 32) throw std::invalid_argument("a code symbol value is 0..31");
    values.data()[i] = symbols[i];
  }
  set_check_symbols(values.data());
  return ReporterCode(canonical_from_values(values.data()));
}

std::optional<CodeProblem> ReporterCode::diagnose(std::string_view typed) {
  SecretBuffer values;
  return analyse(typed, values);
}

Result<ReporterCode> ReporterCode::parse(std::string_view typed) {
  SecretBuffer values;
  if (auto problem = analyse(typed, values)) {
    return Error{ErrorCode::kBadCode, describe(*problem)};
  }
  return ReporterCode(canonical_from_values(values.data()));
}

SecretBuffer ReporterCode::display() const {
  SecretBuffer out(kCodeDisplayLength);
  std::size_t j = 0;
  for (std::size_t i = 0; i < kCodeSymbols; ++i) {
    if (i > 0 && i % kCodeGroupSize == 0) out.data()[j++] = '-';
    out.data()[j++] = canonical_.data()[i];
  }
  return out;
}

}  // namespace meldpunt::crypto
