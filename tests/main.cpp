// Catch2 entry point. libsodium is initialised once here so every test can use it.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "meldpunt/crypto/init.hpp"

int main(int argc, char* argv[]) {
  meldpunt::crypto::init();
  return Catch::Session().run(argc, argv);
}
