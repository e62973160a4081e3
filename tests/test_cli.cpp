// The command-line layer the three programs share (cli/): CLI11's exit codes
// mapped to 0 done / 1 usage / 2 failed / 3 internal, CLI11's texts in Dutch,
// start-up, and the new-passphrase prompt that asks again on a terminal.
// The only test file that includes CLI11 (8 s more of compiling at -O2 -g
// for each file that does).
#include <catch2/catch.hpp>

#include <sys/prctl.h>
#include <sys/resource.h>

#include <algorithm>
#include <deque>
#include <sstream>

#include <CLI/CLI.hpp>

#include "meldpunt/cli/cli11_texts.hpp"
#include "meldpunt/cli/language.hpp"
#include "meldpunt/cli/passphrase_prompt.hpp"
#include "meldpunt/cli/program.hpp"
#include "meldpunt/cli/version.hpp"
#include "meldpunt/protocol/wire.hpp"

using namespace meldpunt;
using cli::Lang;

namespace {

// The exit code the shared layer gives for `args` on a small CLI11 app with
// a required option, a checked value and --help.
int exit_for(std::vector<std::string> args) {
  CLI::App app{"test", "test"};
  std::string name;
  unsigned days = 0;
  app.add_option("--name", name, "a name")->required();
  app.add_option("--days", days, "days")->check(CLI::Range(1u, 7u));
  std::reverse(args.begin(), args.end());  // CLI11 takes a vector in reverse order
  // CLI::App::exit prints the error (or the help) on std::cerr/std::cout:
  // kept out of the test log.
  std::ostringstream sink;
  auto* out = std::cout.rdbuf(sink.rdbuf());
  auto* err = std::cerr.rdbuf(sink.rdbuf());
  int rc = -1;
  try {
    app.parse(args);
    rc = cli::kExitDone;
  } catch (const CLI::ParseError& e) {
    rc = cli::exit_for_parse_error(app, e);
  }
  std::cout.rdbuf(out);
  std::cerr.rdbuf(err);
  return rc;
}

// A scripted person (or script) answering the prompts in turn.
struct Script {
  std::deque<std::string> answers;
  std::vector<std::string> prompts;
  std::string said;
  cli::PromptIo io(bool interactive) {
    cli::PromptIo io;
    io.interactive = interactive;
    io.read_secret = [this](std::string_view prompt) -> Result<crypto::SecretBuffer> {
      prompts.emplace_back(prompt);
      if (answers.empty()) return Error{ErrorCode::kNotFound, "end of input"};
      auto line = crypto::SecretBuffer::copy_of(answers.front());
      answers.pop_front();
      return line;
    };
    io.say = [this](std::string_view text) { said += text; };
    return io;
  }
};

cli::NewPassphrasePrompt prompt() {
  cli::NewPassphrasePrompt p;
  p.first = "New passphrase: ";
  p.min_length = 12;
  p.nothing_done = "nothing was created";
  return p;
}

}  // namespace

TEST_CASE("exit codes are 0 done, 1 usage, 2 failed, 3 internal", "[cli]") {
  STATIC_REQUIRE(cli::kExitDone == 0);
  STATIC_REQUIRE(cli::kExitUsage == 1);
  STATIC_REQUIRE(cli::kExitFailed == 2);
  STATIC_REQUIRE(cli::kExitInternal == 3);
}

TEST_CASE("CLI11's exit codes map to the shared ones", "[cli]") {
  using CLI::ExitCodes;
  CHECK(cli::exit_code_for_cli11(static_cast<int>(ExitCodes::Success)) == cli::kExitDone);
  // The user's mistakes: 1, never CLI11's 103-114.
  for (ExitCodes c : {ExitCodes::FileError, ExitCodes::ConversionError, ExitCodes::ValidationError,
                      ExitCodes::RequiredError, ExitCodes::RequiresError, ExitCodes::ExcludesError,
                      ExitCodes::ExtrasError, ExitCodes::ConfigError, ExitCodes::InvalidError,
                      ExitCodes::ArgumentMismatch}) {
    CAPTURE(static_cast<int>(c));
    CHECK(cli::exit_code_for_cli11(static_cast<int>(c)) == cli::kExitUsage);
  }
  // The program's own option definitions are wrong: internal.
  for (ExitCodes c : {ExitCodes::IncorrectConstruction, ExitCodes::BadNameString, ExitCodes::OptionAlreadyAdded,
                      ExitCodes::OptionNotFound, ExitCodes::HorribleError, ExitCodes::BaseClass}) {
    CAPTURE(static_cast<int>(c));
    CHECK(cli::exit_code_for_cli11(static_cast<int>(c)) == cli::kExitInternal);
  }
  // A code a later CLI11 may add is a usage error too (RuntimeError's 1 as well).
  CHECK(cli::exit_code_for_cli11(1) == cli::kExitUsage);
  CHECK(cli::exit_code_for_cli11(116) == cli::kExitUsage);
}

