// The reporter's text table in parts, one per area (texts_*.cpp), so that no
// file holds every sentence. texts.cpp puts them together in Msg order and
// checks that every key is there exactly once.
#pragma once

#include <cstddef>
#include <span>

#include "texts.hpp"

namespace meldpunt::reporter::texts_detail {

// True when the part's keys follow each other in Msg order: the parts then
// only need to meet end to end, which texts.cpp checks.
template <std::size_t N>
constexpr bool consecutive(const TextEntry (&part)[N]) {
  for (std::size_t i = 1; i < N; ++i) {
    if (static_cast<std::size_t>(part[i].key) != static_cast<std::size_t>(part[i - 1].key) + 1) return false;
  }
  return true;
}

std::span<const TextEntry> command_line_texts();  // texts_command_line.cpp
std::span<const TextEntry> conversation_texts();  // texts_conversation.cpp
std::span<const TextEntry> errors_texts();        // texts_errors.cpp
std::span<const TextEntry> attachments_texts();   // texts_attachments.cpp

}  // namespace meldpunt::reporter::texts_detail
