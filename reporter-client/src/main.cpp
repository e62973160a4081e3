// `reporter-client`: report unwanted behaviour anonymously and follow up with
// nothing but a code. Writes nothing to disk; reads the code only from a
// prompt (no echo) or standard input, never from arguments or the
// environment. Every text it shows comes from texts.cpp, in English or Dutch.
#include <exception>
#include <new>
#include <string>

#include <CLI/CLI.hpp>

#include "attachments.hpp"
#include "flow.hpp"
#include "interrupt.hpp"
#include "meldpunt/cli/cli11_texts.hpp"
#include "meldpunt/cli/language.hpp"
#include "meldpunt/cli/version.hpp"
#include "meldpunt/cli/program.hpp"
#include "meldpunt/client/terminal.hpp"
#include "meldpunt/client/relay_connection.hpp"
#include "texts.hpp"

namespace {

using namespace meldpunt;
using client::write_err;
using reporter::Lang;
using reporter::Msg;
using reporter::flow::Options;
using reporter::flow::fail;
using reporter::flow::fmt;
using reporter::flow::tr;
using cli::kExitInternal;

}  // namespace

int main(int argc, char** argv) {
  if (Status started = cli::start_up(); !started) return cli::fail_start_up("reporter-client", started.error());

  Options o;
  o.lang = cli::language_from_args(argc, argv);
  CLI::App app{std::string(tr(o, Msg::kAppDescription)), "reporter-client"};
  cli::localise_app(app, o.lang);
  app.require_subcommand(1);
  cli::add_version_flag(app, "reporter-client", o.lang);
  auto add_common = [&](CLI::App* sub) {
    sub->add_option("--channel", o.channel.option, std::string(tr(o, Msg::kOptChannel)));
    sub->add_option("--channel-file", o.channel.file, std::string(tr(o, Msg::kOptChannelFile)));
    sub->add_option("--lang", o.lang_option, std::string(tr(o, Msg::kOptLang)))->check(CLI::IsMember({"en", "nl"}));
    sub->add_option("--proxy", o.proxy, std::string(tr(o, Msg::kOptProxy)));
    sub->add_option("--timeout", o.timeout_seconds, std::string(tr(o, Msg::kOptTimeout)))->check(CLI::Range(1u, 600u));
    sub->add_flag("--insecure-test-kdf", o.insecure_kdf, "")->group("");  // tests only: cheap key derivation
  };
  auto add_message = [&](CLI::App* sub) {
    sub->add_option("--file", o.file, std::string(tr(o, Msg::kOptFile)));
    sub->add_flag("--no-editor", o.no_editor, std::string(tr(o, Msg::kOptNoEditor)));
    sub->add_flag("--attach-ask", o.attach_ask,
                  fmt(o, Msg::kOptAttachAsk, {std::to_string(reporter::kMaxAttachmentsPerMessage)}));
    sub->add_option("--attach", o.attach, std::string(tr(o, Msg::kOptAttach)));
  };
  auto* cmd_new_app = app.add_subcommand("new", std::string(tr(o, Msg::kCmdNew)));
  add_common(cmd_new_app);
  add_message(cmd_new_app);
  cmd_new_app->add_option("--to", o.to, std::string(tr(o, Msg::kOptTo)));
  cmd_new_app->add_option("--exclude", o.exclude, std::string(tr(o, Msg::kOptExclude)));
  auto* cmd_check_app = app.add_subcommand("check", std::string(tr(o, Msg::kCmdCheck)));
  add_common(cmd_check_app);
  cmd_check_app->add_option("--save", o.save_attachments, std::string(tr(o, Msg::kOptSaveAttachments)));
  // The name before both clients said --save; hidden, kept so no script breaks.
  cmd_check_app->add_option("--save-attachments", o.save_attachments, "")->group("");
  auto* cmd_reply_app = app.add_subcommand("reply", std::string(tr(o, Msg::kCmdReply)));
  add_common(cmd_reply_app);
  add_message(cmd_reply_app);
  auto* cmd_rotate_app = app.add_subcommand("rotate", std::string(tr(o, Msg::kCmdRotate)));
  add_common(cmd_rotate_app);
  cmd_rotate_app->add_flag("--keep-old", o.keep_old, std::string(tr(o, Msg::kOptKeepOld)));

  cli::localise_help(app, o.lang, {});  // headings; the descriptions are already in o.lang

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli::exit_for_parse_error(app, e, o.lang);
  }
  if (!o.lang_option.empty()) o.lang = o.lang_option == "nl" ? Lang::kNl : Lang::kEn;
  if (!o.proxy.empty() && !client::parse_socks_proxy(o.proxy)) return fail(o, Msg::kErrBadProxy);
  // Ctrl-C restores the terminal and says what was sent (interrupt.hpp).
  reporter::interrupt::install();
  reporter::interrupt::set_exit_text(
      tr(o, *cmd_new_app || *cmd_reply_app ? Msg::kInterruptNothingSent : Msg::kInterruptStopped));
  try {
    if (*cmd_new_app) return reporter::flow::cmd_new(o);
    if (*cmd_check_app) return reporter::flow::cmd_check(o);
    if (*cmd_reply_app) return reporter::flow::cmd_reply(o);
    if (*cmd_rotate_app) return reporter::flow::cmd_rotate(o);
  } catch (const std::bad_alloc&) {
    write_err(std::string(tr(o, Msg::kErrorPrefix)) + std::string(tr(o, Msg::kErrNotEnoughMemory)) + "\n");
    return kExitInternal;
  } catch (const std::exception& e) {
    write_err(std::string(tr(o, Msg::kErrorPrefix)) + e.what() + "\n");
    return kExitInternal;
  }
  return 0;
}
