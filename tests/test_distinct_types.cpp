// Ids and keys of the same size but different meaning are distinct types
// (common/tagged_bytes.hpp): passing one where another is meant does not
// compile. These checks run when the tests are compiled, so a change that
// makes two of them interchangeable again (an alias back to FixedBytes, an
// implicit conversion) fails the build.
#include <catch2/catch.hpp>

#include <type_traits>

#include "case_model.hpp"
#include "common.hpp"
#include "meldpunt/common/tagged_bytes.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/protocol/handover.hpp"
#include "meldpunt/protocol/reply_signature.hpp"

using namespace meldpunt;

namespace {

// Neither converts to the other, implicitly or by a cast-like construction.
template <class A, class B>
inline constexpr bool kDistinct = !std::is_convertible_v<A, B> && !std::is_convertible_v<B, A> &&
                                  !std::is_constructible_v<A, const B&> && !std::is_constructible_v<B, const A&> &&
                                  !std::is_assignable_v<A&, const B&> && !std::is_assignable_v<B&, const A&>;

// A tagged type and the plain bytes of its size: raw bytes get a meaning only
// where it is spelled out (`.bytes`, or braces around the bytes).
template <class T>
inline constexpr bool kNotPlainBytes = !std::is_convertible_v<T, FixedBytes<T::size()>> &&
                                       !std::is_convertible_v<FixedBytes<T::size()>, T> &&
                                       !std::is_assignable_v<T&, const FixedBytes<T::size()>&> &&
                                       !std::is_assignable_v<FixedBytes<T::size()>&, const T&>;

// 16-byte ids.
static_assert(kDistinct<crypto::AdviserId, protocol::ProposalId>);
static_assert(kNotPlainBytes<crypto::AdviserId>);
static_assert(kNotPlainBytes<protocol::ProposalId>);
static_assert(kDistinct<crypto::PrekeyId, crypto::AdviserId>);
static_assert(kDistinct<crypto::PrekeyId, protocol::ProposalId>);
static_assert(kNotPlainBytes<crypto::PrekeyId>);
static_assert(kDistinct<adviser::CaseKey, crypto::AdviserId>);
static_assert(kDistinct<adviser::CaseKey, crypto::PrekeyId>);
static_assert(kDistinct<adviser::CaseKey, protocol::ProposalId>);
static_assert(kNotPlainBytes<adviser::CaseKey>);

// The swaps the signed statements must not accept.
static_assert(!std::is_invocable_v<decltype(&protocol::handover_statement), const crypto::AdviserId&,
                                   const crypto::X25519PublicKey&, const crypto::AdviserId&,
                                   const protocol::ProposalId&>);
static_assert(!std::is_invocable_v<decltype(&protocol::handover_statement), const protocol::ProposalId&,
                                   const crypto::X25519PublicKey&, const protocol::ProposalId&,
                                   const crypto::AdviserId&>);

}  // namespace

TEST_CASE("tagged ids read and compare as their bytes", "[types]") {
  const auto id = test_support::random_as<crypto::AdviserId>();
  const ByteView view = id;
  CHECK(view.size() == crypto::kAdviserIdBytes);
  CHECK(to_hex(id) == to_hex(id.bytes));
  crypto::AdviserId copy{};
  std::copy(view.begin(), view.end(), copy.begin());
  CHECK(copy == id);
  CHECK_FALSE(copy < id);
  copy.bytes[0] ^= 1;
  CHECK(copy != id);
}
