# -*- coding: utf-8 -*-
"""The cost of `import smsc_api` against `import smsc_api_20` (the official 2.0), in fresh interpreters.

    python bench/bench_import.py [rounds]

Each case starts the running Python anew (-S is not used: site loads as in an application) and imports
one module from a directory of its own; a bare interpreter (`pass`) is timed alongside, and a case's
cost is its time minus the bare interpreter's in the same round. Two ways an application meets the
file:
- compiled: the .pyc is there (a normal install, or any second run);
- not compiled: no .pyc can be used (PYTHONDONTWRITEBYTECODE=1, as many Docker images set, or a
  read-only directory): the file is compiled at each start.
Cases are interleaved in rounds whose order turns; a ratio is the median over rounds of the two
costs' ratio in the same round. Also printed: the modules each import loads that a bare interpreter
does not (the same set for both is the target; argparse, json, logging and typing must not be there).
Target: compiled, at most 1.10 x 2.0's cost.
"""
from __future__ import print_function

import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULES = {"smsc_api": os.path.join(ROOT, "smsc_api.py"),
           "smsc_api_20": os.path.join(ROOT, "tests", "legacy", "smsc_api_20.py")}
LOADED = "import sys; before = set(sys.modules); import %s; print(' '.join(sorted(set(sys.modules) - before)))"


def start(code, directory, compiled):
    """Seconds from start to exit of a fresh interpreter running code with directory on its path."""
    env = dict(os.environ, PYTHONPATH=directory)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    flags = [] if compiled else ["-B"]
    began = time.time()
    subprocess.check_call([sys.executable] + flags + ["-c", code], env=env, cwd=directory)  # not ours: -c
    # puts the working directory first on the path
    return time.time() - began


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def main(rounds):
    directory = tempfile.mkdtemp(prefix="smsc-bench-import-")
    try:
        paths = {}  # (name, compiled): a directory holding the module, with its .pyc or without any
        for name, source in MODULES.items():
            for compiled in (True, False):
                paths[name, compiled] = os.path.join(directory, "%s-%s" % (name, compiled))
                os.mkdir(paths[name, compiled])
                shutil.copy(source, paths[name, compiled])
            start("import %s" % name, paths[name, True], compiled=True)  # writes the .pyc, once
        costs = dict((case, []) for case in paths)
        for round in range(rounds):
            order = sorted(costs) if round % 2 else sorted(costs, reverse=True)
            for name, compiled in order:
                bare = start("pass", paths[name, compiled], compiled)
                costs[name, compiled].append(start("import %s" % name, paths[name, compiled], compiled) - bare)
        loaded = dict((name, subprocess.check_output(
            [sys.executable, "-c", LOADED % name], cwd=paths[name, True]).decode().split())
            for name in MODULES)
    finally:
        shutil.rmtree(directory)

    print("Python %s, %d rounds; the cost of the import above a bare interpreter (median):"
          % (sys.version.split()[0], rounds))
    ratios = {}
    for compiled in (True, False):
        ours, theirs = costs["smsc_api", compiled], costs["smsc_api_20", compiled]
        ratios[compiled] = median([a / b for a, b in zip(ours, theirs) if b > 0])
        print("  %-13s smsc_api %6.1f ms   2.0 %6.1f ms   ratio %.2f%s" % (
            "compiled" if compiled else "not compiled", median(ours) * 1000, median(theirs) * 1000,
            ratios[compiled], "  (target <= 1.10)  %s" % ("ok" if ratios[True] <= 1.10 else "OVER")
            if compiled else ""))
    extra = sorted(set(loaded["smsc_api"]) - set(loaded["smsc_api_20"]) - {"smsc_api", "smsc_api_20"})
    print("  modules smsc_api loads that 2.0 does not: %s" % (", ".join(extra) or "none"))
    return 0 if ratios[True] <= 1.10 and not extra else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 21))
