// The relay API on the wire: ZeroMQ multipart messages, one field per frame,
// every field of an exact or bounded size.
//
// Request  = header frame [version u8 = 1][op u8] followed by the op's fields.
// Reply    = header frame [version u8 = 1][status u8] followed by the reply's
//            fields; an error reply (status != kOk) has one more frame: a short
//            ASCII explanation (at most kMaxErrorText bytes).
//
//   op                 request fields                          reply fields (ok)
//   1 get-directory    -                                       signed directory
//   2 get-prekeys      [proof of work (40)]                    prekey bundle
//   3 deposit          [proof of work (40): challenge (32) ||   one id (16) per deposit
//                      nonce (8 LE)], then 1..kMaxDeposits-
//                      PerRequest triples of clue (64),
//                      delete verifier (32), envelope
//   4 fetch            [proof of work (40)]                    fetch entries (n*64)
//   5 get-message      id (16)                                 envelope
//   6 delete           id (16), token (32)                     -
//   7 publish-dir      signed directory                        -
//   8 upload-prekeys   adviser sign pk (32), counter (8 LE),   prekeys held (u32 LE)
//                      prekeys (n*96: pk || signature,
//                      0 <= n <= 256), signature (64),
//                      [medium-term prekey (0 or 100):
//                      pk || expires day u32 LE || signature]
//   9 get-policy       -                                       challenge (32), difficulty (1),
//                                                              retention days (u32 LE),
//                                                              retention fuzz days (u32 LE),
//                                                              max attachment bytes (u64 LE;
//                                                              absent from older relays),
//                                                              then the prices (absent from
//                                                              older relays): fetch work (u64),
//                                                              get-prekeys work (u64), work per
//                                                              envelope of each size class
//                                                              (3 * u64), stored messages (u64)
//
// A deposit of several envelopes (a report to two advisers plus the
// reporter's own copy) is stored all-or-nothing in one commit. Its proof of
// work (crypto/pow.hpp) covers every envelope of the request; the relay
// decides whether one is required (get-policy announces the difficulty).
// An upload of zero prekeys is a signed, counter-protected way for an
// adviser to learn how many of its prekeys the relay holds. The fifth field
// of an upload is optional (an older adviser-client sends four).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "meldpunt/common/bytes.hpp"
#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/identity.hpp"
#include "meldpunt/crypto/pow.hpp"