TEST_CASE("a command line CLI11 refuses exits 1, --help 0", "[cli]") {
  CHECK(exit_for({"--name", "anna"}) == cli::kExitDone);
  CHECK(exit_for({"--help"}) == cli::kExitDone);
  CHECK(exit_for({}) == cli::kExitUsage);                                  // RequiredError, 106
  CHECK(exit_for({"--name", "anna", "--days", "9"}) == cli::kExitUsage);   // ValidationError, 105
  CHECK(exit_for({"--name", "anna", "--days", "x"}) == cli::kExitUsage);   // ValidationError
  CHECK(exit_for({"--name", "anna", "--nonsense"}) == cli::kExitUsage);    // ExtrasError, 109
}

TEST_CASE("version: --version names the release and the protocol, before any requirement", "[cli]") {
  const std::string text = cli::version_text("relay");
  CHECK(text == "relay " + std::string(cli::release()) + " (meldpunt protocol: relay API version " +
                    std::to_string(protocol::kWireVersion) + ", channel addresses meldpunt2:)");
  CHECK(text.find(MELDPUNT_PROJECT_VERSION) != std::string::npos);
  CLI::App app{"test", "prog"};
  app.require_subcommand(1);
  std::string name;
  app.add_subcommand("run", "")->add_option("--name", name, "")->required();
  cli::add_version_flag(app, "prog", cli::Lang::kNl);
  CHECK(app.get_option("--version")->get_description().find("versie") != std::string::npos);
  const char* argv[] = {"prog", "--version"};
  bool called = false;
  try {
    app.parse(2, argv);
  } catch (const CLI::CallForVersion& e) {
    called = true;
    CHECK(std::string(e.what()) == cli::version_text("prog"));
    CHECK(cli::exit_code_for_cli11(e.get_exit_code()) == cli::kExitDone);
  }
  CHECK(called);
}

TEST_CASE("start-up hardens the process or says why not", "[cli]") {
  const Status started = cli::start_up();
  REQUIRE(started.ok());
  rlimit core{};
  REQUIRE(::getrlimit(RLIMIT_CORE, &core) == 0);
  CHECK(core.rlim_cur == 0);
  CHECK(core.rlim_max == 0);
  CHECK(::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0);
}

TEST_CASE("a new passphrase is asked again on a terminal", "[cli]") {
  SECTION("too short, then a good one") {
    Script s{{"short", "a good long passphrase", "a good long passphrase"}, {}, {}};
    auto p = cli::read_new_passphrase(prompt(), s.io(true));
    REQUIRE(p.ok());
    CHECK(p->text() == "a good long passphrase");
    CHECK(s.said.find("too short (at least 12 characters)") != std::string::npos);
    CHECK(s.prompts == std::vector<std::string>{"New passphrase: ", "New passphrase: ", "Repeat the passphrase: "});
  }
  SECTION("a repetition that differs asks for both again") {
    Script s{{"a good long passphrase", "a good long passphrasf", "another long passphrase",
              "another long passphrase"},
             {},
             {}};
    auto p = cli::read_new_passphrase(prompt(), s.io(true));
    REQUIRE(p.ok());
    CHECK(p->text() == "another long passphrase");
    CHECK(s.said.find("differ") != std::string::npos);
  }
  SECTION("at most kNewPassphraseTries times") {
    Script s{{"short", "short", "short", "a good long passphrase", "a good long passphrase"}, {}, {}};
    auto p = cli::read_new_passphrase(prompt(), s.io(true));
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().code == ErrorCode::kMalformed);
    CHECK(p.error().message == "the passphrase is too short (at least 12 characters); nothing was created");
    CHECK(s.prompts.size() == static_cast<std::size_t>(cli::kNewPassphraseTries));
  }
  SECTION("the end of input ends it") {
    Script s{{"short"}, {}, {}};
    auto p = cli::read_new_passphrase(prompt(), s.io(true));
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().code == ErrorCode::kNotFound);
    CHECK(p.error().message.rfind("reading the passphrase: ", 0) == 0);
  }
}

