#!/usr/bin/env python3
"""Build the sdist and the wheel of smsc_api and check them as a user gets them.

    python .ci/release_check.py [--keep DIR] [--pythons 2.7,3.13]
    bash .ci/run -e release        (the same in tox's env "release", keeping the files in .tox/release/tmp/dist)

Needs POSIX and Python 3.8+ with build, twine, virtualenv<20.22, mypy and pyright (the tox env installs them) and
the interpreters to test (python2.7, python3.13 on PATH, or ~/.pyenv/versions/*). It checks:

1. python -m build: the sdist, then the wheel built from the unpacked sdist (py2.py3-none-any).
2. twine check --strict on both.
3. The wheel holds every py_modules entry of setup.py, the package_data files (the stubs,
   smsc_api-stubs/__init__.pyi) and its .dist-info, nothing else; the sdist holds setup.py, the
   modules, the stubs, README.md, CHANGELOG.md and the files of docs/ and tests/ that git tracks or
   would (not ignored), nothing else. CHANGELOG.md has a section for the version.
4. Per Python: a fresh virtualenv with pip alone, the wheel installed from the file (--no-index),
   nothing else installed; from there `import smsc_api` gives the wheel's version, and
   smsc-api --help, smsc-sandbox --help, smsc-sandbox demo, and smsc-api against smsc-sandbox
   running in the background (through http_proxy) exit as documented: 0, 1, 2.
5. Types, on the first Python 3 of them: mypy's stubtest finds the installed stubs and the installed
   module in agreement; mypy --strict and pyright, with no setting but the environment to read (the fresh
   one, holding only the wheel), pass a user's correct code (tests/typing/users_code.py, copied alone to
   a folder of its own) and flag exactly its lines marked "# error:".

Everything happens in a temporary directory, removed at the end together with every process
started, even when a check fails or the run is interrupted. With --keep DIR the checked sdist
and wheel are copied to DIR (for twine upload) once every check has passed.
"""
import argparse
import ast
import configparser
import glob
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMAND_TIMEOUT = 60  # seconds for any one command; the slowest (the demo) takes about 2
BUILD_TIMEOUT = 300   # the build may install setuptools from PyPI into its isolated env
# Copied to the build: not what a developer's checkout holds besides the project (see .gitignore).
NOT_SOURCE = shutil.ignore_patterns(".git", ".tox", ".venv", "__pycache__", "*.pyc", "*.egg-info", "build",
                                    "dist", ".pytest_cache", ".hypothesis", ".mypy_cache")
SECRET = "release-check-secret"


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


def step(text):
    print("== " + text, flush=True)


def indented(text, limit=None):
    """text, each line indented; only its first limit lines, or with a negative limit its last ones."""
    lines = text.rstrip("\n").splitlines()
    if limit is not None and len(lines) > abs(limit):
        if limit >= 0:
            lines = lines[:limit] + ["... (%d more lines)" % (len(lines) - limit)]
        else:
            lines = ["... (%d lines before)" % (len(lines) + limit)] + lines[limit:]
    return "".join("    %s\n" % line for line in lines)


# Processes: every one is started here, so that all can be stopped on the way out

class Processes(object):
    def __init__(self):
        self.running = []

    def run(self, argv, timeout=COMMAND_TIMEOUT, **kwargs):
        """Run argv to the end (at most timeout seconds); returns (exit code, stdout, stderr) as text."""
        process = self.start(argv, **kwargs)
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise CheckFailed("%s: no exit within %d s" % (" ".join(argv), timeout))
        finally:
            self.stop(process)
        return process.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")

    def start(self, argv, **kwargs):
        # Each in a process group of its own, so that stopping it stops what it started too (build's pip).
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   start_new_session=True, **kwargs)
        self.running.append(process)
        return process

    def stop(self, process, grace=10):
        """SIGTERM to its group, SIGKILL to what is left after grace seconds; returns its exit code."""
        if process.poll() is None:
            self.signal_group(process, signal.SIGTERM)
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                pass
        self.signal_group(process, signal.SIGKILL)
        process.wait()
        if process in self.running:
            self.running.remove(process)
        return process.returncode

    @staticmethod
    def signal_group(process, signum):
        try:
            os.killpg(process.pid, signum)
        except OSError:  # the group is gone: nothing left to stop
            pass

    def stop_all(self):
        for process in list(self.running):
            self.stop(process, grace=2)