namespace meldpunt::protocol {

inline constexpr std::uint8_t kWireVersion = 1;

enum class Op : std::uint8_t {
  kGetDirectory = 1,
  kGetPrekeys = 2,
  kDeposit = 3,
  kFetch = 4,
  kGetMessage = 5,
  kDelete = 6,
  kPublishDirectory = 7,
  kUploadPrekeys = 8,
  kGetPolicy = 9,
};
inline constexpr std::uint8_t kLastOp = 9;
std::string_view op_name(Op op);

inline constexpr std::size_t kMaxDepositsPerRequest = 16;
inline constexpr std::size_t kMaxPrekeysPerUpload = 256;
inline constexpr std::size_t kPrekeyWireBytes = 32 + 64;
// adviser sign pk + one-time prekey (zeros: none) + medium-term prekey (zeros: none)
inline constexpr std::size_t kBundleEntryBytes = 32 + kPrekeyWireBytes + crypto::kSignedMediumPrekeyBytes;
static_assert(kBundleEntryBytes == 228);
inline constexpr std::size_t kDeleteTokenBytes = 32;
inline constexpr std::size_t kMaxErrorText = 200;
inline constexpr std::size_t kPowFieldBytes = crypto::kPowChallengeBytes + crypto::kPowNonceBytes;
// Largest request the relay accepts (ZMQ_MAXMSGSIZE bounds each frame; this
// bounds the frame count): header + proof of work + 16 deposits * 3 frames.
inline constexpr std::size_t kMaxRequestFrames = 2 + 3 * kMaxDepositsPerRequest;
// Largest single frame of a request: the largest envelope.
inline constexpr std::size_t kMaxRequestFrameBytes = 262144;
inline constexpr std::string_view kPrekeyUploadDomain = "meldpunt/v1/prekey-upload";

using Frames = std::vector<Bytes>;

// ---- requests, as parsed by the relay (every size checked) ----

struct DepositItem {
  crypto::Clue clue{};
  FixedBytes<32> verifier{};
  ByteView envelope;  // points into the request frames
};

struct DepositPow {
  crypto::PowChallenge challenge{};
  std::uint64_t nonce = 0;
};

struct PrekeyUpload {
  crypto::Ed25519PublicKey adviser_sign_pk{};
  std::uint64_t counter = 0;
  std::vector<crypto::SignedPrekey> prekeys;
  crypto::Signature signature{};
  std::optional<crypto::SignedMediumPrekey> medium;  // the adviser's current one
};

struct Request {
  Op op = Op::kGetDirectory;
  std::vector<DepositItem> deposits;  // kDeposit
  std::optional<DepositPow> pow;      // kDeposit, kFetch, kGetPrekeys: when the client sent one
  crypto::MessageId id{};             // kGetMessage, kDelete
  FixedBytes<kDeleteTokenBytes> token{};  // kDelete
  ByteView signed_directory;          // kPublishDirectory
  PrekeyUpload upload;                // kUploadPrekeys
};

// Parses and bounds-checks a request. Never throws; the views point into
// `frames`, which must outlive the Request. Errors: kUnsupportedVersion,
// kUnknownOperation, kMalformed, kTooLarge.
Result<Request> parse_request(std::span<const ByteView> frames);

// ---- building requests (clients) ----

Frames request_header_only(Op op);
// A fetch or get-prekeys with its proof of work (over crypto::pow_request_body(op)).
Frames make_priced_request(Op op, const DepositPow& pow);
Frames make_deposit_request(std::span<const DepositItem> items);
Frames make_deposit_request(std::span<const DepositItem> items, const DepositPow& pow);
// The proof of work's view of a deposit (crypto::pow_body_hash input).
std::vector<crypto::PowItem> pow_items(std::span<const DepositItem> items);
Frames make_get_message_request(const crypto::MessageId& id);
Frames make_delete_request(const crypto::MessageId& id, ByteView token);
Frames make_publish_directory_request(ByteView signed_directory);
// Signs the upload with the adviser's sign key (domain kPrekeyUploadDomain over
// sign pk || counter || prekeys || medium-term prekey if any).
Frames make_prekey_upload_request(const crypto::SigningKeyPair& adviser, std::uint64_t counter,
                                  std::span<const crypto::SignedPrekey> prekeys,
                                  const std::optional<crypto::SignedMediumPrekey>& medium = std::nullopt);
// The bytes that an upload's signature covers.
Bytes prekey_upload_signed_bytes(const PrekeyUpload& upload);

// ---- replies ----

Frames make_ok_reply(std::vector<Bytes> fields = {});
Frames make_error_reply(ErrorCode code, std::string_view text);

// The error statuses a relay sends (docs/PROTOCOL.md, "Reply"): every
// ErrorCode except kOk and the ones only a client produces for itself
// (kBadCode, kIo, kUnavailable). A relay turns any other failure into
// kInternal; a client treats a status outside this set as unknown.
bool is_relay_error_status(ErrorCode code);

struct Reply {
  ErrorCode status = ErrorCode::kOk;
  std::string error_text;  // sanitised printable ASCII
  std::vector<Bytes> fields;
};
// Parses a reply (client side; the relay is pinned but still bounded).
Result<Reply> parse_reply(std::span<const ByteView> frames);

// Largest file a client may send as an attachment, as the relay announces
// it in get-policy. The default is also what a client assumes for a relay
// older than the field; the upper bound keeps a relay from making a client
// read, encrypt and send (or accept) an unbounded file.
inline constexpr std::uint64_t kDefaultMaxAttachmentBytes = 10ull << 20;  // 10 MiB
inline constexpr std::uint64_t kMaxAttachmentBytesLimit = 256ull << 20;   // 256 MiB

// Index of an envelope size class in PolicyInfo::envelope_work (4096,
// 32768, 262144 bytes); nullopt for any other size.
std::optional<std::size_t> size_class_index(std::size_t envelope_bytes);
inline constexpr std::size_t kSizeClasses = 3;

// get-policy reply: what a client must know before depositing.
struct PolicyInfo {
  crypto::PowChallenge challenge{};
  std::uint8_t difficulty = 0;           // leading zero bits; 0 = no proof of work needed
  std::uint32_t retention_days = 0;      // messages are kept this long...
  std::uint32_t retention_fuzz_days = 0; // ...plus a random 0..fuzz days
  // Largest attachment (the file's own size) clients send or accept;
  // 0 = attachments are refused. At most kMaxAttachmentBytesLimit.
  std::uint64_t max_attachment_bytes = kDefaultMaxAttachmentBytes;
  // Prices in expected digests (crypto::digest_meets_work; 0 = free). A
  // relay from before prices sends none (priced = false): it then wants
  // 2^difficulty per deposit request and nothing for fetch or get-prekeys.
  bool priced = false;
  std::uint64_t fetch_work = 0;
  std::uint64_t prekeys_work = 0;
  std::array<std::uint64_t, kSizeClasses> envelope_work{};  // per envelope of each class
  std::uint64_t stored_messages = 0;  // what a fetch answer now holds before padding
};
// The price of depositing these envelopes together under `policy`
// (saturating; above crypto::kMaxPowWork means the client must refuse).
std::uint64_t deposit_work(const PolicyInfo& policy, std::span<const std::size_t> envelope_sizes);
// Nine fields: challenge, difficulty, retention days, retention fuzz days,
// max attachment bytes, fetch work, get-prekeys work, envelope work (24
// bytes), stored messages.
std::vector<Bytes> encode_policy(const PolicyInfo& policy);
// Accepts the reply of an older relay (the first four fields only: then
// max_attachment_bytes = kDefaultMaxAttachmentBytes; or five: then no
// prices) and ignores fields after the ninth, so a later relay can append
// fields without breaking clients. Six to eight fields are malformed (the
// prices come together).
// kMalformed on a missing or wrong-sized field; kTooLarge for a difficulty
// above crypto::kMaxPowDifficulty or a price above crypto::kMaxPowWork (a
// client must not be made to work forever) or an attachment limit above
// kMaxAttachmentBytesLimit.
Result<PolicyInfo> decode_policy(std::span<const Bytes> fields);

// Prekey bundle: u16 LE count (<= crypto::kMaxDirectoryEntries) || count *
// (adviser sign pk 32 || one-time prekey: pk 32 || signature 64 ||
//  medium-term prekey: pk 32 || expires day u32 LE || signature 64);
// an absent prekey is all zero bytes. Signatures are not checked here.
struct BundleEntry {
  crypto::Ed25519PublicKey adviser_sign_pk{};
  std::optional<crypto::SignedPrekey> prekey;         // one-time
  std::optional<crypto::SignedMediumPrekey> medium;   // medium-term
};
Bytes encode_bundle(std::span<const BundleEntry> entries);
Result<std::vector<BundleEntry>> decode_bundle(ByteView bytes);

// Fetch answer: n * 64 bytes, n a multiple of kFetchPadQuantum, at least one quantum.
inline constexpr std::size_t kFetchPadQuantum = 64;
inline constexpr std::size_t kMaxFetchEntries = 4'000'000;
std::size_t padded_fetch_count(std::size_t real_entries);
Result<std::vector<crypto::FetchEntry>> decode_fetch_entries(ByteView bytes);
// The fetch answer's second frame: the ids of the stored messages behind its
// entries, n * 16 bytes in ascending byte order (so their order says nothing
// about the entries'). Clients draw decoy get-messages from it (PROTOCOL.md,
// retrieval session). kMalformed unless whole ids, strictly ascending (no
// repeats); kTooLarge beyond kMaxFetchEntries.
Bytes encode_message_ids(std::vector<crypto::MessageId> ids);
Result<std::vector<crypto::MessageId>> decode_message_ids(ByteView bytes);

}  // namespace meldpunt::protocol
