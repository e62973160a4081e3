// Client-side costs: deriving the reporter's keys from the code (Argon2id,
// production parameters), making and recognising clues, sealing and opening
// envelopes of every size class. One thread, as the clients run.
#include <functional>
#include <iostream>

#include "bench_util.hpp"
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/code.hpp"
#include "meldpunt/crypto/derive.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/identity.hpp"
#include "meldpunt/crypto/init.hpp"
#include "meldpunt/crypto/pow.hpp"

namespace {

using namespace meldpunt;

// Runs `op` `runs` times; returns each run's time in microseconds.
std::vector<double> time_runs(int runs, const std::function<void()>& op) {
  std::vector<double> us;
  for (int i = 0; i < runs; ++i) {
    const auto start = bench::Clock::now();
    op();
    us.push_back(bench::seconds_since(start) * 1e6);
  }
  return us;
}

// Times a batch of `n` cheap operations together (per-call clock reads would
// distort microsecond figures); returns microseconds per operation for each
// of `rounds` batches.
std::vector<double> time_batches(int rounds, std::size_t n, const std::function<void(std::size_t)>& op) {
  std::vector<double> us;
  for (int r = 0; r < rounds; ++r) {
    const auto start = bench::Clock::now();
    for (std::size_t i = 0; i < n; ++i) op(i);
    us.push_back(bench::seconds_since(start) * 1e6 / static_cast<double>(n));
  }
  return us;
}

std::string human_size(std::size_t bytes) {
  return bytes >= 1024 ? std::to_string(bytes / 1024) + " KiB" : std::to_string(bytes) + " B";
}

}  // namespace

