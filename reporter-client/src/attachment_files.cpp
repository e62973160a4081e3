// Choosing and reading the files a reporter attaches (attachments.hpp):
// --attach FILE, the --attach-ask prompt, and the texts that say why a file
// cannot go. Sending and receiving them is in attachments.cpp.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <utility>

#include "attachments.hpp"
#include "interrupt.hpp"
#include "meldpunt/client/terminal.hpp"
#include "meldpunt/client/text.hpp"
#include "meldpunt/text/text_policy.hpp"
#include "progress.hpp"

namespace meldpunt::reporter {

Result<std::vector<client::FileToSend>> read_attachments(Lang lang, const std::vector<std::string>& paths,
                                                         const protocol::PolicyInfo& policy) {
  if (paths.size() > kMaxAttachmentsPerMessage) {
    return Error{ErrorCode::kTooLarge, format(lang, Msg::kAttachTooMany, {std::to_string(kMaxAttachmentsPerMessage)})};
  }
  const std::uint64_t limit = client::attachment_limit(policy);
  // Every file is checked before any is read, so one that cannot go is
  // named before the reporter types anything.
  const std::optional<std::uint64_t> lockable = crypto::lockable_bytes();
  std::uint64_t needed = 0;
  for (const std::string& path : paths) {
    const std::string shown = client::terminal_safe_label(path);
    auto size = client::attachment_file_size(path);
    if (!size) {
      return Error{size.error().code,
                   format(lang, Msg::kAttachUnreadable, {shown, attachment_problem(lang, size.error(), path)})};
    }
    switch (client::check_attachment_size(*size, limit)) {
      case client::SizeVerdict::kFits: break;
      case client::SizeVerdict::kRelayRefuses:
        return Error{ErrorCode::kTooLarge, std::string(text(lang, Msg::kAttachRelayRefuses))};
      case client::SizeVerdict::kEmpty: return Error{ErrorCode::kMalformed, format(lang, Msg::kAttachEmpty, {shown})};
      case client::SizeVerdict::kOverLimit:
        return Error{ErrorCode::kTooLarge, format(lang, Msg::kAttachTooLarge,
                                                  {shown, client::describe_size(*size), client::describe_size(limit)})};
    }
    needed += client::attachment_memory_needed(*size);
    if (lockable && needed > *lockable) {
      return Error{ErrorCode::kTooLarge, format(lang, Msg::kAttachNotLockable,
                                                   {shown, client::describe_size(*size), client::describe_size(*lockable)})};
    }
  }
  std::vector<client::FileToSend> files;
  for (const std::string& path : paths) {
    const std::string shown = client::terminal_safe_label(path);
    auto file = client::read_attachment(path, limit);
    if (!file) {
      if (file.error().code == ErrorCode::kTooLarge) {  // grew since it was measured
        return Error{ErrorCode::kTooLarge,
                     format(lang, Msg::kAttachTooLarge, {shown, "?", client::describe_size(limit)})};
      }
      if (file.error().code == ErrorCode::kMalformed) {
        return Error{ErrorCode::kMalformed, format(lang, Msg::kAttachEmpty, {shown})};
      }
      if (file.error().code == ErrorCode::kStorageFull) {  // the estimate above was not enough
        const std::uint64_t left = crypto::lockable_bytes().value_or(0);
        return Error{ErrorCode::kTooLarge,
                     format(lang, Msg::kAttachNotLockable, {shown, "?", client::describe_size(left)})};
      }
      return Error{file.error().code,
                   format(lang, Msg::kAttachUnreadable, {shown, attachment_problem(lang, file.error(), path)})};
    }
    files.push_back(std::move(file).value());
  }
  return files;
}

namespace {

// get-policy, with a progress line: every network wait is said before it starts.
Result<protocol::PolicyInfo> fetch_policy_said(Lang lang, client::RelayConnection& relay) {
  Progress p(text(lang, Msg::kProgressPolicy), text(lang, Msg::kProgressDone), text(lang, Msg::kProgressFailed));
  auto policy = client::fetch_policy(relay);
  if (policy) p.done();
  return policy;
}

}  // namespace

Result<std::vector<client::FileToSend>> load_attachments(Lang lang, client::RelayConnection& relay,
                                                         const std::vector<std::string>& paths) {
  if (paths.empty()) return std::vector<client::FileToSend>{};
  auto policy = fetch_policy_said(lang, relay);
  if (!policy) return policy.error();
  return read_attachments(lang, paths, *policy);
}

namespace {

// Longer than any path the system opens (PATH_MAX is 4096).
constexpr std::size_t kMaxPathLine = 4096;

std::string home_folder() {
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0') return home;
  if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_dir != nullptr) return pw->pw_dir;
  return {};
}

std::string expand_home(std::string_view path) {
  if (path == "~" || path.substr(0, 2) == "~/") {
    const std::string home = home_folder();
    if (!home.empty()) return home + std::string(path.substr(1));
  }
  return std::string(path);
}

// What a terminal pastes for a file dragged into it: the path, often in
// quotes, with a blank after it.
std::string_view unwrapped(std::string_view typed) {
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!typed.empty() && blank(typed.front())) typed.remove_prefix(1);
  while (!typed.empty() && blank(typed.back())) typed.remove_suffix(1);
  if (typed.size() >= 2 && (typed.front() == '\'' || typed.front() == '"') && typed.back() == typed.front()) {
    typed = typed.substr(1, typed.size() - 2);
  }
  return typed;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 || errno != ENOENT;
}

