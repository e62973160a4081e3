#include "meldpunt/protocol/wire.hpp"

#include <algorithm>

#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/sign.hpp"

namespace meldpunt::protocol {
namespace {

Bytes header(std::uint8_t second) { return Bytes{kWireVersion, second}; }

template <std::size_t N>
bool copy_exact(ByteView frame, FixedBytes<N>& out) {
  if (frame.size() != N) return false;
  std::copy(frame.begin(), frame.end(), out.begin());
  return true;
}

Error malformed(std::string_view what) { return Error{ErrorCode::kMalformed, std::string(what)}; }

// field.size() == kPowFieldBytes, checked by the caller.
DepositPow parse_pow_field(ByteView field) {
  DepositPow pow;
  std::copy_n(field.begin(), crypto::kPowChallengeBytes, pow.challenge.begin());
  pow.nonce = read_u64_le(field.data() + crypto::kPowChallengeBytes);
  return pow;
}

Bytes pow_field(const DepositPow& pow) {
  Bytes field(pow.challenge.begin(), pow.challenge.end());
  append_u64_le(field, pow.nonce);
  return field;
}

Result<Request> parse_deposit(std::span<const ByteView> fields, Request request) {
  if (fields.size() % 3 == 1) {
    // A leading proof-of-work field: challenge || nonce.
    if (fields[0].size() != kPowFieldBytes) return malformed("proof of work must be 40 bytes");
    request.pow = parse_pow_field(fields[0]);
    fields = fields.subspan(1);
  }
  if (fields.empty() || fields.size() % 3 != 0) return malformed("deposit needs clue, verifier, envelope triples");
  if (fields.size() / 3 > kMaxDepositsPerRequest) return Error{ErrorCode::kTooLarge, "too many deposits in one request"};
  for (std::size_t i = 0; i < fields.size(); i += 3) {
    DepositItem item;
    if (!copy_exact(fields[i], item.clue.bytes)) return malformed("clue must be 64 bytes");
    if (!copy_exact(fields[i + 1], item.verifier)) return malformed("delete verifier must be 32 bytes");
    if (!crypto::is_envelope_size(fields[i + 2].size())) return malformed("envelope is not of a known size class");
    item.envelope = fields[i + 2];
    request.deposits.push_back(item);
  }
  return request;
}

Result<Request> parse_upload(std::span<const ByteView> fields, Request request) {
  if (fields.size() != 4 && fields.size() != 5) return malformed("upload-prekeys needs 4 or 5 fields");
  PrekeyUpload& up = request.upload;
  if (!copy_exact(fields[0], up.adviser_sign_pk.bytes)) return malformed("adviser key must be 32 bytes");
  if (fields[1].size() != 8) return malformed("counter must be 8 bytes");
  up.counter = read_u64_le(fields[1].data());
  const ByteView keys = fields[2];
  // Zero prekeys is allowed: a signed way to learn the count at the relay.
  if (keys.size() % kPrekeyWireBytes != 0) return malformed("prekeys must be n * 96 bytes");
  if (keys.size() / kPrekeyWireBytes > kMaxPrekeysPerUpload) return Error{ErrorCode::kTooLarge, "too many prekeys in one upload"};
  ByteReader reader(keys);
  while (!reader.at_end()) {
    crypto::SignedPrekey prekey;
    if (!reader.take(prekey.pk.bytes) || !reader.take(prekey.signature.bytes)) return malformed("truncated prekey");
    up.prekeys.push_back(prekey);
  }
  if (!copy_exact(fields[3], up.signature.bytes)) return malformed("signature must be 64 bytes");
  if (fields.size() == 5 && !fields[4].empty()) {
    auto medium = crypto::decode_medium_prekey(fields[4]);
    if (!medium) return malformed("medium-term prekey must be empty or 100 bytes");
    up.medium = *medium;
  }
  return request;
}

}  // namespace

std::string_view op_name(Op op) {
  switch (op) {
    case Op::kGetDirectory: return "get-directory";
    case Op::kGetPrekeys: return "get-prekeys";
    case Op::kDeposit: return "deposit";
    case Op::kFetch: return "fetch";
    case Op::kGetMessage: return "get-message";
    case Op::kDelete: return "delete";
    case Op::kPublishDirectory: return "publish-directory";
    case Op::kUploadPrekeys: return "upload-prekeys";
    case Op::kGetPolicy: return "get-policy";
  }
  return "unknown";
}

Result<Request> parse_request(std::span<const ByteView> frames) {
  if (frames.empty()) return malformed("empty request");
  if (frames.size() > kMaxRequestFrames) return Error{ErrorCode::kTooLarge, "too many frames"};
  for (const ByteView& f : frames) {
    if (f.size() > kMaxRequestFrameBytes) return Error{ErrorCode::kTooLarge, "frame too large"};
  }
  const ByteView head = frames[0];
  if (head.size() != 2) return malformed("header frame must be 2 bytes");
  if (head[0] != kWireVersion) return Error{ErrorCode::kUnsupportedVersion, "unsupported protocol version"};
  if (head[1] < 1 || head[1] > kLastOp) return Error{ErrorCode::kUnknownOperation, "unknown operation"};

  Request request;
  request.op = static_cast<Op>(head[1]);
  const std::span<const ByteView> fields = frames.subspan(1);
  switch (request.op) {
    case Op::kGetDirectory:
    case Op::kGetPolicy:
      if (!fields.empty()) return malformed("this operation takes no fields");
      return request;
    case Op::kGetPrekeys:
    case Op::kFetch:
      // Priced: an optional proof of work, challenge || nonce.
      if (fields.empty()) return request;
      if (fields.size() != 1 || fields[0].size() != kPowFieldBytes) {
        return malformed("this operation takes only a 40-byte proof of work");
      }
      request.pow = parse_pow_field(fields[0]);
      return request;
    case Op::kDeposit:
      return parse_deposit(fields, std::move(request));
    case Op::kGetMessage:
      if (fields.size() != 1 || !copy_exact(fields[0], request.id.bytes)) return malformed("get-message needs a 16-byte id");
      return request;
    case Op::kDelete:
      if (fields.size() != 2 || !copy_exact(fields[0], request.id.bytes) || !copy_exact(fields[1], request.token)) {
        return malformed("delete needs a 16-byte id and a 32-byte token");
      }
      return request;
    case Op::kPublishDirectory:
      if (fields.size() != 1 || fields[0].empty()) return malformed("publish-directory needs one field");
      if (fields[0].size() > crypto::kMaxSignedDirectoryBytes) return Error{ErrorCode::kTooLarge, "directory too large"};
      request.signed_directory = fields[0];
      return request;
    case Op::kUploadPrekeys:
      return parse_upload(fields, std::move(request));
  }
  return Error{ErrorCode::kUnknownOperation, "unknown operation"};
}

Frames request_header_only(Op op) { return {header(static_cast<std::uint8_t>(op))}; }

Frames make_deposit_request(std::span<const DepositItem> items) {
  Frames frames = request_header_only(Op::kDeposit);
  for (const DepositItem& item : items) {
    frames.emplace_back(item.clue.begin(), item.clue.end());
    frames.emplace_back(item.verifier.begin(), item.verifier.end());
    frames.emplace_back(item.envelope.begin(), item.envelope.end());
  }
  return frames;
}

Frames make_deposit_request(std::span<const DepositItem> items, const DepositPow& pow) {
  Frames frames = make_deposit_request(items);
  frames.insert(frames.begin() + 1, pow_field(pow));
  return frames;
}

Frames make_priced_request(Op op, const DepositPow& pow) {
  Frames frames = request_header_only(op);
  frames.push_back(pow_field(pow));
  return frames;
}

std::vector<crypto::PowItem> pow_items(std::span<const DepositItem> items) {
  std::vector<crypto::PowItem> out;
  out.reserve(items.size());
  for (const DepositItem& item : items) out.push_back({item.clue, item.verifier, item.envelope});
  return out;
}

Frames make_get_message_request(const crypto::MessageId& id) {
  Frames frames = request_header_only(Op::kGetMessage);
  frames.emplace_back(id.begin(), id.end());
  return frames;
}

Frames make_delete_request(const crypto::MessageId& id, ByteView token) {
  Frames frames = request_header_only(Op::kDelete);
  frames.emplace_back(id.begin(), id.end());
  frames.emplace_back(token.begin(), token.end());
  return frames;
}

Frames make_publish_directory_request(ByteView signed_directory) {
  Frames frames = request_header_only(Op::kPublishDirectory);
  frames.emplace_back(signed_directory.begin(), signed_directory.end());
  return frames;
}

Bytes prekey_upload_signed_bytes(const PrekeyUpload& upload) {
  Bytes out;
  append(out, upload.adviser_sign_pk);
  append_u64_le(out, upload.counter);
  for (const crypto::SignedPrekey& p : upload.prekeys) {
    append(out, p.pk);
    append(out, p.signature);
  }
  // 40 + 96n bytes without, 40 + 96n + 100 with: the lengths differ mod 96,
  // so the two forms can never sign the same bytes.
  if (upload.medium) append(out, crypto::encode_medium_prekey(*upload.medium));
  return out;
}

Frames make_prekey_upload_request(const crypto::SigningKeyPair& adviser, std::uint64_t counter,
                                  std::span<const crypto::SignedPrekey> prekeys,
                                  const std::optional<crypto::SignedMediumPrekey>& medium) {
  PrekeyUpload upload;
  upload.adviser_sign_pk = adviser.pk;
  upload.counter = counter;
  upload.prekeys.assign(prekeys.begin(), prekeys.end());
  upload.medium = medium;
  upload.signature = crypto::sign(kPrekeyUploadDomain, prekey_upload_signed_bytes(upload), adviser.sk);

  Frames frames = request_header_only(Op::kUploadPrekeys);
  frames.emplace_back(upload.adviser_sign_pk.begin(), upload.adviser_sign_pk.end());
  Bytes counter_bytes;
  append_u64_le(counter_bytes, counter);
  frames.push_back(counter_bytes);
  Bytes keys;
  for (const crypto::SignedPrekey& p : prekeys) {
    append(keys, p.pk);
    append(keys, p.signature);
  }
  frames.push_back(keys);
  frames.emplace_back(upload.signature.begin(), upload.signature.end());
  if (medium) frames.push_back(crypto::encode_medium_prekey(*medium));
  return frames;
}

Frames make_ok_reply(std::vector<Bytes> fields) {
  Frames frames{header(static_cast<std::uint8_t>(ErrorCode::kOk))};
  for (Bytes& f : fields) frames.push_back(std::move(f));
  return frames;
}

Frames make_error_reply(ErrorCode code, std::string_view text) {
  const std::string_view clipped = text.substr(0, kMaxErrorText);
  return {header(static_cast<std::uint8_t>(code)), Bytes(clipped.begin(), clipped.end())};
}

bool is_relay_error_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::kMalformed:
    case ErrorCode::kUnknownOperation:
    case ErrorCode::kTooLarge:
    case ErrorCode::kNotFound:
    case ErrorCode::kUnauthorised:
    case ErrorCode::kStorageFull:
    case ErrorCode::kInternal:
    case ErrorCode::kReplay:
    case ErrorCode::kUnsupportedVersion:
    case ErrorCode::kRateLimited:
      return true;
    case ErrorCode::kOk:
    case ErrorCode::kBadCode:
    case ErrorCode::kIo:
    case ErrorCode::kUnavailable:
      return false;
  }
  return false;  // a value no enumerator names
}

