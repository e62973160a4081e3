// Everything of the cli library that touches CLI11: its texts in Dutch, its
// exit codes (program.hpp) and the --version flag (version.hpp). CLI11 is
// header-only: a file that includes it takes 8 s more of compiling at -O2 -g
// even for a few lines, so this is the library's only such file; the
// headers forward-declare CLI::App.
#include "meldpunt/cli/cli11_texts.hpp"

#include <algorithm>
#include <cctype>
#include <memory>
#include <vector>

#include <CLI/CLI.hpp>

#include "meldpunt/cli/program.hpp"
#include "meldpunt/cli/version.hpp"
#include "meldpunt/client/terminal.hpp"

namespace meldpunt::cli {
namespace {

constexpr std::string_view kDutchSubcommands = "Opdrachten";

// CLI11's help headings and labels ("Usage", "OPTIONS", "REQUIRED", the type
// names), in Dutch. make_group translates the group names CLI11 gives
// options by default.
class DutchFormatter : public CLI::Formatter {
 public:
  DutchFormatter() {
    for (const auto& [key, value] : {std::pair<const char*, const char*>{"Usage", "Gebruik"},
                                     {"OPTIONS", "OPTIES"},
                                     {"SUBCOMMAND", "OPDRACHT"},
                                     {"SUBCOMMANDS", "OPDRACHTEN"},
                                     {"Positionals", "Argumenten"},
                                     {"REQUIRED", "VERPLICHT"},
                                     {"TEXT", "TEKST"},
                                     {"INT", "GETAL"},
                                     {"UINT", "GETAL"},
                                     {"FLOAT", "GETAL"},
                                     {"Env", "Omgeving"},
                                     {"Needs", "Vereist"},
                                     {"Excludes", "Sluit uit"}}) {
      label(key, value);
    }
  }

  // The value's type, as CLI11 writes it after the option ("TEXT:{en,nl}",
  // "UINT:UINT in [1 - 600]"): its type words in Dutch.
  std::string make_option_opts(const CLI::Option* opt) const override {
    std::string s = CLI::Formatter::make_option_opts(opt);
    for (const auto& [en, nl] : {std::pair<std::string_view, std::string_view>{"TEXT", "TEKST"},
                                 {"UINT", "GETAL"},
                                 {"INT", "GETAL"},
                                 {"FLOAT", "GETAL"}}) {
      std::size_t at = 0;
      while ((at = s.find(en, at)) != std::string::npos) {
        const bool word_start = at == 0 || !std::isalpha(static_cast<unsigned char>(s[at - 1]));
        const std::size_t after = at + en.size();
        const bool word_end = after >= s.size() || !std::isalpha(static_cast<unsigned char>(s[after]));
        if (word_start && word_end) {
          s.replace(at, en.size(), nl);
          at += nl.size();
        } else {
          at = after;
        }
      }
    }
    return s;
  }

