# -*- coding: utf-8 -*-
"""The stubs installed with the package (smsc_api-stubs/__init__.pyi, issue 20) are what smsc_api.py's type comments
give: .ci/make_stubs.py writes them, and regenerating gives the committed file byte for byte, so that the two never
drift apart. (The release check runs mypy's stubtest on the installed wheel: the stubs and the module agree.)
"""
import io
import os
import subprocess
import sys

import pytest

from helpers import ROOT, environment

MAKE_STUBS = os.path.join(ROOT, ".ci", "make_stubs.py")
STUB = os.path.join(ROOT, "smsc_api-stubs", "__init__.pyi")

pytestmark = [
    pytest.mark.skipif(sys.version_info < (3, 8), reason=".ci/make_stubs.py reads type comments with Python 3.8's ast"),
    pytest.mark.skipif(not os.path.exists(MAKE_STUBS), reason="the sdist holds the stubs, not .ci/make_stubs.py"),
]


def make_stubs(*arguments):
    """(exit status, output) of python .ci/make_stubs.py arguments."""
    process = subprocess.Popen([sys.executable, MAKE_STUBS] + list(arguments), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, env=environment(), cwd=ROOT)
    out = process.communicate()[0]
    return process.returncode, out.decode("utf-8")


def committed():
    with io.open(STUB, encoding="utf-8", newline="") as handle:
        return handle.read()


def test_regenerating_the_stubs_gives_the_committed_file_byte_for_byte(tmpdir):
    written = str(tmpdir.join("__init__.pyi"))
    assert make_stubs("--stub", written) == (0, "wrote %s\n" % written)
    with io.open(written, encoding="utf-8", newline="") as handle:
        assert handle.read() == committed()
    assert make_stubs("--check") == (0, "")


def test_check_says_when_the_stubs_are_out_of_date(tmpdir):
    stale = tmpdir.join("__init__.pyi")
    stale.write_text(committed().replace("def get_balance(self)", "def get_balanc(self)"), "utf-8")
    assert make_stubs("--check", "--stub", str(stale)) == (
        1, "%s is not what smsc_api.py's type comments give: run python .ci/make_stubs.py\n" % stale)


def test_the_typed_constructors_take_every_setting_in_order(smsc):
    # SMSC binds its settings itself (*args, **kwargs at run time): a setting added to _SETTINGS but not to the
    # typed signatures would be missing for type checkers; stubtest cannot see it
    import ast
    classes = dict((node.name, node) for node in ast.parse(committed()).body if isinstance(node, ast.ClassDef))
    settings = [name for name, constant, kind in smsc._SETTINGS]
    for name, more in (("SMSC", []), ("AsyncSMSC", ["max_workers"])):
        init, = [node for node in classes[name].body if isinstance(node, ast.FunctionDef) and node.name == "__init__"]
        assert [argument.arg for argument in init.args.args] == ["self"] + settings + more, name