Result<Reply> parse_reply(std::span<const ByteView> frames) {
  if (frames.empty() || frames[0].size() != 2) return malformed("reply without a valid header");
  if (frames[0][0] != kWireVersion) return Error{ErrorCode::kUnsupportedVersion, "relay speaks another protocol version"};
  Reply reply;
  reply.status = static_cast<ErrorCode>(frames[0][1]);
  if (reply.status != ErrorCode::kOk) {
    if (frames.size() >= 2) {
      for (std::uint8_t c : frames[1].first(std::min(frames[1].size(), kMaxErrorText))) {
        reply.error_text.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
      }
    }
    return reply;
  }
  for (const ByteView& f : frames.subspan(1)) reply.fields.emplace_back(f.begin(), f.end());
  return reply;
}

std::vector<Bytes> encode_policy(const PolicyInfo& policy) {
  std::vector<Bytes> fields;
  fields.emplace_back(policy.challenge.begin(), policy.challenge.end());
  fields.push_back(Bytes{policy.difficulty});
  Bytes days, fuzz;
  append_u32_le(days, policy.retention_days);
  append_u32_le(fuzz, policy.retention_fuzz_days);
  fields.push_back(std::move(days));
  fields.push_back(std::move(fuzz));
  Bytes attachment;
  append_u64_le(attachment, policy.max_attachment_bytes);
  fields.push_back(std::move(attachment));
  Bytes fetch, prekeys, envelopes, stored;
  append_u64_le(fetch, policy.fetch_work);
  append_u64_le(prekeys, policy.prekeys_work);
  for (std::uint64_t w : policy.envelope_work) append_u64_le(envelopes, w);
  append_u64_le(stored, policy.stored_messages);
  fields.push_back(std::move(fetch));
  fields.push_back(std::move(prekeys));
  fields.push_back(std::move(envelopes));
  fields.push_back(std::move(stored));
  return fields;
}

