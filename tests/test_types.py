# -*- coding: utf-8 -*-
"""The types users' checkers read (issues 13, 20): `mypy --strict` passes on the module, passes correct code of a
user (tests/typing/users_code.py) and catches its misuses, through the module's type comments.

mypy runs in the typecheck environment (tox -e typecheck); elsewhere these tests are skipped, saying so.
"""
import io
import os
import subprocess
import sys

import pytest

from helpers import ROOT, TESTS, environment

pytest.importorskip("mypy", reason="mypy runs in the typecheck environment (tox -e typecheck)")

USERS_CODE = os.path.join(TESTS, "typing", "users_code.py")


def mypy(*arguments):
    """(exit status, output lines) of mypy --strict, the checkout first on its path (as a copied file is)."""
    process = subprocess.Popen([sys.executable, "-m", "mypy", "--strict", "--no-color-output",
                                "--no-error-summary"] + list(arguments),
                               env=environment(MYPYPATH=ROOT), stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    out, err = process.communicate()
    return process.returncode, out.decode("utf-8").splitlines(), err.decode("utf-8")


def test_the_module_passes_mypy_strict():
    assert mypy("smsc_api.py") == (0, [], "")


def marked_errors(path):
    """The numbers of the lines of a user's file marked "# error:", which type checkers must flag."""
    with io.open(path, encoding="utf-8") as handle:
        return [n for n, line in enumerate(handle, 1) if "  # error: " in line]


def test_mypy_passes_correct_2_0_and_async_code_and_catches_a_float_sender_and_a_balance_that_may_be_false():
    code, lines, err = mypy(USERS_CODE)
    errors = [line.split(os.sep)[-1] for line in lines if ": error: " in line]
    sender, balance = marked_errors(USERS_CODE)
    assert (code, err) == (1, "")
    assert errors == [
        'users_code.py:%d: error: Argument "sender" to "send_sms" of "SMSC" has incompatible type "float"; expected '
        '"str | bytes | int | None"  [arg-type]' % sender,
        'users_code.py:%d: error: Unsupported operand types for + ("str" and "int")  [operator]' % balance]