// The file a path names, to notice the same file given twice.
std::optional<std::pair<dev_t, ino_t>> identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return std::make_pair(st.st_dev, st.st_ino);
}

// Why a line at the prompt was refused: `named` names the file (shown on a
// terminal, where the reporter sees what they typed anyway); `reason` does
// not, for input that is not a terminal (see ask_attachments).
struct Refusal {
  std::string named;
  std::string reason;
};

// Checks and reads one file typed at the prompt: the checks of
// read_attachments for one more file beside `loaded` ones already in locked
// memory. A refusal names the file and says nothing about sending: on a
// terminal the reporter is asked again.
std::optional<client::FileToSend> read_one_asked(Lang lang, const std::string& path, std::uint64_t limit,
                                                 std::size_t loaded, Refusal& refusal) {
  const std::string shown = client::terminal_safe_label(path);
  auto unreadable = [&](const Error& e) {
    refusal = {format(lang, Msg::kAttachAskUnreadable, {shown, attachment_problem(lang, e, path)}),
               attachment_problem(lang, e, path, false)};
    return std::nullopt;
  };
  auto empty = [&] {
    refusal = {format(lang, Msg::kAttachAskEmpty, {shown}), std::string(text(lang, Msg::kAttachReasonEmpty))};
    return std::nullopt;
  };
  auto too_large = [&](const std::string& size) {
    const std::string most = client::describe_size(limit);
    refusal = {format(lang, Msg::kAttachAskTooLarge, {shown, size, most}),
               format(lang, Msg::kAttachReasonTooLarge, {size, most})};
    return std::nullopt;
  };
  auto not_lockable = [&](const std::string& size, std::uint64_t left) {
    const std::string free = client::describe_size(left);
    refusal = {format(lang, Msg::kAttachAskNotLockable, {shown, size, free}),
               format(lang, Msg::kAttachReasonNotLockable, {size, free})};
    return std::nullopt;
  };

  auto size = client::attachment_file_size(path);
  if (!size) return unreadable(size.error());
  switch (client::check_attachment_size(*size, limit)) {
    case client::SizeVerdict::kFits: break;
    case client::SizeVerdict::kRelayRefuses:  // checked before asking
      refusal.named = refusal.reason = std::string(text(lang, Msg::kAttachRelayRefuses));
      return std::nullopt;
    case client::SizeVerdict::kEmpty: return empty();
    case client::SizeVerdict::kOverLimit: return too_large(client::describe_size(*size));
  }
  // The files already read are in locked memory (and so counted by
  // lockable_bytes); what sending each of them will still lock is not.
  if (const std::optional<std::uint64_t> lockable = crypto::lockable_bytes()) {
    const std::uint64_t needed =
        loaded * client::attachment_memory_needed(0) + client::attachment_memory_needed(*size);
    if (needed > *lockable) return not_lockable(client::describe_size(*size), *lockable);
  }
  auto file = client::read_attachment(path, limit);
  if (file) return std::move(file).value();
  switch (file.error().code) {
    case ErrorCode::kTooLarge: return too_large("?");  // grew since it was measured
    case ErrorCode::kMalformed: return empty();
    case ErrorCode::kStorageFull:  // the estimate above was not enough
      return not_lockable("?", crypto::lockable_bytes().value_or(0));
    default: return unreadable(file.error());
  }
}

}  // namespace

