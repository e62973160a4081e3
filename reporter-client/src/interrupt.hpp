// Ctrl-C in the reporter's client. The default action would end the program
// with the terminal's echo possibly off (a code prompt) and without a word
// about what was sent. Instead:
//   - outside a sending step, Ctrl-C restores the terminal as it was at
//     start, writes the text set with set_exit_text (what has and has not
//     been sent so far) and ends the program with exit code 130;
//   - inside a SendingStep, the first Ctrl-C only asks the step to stop at
//     its next safe point (between two deposits, so that every envelope
//     stored is known and can be deleted again) and says so; a second one
//     ends the program at once with the step's own text.
// Everything the handler writes is prepared beforehand (no allocation, no
// locale, only async-signal-safe calls).
#pragma once

#include <string_view>

namespace meldpunt::reporter::interrupt {

// Remembers the terminal's settings and installs the handler (SIGINT only;
// SIGQUIT and SIGTERM keep their default).
void install();

// What Ctrl-C outside a SendingStep says before the program ends. At most
// 1 KiB is kept.
void set_exit_text(std::string_view text);

// True once Ctrl-C was pressed inside a SendingStep.
bool stop_requested();

class SendingStep {
 public:
  // `stopping`: written at the first Ctrl-C; `forced`: written when a second
  // one ends the program in the middle of the step.
  SendingStep(std::string_view stopping, std::string_view forced);
  ~SendingStep();
  SendingStep(const SendingStep&) = delete;
  SendingStep& operator=(const SendingStep&) = delete;
};

}  // namespace meldpunt::reporter::interrupt