# The project as setup.py describes it

def setup_keyword(name):
    """The literal value of setup(name=...) in setup.py (a list, a string), read without running it."""
    with open(os.path.join(ROOT, "setup.py"), encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "setup":
            for keyword in node.keywords:
                if keyword.arg == name:
                    return ast.literal_eval(keyword.value)
    raise CheckFailed("setup.py: no literal %s= in setup()" % name)


def tracked_files(folder):
    """folder/... paths (docs, tests) that git tracks or would (not ignored); in a checkout without git, every
    file."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", folder],
                                cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, check=True).stdout.decode("utf-8")
        return set(path for path in listed.split("\0") if path and os.path.exists(os.path.join(ROOT, path)))
    except (OSError, subprocess.CalledProcessError):
        found = set()
        for under, folders, files in os.walk(os.path.join(ROOT, folder)):
            folders[:] = [name for name in folders if name not in ("__pycache__", ".pytest_cache", ".hypothesis")]
            found.update(os.path.relpath(os.path.join(under, name), ROOT).replace(os.sep, "/")
                         for name in files if not name.endswith(".pyc"))
        return found


# 1-3: build, twine, the files

def build(work, processes):
    """The sdist and the wheel, built from a copy of the tree (so that no build/ or egg-info is left here)."""
    source, dist = os.path.join(work, "source"), os.path.join(work, "dist")
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    code, out, err = processes.run([sys.executable, "-m", "build", "--outdir", dist, source], timeout=BUILD_TIMEOUT)
    check(code == 0, "python -m build failed:\n" + indented(out + err))
    sdists, wheels = glob.glob(os.path.join(dist, "*.tar.gz")), glob.glob(os.path.join(dist, "*.whl"))
    check(len(sdists) == 1 and len(wheels) == 1, "expected one sdist and one wheel, got %s" % os.listdir(dist))
    for path in sdists + wheels:
        print("    %-45s %7d bytes" % (os.path.basename(path), os.path.getsize(path)))
    return sdists[0], wheels[0]


def twine_check(processes, sdist, wheel):
    code, out, err = processes.run([sys.executable, "-m", "twine", "check", "--strict", sdist, wheel],
                                   env=dict(os.environ, COLUMNS="200", NO_COLOR="1"))
    print(indented(re.sub(r"\x1b\[[0-9;]*m", "", out + err)), end="")
    check(code == 0, "twine check --strict failed")


def package_files():
    """The files setup.py ships besides its modules (package_data: the stubs), as paths in the wheel."""
    return ["%s/%s" % (package, name) for package, names in sorted(setup_keyword("package_data").items())
            for name in names]


def wheel_contents(wheel, files):
    """Checks the wheel's files (files: those besides the .dist-info); returns (version, its entry points)."""
    match = re.match(r"smsc_api-([^-]+)-py2\.py3-none-any\.whl$", os.path.basename(wheel))
    check(match, "%s: not a universal (py2.py3-none-any) wheel of smsc_api" % os.path.basename(wheel))
    version = match.group(1)
    info = "smsc_api-%s.dist-info/" % version
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(info + "METADATA").decode("utf-8")
        entry_points = configparser.ConfigParser(delimiters=("=",))
        entry_points.read_string(archive.read(info + "entry_points.txt").decode("utf-8"))
    expected = set(files)
    expected.update(info + name for name in ("METADATA", "WHEEL", "RECORD", "top_level.txt", "entry_points.txt"))
    check(names == expected, "wheel files: missing %s, stray %s" % (sorted(expected - names), sorted(names - expected)))
    check(re.search(r"^Version: %s$" % re.escape(version), metadata, re.M), "METADATA: no Version: " + version)
    print("    wheel: %s" % ", ".join(sorted(names)))
    return version, entry_points


def sdist_contents(sdist, version, files):
    top = "smsc_api-%s/" % version
    check(os.path.basename(sdist) == "smsc_api-%s.tar.gz" % version, "sdist name: " + os.path.basename(sdist))
    with tarfile.open(sdist) as archive:
        names = set(member.name[len(top):] for member in archive.getmembers() if member.isfile())
        changelog = archive.extractfile(top + "CHANGELOG.md").read().decode("utf-8") \
            if "CHANGELOG.md" in names else ""
    # What MANIFEST.in and setuptools put in (the egg-info aside): a new file at the top needs a line here.
    expected = set(["PKG-INFO", "setup.cfg", "setup.py", "MANIFEST.in", "README.md", "CHANGELOG.md"])
    expected.update(files)
    expected.update(tracked_files("docs"))
    expected.update(tracked_files("tests"))
    egg_info = set(name for name in names if name.startswith("smsc_api.egg-info/"))
    check(names - egg_info == expected,
          "sdist files: missing %s, stray %s" % (sorted(expected - names), sorted(names - egg_info - expected)))
    heading = re.search(r"^## \[%s\]( - .*)?$" % re.escape(version), changelog, re.M)
    check(heading, "CHANGELOG.md has no section  ## [%s] - <date or Unreleased>" % version)
    print("    sdist: %d files (tests: %d); CHANGELOG.md: %s" % (
        len(names), len([name for name in names if name.startswith("tests/")]), heading.group(0)))
    if not re.search(r" - \d{4}-\d\d-\d\d$", heading.group(0)):
        print("    note: CHANGELOG.md gives %s no date yet; a release replaces Unreleased with it" % version)


# 4: a fresh environment per Python

def find_python(version):
    """pythonX.Y from PATH (as .ci/run sets it), else the newest ~/.pyenv/versions/X.Y.*; one that runs."""
    candidates = [shutil.which("python" + version)]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/%s.*/bin/python" % version)),
                         key=lambda path: [int(part) for part in re.findall(r"\d+", path.split("/")[-3])], reverse=True)
    for python in filter(None, candidates):  # a pyenv shim of an unselected version is on PATH but fails
        if subprocess.run([python, "-c", ""], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
            return python
    raise CheckFailed("no working python%s on PATH or in ~/.pyenv/versions" % version)


def clean_environment():
    """The caller's environment without anything that would change what smsc_api or pip does."""
    dropped = re.compile(r"^(SMSC_|SMTP_|PYTHON|PIP_|VIRTUAL_ENV$)|_proxy$", re.I)
    env = dict((name, value) for name, value in os.environ.items() if not dropped.search(name))
    env.update(PIP_CONFIG_FILE=os.devnull,  # nor the machine's pip.conf (its indexes, find-links)
               PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_PYTHON_VERSION_WARNING="1", PYTHONDONTWRITEBYTECODE="1")
    return env


def fresh_environment(work, version, wheel, processes):
    """A virtualenv of that Python with pip alone, the wheel installed from its file; returns its bin dir."""
    python = find_python(version)
    venv = os.path.join(work, "py" + version)
    code, out, err = processes.run([sys.executable, "-m", "virtualenv", "--quiet", "--no-setuptools", "--no-wheel",
                                    "--no-periodic-update", "-p", python, venv], timeout=120)
    check(code == 0, "virtualenv -p %s failed:\n%s" % (python, indented(out + err)))
    bin_dir = os.path.join(venv, "bin")
    env = clean_environment()
    code, out, err = processes.run([os.path.join(bin_dir, "python"), "-m", "pip", "install", "--no-index", wheel],
                                   env=env, cwd=work, timeout=120)
    check(code == 0, "pip install %s failed:\n%s" % (os.path.basename(wheel), indented(out + err)))
    code, out, err = processes.run([os.path.join(bin_dir, "python"), "-m", "pip", "list", "--format=freeze"],
                                   env=env, cwd=work)
    installed = sorted(line.split("==")[0].lower().replace("_", "-") for line in out.split())
    check(installed == ["pip", "smsc-api"], "installed besides pip and smsc_api: %s" % installed)
    print("    %s: %s" % (python, out.split()))
    return bin_dir


def run_installed(processes, bin_dir, argv, expect_code, env=None, lines=None):
    """Runs a command of the environment from its folder (no smsc_api.py there); returns (stdout, stderr).
    Prints the output, its first lines only when lines is given."""
    command = os.path.join(bin_dir, argv[0])
    code, out, err = processes.run([command] + argv[1:], env=env or clean_environment(), cwd=os.path.dirname(bin_dir))
    shown = " ".join(argv if argv[0] != "python" else argv[:2] + ["'%s'" % argv[2]])
    print("  $ %s  -> exit %d" % (shown, code))
    print(indented(out + err, limit=lines), end="")
    check(code == expect_code, "%s: exit %d, expected %d" % (shown, code, expect_code))
    check(SECRET not in out + err, "%s: the password appears in the output" % shown)
    return out, err


def check_imports(processes, bin_dir, version, entry_points):
    """Each module imports from the environment; smsc_api.__version__ is the wheel's."""
    plugins = set(value.split(":")[0].strip() for _, value in entry_points.items("pytest11")) \
        if entry_points.has_section("pytest11") else set()
    modules = [module for module in setup_keyword("py_modules") if module not in plugins]  # plugins need pytest
    script = "import %s, os; print(smsc_api.__version__); print(os.path.dirname(smsc_api.__file__))" % (
        ", ".join(modules))
    out, _ = run_installed(processes, bin_dir, ["python", "-c", script], 0)
    installed_version, folder = out.split()
    check(installed_version == version, "smsc_api.__version__ %s, the wheel says %s" % (installed_version, version))
    check(os.path.realpath(folder).startswith(os.path.realpath(os.path.dirname(bin_dir))),
          "smsc_api imported from %s, not from the environment" % folder)


def check_commands(processes, bin_dir, version):
    for command, words in (("smsc-api", ["balance", "send", "status", "Exit status"]), ("smsc-sandbox", ["demo"])):
        out, _ = run_installed(processes, bin_dir, [command, "--help"], 0, lines=4)
        check(out.startswith("usage: %s " % command),  # the program as it was started (argparse's default prog)
              "%s --help: usage line %r" % (command, out.splitlines()[0] if out else ""))
        check(all(word in out for word in words), "%s --help does not mention %s" % (command, words))
    out, _ = run_installed(processes, bin_dir, ["smsc-sandbox", "demo"], 0, lines=14)
    for shown in ["smsc_api %s against a local SMSC gateway" % version, ">>> smsc.get_balance()",
                  "  wire:    GET /sys/balance.php?login=demo&psw=***&", "  reply:   ", "  returns: ",
                  ">>> smsc.send_sms(", ">>> smsc.get_status(", ">>> smsc.send_sms_mail("]:
        check(shown in out, "smsc-sandbox demo does not show %r" % shown)
    check("demo-password" not in out, "smsc-sandbox demo shows the password")


def start_sandbox(processes, bin_dir):
    """smsc-sandbox in the background on free ports; returns (process, its output lines, its HTTP port)."""
    sandbox = processes.start([os.path.join(bin_dir, "smsc-sandbox"), "--port", "0", "--smtp-port", "0",
                               "--login", "alice", "--password", SECRET], env=clean_environment(), cwd=bin_dir)
    print("  $ smsc-sandbox --port 0 --smtp-port 0 --login alice --password ***  (in the background)")
    lines = queue.Queue()

    def read_lines():
        for line in iter(sandbox.stdout.readline, b""):
            lines.put(line.decode("utf-8", "replace"))
        lines.put(None)  # end of output
    threading.Thread(target=read_lines, daemon=True).start()
    try:
        line = lines.get(timeout=COMMAND_TIMEOUT) or ""
    except queue.Empty:
        line = ""
    print(indented(line), end="")
    listening = re.match(r"HTTP on http://127\.0\.0\.1:(\d+) ", line)
    check(listening, "smsc-sandbox: no 'HTTP on ...' line within %d s (exit %s)" % (COMMAND_TIMEOUT, sandbox.poll()))
    return sandbox, lines, listening.group(1)


def check_against_sandbox(processes, bin_dir):
    """smsc-api reaches smsc-sandbox through http_proxy; exit statuses 0, 1 and 2; then SIGTERM stops it."""
    sandbox, lines, port = start_sandbox(processes, bin_dir)
    # plain HTTP through the sandbox, asked for as users ask for it (the command line's default is HTTPS)
    env = dict(clean_environment(), http_proxy="http://127.0.0.1:%s" % port, SMSC_LOGIN="alice", SMSC_HTTPS="0")
    print("  (smsc-api below: SMSC_LOGIN=alice SMSC_PASSWORD=... SMSC_HTTPS=0 http_proxy=http://127.0.0.1:%s)" % port)
    out, _ = run_installed(processes, bin_dir, ["smsc-api", "balance"], 0, env=dict(env, SMSC_PASSWORD=SECRET))
    check(out == "balance: 100.00\n", "smsc-api balance printed %r" % out)
    _, err = run_installed(processes, bin_dir, ["smsc-api", "balance"], 1, env=dict(env, SMSC_PASSWORD="wrong"))
    check(err.startswith("error 2: "), "smsc-api balance with a wrong password printed %r" % err)
    _, err = run_installed(processes, bin_dir, ["smsc-api", "send"], 2, env=env)
    check(err.startswith("usage: "), "smsc-api send without arguments printed %r" % err)
    _, err = run_installed(processes, bin_dir, ["smsc-api", "send", "79999999999", "Hello", "--format", "14"], 2,
                           env=env, lines=-1)
    check(err.splitlines()[-1] == "smsc-api: error: format must be from 0 to 13, not 14",
          "smsc-api send --format 14 printed %r" % err)
    code = processes.stop(sandbox)
    rest = []
    for line in iter(lambda: lines.get(timeout=COMMAND_TIMEOUT), None):
        rest.append(line)
    print("  (smsc-sandbox stopped by SIGTERM: exit %s)\n%s" % (code, indented("".join(rest))), end="")
    check(code == 0 and rest and rest[-1].strip() == "Stopped.", "smsc-sandbox: exit %s after SIGTERM" % code)
    check(SECRET not in "".join(rest), "smsc-sandbox printed the password")


# 5: the types users' checkers read

def check_stubtest(work, processes, wheel):
    """mypy's stubtest: the stubs and the module of the wheel (installed apart, on PYTHONPATH) agree."""
    target = os.path.join(work, "stubtest")
    code, out, err = processes.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
                                    "--target", target, wheel], env=clean_environment(), cwd=work, timeout=120)
    check(code == 0, "pip install --target %s failed:\n%s" % (target, indented(out + err)))
    code, out, err = processes.run([sys.executable, "-m", "mypy.stubtest", "smsc_api"],
                                   env=dict(clean_environment(), PYTHONPATH=target), cwd=work, timeout=120)
    print("  $ python -m mypy.stubtest smsc_api  -> exit %d\n%s" % (code, indented(out + err, limit=40)), end="")
    check(code == 0, "stubtest: the stubs (smsc_api-stubs) and the module disagree")


