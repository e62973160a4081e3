// protocol::decode_attachment_chunk (the body of a kind-6 letter, written by
// a possibly hostile sender). A chunk that decodes must encode back to the
// same bytes (one chunk, one encoding), and a set of decoded pieces must
// assemble without trusting any declared size.
#include <algorithm>

#include "fuzz_common.hpp"
#include "meldpunt/client/attachment.hpp"
#include "meldpunt/text/text_policy.hpp"
#include "meldpunt/protocol/attachment.hpp"

namespace {

// Code points that draw nothing on their own: spaces, blank look-alikes,
// fillers, combining marks. Kept apart from the sanitiser's own lists on
// purpose, so a gap there shows up here.
bool looks_blank(std::uint32_t cp) {
  return cp == ' ' || cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200F) || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000 || cp == 0x2800 || cp == 0xFFFC || cp == 0x115F || cp == 0x1160 ||
         cp == 0x3164 || cp == 0xFFA0 || cp == 0x00AD || cp == 0xFEFF || (cp >= 0x0300 && cp <= 0x036F) ||
         (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
         (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xFE20 && cp <= 0xFE2F) || (cp >= 0x2060 && cp <= 0x206F);
}

// The sanitiser's promises about any name: valid UTF-8, not blank-looking,
// no trailing dot or space, no leading dot, within the length.
void check_name(meldpunt::ByteView raw) {
  using namespace meldpunt;
  const crypto::SecretBuffer name = client::sanitise_file_name(raw);
  if (name.empty() || name.size() > client::kMaxSavedNameBytes) std::abort();
  if (!text::is_valid_utf8(name.view())) std::abort();
  const std::uint8_t last = name.view().back();
  if (last == '.' || last == ' ' || name.view().front() == '.') std::abort();
  bool visible = false;
  for (std::size_t i = 0; i < name.size();) {
    std::uint32_t cp = 0;
    const std::size_t n = text::utf8_sequence(name.view(), i, cp);
    if (n == 0) std::abort();
    visible = visible || !looks_blank(cp);
    i += n;
  }
  if (!visible) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  // Any bytes as a name: the chunk decoder lets few through.
  check_name(ByteView(data, std::min<std::size_t>(size, 1024)));
  auto chunk = protocol::decode_attachment_chunk(ByteView(data, size));
  if (!chunk) return 0;
  const crypto::SecretBuffer again = protocol::encode_attachment_chunk(*chunk);
  if (again.size() != size || !std::equal(again.view().begin(), again.view().end(), data)) std::abort();
  // Names are untrusted: sanitising must always give a usable name.
  check_name(chunk->name.view());
  client::AttachmentAssembler assembler;
  assembler.add(0, 0, std::move(chunk).value());
  for (const client::AssembledAttachment& a : assembler.assemble()) {
    if (a.state == client::AttachmentState::kIntact && a.content.size() != a.total_bytes) std::abort();
  }
  return 0;
}
