// protocol::decode_attachment_chunk (the body of a kind-6 letter, written by
// a possibly hostile sender). A chunk that decodes must encode back to the
// same bytes (one chunk, one encoding), and a set of decoded pieces must
// assemble without trusting any declared size.
#include <algorithm>

#include "fuzz_common.hpp"
#include "meldpunt/client/attachment.hpp"
#include "meldpunt/protocol/attachment.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  auto chunk = protocol::decode_attachment_chunk(ByteView(data, size));
  if (!chunk) return 0;
  const crypto::SecretBuffer again = protocol::encode_attachment_chunk(*chunk);
  if (again.size() != size || !std::equal(again.view().begin(), again.view().end(), data)) std::abort();
  // Names are untrusted: sanitising must always give a usable name.
  const crypto::SecretBuffer name = client::sanitise_file_name(chunk->name.view());
  if (name.empty() || name.size() > client::kMaxSavedNameBytes) std::abort();
  client::AttachmentAssembler assembler;
  assembler.add(0, 0, std::move(chunk).value());
  for (const client::AssembledAttachment& a : assembler.assemble()) {
    if (a.state == client::AttachmentState::kIntact && a.content.size() != a.total_bytes) std::abort();
  }
  return 0;
}
