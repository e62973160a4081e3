// CLI11's own words (usage line, headings, the help flag, parse errors) in
// the program's language, the same in every program.
//
//   CLI::App app{...};
//   cli::localise_app(app, lang);       // before any subcommand is added
//   ... add subcommands and options ...
//   cli::localise_help(app, lang, rows); // after: descriptions by name
//   try { app.parse(argc, argv); }
//   catch (const CLI::ParseError& e) { return cli::exit_for_parse_error(app, e, lang); }
//
// In English CLI11's texts are left exactly as CLI11 writes them.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "meldpunt/cli/language.hpp"

namespace CLI {
class App;
class ParseError;
}  // namespace CLI

namespace meldpunt::cli {

// Gives `app` a formatter with headings and labels in `lang` and the help
// flag's description in it. Subcommands copy both when they are added, so
// call this before adding any.
void localise_app(CLI::App& app, Lang lang);

// One help text keyed by where it belongs, never by its English words:
// `command` is the subcommand's name ("" for the program itself, "*" for
// every subcommand that has the option; a row naming the command itself
// comes after such a row and wins), `option`
// an option's or positional's name as CLI11 knows it ("--save", "CASE"),
// "" for the command's own description, "#footer" for its footer.
struct HelpRow {
  std::string_view command;
  std::string_view option;
  Text text;
};

// Sets every description `rows` names, in `lang`, on `app` and its
// subcommands, and puts subcommands under a heading in `lang`. A help text
// without a row keeps the words it was created with.
void localise_help(CLI::App& app, Lang lang, std::span<const HelpRow> rows);

// What to tell the user for a command line CLI11 refused, in `lang`, chosen
// by the error's type (RequiredError, ExtrasError, ValidationError, ...) and
// what the parsed command line holds; English is CLI11's own message.
std::string parse_error_text(Lang lang, const CLI::App& app, const CLI::ParseError& e);

// Prints --help (stdout) or the refusal with a hint (stderr) in `lang`, and
// returns exit_code_for_cli11's code (program.hpp).
int exit_for_parse_error(const CLI::App& app, const CLI::ParseError& e, Lang lang);

}  // namespace meldpunt::cli
