// PassphraseBox::for_sealed and open on arbitrary files. Header parameters
// inside the accepted bounds are lowered to libsodium's minimum before the
// call (the real ones would cost seconds per input); out-of-bounds values are
// passed through so their rejection is fuzzed. Seeds are sealed with the
// minimum parameters, so they reach open() unchanged.
#include <algorithm>

#include "fuzz_common.hpp"
#include "meldpunt/crypto/passphrase_box.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  fuzz::FixedKeys::get();
  Bytes sealed(data, data + size);
  if (sealed.size() >= 24) {
    const std::uint64_t ops = read_u64_le(sealed.data() + 8), mem = read_u64_le(sealed.data() + 16);
    const auto cheap = fuzz::cheap_kdf();
    if (ops >= cheap.opslimit && ops <= crypto::kBoxMaxOpslimit && mem >= cheap.memlimit &&
        mem <= crypto::kBoxMaxMemlimit) {
      Bytes header;
      append_u64_le(header, cheap.opslimit);
      append_u64_le(header, cheap.memlimit);
      std::copy(header.begin(), header.end(), sealed.begin() + 8);
    }
  }
  const auto passphrase = crypto::SecretBuffer::copy_of(std::string_view("fuzz passphrase"));
  auto box = crypto::PassphraseBox::for_sealed(sealed, passphrase);
  if (!box) return 0;
  auto opened = box->open(sealed);
  if (!opened) return 0;
  auto again = box->open(box->seal(opened->view()));  // fresh nonce, same key
  if (!again || !again->equals(*opened)) std::abort();
  return 0;
}
