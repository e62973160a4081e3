// Reporter codes: the only thing a reporter keeps.
//
//   22 random symbols from the Crockford base32 alphabet
//   "0123456789ABCDEFGHJKMNPQRSTVWXYZ" (110 bits from the OS CSPRNG)
//   + 2 check symbols = 24 symbols, shown as six groups of four:
//   "7K3M-Q9TX-2BRD-HV5W-NP8C-4GZ6".
//
// Check symbols: the 24 symbol values c_0..c_23 are a codeword of a
// Reed-Solomon code over GF(32) (polynomial x^5 + x^2 + 1, alpha = x) with
// the two parity equations
//     sum_i c_i = 0      and      sum_i alpha^i * c_i = 0.
// Any single wrong symbol and any swap of two adjacent different symbols
// violates at least one equation, so it is caught locally before any network
// traffic; for a single wrong symbol the syndromes also name its position,
// which the error reports as a group number (never the symbol itself).
//
// Parsing is case-insensitive, ignores spaces, hyphens and other separators
// in " -_.", and maps the look-alikes O->0, I->1, L->1 (Crockford). U is
// not in the alphabet and is rejected.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::crypto {

inline constexpr std::size_t kCodeDataSymbols = 22;
inline constexpr std::size_t kCodeCheckSymbols = 2;
inline constexpr std::size_t kCodeSymbols = kCodeDataSymbols + kCodeCheckSymbols;
inline constexpr std::size_t kCodeEntropyBits = kCodeDataSymbols * 5;  // 110
inline constexpr std::size_t kCodeGroupSize = 4;
inline constexpr std::size_t kCodeDisplayLength = kCodeSymbols + kCodeSymbols / kCodeGroupSize - 1;  // 29
// Longest input parse() looks at; anything longer is rejected unread.
inline constexpr std::size_t kCodeMaxInputLength = 128;

struct CodeProblem {
  enum class Kind { kWrongLength, kBadCharacter, kCheckFailed };
  Kind kind;
  // 1-based group (1..6) where the problem most likely is, when known.
  std::optional<std::size_t> group;
};

class ReporterCode {
 public:
  // A fresh code from randombytes_buf.
  static ReporterCode generate();
  // Normalises and checks typed text. On failure the Error's code is
  // ErrorCode::kBadCode and its message says what is wrong and where (group
  // number), without repeating what was typed.
  static Result<ReporterCode> parse(std::string_view typed);
  // Same, with the structured problem instead of a message.
  static std::optional<CodeProblem> diagnose(std::string_view typed);

  // "XXXX-XXXX-XXXX-XXXX-XXXX-XXXX", upper case.
  SecretBuffer display() const;
  // The 24 canonical upper-case symbols without separators: the Argon2id
  // password (see derive.hpp and docs/PROTOCOL.md).
  const SecretBuffer& canonical() const { return canonical_; }

  bool equals(const ReporterCode& other) const { return canonical_.equals(other.canonical_); }

  // Builds a code from 22 data symbol values (each 0..31), computing the check
  // symbols. For test vectors; production codes come from generate().
  static ReporterCode from_data_symbols(ByteView symbols);

 private:
  explicit ReporterCode(SecretBuffer canonical) : canonical_(std::move(canonical)) {}
  SecretBuffer canonical_;
};

}  // namespace meldpunt::crypto