int main(int argc, char** argv) try {
  crypto::init();
  const bench::Args args = bench::parse_args(argc, argv);
  const bool smoke = args.smoke;

  bench::Csv csv(args.csv, {"operation", "size", "runs", "median_us", "min_us"});
  bench::Table table({"operation", "size / parameters", "runs", "median", "min", "throughput"});
  auto add = [&](const std::string& op, const std::string& size, const std::vector<double>& us,
                 const std::string& throughput) {
    const double median = bench::percentile(us, 50);
    const double min = *std::min_element(us.begin(), us.end());
    auto show = [](double v) { return v >= 10000 ? bench::sig3(v / 1000) + " ms" : bench::sig3(v) + " us"; };
    table.add({op, size, std::to_string(us.size()), show(median), show(min), throughput});
    csv.row({op, size, std::to_string(us.size()), bench::fixed(median, 3), bench::fixed(min, 3)});
  };

  // 1. Code -> keys (Argon2id). Production parameters except in smoke runs.
  const crypto::KdfParams params = smoke ? crypto::KdfParams::insecure_for_tests() : crypto::KdfParams::production();
  const crypto::ReporterCode code = crypto::ReporterCode::generate();
  crypto::Ed25519PublicKey org{};
  crypto::random_fill(org);
  const auto derive = time_runs(smoke ? 1 : 3, [&] { (void)crypto::derive_reporter_keys(code, org, params); });
  add("derive reporter keys (Argon2id13)",
      "opslimit " + std::to_string(params.opslimit) + ", " + std::to_string(params.memlimit >> 20) + " MiB" +
          (smoke ? " (smoke: test params)" : " (production)"),
      derive, "");

  // 2. Clues.
  const crypto::FetchKeyPair me = crypto::FetchKeyPair::generate();
  const std::size_t n = smoke ? 32 : 1000;
  const int rounds = smoke ? 1 : 3;
  std::vector<crypto::Clue> clues;
  const auto make = time_batches(rounds, n, [&](std::size_t) { clues.push_back(crypto::make_clue(me.pk).value()); });
  add("make clue (sender)", "per clue", make, "");

  std::vector<crypto::FetchEntry> entries;
  for (std::size_t i = 0; i < n; ++i) {
    crypto::MessageId id{};
    crypto::random_fill(id);
    // Half our own (blinded as the relay does), half someone else's / padding.
    entries.push_back(i % 2 == 0 ? crypto::blind_clue(clues[i], id).value() : crypto::random_fetch_entry());
  }
  const auto blind = time_batches(rounds, n, [&](std::size_t i) { (void)crypto::blind_clue(clues[i], {}).value(); });
  add("blind clue (relay, one core)", "per stored clue", blind, "");
  std::size_t recognised = 0;
  const auto recog = time_batches(rounds, n, [&](std::size_t i) {
    if (crypto::recognise(entries[i], me.sk)) ++recognised;
  });
  if (recognised != static_cast<std::size_t>(rounds) * ((n + 1) / 2)) throw std::runtime_error("recognise miscounted");
  const double per_entry = bench::percentile(recog, 50);
  add("recognise fetch entry (recipient)", "per entry (half ours)", recog,
      bench::sig3(1e6 / per_entry) + " entries/s = " + bench::sig3(per_entry * 100000 / 1e6) +
          " s per 100k-entry answer");

  // 3. Envelopes: largest payload of each class, with a prekey.
  const crypto::X25519KeyPair sender = crypto::X25519KeyPair::generate();
  const crypto::X25519KeyPair recipient = crypto::X25519KeyPair::generate();
  const crypto::X25519KeyPair prekey = crypto::X25519KeyPair::generate();
  const crypto::X25519KeyPair medium = crypto::X25519KeyPair::generate();
  for (std::size_t size_class : crypto::kEnvelopeSizes) {
    const Bytes payload = bench::random_bytes(crypto::envelope_capacity(size_class));
    crypto::SealRequest request;
    request.sender_sk = &sender.sk;
    request.sender_pk = sender.pk;
    request.recipient_pk = recipient.pk;
    request.prekey_pk = prekey.pk;
    request.medium_pk = medium.pk;
    request.payload = payload;
    const int runs = smoke ? 2 : (size_class <= 4096 ? 300 : size_class <= 32768 ? 60 : 15);
    Bytes sealed;
    const auto seal = time_runs(runs, [&] { sealed = crypto::seal_envelope(request).value(); });
    if (sealed.size() != size_class) throw std::runtime_error("sealed envelope has the wrong class");
    crypto::PrekeyLookups lookup;
    lookup.one_time = [&](const crypto::PrekeyId& id) -> const crypto::Secret<32>* {
      return id == crypto::prekey_id(prekey.pk) ? &prekey.sk : nullptr;
    };
    lookup.medium = [&](const crypto::PrekeyId& id) -> const crypto::Secret<32>* {
      return id == crypto::prekey_id(medium.pk) ? &medium.sk : nullptr;
    };
    const auto open = time_runs(runs, [&] {
      auto opened = crypto::open_envelope(sealed, recipient.sk, recipient.pk, lookup);
      if (!opened || opened->payload.size() != payload.size()) throw std::runtime_error("open failed");
    });
    auto rate = [&](const std::vector<double>& us) {
      return bench::sig3(static_cast<double>(size_class) / bench::percentile(us, 50)) + " MB/s";
    };
    add("seal envelope", human_size(size_class) + " class, full payload", seal, rate(seal));
    add("open envelope", human_size(size_class) + " class, full payload", open, rate(open));
  }

  // 4. Proof of work on a deposit of one 4 KiB envelope: the relay checks
  // it once (body hash + one digest); the client tries 2^difficulty digests
  // on average.
  {
    const Bytes envelope = bench::random_bytes(crypto::kEnvelopeSizes[0]);
    const crypto::Clue clue = clues.front();
    FixedBytes<32> verifier{};
    crypto::random_fill(verifier);
    const crypto::PowItem item{clue, verifier, envelope};
    crypto::PowChallenge challenge{};
    crypto::random_fill(challenge);
    crypto::PowHash body{};
    const auto check = time_batches(rounds, smoke ? 16 : 2000, [&](std::size_t i) {
      body = crypto::pow_body_hash(std::span<const crypto::PowItem>(&item, 1));
      (void)crypto::pow_meets(challenge, body, i, 20);
    });
    add("check proof of work (relay)", "deposit of one 4 KiB envelope", check, "");
    const std::size_t digests = smoke ? 1000 : 200000;
    const auto digest = time_batches(rounds, digests, [&](std::size_t i) {
      (void)crypto::pow_meets(challenge, body, i, 32);
    });
    const double per_digest = bench::percentile(digest, 50);
    add("proof-of-work digest (client)", "per attempt", digest,
        "difficulty 20 = 2^20 attempts = " + bench::sig3(per_digest * 1048576 / 1e6) + " s expected");
  }

  std::cout << "## Client\n\n"
            << "One thread. Derivation with the production parameters (`KdfParams::production()`); envelopes "
               "sealed to a long-term key and a one-time prekey, carrying the largest payload of their class. "
               "Recognising runs once per entry of a fetch answer, so a client's fetch costs its answer size "
               "times the per-entry figure.\n\n";
  table.print(std::cout);
  return 0;
} catch (const std::exception& e) {
  std::cerr << "bench_client: " << e.what() << std::endl;
  return 2;
}