std::optional<std::size_t> size_class_index(std::size_t envelope_bytes) {
  switch (envelope_bytes) {
    case 4096: return 0;
    case 32768: return 1;
    case 262144: return 2;
    default: return std::nullopt;
  }
}

std::uint64_t deposit_work(const PolicyInfo& policy, std::span<const std::size_t> envelope_sizes) {
  if (!policy.priced) return policy.difficulty == 0 ? 0 : crypto::work_of_bits(policy.difficulty);
  std::uint64_t total = 0;
  for (std::size_t size : envelope_sizes) {
    const std::optional<std::size_t> c = size_class_index(size);
    const std::uint64_t w = c ? policy.envelope_work[*c] : UINT64_MAX;
    total = total > UINT64_MAX - w ? UINT64_MAX : total + w;
  }
  return total;
}

Result<PolicyInfo> decode_policy(std::span<const Bytes> fields) {
  // Four fields: a relay from before the attachment limit. More than five:
  // a later relay's additions, which this client does not know.
  if (fields.size() < 4 || fields[1].size() != 1 || fields[2].size() != 4 || fields[3].size() != 4) {
    return malformed("relay sent a malformed policy");
  }
  if (fields.size() >= 5 && fields[4].size() != 8) return malformed("policy attachment limit must be 8 bytes");
  PolicyInfo policy;
  if (!copy_exact(ByteView(fields[0]), policy.challenge.bytes)) return malformed("policy challenge must be 32 bytes");
  policy.difficulty = fields[1][0];
  if (policy.difficulty > crypto::kMaxPowDifficulty) {
    return Error{ErrorCode::kTooLarge, "relay asks for more proof of work than a client will do"};
  }
  policy.retention_days = read_u32_le(fields[2].data());
  policy.retention_fuzz_days = read_u32_le(fields[3].data());
  if (fields.size() >= 5) {
    policy.max_attachment_bytes = read_u64_le(fields[4].data());
    if (policy.max_attachment_bytes > kMaxAttachmentBytesLimit) {
      return Error{ErrorCode::kTooLarge, "relay allows attachments larger than a client will handle"};
    }
  }
  if (fields.size() >= 6) {
    if (fields.size() < 9 || fields[5].size() != 8 || fields[6].size() != 8 || fields[7].size() != 8 * kSizeClasses ||
        fields[8].size() != 8) {
      return malformed("relay sent malformed prices");
    }
    policy.priced = true;
    policy.fetch_work = read_u64_le(fields[5].data());
    policy.prekeys_work = read_u64_le(fields[6].data());
    for (std::size_t c = 0; c < kSizeClasses; ++c) policy.envelope_work[c] = read_u64_le(fields[7].data() + 8 * c);
    policy.stored_messages = read_u64_le(fields[8].data());
    const bool too_dear = policy.fetch_work > crypto::kMaxPowWork || policy.prekeys_work > crypto::kMaxPowWork ||
                          std::any_of(policy.envelope_work.begin(), policy.envelope_work.end(),
                                      [](std::uint64_t w) { return w > crypto::kMaxPowWork; });
    if (too_dear) return Error{ErrorCode::kTooLarge, "relay asks for more proof of work than a client will do"};
  }
  return policy;
}

