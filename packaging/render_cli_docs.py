"""Renders a program's manual page and its bash completion from the program
itself: its CLI11 `--help` (and every subcommand's, recursively) plus the
hand-written sections kept in docs/man/PROGRAM.md. Run at build time by
packaging/CMakeLists.txt, so neither can drift from `--help`; nothing it
writes is kept in git.

  render_cli_docs.py PROGRAM_PATH NAME SECTION RELEASE docs/man/NAME.md OUT.SECTION OUT_COMPLETION

The output depends only on the program's help texts and the .md file (no
date, no path): the same commit renders the same bytes.
"""
import os
import re
import subprocess
import sys

# CLI11 prints an option's help entry as "  NAMES TYPE...  description",
# wrapping long names onto a line of their own and the description onto
# lines indented to this column.
DESCRIPTION_COLUMN = 30
KNOWN_HEADINGS = ("Options:", "Subcommands:", "Positionals:")
# CLI11 shows set_config's option without a type, yet it takes a file.
VALUE_OPTIONS_WITHOUT_TYPE = {"--config"}


def run_help(program, words):
    # English help whatever the builder's locale (the programs also speak Dutch).
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    env["LC_ALL"] = "C.UTF-8"
    proc = subprocess.run([program, *words, "--help"], capture_output=True, text=True, env=env, timeout=60)
    if proc.returncode != 0:
        sys.exit(f"render_cli_docs: `{' '.join([program, *words])} --help` exited {proc.returncode}: {proc.stderr}")
    return proc.stdout


class Entry:
    def __init__(self, head, text):
        self.head = head.strip()
        self.text = text.strip()
        self.names = [n for n in self.head.split(" ")[0].split(",") if n]
        self.takes_value = " " in self.head or self.names[0] in VALUE_OPTIONS_WITHOUT_TYPE


class Command:
    """One level of the command line: a description, a usage line, entries
    per heading, the subcommands and a footer (CLI11's layout)."""

    def __init__(self, words, text):
        self.words = words
        lines = text.rstrip("\n").split("\n")
        usage_at = next(i for i, line in enumerate(lines) if line.startswith("Usage: "))
        self.description = "\n".join(lines[:usage_at]).strip("\n")
        self.usage = lines[usage_at][len("Usage: "):].strip()
        self.sections = {}
        self.footer = []
        heading, i = None, usage_at + 1
        while i < len(lines):
            line = lines[i]
            if line in KNOWN_HEADINGS:
                heading = line[:-1]
                self.sections[heading] = []
            elif heading and line.startswith("  ") and not line.startswith(" " * DESCRIPTION_COLUMN):
                head, desc = (line[:DESCRIPTION_COLUMN], line[DESCRIPTION_COLUMN:])
                following = lines[i + 1] if i + 1 < len(lines) else ""
                if line[DESCRIPTION_COLUMN - 1:DESCRIPTION_COLUMN] != " ":
                    head, desc = line, ""  # a name of 28 or more: its text on the next lines
                elif (line[DESCRIPTION_COLUMN - 2] != " " and following.startswith(" " * DESCRIPTION_COLUMN)
                      and following.strip()):
                    # One space at the column is padding or a space inside a long name
                    # ("--timeout UINT:UINT in [1 - 600]=15"); a long name's text follows
                    # on the next line, so read it as that.
                    head, desc = line, ""
                self.sections[heading].append(Entry(head, desc))
            elif heading and line.startswith(" " * DESCRIPTION_COLUMN) and self.sections[heading]:
                entry = self.sections[heading][-1]
                entry.text = (entry.text + " " + line.strip()).strip()
            elif line == "":
                heading = None  # a blank line ends a heading's entries
                if self.footer:
                    self.footer.append(line)
            else:
                heading = None
                self.footer.append(line)
            i += 1
        while self.footer and not self.footer[-1].strip():
            self.footer.pop()
        self.subcommands = []

    def options(self):
        return self.sections.get("Options", [])


def read_tree(program, words=()):
    command = Command(list(words), run_help(program, list(words)))
    for entry in command.sections.get("Subcommands", []):
        command.subcommands.append(read_tree(program, [*words, entry.names[0]]))
    return command


def walk(command):
    yield command
    for sub in command.subcommands:
        yield from walk(sub)


# --- roff --------------------------------------------------------------------------------------------------------

def roff_text(text):
    text = text.replace("\\", "\\e").replace("-", "\\-")
    # A line starting with . or ' would be a request.
    return "\n".join(("\\&" + line if line[:1] in (".", "'") else line) for line in text.split("\n"))


def roff_lines(lines):
    """Paragraphs of help text: indented lines stay as they are (examples),
    the others are filled."""
    out, literal = [], False
    for line in lines:
        indented = line.startswith("  ")
        if indented and not literal:
            out.append(".PP\n.nf\n.RS 2")
            literal = True
        elif not indented and literal:
            out.append(".RE\n.fi")
            literal = False
        if not line.strip():
            if not literal:
                out.append(".PP")
            continue
        out.append(roff_text(line[2:] if indented else line))
    if literal:
        out.append(".RE\n.fi")
    return out


def roff_entries(entries):
    out = []
    for entry in entries:
        out.append(".TP\n.B " + roff_text(entry.head))
        out.append(roff_text(entry.text) if entry.text else "\\&")
    return out