std::string attachment_problem(Lang lang, const Error& error, const std::string& path, bool may_name_file) {
  // The messages of client/attachment.cpp, recognised with the path they
  // were made with, so that a path that itself reads like one of them
  // cannot pass for another kind.
  const std::string_view message = error.message;
  if (error.code == ErrorCode::kNotFound) return std::string(text(lang, Msg::kAttachReasonNotFound));
  if (message == path + " is not a regular file") return std::string(text(lang, Msg::kAttachReasonNotRegular));
  if (message.starts_with(path + " changed while it was being read")) {
    return std::string(text(lang, Msg::kAttachReasonChanged));
  }
  for (const char* verb : {"cannot examine ", "cannot open ", "cannot read "}) {
    const std::string head = verb + path + ": ";
    if (!message.starts_with(head)) continue;
    const std::string_view why = message.substr(head.size());  // strerror(errno)
    if (why == std::strerror(EACCES) || why == std::strerror(EPERM)) {
      return std::string(text(lang, Msg::kAttachReasonNoPermission));
    }
    if (why == std::strerror(ENOENT) || why == std::strerror(ENOTDIR)) {
      return std::string(text(lang, Msg::kAttachReasonNotFound));
    }
    return format(lang, Msg::kAttachReasonSystem, {client::terminal_safe_label(why)});
  }
  if (may_name_file) return client::terminal_safe_label(message);
  return std::string(text(lang, Msg::kAttachReasonOther));
}

bool has_control_character(std::string_view line) { return meldpunt::text::has_control(line); }