def marked_errors(path):
    """The numbers of the lines of a user's file marked "# error:", which type checkers must flag."""
    with open(path, encoding="utf-8") as handle:
        return [n for n, line in enumerate(handle, 1) if "  # error: " in line]


def check_users_types(work, processes, bin_dir):
    """mypy --strict and pyright on tests/typing/users_code.py, alone in a folder, reading the environment bin_dir
    (the wheel alone): they flag exactly its lines marked "# error:"."""
    folder = os.path.join(work, "user")
    os.makedirs(folder)
    shutil.copy(os.path.join(ROOT, "tests", "typing", "users_code.py"), folder)
    expected = marked_errors(os.path.join(folder, "users_code.py"))
    python = os.path.join(bin_dir, "python")
    env = dict((name, value) for name, value in clean_environment().items() if not name.startswith("MYPY"))
    env["PYRIGHT_PYTHON_IGNORE_WARNINGS"] = "1"  # no look-up of newer pyright releases
    for name, argv, error in (
            ("mypy", ["-m", "mypy", "--strict", "--no-color-output", "--python-executable", python],
             r"^users_code\.py:(\d+): error: "),
            ("pyright", ["-m", "pyright", "--pythonpath", python], r"users_code\.py:(\d+):\d+ - error: ")):
        code, out, err = processes.run([sys.executable] + argv + ["users_code.py"], env=env, cwd=folder, timeout=180)
        print("  $ %s users_code.py  -> exit %d\n%s" % (" ".join([name] + argv[2:]), code, indented(out + err)),
              end="")
        flagged = sorted(set(int(line) for line in re.findall(error, out, re.M)))
        check(code == 1 and flagged == expected, "%s flagged the lines %s of users_code.py, not %s (exit %d)" % (
            name, flagged, expected, code))


