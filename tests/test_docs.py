# -*- coding: utf-8 -*-
"""README.md, CHANGELOG.md and docs/*.md: every link, command and example in them is checked.

- Links: a relative link leads to a file of the repository, its #anchor to a heading of that file (GitHub's
  anchors); an external link is a well-formed https URL (never fetched: no test reaches the network). A path of
  the repository named in code (`tests/test_wire.py`) exists.
- Commands: each line of a sh block, and each command written inline (`python ...`, `bash .ci/run ...`,
  `pip install ...`), is checked by the rule of its program: the options of `python smsc_api.py` and
  `python smsc_sandbox.py` by their own parsers, tox environments in tox.ini, extras in setup.py, scripts and
  paths on disk, SMSC_* variables among those the module reads. A command no rule knows fails. The README's
  `python smsc_sandbox.py demo` and `python smsc_api.py --version` run for real.
- Python: every python block compiles. A block marked <!-- doc-test: sandbox --> runs against the local gateway
  (stopped clock), each page's in one namespace, and prints or holds what its "# ->" comments say; the test
  functions of a block marked <!-- doc-test: pytest --> run with the smsc_gateway fixture; the lines of a block
  marked <!-- doc-test: lines of FILE --> are FILE's, its "# mypy: error" lines the ones FILE marks "# error:";
  a block marked <!-- doc-test: a callback signed with SECRET --> is a callback verify_callback accepts.
- The README: at most 300 lines, its settings table the module's settings (names, variables, defaults), a link
  to every page of docs/; each page opens with its title and a summary, and links back to the README.
"""
import ast
import glob
import io
import json
import os
import re
import shlex
import subprocess
import sys
import threading
import time
from collections import namedtuple

import pytest
import six

from helpers import ROOT, environment

import smsc_api  # noqa: I100 (from the checkout: conftest.py puts it first on sys.path)
import smsc_sandbox

PAGES = ["README.md", "CHANGELOG.md"] + sorted(
    os.path.relpath(path, ROOT).replace(os.sep, "/") for path in glob.glob(os.path.join(ROOT, "docs", "*.md")))
# The repository's developer files stay out of the sdist (MANIFEST.in): from an unpacked sdist the commands that
# use them cannot be checked
CHECKOUT = os.path.exists(os.path.join(ROOT, "tox.ini"))
NOT_IN_SDIST = "the sdist leaves .ci/, bench/ and tox.ini in the repository (MANIFEST.in): not checked from it"


def read(path):
    with io.open(os.path.join(ROOT, path), encoding="utf-8") as handle:
        return handle.read()


# Markdown, as far as these pages use it

Block = namedtuple("Block", "page line language text marker")
Span = namedtuple("Span", "page line text")

MARKER = re.compile(r"^<!-- doc-test: (.*?) -->$")


def parse(page, text=None):
    """(blocks, prose): the fenced blocks of a page, and its other lines as (line number, text)."""
    blocks, prose, fence, marker = [], [], None, None
    for number, line in enumerate((read(page) if text is None else text).split("\n"), 1):
        if fence is not None:
            if line.strip() == "```":
                blocks.append(Block(page, fence[0], fence[1], "\n".join(fence[2]) + "\n", fence[3]))
                fence = None
            else:
                fence[2].append(line)
        elif line.strip().startswith("```"):
            fence, marker = (number + 1, line.strip()[3:].strip(), [], marker), None
        else:
            prose.append((number, line))
            if line.strip():
                found = MARKER.match(line.strip())
                marker = found.group(1) if found else None
    assert fence is None, "%s:%d: a code block is never closed" % (page, fence[0] - 1)
    return blocks, prose


def prose_text(page, text=None):
    """The page's prose as one text, fenced blocks blanked (line numbers kept)."""
    lines = (read(page) if text is None else text).split("\n")
    blocks, prose = parse(page, text)
    kept = dict(prose)
    return "\n".join(kept.get(number, "") for number in range(1, len(lines) + 1))


CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)