  std::string make_group(std::string group, bool is_positional, std::vector<const CLI::Option*> opts) const override {
    if (group == "Options") group = "Opties";
    return CLI::Formatter::make_group(std::move(group), is_positional, std::move(opts));
  }
};

// The app and every subcommand the user selected, outermost first.
std::vector<const CLI::App*> selected_chain(const CLI::App& app) {
  std::vector<const CLI::App*> chain{&app};
  for (;;) {
    const std::vector<const CLI::App*> subs =
        chain.back()->get_subcommands([](const CLI::App* s) { return s->parsed(); });
    if (subs.empty()) return chain;
    chain.push_back(subs.back());
  }
}

std::string option_label(const CLI::Option* opt) {
  return opt->get_positional() ? opt->get_name(true, false) : opt->get_name(false, true);
}

// The options of the selected commands that CLI11's message names: an
// error's type says what went wrong, the option it concerns is only in its
// text. Longest names first, so "--channel-file" is not taken for "--channel".
std::vector<std::string> options_named(const std::vector<const CLI::App*>& chain, std::string_view what) {
  std::vector<std::string> names;
  for (const CLI::App* a : chain) {
    for (const CLI::Option* opt : a->get_options()) {
      for (const std::string& n : opt->get_lnames()) names.push_back("--" + n);
      for (const std::string& n : opt->get_snames()) names.push_back("-" + n);
      if (opt->get_positional()) names.push_back(opt->get_name(true, false));
    }
  }
  std::sort(names.begin(), names.end(), [](const std::string& x, const std::string& y) { return x.size() > y.size(); });
  std::vector<std::string> found;
  std::string rest(what);
  for (const std::string& n : names) {
    if (n.empty()) continue;
    const auto at = rest.find(n);
    if (at == std::string::npos) continue;
    found.push_back(n);
    rest.replace(at, n.size(), std::string(n.size(), ' '));
  }
  return found;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

std::string dutch_required(const CLI::App& app) {
  const std::vector<const CLI::App*> chain = selected_chain(app);
  const CLI::App* last = chain.back();
  if (last->get_require_subcommand_min() > 0 &&
      last->get_subcommands([](const CLI::App* s) { return s->parsed(); }).empty()) {
    std::vector<std::string> names;
    for (const CLI::App* s : last->get_subcommands({})) names.push_back(s->get_name());
    return "geef een opdracht: " + join(names, ", ");
  }
  std::vector<std::string> missing;
  for (const CLI::Option* opt : last->get_options()) {
    if (opt->get_required() && opt->count() == 0) missing.push_back(option_label(opt));
  }
  if (missing.empty()) return "er ontbreekt een verplicht deel van de opdracht";
  if (missing.size() == 1) return missing.front() + " is verplicht";
  return join(missing, ", ") + " zijn verplicht";
}

}  // namespace

int exit_code_for_cli11(int cli11_exit_code) {
  switch (static_cast<CLI::ExitCodes>(cli11_exit_code)) {
    case CLI::ExitCodes::Success: return kExitDone;
    // The program's own option definitions are wrong: a bug, not the user's.
    case CLI::ExitCodes::IncorrectConstruction:
    case CLI::ExitCodes::BadNameString:
    case CLI::ExitCodes::OptionAlreadyAdded:
    case CLI::ExitCodes::OptionNotFound:
    case CLI::ExitCodes::HorribleError:
    case CLI::ExitCodes::BaseClass: return kExitInternal;
    default: return kExitUsage;
  }
}

int exit_for_parse_error(const CLI::App& app, const CLI::ParseError& e) {
  return exit_code_for_cli11(app.exit(e));
}

void add_version_flag(CLI::App& app, std::string_view program, Lang lang) {
  app.set_version_flag("--version", version_text(program),
                       std::string(pick(lang, Text{"Print the version (and the protocol's) and exit",
                                                   "Toon de versie (en die van het protocol) en stop"})));
}

void localise_app(CLI::App& app, Lang lang) {
  if (lang != Lang::kNl) return;
  app.formatter(std::make_shared<DutchFormatter>());
  app.set_help_flag("-h,--help", "Toon deze hulp en stop");
}

void localise_help(CLI::App& app, Lang lang, std::span<const HelpRow> rows) {
  if (lang != Lang::kNl) return;
  auto apply = [&](CLI::App& a, std::string_view command) {
    for (const HelpRow& r : rows) {
      if (r.command != command && !(r.command == "*" && !command.empty())) continue;
      if (r.option.empty()) {
        a.description(std::string(r.text.nl));
      } else if (r.option == "#footer") {
        a.footer(std::string(r.text.nl));
      } else {
        for (CLI::Option* opt : a.get_options()) {
          if (opt->check_name(std::string(r.option))) opt->description(std::string(r.text.nl));
        }
      }
    }
  };
  apply(app, "");
  for (CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_group() == "Subcommands") sub->group(std::string(kDutchSubcommands));
    apply(*sub, sub->get_name());
  }
}

std::string parse_error_text(Lang lang, const CLI::App& app, const CLI::ParseError& e) {
  if (lang != Lang::kNl) return e.what();
  const std::vector<const CLI::App*> chain = selected_chain(app);
  const std::vector<std::string> named = options_named(chain, e.what());
  const std::string first = named.empty() ? std::string() : named.front();
  if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) return dutch_required(app);
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    return "onbekende of overtollige argumenten: " + join(app.remaining(true), " ");
  }
  if (dynamic_cast<const CLI::ExcludesError*>(&e) != nullptr) {
    return named.size() >= 2 ? named[0] + " en " + named[1] + " gaan niet samen" : "deze opties gaan niet samen";
  }
  if (dynamic_cast<const CLI::RequiresError*>(&e) != nullptr) {
    return named.size() >= 2 ? named[0] + " vereist ook " + named[1] : "een optie vereist een andere optie";
  }
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr) {
    return first.empty() ? "verkeerd aantal waarden" : "verkeerd aantal waarden voor " + first;
  }
  if (dynamic_cast<const CLI::ValidationError*>(&e) != nullptr ||
      dynamic_cast<const CLI::ConversionError*>(&e) != nullptr) {
    return first.empty() ? "ongeldige waarde" : "ongeldige waarde voor " + first;
  }
  if (dynamic_cast<const CLI::FileError*>(&e) != nullptr) return "een bestand kan niet worden gelezen";
  // The program's own definitions are wrong (exit code 3): a bug, said as
  // CLI11 says it so that it can be reported.
  return "de opdrachtregel kan niet worden gelezen (" + std::string(e.what()) + ")";
}

int exit_for_parse_error(const CLI::App& app, const CLI::ParseError& e, Lang lang) {
  if (lang != Lang::kNl) return exit_for_parse_error(app, e);
  const int code = e.get_exit_code();
  if (dynamic_cast<const CLI::CallForHelp*>(&e) != nullptr) {
    client::write_out(app.help());
  } else if (dynamic_cast<const CLI::CallForAllHelp*>(&e) != nullptr) {
    client::write_out(app.help("", CLI::AppFormatMode::All));
  } else if (dynamic_cast<const CLI::CallForVersion*>(&e) != nullptr) {
    client::write_out(std::string(e.what()) + "\n");
  } else if (code != static_cast<int>(CLI::ExitCodes::Success)) {
    client::write_err("Fout: " + parse_error_text(lang, app, e) + "\nZie --help voor meer uitleg.\n");
  }
  return exit_code_for_cli11(code);
}

}  // namespace meldpunt::cli
