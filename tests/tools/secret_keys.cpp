// Test helper for tests/integration/test_security_secrets.py: prints SECRET
// keys in hex, so the test can search every file, log, argv and environment
// of a conversation for them. Only ever run on throw-away test identities.
//
//   secret_keys reporter ORG_PUBLIC_KEY [insecure] < code
//       message_sk, fetch_sk (what a code derives to)
//   secret_keys adviser KEY_FILE < passphrase
//       sign_sk (64, seed || pk), message_sk, fetch_sk, store_key, and every
//       held prekey secret (prekey_sk) and medium-term prekey secret
//       (medium_sk, oldest first)
//   secret_keys org KEY_FILE < passphrase
//       org_sk (64, seed || pk)
//
// One "name hex" line each. Secrets are read from stdin, never argv.
#include <iostream>
#include <string>

#include "key_file.hpp"
#include "meldpunt/crypto/derive.hpp"
#include "meldpunt/crypto/init.hpp"
#include "meldpunt/crypto/passphrase_box.hpp"
#include "meldpunt/os/files.hpp"

namespace {

using namespace meldpunt;

void print(std::string_view name, ByteView secret) { std::cout << name << " " << to_hex(secret) << "\n"; }

crypto::SecretBuffer read_stdin_line() {
  std::string line;
  std::getline(std::cin, line);
  auto secret = crypto::SecretBuffer::copy_of(std::string_view(line));
  std::fill(line.begin(), line.end(), '\0');
  return secret;
}

int reporter_keys(const std::string& org_public, bool insecure) {
  const crypto::SecretBuffer typed = read_stdin_line();
  auto code = crypto::ReporterCode::parse(typed.text());
  auto org = crypto::from_base64url(org_public);
  if (!code || !org || org->size() != 32) {
    std::cerr << "secret_keys: bad code or organisation key\n";
    return 2;
  }
  crypto::Ed25519PublicKey org_pk{};
  std::copy(org->begin(), org->end(), org_pk.begin());
  const auto keys = crypto::derive_reporter_keys(
      *code, org_pk, insecure ? crypto::KdfParams::insecure_for_tests() : crypto::KdfParams::production());
  print("message_sk", keys.message_sk.view());
  print("fetch_sk", keys.fetch_sk.view());
  return 0;
}

int adviser_keys(const std::string& key_file) {
  auto file = adviser::KeyFile::unlock(key_file, read_stdin_line());
  if (!file) {
    std::cerr << "secret_keys: " << file.error().message << "\n";
    return 2;
  }
  const crypto::AdviserIdentity& id = file->identity();
  print("sign_sk", id.sign.sk.view());
  print("message_sk", id.message.sk.view());
  print("fetch_sk", id.fetch.sk.view());
  print("store_key", id.store_key.view());
  for (const crypto::OneTimePrekey& p : id.prekeys) print("prekey_sk", p.keys.sk.view());
  for (const crypto::MediumPrekey& m : id.medium) print("medium_sk", m.keys.sk.view());
  return 0;
}

int org_keys(const std::string& key_file) {
  auto sealed = os::read_file(key_file, crypto::kBoxMaxFileBytes);
  if (!sealed) return std::cerr << "secret_keys: " << sealed.error().message << "\n", 2;
  auto box = crypto::PassphraseBox::for_sealed(*sealed, read_stdin_line());
  if (!box) return std::cerr << "secret_keys: " << box.error().message << "\n", 2;
  auto secret = box->open(*sealed);
  if (!secret) return std::cerr << "secret_keys: " << secret.error().message << "\n", 2;
  print("org_sk", secret->view());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  crypto::init();
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() >= 2 && args[0] == "reporter") return reporter_keys(args[1], args.size() > 2 && args[2] == "insecure");
  if (args.size() == 2 && args[0] == "adviser") return adviser_keys(args[1]);
  if (args.size() == 2 && args[0] == "org") return org_keys(args[1]);
  std::cerr << "usage: secret_keys reporter ORG_PUBLIC_KEY [insecure] < code | adviser KEY_FILE < passphrase"
               " | org KEY_FILE < passphrase\n";
  return 1;
}
