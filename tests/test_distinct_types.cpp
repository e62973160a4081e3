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
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/hash.hpp"
#include "meldpunt/crypto/keys.hpp"
#include "meldpunt/crypto/pow.hpp"
#include "meldpunt/crypto/sign.hpp"
#include "meldpunt/protocol/handover.hpp"
#include "meldpunt/protocol/letter.hpp"
#include "meldpunt/protocol/reply_signature.hpp"
#include "meldpunt/store/relay_store.hpp"

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

// Controls: the checks below would pass vacuously if these failed.
static_assert(!kDistinct<crypto::AdviserId, crypto::AdviserId>);
static_assert(kDistinct<FixedBytes<16>, FixedBytes<32>>);
static_assert(std::is_constructible_v<crypto::AdviserId, const FixedBytes<crypto::kAdviserIdBytes>&>);  // Id{bytes}
static_assert(std::is_invocable_v<decltype(&protocol::handover_statement), const crypto::AdviserId&,
                                  const crypto::X25519PublicKey&, const protocol::ProposalId&, const crypto::AdviserId&>);
static_assert(std::is_invocable_v<decltype(&crypto::verify), std::string_view, ByteView, const crypto::Signature&,
                                  const crypto::Ed25519PublicKey&>);
static_assert(std::is_invocable_v<decltype(&crypto::make_clue), const crypto::FetchPublicKey&>);
static_assert(std::is_invocable_v<decltype(&crypto::pow_digest), const crypto::PowChallenge&, const crypto::PowHash&,
                                  std::uint64_t>);

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
static_assert(kDistinct<crypto::MessageId, crypto::AdviserId>);
static_assert(kDistinct<crypto::MessageId, crypto::PrekeyId>);
static_assert(kDistinct<crypto::MessageId, adviser::CaseKey>);
static_assert(kDistinct<crypto::MessageId, protocol::ProposalId>);
static_assert(kNotPlainBytes<crypto::MessageId>);
static_assert(kDistinct<protocol::AttachmentFileId, crypto::MessageId>);
static_assert(kDistinct<protocol::AttachmentFileId, crypto::AdviserId>);
static_assert(kDistinct<protocol::AttachmentFileId, adviser::CaseKey>);
static_assert(kDistinct<protocol::AttachmentFileId, protocol::ProposalId>);
static_assert(kNotPlainBytes<protocol::AttachmentFileId>);

// 32-byte public keys: X25519 (message keys, prekeys), Ed25519 (signing
// keys), ristretto255 (fetch keys). A key of one kind where another is
// meant would verify nothing, or encrypt to a key nobody holds.
static_assert(kDistinct<crypto::X25519PublicKey, crypto::Ed25519PublicKey>);
static_assert(kDistinct<crypto::X25519PublicKey, crypto::FetchPublicKey>);
static_assert(kDistinct<crypto::Ed25519PublicKey, crypto::FetchPublicKey>);
static_assert(kNotPlainBytes<crypto::X25519PublicKey>);
static_assert(kNotPlainBytes<crypto::Ed25519PublicKey>);
static_assert(kNotPlainBytes<crypto::FetchPublicKey>);
static_assert(kNotPlainBytes<crypto::Signature>);
// A file's digest is not a key of any kind.
static_assert(kDistinct<crypto::FileDigest, crypto::X25519PublicKey>);
static_assert(kDistinct<crypto::FileDigest, crypto::Ed25519PublicKey>);
static_assert(kDistinct<crypto::FileDigest, crypto::FetchPublicKey>);
static_assert(kNotPlainBytes<crypto::FileDigest>);
// 64 bytes: a clue, a fetch entry, a signature.
static_assert(kDistinct<crypto::Clue, crypto::FetchEntry>);
static_assert(kDistinct<crypto::Clue, crypto::Signature>);
static_assert(kDistinct<crypto::FetchEntry, crypto::Signature>);
static_assert(kNotPlainBytes<crypto::Clue>);
static_assert(kNotPlainBytes<crypto::FetchEntry>);
// Proof of work: the relay's challenge, and the hashes the work is done over.
static_assert(kDistinct<crypto::PowChallenge, crypto::PowHash>);
static_assert(kDistinct<crypto::PowHash, crypto::FileDigest>);
static_assert(kNotPlainBytes<crypto::PowChallenge>);
static_assert(kNotPlainBytes<crypto::PowHash>);
static_assert(!std::is_invocable_v<decltype(&crypto::pow_digest), const crypto::PowHash&, const crypto::PowChallenge&,
                                   std::uint64_t>);
static_assert(!std::is_invocable_v<decltype(&crypto::verify), std::string_view, ByteView, const crypto::Signature&,
                                   const crypto::X25519PublicKey&>);
static_assert(!std::is_invocable_v<decltype(&crypto::make_clue), const crypto::X25519PublicKey&>);
static_assert(!std::is_invocable_v<decltype(&crypto::make_clue), const crypto::Ed25519PublicKey&>);

// The relay's store has its own types; the relay converts at the boundary
// (relay/src/request_handler.cpp), never implicitly.
static_assert(kDistinct<store::MessageId, crypto::MessageId>);
static_assert(kDistinct<store::StoredClue, crypto::Clue>);
static_assert(kDistinct<store::PublicKeyBytes, crypto::Ed25519PublicKey>);
static_assert(kDistinct<store::PublicKeyBytes, crypto::X25519PublicKey>);
static_assert(kDistinct<store::DeleteVerifier, store::PublicKeyBytes>);
static_assert(kNotPlainBytes<store::MessageId>);
static_assert(kNotPlainBytes<store::StoredClue>);
static_assert(kNotPlainBytes<store::DeleteVerifier>);
static_assert(kNotPlainBytes<store::PublicKeyBytes>);

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