TEST_CASE("a new passphrase's explanations and errors speak the prompt's language", "[cli][language]") {
  cli::NewPassphrasePrompt dutch = prompt();
  dutch.lang = cli::Lang::kNl;
  dutch.nothing_done = "er is niets aangemaakt";
  SECTION("said between tries") {
    Script s{{"kort", "a good long passphrase", "a good long passphrasf", "a good long passphrase",
              "a good long passphrase"},
             {},
             {}};
    auto p = cli::read_new_passphrase(dutch, s.io(true));
    REQUIRE(p.ok());
    CHECK(s.said == "het wachtwoord is te kort (minstens 12 tekens); kies een langer wachtwoord.\n"
                    "de twee wachtwoorden verschillen; typ het nieuwe wachtwoord opnieuw.\n");
  }
  SECTION("the errors") {
    Script s{{"a good long passphrase", "a good long passphrasf"}, {}, {}};
    auto p = cli::read_new_passphrase(dutch, s.io(false));
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().message == "de twee wachtwoorden verschillen; er is niets aangemaakt");
    Script ended{{}, {}, {}};
    auto q = cli::read_new_passphrase(dutch, ended.io(false));
    REQUIRE_FALSE(q.ok());
    CHECK(q.error().message.rfind("het wachtwoord lezen: ", 0) == 0);
  }
}

TEST_CASE("from a script a new passphrase is refused at the first problem", "[cli]") {
  SECTION("too short") {
    Script s{{"short", "a good long passphrase", "a good long passphrase"}, {}, {}};
    auto p = cli::read_new_passphrase(prompt(), s.io(false));
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().code == ErrorCode::kMalformed);
    CHECK(s.answers.size() == 2);  // the script's further lines are left alone
    CHECK(s.said.empty());
  }
  SECTION("differ") {
    Script s{{"a good long passphrase", "a good long passphrasf"}, {}, {}};
    auto p = cli::read_new_passphrase(prompt(), s.io(false));
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().message == "the two passphrases differ; nothing was created");
  }
  SECTION("the same twice") {
    Script s{{"a good long passphrase", "a good long passphrase"}, {}, {}};
    auto p = cli::read_new_passphrase(prompt(), s.io(false));
    REQUIRE(p.ok());
    CHECK(p->text() == "a good long passphrase");
  }
}

namespace {

// The Dutch text the shared layer gives for `args` on a small app.
std::string dutch_error(std::vector<std::string> args) {
  CLI::App app{"test", "test"};
  cli::localise_app(app, Lang::kNl);
  app.require_subcommand(1);
  auto* sub = app.add_subcommand("read", "read");
  std::string id, lang;
  unsigned days = 0;
  sub->add_option("CASE", id, "case")->required();
  sub->add_option("--channel", id, "channel")->required();
  sub->add_option("--days", days, "days")->check(CLI::Range(1u, 7u));
  std::reverse(args.begin(), args.end());
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return cli::parse_error_text(Lang::kNl, app, e);
  }
  return "";
}

}  // namespace

TEST_CASE("CLI11 errors in Dutch, chosen by the error's type", "[cli][language]") {
  CHECK(dutch_error({}) == "geef een opdracht: read");
  CHECK(dutch_error({"read", "abcd"}) == "--channel is verplicht");
  CHECK(dutch_error({"read", "--channel", "x"}) == "CASE is verplicht");
  CHECK(dutch_error({"read", "abcd", "--channel", "x", "--days", "9"}) == "ongeldige waarde voor --days");
  CHECK(dutch_error({"read", "abcd", "--channel", "x", "--days", "many"}) == "ongeldige waarde voor --days");
  CHECK(dutch_error({"read", "abcd", "--channel", "x", "--bogus"}).rfind("onbekende of overtollige argumenten: ", 0) ==
        0);
}

TEST_CASE("CLI11 help in Dutch: usage, headings, the help flag and descriptions by name", "[cli][language]") {
  CLI::App app{"test", "prog"};
  cli::localise_app(app, Lang::kNl);
  auto* sub = app.add_subcommand("read", "Show a case");
  std::string id;
  sub->add_option("CASE", id, "Case id")->required();
  sub->add_option("--save", id, "Save it");
  const cli::HelpRow rows[] = {{"read", "", {"Show a case", "Toon een zaak"}},
                               {"read", "--save", {"Save it", "Sla het op"}}};
  cli::localise_help(app, Lang::kNl, rows);
  const std::string top = app.help();
  CHECK(top.find("Gebruik: prog") != std::string::npos);
  CHECK(top.find("Opdrachten:") != std::string::npos);
  CHECK(top.find("Toon een zaak") != std::string::npos);
  CHECK(top.find("Toon deze hulp") != std::string::npos);
  CHECK(top.find("Usage") == std::string::npos);
  const std::string help = sub->help();
  CHECK(help.find("Opties:") != std::string::npos);
  CHECK(help.find("Argumenten:") != std::string::npos);
  CHECK(help.find("Sla het op") != std::string::npos);
  CHECK(help.find("VERPLICHT") != std::string::npos);
  CHECK(help.find("Options") == std::string::npos);
}