Bytes encode_bundle(std::span<const BundleEntry> entries) {
  Bytes out;
  append_u16_le(out, static_cast<std::uint16_t>(entries.size()));
  for (const BundleEntry& e : entries) {
    append(out, e.adviser_sign_pk);
    if (e.prekey) {
      append(out, e.prekey->pk);
      append(out, e.prekey->signature);
    } else {
      out.resize(out.size() + kPrekeyWireBytes, 0);
    }
    if (e.medium) {
      append(out, crypto::encode_medium_prekey(*e.medium));
    } else {
      out.resize(out.size() + crypto::kSignedMediumPrekeyBytes, 0);
    }
  }
  return out;
}

Result<std::vector<BundleEntry>> decode_bundle(ByteView bytes) {
  ByteReader reader(bytes);
  std::uint16_t count = 0;
  if (!reader.take_u16(count)) return malformed("prekey bundle too short");
  if (count > crypto::kMaxDirectoryEntries) return Error{ErrorCode::kTooLarge, "prekey bundle too large"};
  if (reader.remaining() != static_cast<std::size_t>(count) * kBundleEntryBytes) return malformed("prekey bundle size mismatch");
  const auto all_zero = [](ByteView v) { return std::all_of(v.begin(), v.end(), [](std::uint8_t b) { return b == 0; }); };
  std::vector<BundleEntry> entries(count);
  for (BundleEntry& e : entries) {
    ByteView one_time, medium;
    if (!reader.take(e.adviser_sign_pk.bytes) || !reader.take(kPrekeyWireBytes, one_time) ||
        !reader.take(crypto::kSignedMediumPrekeyBytes, medium)) {
      return malformed("truncated prekey bundle");
    }
    if (!all_zero(one_time)) {
      crypto::SignedPrekey p;
      std::copy_n(one_time.begin(), p.pk.size(), p.pk.begin());
      std::copy_n(one_time.begin() + static_cast<std::ptrdiff_t>(p.pk.size()), p.signature.size(), p.signature.begin());
      e.prekey = p;
    }
    if (!all_zero(medium)) {
      auto m = crypto::decode_medium_prekey(medium);
      if (!m) return m.error();
      e.medium = *m;
    }
  }
  return entries;
}