bool is_blank_line(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

std::string path_at_prompt(std::string_view typed) {
  std::string as_typed = expand_home(typed);
  const std::string_view inner = unwrapped(typed);
  if (inner == typed || inner.empty() || exists(as_typed)) return as_typed;
  return expand_home(inner);
}

Status ask_attachments(Lang lang, const protocol::PolicyInfo& policy, const std::vector<std::string>& given,
                       std::vector<client::FileToSend>& files) {
  const std::uint64_t limit = client::attachment_limit(policy);
  if (limit == 0) return Error{ErrorCode::kTooLarge, std::string(text(lang, Msg::kAttachRelayRefuses))};
  const std::string most = std::to_string(kMaxAttachmentsPerMessage);
  if (files.size() >= kMaxAttachmentsPerMessage) {  // nothing to ask
    client::write_err(format(lang, Msg::kAttachAskAlreadyFull, {most}));
    return Status::success();
  }
  std::vector<std::pair<dev_t, ino_t>> attached;
  for (const std::string& path : given) {
    if (auto id = identity(path)) attached.push_back(*id);
  }
  // On a pipe or a file nobody reads the reasons and answers again: what
  // follows a refused line is most likely the message, piped without the
  // empty line that ends the list.
  const bool terminal = client::stdin_is_terminal();
  client::write_err(text(lang, Msg::kAttachAskIntro));
  // The real limit, before the first file is picked: locked memory, not
  // the relay, is often what a file must fit (8 MiB by default on Linux).
  std::uint64_t largest = limit;
  if (const std::optional<std::uint64_t> lockable = crypto::lockable_bytes()) {
    const std::uint64_t reserved = (files.size() + 1) * client::attachment_memory_needed(0);
    const std::uint64_t fits = *lockable > reserved ? *lockable - reserved : 0;
    if (fits < largest) largest = fits;
  }
  client::write_err(largest < limit ? format(lang, Msg::kAttachAskLargestMemory,
                                             {client::describe_size(largest), client::describe_size(limit)})
                                    : format(lang, Msg::kAttachAskLargest, {client::describe_size(limit)}));
  int refused = 0;  // in a row
  for (;;) {
    const bool full = files.size() >= kMaxAttachmentsPerMessage;
    auto line = client::read_line(full ? format(lang, Msg::kAttachAskFullPrompt, {most})
                                       : format(lang, Msg::kAttachAskPrompt, {std::to_string(files.size() + 1)}),
                                  kMaxPathLine);
    Refusal refusal;
    if (!line) {
      if (line.error().code == ErrorCode::kNotFound) break;  // the end of input ends the list
      if (line.error().code != ErrorCode::kTooLarge) return line.error();
      // The rest of the line is not taken for the next answer.
      for (; terminal;) {
        auto rest = client::read_line("", kMaxPathLine);
        if (rest || rest.error().code != ErrorCode::kTooLarge) break;
      }
      refusal = {std::string(text(lang, Msg::kAttachAskTooLong)), std::string(text(lang, Msg::kAttachReasonTooLong))};
    } else if (is_blank_line(line->text())) {
      break;
    } else if (has_control_character(line->text())) {
      refusal = {std::string(text(lang, Msg::kAttachAskControl)), std::string(text(lang, Msg::kAttachReasonControl))};
    } else if (full) {
      refusal = {format(lang, Msg::kAttachAskTooMany, {most}), format(lang, Msg::kAttachReasonFull, {most})};
    } else {
      const std::string path = path_at_prompt(line->text());
      if (const auto id = identity(path);
          id && std::find(attached.begin(), attached.end(), *id) != attached.end()) {
        refusal = {format(lang, Msg::kAttachAskDuplicate, {client::terminal_safe_label(path)}),
                   std::string(text(lang, Msg::kAttachReasonDuplicate))};
      } else if (auto file = read_one_asked(lang, path, limit, files.size(), refusal)) {
        client::write_err(
            format(lang, Msg::kAttachAskAdded, {file->name.text(), client::describe_size(file->content.size())}));
        files.push_back(std::move(*file));
        if (id) attached.push_back(*id);
        refused = 0;
        continue;
      }
    }
    if (!terminal) {
      return Error{ErrorCode::kMalformed,
                   format(lang, Msg::kAttachAskPipedRefused, {std::to_string(files.size() + 1), refusal.reason})};
    }
    client::write_err(refusal.named + "\n");
    if (++refused >= kAskAttachmentTries) {
      return Error{ErrorCode::kMalformed, format(lang, Msg::kAttachAskGaveUp, {std::to_string(kAskAttachmentTries)})};
    }
    if (!full) client::write_err(text(lang, Msg::kAttachAskAgain));
  }
  return Status::success();
}

Status ask_attachments(Lang lang, client::RelayConnection& relay, const std::vector<std::string>& given,
                       std::vector<client::FileToSend>& files) {
  auto policy = fetch_policy_said(lang, relay);
  if (!policy) return policy.error();
  return ask_attachments(lang, *policy, given, files);
}

std::string describe_attached(Lang lang, const std::vector<client::FileToSend>& files) {
  std::string out;
  for (const client::FileToSend& f : files) {
    out += format(lang, Msg::kAttachListed, {f.name.text(), client::describe_size(f.content.size())});
  }
  return out;
}

}  // namespace meldpunt::reporter
