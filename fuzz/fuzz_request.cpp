// protocol::parse_request on arbitrary multipart messages (frames encoded as
// in fuzz_common.hpp). Beyond "no crash": a request that parses must have
// the shape its operation promises.
#include "fuzz_common.hpp"
#include "meldpunt/crypto/envelope.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  const std::vector<ByteView> frames = fuzz::split_frames(data, size);
  auto request = protocol::parse_request(frames);
  if (!request) return 0;
  if (request->op == protocol::Op::kDeposit) {
    if (request->deposits.empty() || request->deposits.size() > protocol::kMaxDepositsPerRequest) std::abort();
    for (const protocol::DepositItem& item : request->deposits) {
      if (!crypto::is_envelope_size(item.envelope.size())) std::abort();
    }
  }
  if (request->op == protocol::Op::kUploadPrekeys &&
      request->upload.prekeys.size() > protocol::kMaxPrekeysPerUpload) {
    std::abort();
  }
  return 0;
}