std::size_t padded_fetch_count(std::size_t real_entries) {
  const std::size_t quanta = (real_entries + kFetchPadQuantum - 1) / kFetchPadQuantum;
  return std::max<std::size_t>(1, quanta) * kFetchPadQuantum;
}

Result<std::vector<crypto::FetchEntry>> decode_fetch_entries(ByteView bytes) {
  if (bytes.size() % crypto::kFetchEntryBytes != 0) return malformed("fetch answer is not a whole number of entries");
  const std::size_t n = bytes.size() / crypto::kFetchEntryBytes;
  if (n > kMaxFetchEntries) return Error{ErrorCode::kTooLarge, "fetch answer too large"};
  std::vector<crypto::FetchEntry> entries(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(i * crypto::kFetchEntryBytes), crypto::kFetchEntryBytes,
                entries[i].begin());
  }
  return entries;
}

Bytes encode_message_ids(std::vector<crypto::MessageId> ids) {
  std::sort(ids.begin(), ids.end());
  Bytes out;
  out.reserve(ids.size() * crypto::kMessageIdBytes);
  for (const crypto::MessageId& id : ids) out.insert(out.end(), id.begin(), id.end());
  return out;
}

Result<std::vector<crypto::MessageId>> decode_message_ids(ByteView bytes) {
  if (bytes.size() % crypto::kMessageIdBytes != 0) return malformed("id list is not a whole number of ids");
  const std::size_t n = bytes.size() / crypto::kMessageIdBytes;
  if (n > kMaxFetchEntries) return Error{ErrorCode::kTooLarge, "id list too large"};
  std::vector<crypto::MessageId> ids(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(i * crypto::kMessageIdBytes), crypto::kMessageIdBytes,
                ids[i].begin());
    if (i > 0 && !(ids[i - 1] < ids[i])) return malformed("id list is not in strictly ascending order");
  }
  return ids;
}

}  // namespace meldpunt::protocol