def check_release(work, processes, pythons):
    modules = setup_keyword("py_modules")
    step("build (sdist, then the wheel from it)")
    sdist, wheel = build(work, processes)
    step("twine check --strict")
    twine_check(processes, sdist, wheel)
    step("files")
    files = [module + ".py" for module in modules] + package_files()
    version, entry_points = wheel_contents(wheel, files)
    sdist_contents(sdist, version, files)
    typed = None  # the environment of the first Python 3: its types are checked
    for python in pythons:
        step("Python %s: a fresh environment with the wheel alone" % python)
        bin_dir = fresh_environment(work, python, wheel, processes)
        check_imports(processes, bin_dir, version, entry_points)
        check_commands(processes, bin_dir, version)
        check_against_sandbox(processes, bin_dir)
        typed = typed or (bin_dir if not python.startswith("2.") else None)
    check(typed, "no Python 3 among %s: the types are checked with one" % pythons)
    step("types: stubtest, then a user's code checked against the fresh Python 3 environment")
    check_stubtest(work, processes, wheel)
    check_users_types(work, processes, typed)
    return sdist, wheel


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", metavar="DIR", help="copy the checked sdist and wheel to DIR")
    parser.add_argument("--pythons", default="2.7,3.13", help="versions to install into (default 2.7,3.13)")
    args = parser.parse_args(argv)
    # SIGTERM (tox, CI) unwinds like Ctrl-C, so that the finally clauses below run.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    started = time.time()
    processes = Processes()
    work = tempfile.mkdtemp(prefix="smsc_api-release-")
    try:
        sdist, wheel = check_release(work, processes, args.pythons.split(","))
        if args.keep:
            os.makedirs(args.keep, exist_ok=True)
            for path in (sdist, wheel):
                shutil.copy(path, args.keep)
            step("kept in %s: %s, %s" % (args.keep, os.path.basename(sdist), os.path.basename(wheel)))
    except CheckFailed as failure:
        print("FAILED: %s" % failure, flush=True)
        return 1
    finally:
        processes.stop_all()
        shutil.rmtree(work, ignore_errors=True)
    step("release check passed in %.0f s" % (time.time() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
