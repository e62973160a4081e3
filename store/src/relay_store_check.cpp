// RelayStore::check (every record against its layout and the tables
// against each other, read only) and stats (totals and prekey counts).
#include <string>
#include <string_view>
#include <vector>

#include "relay_store_impl.hpp"

namespace meldpunt::store {

StoreStats RelayStore::stats() const {
  const Impl& s = *impl_;
  ReadTxn txn = s.env.begin_read();
  StoreStats out;
  if (Result<Totals> t = s.read_totals(txn)) {
    out.messages = t->messages;
    out.envelope_bytes = t->envelope_bytes;
  }
  lmdb::EnvironmentStats es = s.env.stats(txn);
  out.map_bytes_used = es.pages_in_use * es.page_size;
  out.map_bytes_total = es.map_bytes;
  s.prekeys.for_each(txn, [&](ByteView k, ByteView v) {
    if (k.size() == kPrekeyKeyBytes && v.size() == kPrekeyValueBytes) {
      ++out.prekeys[fixed<PublicKeyBytes>(k)];
    }
    return true;
  });
  s.medium_prekeys.for_each(txn, [&](ByteView k, ByteView v) {
    if (k.size() == kKeyBytes && v.size() == kMediumValueBytes) {
      out.medium_expires[fixed<PublicKeyBytes>(k)] = read_medium(v).expires_day;
    }
    return true;
  });
  return out;
}

std::vector<std::string> RelayStore::check() const {
  const Impl& s = *impl_;
  std::vector<std::string> problems;
  auto report = [&](std::uint64_t n, const char* what) {
    if (n != 0) problems.push_back(std::string(what) + ": " + std::to_string(n));
  };

  for (const std::string& name : s.env.table_names()) {
    if (name != "meta" && name != "messages" && name != "clues" && name != "prekeys" &&
        name != "counters" && name != "medium_prekeys" && name != "directory") {
      problems.push_back("unknown table in the store: " + name);
    }
  }

  ReadTxn txn = s.env.begin_read();

  // meta
  std::optional<ByteView> schema = s.meta.get(txn, as_bytes(kMetaSchema));
  if (!schema) {
    problems.push_back("schema version record is missing");
  } else if (schema->size() != 4) {
    problems.push_back("schema version record with bad size");
  } else if (std::uint32_t v = read_u32_le(schema->data()); v != kRelaySchemaVersion) {
    problems.push_back("schema version is " + std::to_string(v) + ", expected " +
                       std::to_string(kRelaySchemaVersion));
  }
  std::optional<Totals> totals;
  {
    std::optional<ByteView> m = s.meta.get(txn, as_bytes(kMetaMessages));
    std::optional<ByteView> b = s.meta.get(txn, as_bytes(kMetaEnvelopeBytes));
    if (!m || m->size() != 8) problems.push_back("message count record is missing or has a bad size");
    if (!b || b->size() != 8) problems.push_back("envelope byte total record is missing or has a bad size");
    if (m && m->size() == 8 && b && b->size() == 8) {
      totals = Totals{read_u64_le(m->data()), read_u64_le(b->data())};
    }
  }
  std::uint64_t unknown_meta = 0;
  s.meta.for_each(txn, [&](ByteView k, ByteView) {
    std::string_view name(reinterpret_cast<const char*>(k.data()), k.size());
    if (name != kMetaSchema && name != kMetaMessages && name != kMetaEnvelopeBytes) ++unknown_meta;
    return true;
  });
  report(unknown_meta, "unknown meta record");

  // messages and clues, each side checked against the other
  std::uint64_t found = 0, bytes = 0, bad_message_key = 0, bad_message_size = 0, no_clue = 0;
  s.messages.for_each(txn, [&](ByteView k, ByteView v) {
    ++found;
    if (k.size() != kIdBytes) ++bad_message_key;
    if (v.size() < kMessageHeaderBytes) {
      ++bad_message_size;
    } else {
      bytes += v.size() - kMessageHeaderBytes;
    }
    if (!s.clues.get(txn, k)) ++no_clue;
    return true;
  });
  report(bad_message_key, "message record with bad key size");
  report(bad_message_size, "message record with bad size");
  report(no_clue, "message without a clue");

  std::uint64_t bad_clue_key = 0, bad_clue_size = 0, no_message = 0, other_day = 0;
  s.clues.for_each(txn, [&](ByteView k, ByteView v) {
    if (k.size() != kIdBytes) ++bad_clue_key;
    if (v.size() != kClueValueBytes) ++bad_clue_size;
    std::optional<ByteView> m = s.messages.get(txn, k);
    if (!m) {
      ++no_message;
    } else if (v.size() == kClueValueBytes && m->size() >= kMessageHeaderBytes &&
               read_u32_le(v.data() + kClueBytes) != read_u32_le(m->data())) {
      ++other_day;  // a purge would go by the wrong day
    }
    return true;
  });
  report(bad_clue_key, "clue record with bad key size");
  report(bad_clue_size, "clue record with bad size");
  report(no_message, "clue without a message");
  report(other_day, "clue whose expiry day is not its message's");

  if (totals) {
    if (totals->messages != found) {
      problems.push_back("stored message count is " + std::to_string(totals->messages) + " but " +
                         std::to_string(found) + " message records were found");
    }
    if (totals->envelope_bytes != bytes) {
      problems.push_back("stored envelope byte total is " + std::to_string(totals->envelope_bytes) +
                         " but the message records hold " + std::to_string(bytes));
    }
  }

  // prekeys and counters
  std::uint64_t bad_prekey_key = 0, bad_prekey_size = 0, no_counter = 0;
  s.prekeys.for_each(txn, [&](ByteView k, ByteView v) {
    if (k.size() != kPrekeyKeyBytes) {
      ++bad_prekey_key;
    } else if (!s.counters.get(txn, k.first(kKeyBytes))) {
      ++no_counter;
    }
    if (v.size() != kPrekeyValueBytes) ++bad_prekey_size;
    return true;
  });
  report(bad_prekey_key, "prekey record with bad key size");
  report(bad_prekey_size, "prekey record with bad size");
  report(no_counter, "prekey of an adviser without an upload counter");

  std::uint64_t bad_counter = 0;
  s.counters.for_each(txn, [&](ByteView k, ByteView v) {
    if (k.size() != kKeyBytes || v.size() != 8) ++bad_counter;
    return true;
  });
  report(bad_counter, "prekey counter record with bad size");

  std::uint64_t bad_medium = 0;
  s.medium_prekeys.for_each(txn, [&](ByteView k, ByteView v) {
    if (k.size() != kKeyBytes || v.size() != kMediumValueBytes) ++bad_medium;
    return true;
  });
  report(bad_medium, "medium-term prekey record with bad size");

  // directory
  std::uint64_t unknown_directory = 0;
  s.directory.for_each(txn, [&](ByteView k, ByteView) {
    if (std::string_view(reinterpret_cast<const char*>(k.data()), k.size()) != kDirectoryKey) {
      ++unknown_directory;
    }
    return true;
  });
  report(unknown_directory, "unknown directory record");
  return problems;
}

}  // namespace meldpunt::store
