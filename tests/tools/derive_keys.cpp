// Test helper: prints the public keys a reporter code derives to, so the
// relay-view tests can search the relay's database for them. Reads the code
// from stdin (never argv), the organisation key (public) from argv[1];
// argv[2] == "insecure" selects the cheap test parameters. `derive_keys
// generate` prints a fresh valid code (for the unknown-code test).
#include <iostream>
#include <string>

#include "meldpunt/crypto/derive.hpp"
#include "meldpunt/crypto/init.hpp"

int main(int argc, char** argv) {
  using namespace meldpunt;
  crypto::init();
  if (argc < 2) {
    std::cerr << "usage: derive_keys ORG_PUBLIC_KEY [insecure] < code\n       derive_keys generate\n";
    return 1;
  }
  if (std::string(argv[1]) == "generate") {  // a valid code nobody has used
    const auto code = crypto::ReporterCode::generate();
    std::cout << code.display().text() << "\n";
    return 0;
  }
  std::string line;
  std::getline(std::cin, line);
  auto code = crypto::ReporterCode::parse(line);
  auto org = crypto::from_base64url(argv[1]);
  if (!code || !org || org->size() != 32) {
    std::cerr << "bad code or key\n";
    return 2;
  }
  crypto::Ed25519PublicKey org_pk{};
  std::copy(org->begin(), org->end(), org_pk.begin());
  const bool insecure = argc > 2 && std::string(argv[2]) == "insecure";
  const auto keys = crypto::derive_reporter_keys(
      *code, org_pk, insecure ? crypto::KdfParams::insecure_for_tests() : crypto::KdfParams::production());
  std::cout << "message_pk " << to_hex(keys.message_pk) << "\n"
            << "fetch_pk " << to_hex(keys.fetch_pk) << "\n";
  return 0;
}