def markdown_sections(path):
    """docs/man/NAME.md: `## HEADING` sections of paragraphs, `- ` items and
    indented (4 spaces) examples, rendered to roff."""
    out = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    # The file's title and its note to editors come before the first section.
    first = next(i for i, line in enumerate(lines) if line.startswith("## "))
    lines = lines[first:]
    literal = False
    for line in lines:
        if line.startswith("    ") != literal:
            out.append(".PP\n.nf\n.RS 2" if not literal else ".RE\n.fi")
            literal = not literal
        if literal:
            out.append(roff_text(line[4:]))
        elif line.startswith("## "):
            out.append(".SH " + roff_text(line[3:].strip().upper()))
        elif line.startswith("- "):
            out.append(".IP \\(bu 2\n" + roff_inline(line[2:]))
        elif not line.strip():
            out.append(".PP")
        else:
            out.append(roff_inline(line))
    if literal:
        out.append(".RE\n.fi")
    # Collapse paragraph breaks that follow a heading or another break.
    tidy = []
    for item in out:
        if item == ".PP" and tidy and (tidy[-1] == ".PP" or tidy[-1].startswith(".SH")):
            continue
        tidy.append(item)
    return tidy


def roff_inline(line):
    """`code` in bold, *emphasis* in italics; the rest as text."""
    text = roff_text(line)
    text = re.sub(r"`([^`]+)`", r"\\fB\1\\fR", text)
    return re.sub(r"\*([^*]+)\*", r"\\fI\1\\fR", text)


def manual_page(tree, name, section, release, extra_md):
    summary = tree.description.split("\n")[0]
    summary = summary[len(name) + 2:] if summary.startswith(name + ": ") else summary
    summary = summary.rstrip(".")
    out = [f'.TH {name.upper()} {section} "" "meldpunt {release}" "meldpunt manual"',
           ".\\\" Generated from the program's --help and docs/man/" + name + ".md; edit those, not this file.",
           ".SH NAME", roff_text(f"{name} - {summary}"),
           ".SH SYNOPSIS", ".B " + roff_text(tree.usage),
           ".SH DESCRIPTION"]
    out += roff_lines(tree.description.split("\n")[1:] or [""])
    out += [".SH OPTIONS"] + roff_entries(tree.options())
    if tree.subcommands:
        out.append(".SH COMMANDS")
        for command in list(walk(tree))[1:]:
            out.append(".SS " + roff_text(" ".join([name, *command.words])))
            out += roff_lines(command.description.split("\n"))
            out.append(".PP\nUsage: \\fB" + roff_text(command.usage) + "\\fR")
            for heading in ("Positionals", "Options"):
                entries = [e for e in command.sections.get(heading, []) if e.names[0] not in ("-h", "--help")]
                if entries:
                    out.append(".PP\n" + heading + ":\n.RS 2")
                    out += roff_entries(entries)
                    out.append(".RE")
            if command.footer and command.footer != tree.footer:
                out += roff_lines(command.footer)
    if tree.footer:
        out.append(".SH EXIT STATUS")
        out += roff_lines(tree.footer)
    out += markdown_sections(extra_md)
    return "\n".join(out) + "\n"


# --- bash completion ---------------------------------------------------------------------------------------------

def completion(tree, name):
    func = "_meldpunt_" + re.sub(r"[^A-Za-z0-9]", "_", name)
    subs, words, values = [], [], []
    for command in walk(tree):
        path = " ".join(command.words)
        names = [n for e in command.options() + command.sections.get("Positionals", [])
                 for n in e.names if n.startswith("-")]
        sub_names = [s.words[-1] for s in command.subcommands]
        takes = [n for e in command.options() if e.takes_value for n in e.names if n.startswith("-")]
        subs.append(f'    "{path}") echo "{" ".join(sub_names)}" ;;')
        words.append(f'    "{path}") echo "{" ".join(sub_names + names)}" ;;')
        values.append(f'    "{path}") echo "{" ".join(takes)}" ;;')
    return f"""# bash completion for {name}: subcommands and options, generated at build time
# from `{name} --help` (packaging/render_cli_docs.py); an option that takes a
# value completes file names.
{func}_subcommands() {{
  case "$1" in
{chr(10).join(subs)}
  esac
}}
{func}_words() {{
  case "$1" in
{chr(10).join(words)}
  esac
}}
{func}_value_options() {{
  case "$1" in
{chr(10).join(values)}
  esac
}}
{func}() {{
  local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="" path="" i w
  [ "$COMP_CWORD" -gt 0 ] && prev="${{COMP_WORDS[COMP_CWORD-1]}}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="${{COMP_WORDS[i]}}"
    case " $({func}_subcommands "$path") " in
      *" $w "*) [ -n "$w" ] && path="${{path:+$path }}$w" ;;
    esac
  done
  case " $({func}_value_options "$path") " in
    *" $prev "*) [ -n "$prev" ] && {{ compopt -o default 2>/dev/null; COMPREPLY=(); return 0; }} ;;
  esac
  if [[ "$cur" != -* && -z "$({func}_subcommands "$path")" ]]; then
    compopt -o default 2>/dev/null; COMPREPLY=(); return 0
  fi
  COMPREPLY=($(compgen -W "$({func}_words "$path")" -- "$cur"))
}}
complete -F {func} {name}
"""


def main():
    program, name, section, release, extra_md, man_out, completion_out = sys.argv[1:]
    tree = read_tree(program)
    with open(man_out, "w", encoding="utf-8") as f:
        f.write(manual_page(tree, name, section, release, extra_md))
    with open(completion_out, "w", encoding="utf-8") as f:
        f.write(completion(tree, name))


if __name__ == "__main__":
    main()