def spans(page):
    """The inline code of the page's prose (a span may go over a line end: it reads as a space)."""
    text = prose_text(page)
    return [Span(page, text.count("\n", 0, match.start()) + 1, " ".join(match.group(2).split()))
            for match in CODE_SPAN.finditer(text)]


LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^()\s]+)\)|^\[[^\]]+\]: (\S+)$|<(https?://[^>\s]+)>", re.M)


def links(page, text=None):
    """(line, target) of every link of the page's prose, inline code left out."""
    text = CODE_SPAN.sub(lambda match: re.sub(r"[^\n]", " ", match.group(0)), prose_text(page, text))
    return [(text.count("\n", 0, match.start()) + 1, next(group for group in match.groups() if group))
            for match in LINK.finditer(text)]


def anchor(heading):
    """GitHub's anchor of a heading: lower case, markup and punctuation dropped, spaces as "-"."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", u"", text, flags=re.U).replace(u" ", u"-")


def anchors(page, text=None):
    seen, found = {}, set()
    for number, line in parse(page, text)[1]:
        match = re.match(r"^#{1,6} (.+?)#*$", line)
        if match:
            name = anchor(match.group(1))
            found.add(name if name not in seen else "%s-%d" % (name, seen[name]))
            seen[name] = seen.get(name, 0) + 1
    return found


def all_links():
    return [pytest.param(page, line, target, id="%s:%d" % (page, line))
            for page in PAGES for line, target in links(page)]


@pytest.mark.parametrize("page, line, target", all_links())
def test_link(page, line, target):
    if re.match(r"^[a-z][a-z0-9+.-]*:", target):
        # no network in the tests: well-formed https (no http link is allowed), never fetched
        assert re.match(r"^https://[a-z0-9-]+(\.[a-z0-9-]+)+(/[^\s]*)?$", target, re.I), \
            "%s:%d: %s is not a well-formed https URL" % (page, line, target)
        return
    path, _, fragment = target.partition("#")
    linked = os.path.normpath(os.path.join(os.path.dirname(page), path)).replace(os.sep, "/") if path else page
    assert os.path.isfile(os.path.join(ROOT, linked)), "%s:%d: %s: no such file %s" % (page, line, target, linked)
    if fragment:
        assert linked.endswith(".md"), "%s:%d: an anchor into %s" % (page, line, linked)
        assert fragment in anchors(linked), "%s:%d: %s has no heading #%s (it has: %s)" % (
            page, line, linked, fragment, ", ".join(sorted(anchors(linked))))


PAGE = u"""# A page

## Differences from 2.0

See [row 7](docs/differences.md#row-by-row) and `[not a link](x.md)`, [the
fixture](#in-your-pytest-suite-the-smsc_gateway-fixture), <https://smscentre.com/api/>.

```python
[nor this](y.md)
```

## In your pytest suite: the `smsc_gateway` fixture

## Differences from 2.0

[2.1.0]: CHANGELOG.md#210---unreleased
"""


def test_links_and_anchors_are_found_as_github_makes_them():
    assert links("docs/page.md", PAGE) == [(5, "docs/differences.md#row-by-row"),
                                           (5, "#in-your-pytest-suite-the-smsc_gateway-fixture"),
                                           (6, "https://smscentre.com/api/"), (16, "CHANGELOG.md#210---unreleased")]
    assert anchors("docs/page.md", PAGE) == set([u"a-page", u"differences-from-20", u"differences-from-20-1",
                                                 u"in-your-pytest-suite-the-smsc_gateway-fixture"])
    assert anchor(u"Real network: deadlines, keep-alive, proxies") == u"real-network-deadlines-keep-alive-proxies"
    assert u"210---unreleased" in anchors("CHANGELOG.md")


def test_paths_named_in_code_exist():
    """`tests/test_wire.py`, `bench/bench_tls.py`, `.ci/make_stubs.py`: a path under a folder of the repository
    exists (a folder absent here, as .ci/ in the sdist, is not checked; .tox/ is tox's)."""
    missing, checked = [], 0
    for page in PAGES:
        for span in spans(page):
            match = re.match(r"^([\w.-]+)/[\w.*/-]*$", span.text)
            if not match or not os.path.isdir(os.path.join(ROOT, match.group(1))) or span.text.startswith(
                    (".tox/", ".ci/.venv")):  # made by tox and .ci/run
                continue
            checked += 1
            if not glob.glob(os.path.join(ROOT, span.text)):
                missing.append("%s:%d: %s" % (span.page, span.line, span.text))
    assert not missing, "no such path: " + "; ".join(missing)
    assert checked >= (20 if CHECKOUT else 5)


# The pages and the README

def test_the_readme_is_short_and_links_every_page():
    lines = read("README.md").split("\n")
    assert len(lines) <= 300, "README.md has %d lines: a newcomer reads it in five minutes; details go to docs/" % (
        len(lines))
    listed = set(target.partition("#")[0] for line, target in links("README.md") if target.startswith("docs/"))
    pages = set(page for page in PAGES if page.startswith("docs/"))
    assert pages and pages <= listed, "docs pages the README does not link to: %s" % sorted(pages - listed)


@pytest.mark.parametrize("page", [page for page in PAGES if page.startswith("docs/")])
def test_a_page_opens_with_its_title_and_summary_and_leads_back(page):
    lines = read(page).split("\n")
    assert re.match(r"^# \S", lines[0]) and lines[1] == "" and lines[2].strip() and not lines[2].startswith("#"), (
        "%s: a page starts with its title, a blank line and a one-line summary" % page)
    assert any(target.partition("#")[0] == "../README.md" for line, target in links(page)), (
        "%s: no link back to the README" % page)


# The settings table: the module's settings, variables and defaults

def settings_table():
    text = read("README.md")
    section = text.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.split("\n") if line.startswith("| `")][1:]  # the header's first cell is code
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def code(cell):
    match = re.match(r"^`([^`]+)`$", cell)
    assert match, "not one `code` cell: %r" % cell
    return match.group(1)


def test_the_settings_table_is_the_modules_settings():
    """Every setting, in the order SMSC(...) takes them: the argument and the constant of smsc_api._SETTINGS."""
    table = [(code(row[0]), code(row[1])) for row in settings_table()]
    assert table == [(name, constant) for name, constant, kind in smsc_api._SETTINGS]


def module_constants(**variables):
    """The settings' constants of smsc_api imported afresh, in environment(**variables)."""
    names = [constant for name, constant, kind in smsc_api._SETTINGS]
    script = ("import json, sys; sys.path.insert(0, %r); import smsc_api\n"
              "print(json.dumps(dict((name, getattr(smsc_api, name)) for name in %r)))" % (ROOT, names))
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=environment(**variables))
    out, err = process.communicate()
    assert process.returncode == 0, err
    return json.loads(out.decode("utf-8"))


def test_the_settings_tables_defaults_are_the_modules():
    defaults = module_constants()
    table = dict((code(row[1]), ast.literal_eval(code(row[3]))) for row in settings_table())
    assert table == defaults


# What each variable of the table is set to, and what its constant then holds
VARIABLE_VALUES = {"bool": ("yes", True), "seconds": ("7.5", 7.5), "charset": ("koi8-r", "koi8-r"),
                   "host": ("smsc.kz", "smsc.kz"), "smtp_server": ("mail.example.org:2525", "mail.example.org:2525"),
                   "address": ("shop@example.org", "shop@example.org"), None: ("set-from-the-environment", None)}


def test_the_settings_tables_variables_are_those_the_module_reads():
    variables, expected = {}, {}
    for (name, constant, kind), row in zip(smsc_api._SETTINGS, settings_table()):
        value, held = VARIABLE_VALUES[kind]
        variables[code(row[2])] = value
        expected[constant] = value if held is None else held
    assert module_constants(**variables) == expected


def variables_read():
    """The SMSC_* variables the module reads (the table's, checked above), and those of the project's scripts."""
    return set(code(row[2]) for row in settings_table()) | {"SMSC_CI_PARALLEL"}


# Commands

Command = namedtuple("Command", "page line text inline")
PROGRAMS = ("bash", "pip", "tox", "pytest", "smsc-api", "smsc-sandbox", "twine", "mypy", "cp", "export", ".ci/run")
ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(\S*)$")
VARIABLE = re.compile(r"^([A-Z][A-Z0-9_]*|[a-z]+_proxy)=(\S*)$")  # `SMSC_HTTPS=0`, not a parameter: `all=1`


def split(text):
    """shlex.split with comments, on Python 2 too (UTF-8 in, text out)."""
    if six.PY2:
        return [word.decode("utf-8") for word in shlex.split(text.encode("utf-8"), comments=True)]
    return shlex.split(text, comments=True)


def is_command(words):
    """A program of PROGRAMS after the variables set for it (`SMSC_HTTPS=0 smsc-api balance`)."""
    words = [word for word in words if not ASSIGNMENT.match(word)]
    interpreter = r"^python[0-9.]*$|^\.tox/[^/]+/bin/python$"
    return bool(words) and bool(words[0] in PROGRAMS or re.match(interpreter, words[0]))


def commands():
    found = []
    for page in PAGES:
        blocks, prose = parse(page)
        for block in blocks:
            if block.language in ("sh", "bash", "console", "shell"):
                pending, start = "", None  # a line ending in a backslash goes on in the next one
                prompted = re.search(r"^\$ ", block.text, re.M)  # then the other lines are the output
                for offset, line in enumerate(block.text.split("\n")):
                    if not line.strip() and not pending or prompted and not pending and not line.startswith("$ "):
                        continue
                    start = block.line + offset if start is None else start
                    if line.rstrip().endswith("\\"):
                        pending += line.rstrip()[:-1] + " "
                        continue
                    found.append(Command(page, start, re.sub(r"^\$ ", "", (pending + line).strip()), False))
                    pending, start = "", None
        for span in spans(page):
            try:
                words = split(span.text)
            except ValueError:
                continue
            if words and (is_command(words) or all(VARIABLE.match(word) for word in words)):
                found.append(Command(page, span.line, span.text, True))
    return found


def normalized(words):
    """A usage line as arguments: [optional] parts given, "--file ..." (more of them) left out, "balance | send"
    (one of them, or a pipe) the first."""
    out = []
    for word in words[:words.index("|")] if "|" in words else words:
        word = word[1:] if word.startswith("[") else word
        word = word[:-1] if word.count("]") > word.count("[") else word
        if word == "...":
            if out and out[-1].startswith("-"):
                out.pop()
            continue
        if word:
            out.append(word)
    return out


class Rules(object):
    """What a command's program accepts, checked here without running it (a few run for real)."""

    def __init__(self, command):
        self.command = command

    def fail(self, why):
        pytest.fail("%s:%d: `%s`: %s" % (self.command.page, self.command.line, self.command.text, why))

    def check(self):
        words = split(self.command.text)
        while words and ASSIGNMENT.match(words[0]):
            self.variable(*ASSIGNMENT.match(words.pop(0)).groups())
        if not words:
            return  # variables alone: `SMSC_HTTPS=0`
        program, arguments = words[0], normalized(words[1:])
        if re.match(r"^\.tox/[^/]+/bin/python$", program):
            self.tox_env(program.split("/")[1])
            program = "python"
        rule = getattr(self, "program_" + re.sub(r"[^a-z0-9]", "_", program.lower()), None)
        if rule is None and re.match(r"^python[0-9.]*$", program):
            rule = self.program_python
        if rule is None:
            self.fail("no rule checks the program %r: add one to tests/test_docs.py" % program)
        rule(arguments)

    def needs_checkout(self):
        if not CHECKOUT:
            pytest.skip(NOT_IN_SDIST)

    def variable(self, name, value):
        if name.startswith(("SMSC_", "SMTP_")) and name not in variables_read():
            self.fail("smsc_api reads no environment variable %s (it reads: %s)" % (name, ", ".join(sorted(
                variables_read()))))

    def tox_env(self, name):
        self.needs_checkout()
        envs = re.search(r"^envlist = (.*)$", read("tox.ini"), re.M).group(1).replace(" ", "").split(",")
        if name not in envs:
            self.fail("tox.ini has no environment %r (it has %s)" % (name, ", ".join(envs)))

    def path(self, path, executable=False):
        if path.split("/")[0] in (".ci", "bench", "tox.ini"):
            self.needs_checkout()
        if not glob.glob(os.path.join(ROOT, path)):
            self.fail("no such file: %s" % path)
        if executable and not os.access(os.path.join(ROOT, path), os.X_OK):
            self.fail("%s is not executable" % path)

    # the programs

    def program_python(self, arguments):
        if arguments[:1] == ["-m"]:
            return self.module(arguments[1], arguments[2:])
        if not arguments:
            return  # the interpreter named
        script, rest = arguments[0], arguments[1:]
        if script == "app.py":  # the reader's own application
            return
        self.path(script)
        if script == "smsc_api.py":
            self.smsc_api(rest)
        elif script == "smsc_sandbox.py":
            self.smsc_sandbox(rest)
        else:
            text = read(script)
            for option in [word for word in rest if word.startswith("--")]:
                if '"%s"' % option.split("=")[0] not in text:
                    self.fail("%s takes no option %s" % (script, option))

    def module(self, name, arguments):
        if name == "pytest":
            return self.program_pytest(arguments)
        if name != "build" or arguments:  # python -m build: tox.ini's release environment installs it
            self.fail("no rule checks python -m %s" % " ".join([name] + arguments))
        self.needs_checkout()
        assert "    build\n" in read("tox.ini")

    def program_smsc_api(self, arguments):
        assert "smsc-api = smsc_api:_main" in read("setup.py")
        self.smsc_api(arguments)

    def program_smsc_sandbox(self, arguments):
        assert "smsc-sandbox = smsc_sandbox:main" in read("setup.py")
        self.smsc_sandbox(arguments)

    def smsc_api(self, arguments):
        if not arguments:
            return  # the program named
        if arguments == ["--version"]:
            code, out, err = run(["smsc_api.py", "--version"])
            # (argparse of Python 2 prints the version to stderr)
            assert (code, (out + err).strip()) == (0, "smsc_api " + smsc_api.__version__), (code, out, err)
            return
        self.parses(smsc_api._cli_parser("smsc_api.py"), arguments)

    def smsc_sandbox(self, arguments):
        if arguments == ["demo"]:  # the README's first command: run it (once)
            if "demo" not in RAN:
                RAN["demo"] = run(["smsc_sandbox.py", "demo"])
            code, out, err = RAN["demo"]
            assert code == 0, err
            assert "***" in out and smsc_sandbox._Demo.PASSWORD not in out + err  # the password as ***
            return
        self.parses(smsc_sandbox._parser("smsc_sandbox.py"), arguments)

    def parses(self, parser, arguments):
        parser.allow_abbrev = False  # Python 3.5+: the pages write options whole
        errors = io.BytesIO() if six.PY2 else io.StringIO()
        stderr, sys.stderr = sys.stderr, errors
        try:
            parser.parse_args(arguments)
        except SystemExit as exit:
            if exit.code:
                self.fail("%s rejects %s: %s" % (parser.prog, " ".join(arguments), errors.getvalue()))
        finally:
            sys.stderr = stderr

    def program_bash(self, arguments):
        self.path(arguments[0], executable=True)
        if arguments[0] != ".ci/run":
            self.fail("no rule checks bash %s" % arguments[0])
        self.tox_arguments(arguments[1:])

    def program__ci_run(self, arguments):
        self.program_bash([".ci/run"] + arguments)

    def program_tox(self, arguments):
        self.needs_checkout()
        self.tox_arguments(arguments)

    def tox_arguments(self, arguments):
        for option, value in zip(arguments, arguments[1:] + [""]):
            if option == "-e":
                for env in value.split(","):
                    self.tox_env(env)

    def program_pip(self, arguments):
        if not arguments:
            return
        if arguments[0] != "install":
            self.fail("no rule checks pip %s" % arguments[0])
        setup = read("setup.py")
        for requirement in arguments[1:]:
            extra = re.match(r"^\.(\[(\w+)\])?$", requirement)
            wheel = re.match(r"^(.*/)?smsc_api-\*-([\w.]+)-none-any\.whl$", requirement)
            if extra and extra.group(2):
                extras = re.search(r"extras_require=\{([^}]*)\}", setup).group(1)
                if '"%s":' % extra.group(2) not in extras:
                    self.fail("setup.py has no extra %r" % extra.group(2))
            elif wheel:
                if '"python_tag": "%s"' % wheel.group(2) not in setup:
                    self.fail("setup.py builds no %s wheel" % wheel.group(2))
                if wheel.group(1):
                    self.kept_release_files(wheel.group(1))
            elif not extra and not re.search(r"""["']%s\b""" % re.escape(requirement), setup):
                self.fail("%s is not a requirement of setup.py" % requirement)

    def kept_release_files(self, folder):
        """.tox/release/tmp/dist/: where tox.ini's release environment keeps the checked files."""
        self.tox_env("release")
        if folder.rstrip("/") != ".tox/release/tmp/dist" or "--keep {envtmpdir}/dist" not in read("tox.ini"):
            self.fail("the release check keeps its files in .tox/release/tmp/dist (tox.ini), not %s" % folder)

    def program_twine(self, arguments):
        self.needs_checkout()
        assert "    twine\n" in read("tox.ini")  # the release environment's
        if arguments in ([], ["check", "--strict"]):
            return
        if arguments[:1] != ["upload"] or len(arguments) != 2:
            self.fail("no rule checks twine %s" % " ".join(arguments))
        self.kept_release_files(arguments[1].rsplit("/", 1)[0])

    def program_pytest(self, arguments):
        for option, value in zip(arguments, arguments[1:] + [""]):
            if option == "-p":
                self.path(value + ".py")
            elif re.match(r"^[\w.-]+/", option):
                self.path(option.split("::")[0])

    def program_mypy(self, arguments):
        self.needs_checkout()
        assert "mypy" in read("tox.ini")
        for argument in arguments:
            if not argument.startswith("-"):
                self.path(argument)

    def program_cp(self, arguments):
        self.path(arguments[0])

    def program_export(self, arguments):
        for argument in arguments:
            self.variable(*ASSIGNMENT.match(argument).groups())


RAN = {}  # "demo": what `python smsc_sandbox.py demo` did, run once for every page that shows it


def run(argv, seconds=60):
    """(exit status, stdout, stderr) of python argv in the checkout, scrubbed environment; killed after `seconds`."""
    process = subprocess.Popen([sys.executable] + argv, cwd=ROOT, env=environment(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    timer = threading.Timer(seconds, process.kill)
    timer.start()
    try:
        out, err = process.communicate()
    finally:
        timer.cancel()
    return process.returncode, out.decode("utf-8"), err.decode("utf-8")


@pytest.mark.parametrize("command", [pytest.param(command, id="%s:%d" % (command.page, command.line))
                                     for command in commands()])
def test_command(command):
    Rules(command).check()


def test_commands_are_found_and_a_wrong_one_fails():
    found = set((command.page, command.text) for command in commands())
    for expected in [("README.md", "python smsc_sandbox.py demo"), ("README.md", "bash .ci/run"),
                     ("docs/cli.md", "python smsc_api.py --version"), ("docs/releasing.md", "pip install .[test]")]:
        assert expected in found
    for wrong, why in [("python smsc_api.py send 79999999999 hi --sendr sms", "rejects"),
                       ("bash .ci/run -e py26", "no environment"), ("pip install .[tests]", "no extra"),
                       ("SMTP_SERVER=127.0.0.1:8026 python app.py", "reads no environment variable SMTP_SERVER"),
                       ("python smsc_sandbox.py --smtp-prot 8026", "rejects"),
                       ("curl https://smscentre.com/", "no rule")]:
        with pytest.raises(pytest.fail.Exception) as failed:
            Rules(Command("README.md", 0, wrong, True)).check()
        assert why in str(failed.value)


# Python blocks

def python_blocks():
    return [pytest.param(block, id="%s:%d" % (block.page, block.line))
            for page in PAGES for block in parse(page)[0] if block.language == "python"]


def compiled(block, flags=0):
    if six.PY2:
        import __future__
        if re.search(r"\basync def\b|\bawait\b", block.text):
            pytest.skip("async and await: Python 3 code (compiled on Python 3)")
        flags |= __future__.print_function.compiler_flag
    try:
        return compile(block.text, "%s:%d" % (block.page, block.line), "exec", flags, True)
    except SyntaxError:
        top_level_await = getattr(ast, "PyCF_ALLOW_TOP_LEVEL_AWAIT", None)
        if not re.search(r"^\S.*\bawait\b", block.text, re.M):
            raise
        if top_level_await is None:
            pytest.skip("a snippet with await outside a function compiles from Python 3.8")
        return compile(block.text, "%s:%d" % (block.page, block.line), "exec", flags | top_level_await, True)


@pytest.mark.parametrize("block", python_blocks())
def test_python_block_compiles(block):
    compiled(block)


# <!-- doc-test: sandbox -->: run against the local gateway, each page's blocks in one namespace

EXPECTED = re.compile(r"#\s*-> (.*)$")


def literal_prefix(text):
    """The value at the start of an expected text: "['1', '2'], as ..." -> ['1', '2']."""
    for end in range(len(text), 0, -1):
        if text[:end].rstrip().endswith(","):  # "[1, 2], as ...": the list, not a tuple of it
            continue
        try:
            return ast.literal_eval(text[:end])
        except (ValueError, SyntaxError):
            continue
    raise AssertionError("no Python value at the start of %r" % text)


def statements(block):
    """(first line, last line, node) of each top-level statement of the block (lines within the block)."""
    body = ast.parse(block.text.encode("utf-8") if six.PY2 else block.text).body
    lines = block.text.split("\n")
    ends = [node.lineno - 1 for node in body[1:]] + [len(lines)]
    return [(node.lineno, end, node) for node, end in zip(body, ends)]


def sandbox_pages():
    return [page for page in PAGES if any(block.marker == "sandbox" for block in parse(page)[0])]


def run_examples(blocks, capsys):
    """Run the blocks in one namespace, statement by statement; assert what each "# -> " comment says: the line
    printed by a print on its line, else the value the statement before it assigned. Returns how many."""
    namespace, checked = {"__name__": "__doc__"}, 0
    for block in blocks:
        lines = block.text.split("\n")
        for first, last, node in statements(block):
            source = "\n".join(lines[first - 1:last]) + "\n"
            capsys.readouterr()
            exec(compiled(block._replace(text=source, line=block.line + first - 1)), namespace)
            out = capsys.readouterr().out
            printed = iter((out.decode("utf-8") if isinstance(out, bytes) else out).splitlines())
            for number in range(first - 1, last):
                expected = EXPECTED.search(lines[number])
                if not expected:
                    continue
                checked += 1
                where = "%s:%d" % (block.page, block.line + number)
                if "print(" in lines[number]:
                    assert next(printed, None) == expected.group(1).strip(), where
                else:
                    assert isinstance(node, ast.Assign) and len(node.targets) == 1, where
                    value = namespace[node.targets[0].id]
                    assert value == literal_prefix(expected.group(1)), "%s: %r" % (where, value)
    return checked


@pytest.mark.parametrize("page", sandbox_pages())
def test_sandbox_examples_print_what_the_page_says(page, smsc, sandbox, capsys, tmpdir, monkeypatch):
    """The page's replies are the local gateway's (stopped clock, 1700000000); SMSC_LOGIN and SMSC_PASSWORD set
    as the page says they are; ticket.png a 4096-byte file. Python 2 runs them with print_function."""
    monkeypatch.chdir(tmpdir)
    tmpdir.join("ticket.png").write_binary(b"\x89PNG" + b"\0" * 4092)
    smsc.SMSC_LOGIN, smsc.SMSC_PASSWORD = "login", "password"
    assert run_examples([block for block in parse(page)[0] if block.marker == "sandbox"], capsys) >= 3


@pytest.mark.parametrize("text, error", [
    (u'r = ["1", "2"]\n# -> ["1", "3"], the ids\n', "README.md:2: ['1', '2']"),
    (u'if True:\n    print("sent, id", 1)  # -> sent, id 2\n', "README.md:2"),
    (u'print("one")\nprint("two")  # -> one\n', "README.md:2"),
])
def test_an_example_that_does_not_do_what_its_page_says_fails(text, error, capsys):
    with pytest.raises(AssertionError) as failed:
        run_examples([Block("README.md", 1, "python", text, "sandbox")], capsys)
    assert str(failed.value).startswith(error)


# <!-- doc-test: pytest -->: the page's test functions, each with the smsc_gateway fixture

def pytest_examples():
    found = []
    for page in PAGES:
        for block in parse(page)[0]:
            if block.marker and block.marker.startswith("pytest"):
                for first, last, node in statements(block):
                    if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                        found.append(pytest.param(block, node.name, id="%s:%s" % (page, node.name)))
    return found


@pytest.mark.parametrize("block, name", pytest_examples())
def test_pytest_example(block, name, smsc_gateway):
    namespace = {"__name__": "__doc__"}
    exec(compiled(block), namespace)
    namespace[name](smsc_gateway)


def test_there_are_pytest_examples():
    assert len(pytest_examples()) >= 3


# <!-- doc-test: lines of FILE -->

def test_marked_blocks_have_a_check():
    for page in PAGES:
        for block in parse(page)[0]:
            assert block.marker is None or block.marker in ("sandbox",) or block.marker.startswith(
                ("pytest", "lines of ", "a callback signed with ")), "%s:%d: no check named %r" % (
                page, block.line, block.marker)


def code_lines(text):
    return [line.split("  #")[0].rstrip() for line in text.split("\n") if line.strip() and
            not line.lstrip().startswith("#")]


@pytest.mark.parametrize("block", [pytest.param(block, id="%s:%d" % (block.page, block.line)) for page in PAGES
                                   for block in parse(page)[0] if (block.marker or "").startswith("lines of ")])
def test_a_blocks_lines_are_those_of_the_file_it_names(block):
    path = block.marker[len("lines of "):]
    text = read(path)
    assert set(code_lines(block.text)) <= set(code_lines(text)), "%s:%d: lines not in %s: %s" % (
        block.page, block.line, path, sorted(set(code_lines(block.text)) - set(code_lines(text))))
    lines = block.text.split("\n")
    flagged = set(lines[number - 1].split("  #")[0].rstrip() for number in range(1, len(lines))
                  if lines[number].startswith("# mypy: error"))
    marked = set(line.split("  #")[0].rstrip() for line in text.split("\n") if "  # error:" in line)
    assert flagged and flagged == marked


# <!-- doc-test: a callback signed with SECRET -->

@pytest.mark.parametrize("block", [pytest.param(block, id="%s:%d" % (block.page, block.line)) for page in PAGES
                                   for block in parse(page)[0]
                                   if (block.marker or "").startswith("a callback signed with ")])
def test_a_callback_shown_is_one_verify_callback_accepts(block):
    secret = block.marker[len("a callback signed with "):]
    head, _, body = block.text.rstrip("\n").partition("\n\n")
    headers = dict(line.split(": ", 1) for line in head.split("\n")[1:])
    assert int(headers["Content-Length"]) == len(body.encode("utf-8"))
    fields = dict(six.moves.urllib.parse.parse_qsl(body))
    assert smsc_api.verify_callback(fields, secret)
    assert not smsc_api.verify_callback(fields, secret + "x")
    assert fields["time"] == time.strftime("%d.%m.%Y %H:%M:%S", time.gmtime(int(fields["ts"])))
