// adviser-client's commands, one function each: unlock what the command
// needs, call its use case (usecases/), and print the result with the
// program's texts. A failure leaves as a commands::Failure (session.hpp) for
// main() to print; the return value is the exit code.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "case_store.hpp"
#include "casework.hpp"
#include "home.hpp"
#include "usecases/export_case.hpp"
#include "usecases/identity.hpp"
#include "usecases/reply.hpp"

namespace meldpunt::adviser::commands {

// ---- identity and safekeeping (identity_commands.cpp) ----

int cmd_init(const Home& home, const usecase::InitRequest& request, bool insecure_kdf);

int cmd_card(const Home& home);

// Prints the kept channel address, or with `forget` removes it.
int cmd_channel(const Home& home, bool forget);

int cmd_passphrase(const Home& home, bool insecure_kdf);

int cmd_backup(const Home& home, const std::string& out_file, bool insecure_kdf);

int cmd_restore(const Home& home, const std::string& from);

// ---- through the relay (relay_commands.cpp) ----

int cmd_inbox(const Home& home, const std::string& channel, unsigned timeout);

int cmd_reply(const Home& home, const std::string& channel, const std::string& file, unsigned timeout,
              const usecase::ReplyRequest& request);

// Whether `reply` acknowledges a case that is still new: `flag` as given
// (--acknowledge, --no-acknowledge); without one, a yes/no question on a
// terminal, and no from a pipe (cmd_reply then says the case stays new).
usecase::AcknowledgeChoice acknowledge_choice(std::optional<bool> flag);

int cmd_handover(const Home& home, const std::string& case_id, const std::string& to, const std::string& channel,
                 const std::string& file, unsigned timeout);

struct AcknowledgeArgs {
  std::string case_id, channel, text, file;
  unsigned timeout = 15;
};

int cmd_acknowledge(const Home& home, const AcknowledgeArgs& args);

// ---- case work, offline (case_commands.cpp) ----

void print_cases(const CaseStore& store);

// Lists the cases `filter` keeps (all with an empty filter).
int cmd_cases(const Home& home, const CaseFilter& filter);

int cmd_read(const Home& home, const std::string& case_id);

int cmd_status(const Home& home, const std::string& case_id, const std::string& word);

int cmd_history(const Home& home, const std::string& case_id);

int cmd_settings(const Home& home, std::optional<unsigned> ack_days, std::optional<unsigned> feedback_months);

int cmd_note(const Home& home, const std::string& case_id, const std::string& file);

int cmd_notes(const Home& home, const std::string& case_id);

int cmd_attachment(const Home& home, const std::string& case_id, std::size_t number, const std::string& save_dir);

int cmd_export(const Home& home, const usecase::ExportRequest& request, bool insecure_kdf);

int cmd_export_open(const std::string& file);

int cmd_file(const Home& home, const std::string& case_id, const Filing& filing, bool clear);

int cmd_stats(const Home& home, bool json);

// ---- labels and search (glance_commands.cpp) ----

// Sets the case's private label, or with `clear` removes it. Without `text`
// (left off the command line) it is asked for after the passphrase, one line
// from the terminal or stdin, so it never shows in the process list.
int cmd_label(const Home& home, const std::string& case_id, const std::optional<std::string>& text, bool clear);

// Searches for `text`, or, without it, for a line asked for as cmd_label asks.
int cmd_search(const Home& home, const std::optional<std::string>& text);

// Columns of the terminal on stdout; else $COLUMNS; else kDefaultGlanceColumns.
std::size_t output_columns();

}  // namespace meldpunt::adviser::commands
