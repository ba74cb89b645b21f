# -*- coding: utf-8 -*-
"""AsyncSMSC as every interpreter sees it (issue 20): import smsc_api loads nothing for it, `from smsc_api import *`
does not give it, Python 2.7 and 3.6 say it needs 3.7, and its own argument is checked.

Its behaviour under asyncio is tests/test_async.py (Python 3.7+).
"""
import sys

import pytest

from helpers import run_app


def test_import_loads_nothing_for_async_code():
    code = ("import sys; before = set(sys.modules); import smsc_api; "
            "print(sorted(m for m in ('asyncio', 'concurrent.futures', 'contextvars', 'typing') "
            "if m in set(sys.modules) - before))")
    assert run_app(code) == (0, "[]\n", "")


def test_star_import_does_not_give_it(smsc):
    namespace = {}
    exec("from smsc_api import *", namespace)
    assert "SMSC" in namespace and "AsyncSMSC" not in namespace and smsc.AsyncSMSC.__module__ == "smsc_api"


@pytest.mark.skipif(sys.version_info >= (3, 7), reason="AsyncSMSC works from Python 3.7 (tests/test_async.py)")
def test_python_before_3_7_is_told_it_needs_3_7(smsc):
    with pytest.raises(RuntimeError) as error:
        smsc.AsyncSMSC("alice", "secret")
    assert str(error.value) == ("AsyncSMSC needs Python 3.7 or later (asyncio), not %d.%d: call SMSC's methods "
                                "in threads of your own" % sys.version_info[:2])


@pytest.mark.skipif(sys.version_info < (3, 7), reason="AsyncSMSC needs Python 3.7")
@pytest.mark.parametrize("value,error,message", [
    ("8", TypeError, "AsyncSMSC(max_workers=...) must be an int, not '8'"),
    (2.0, TypeError, "AsyncSMSC(max_workers=...) must be an int, not 2.0"),
    (True, TypeError, "AsyncSMSC(max_workers=...) must be an int, not True"),
    (None, TypeError, "AsyncSMSC(max_workers=...) must be an int, not None"),
    (0, ValueError, "AsyncSMSC(max_workers=...) must be at least 1, not 0"),
    (-1, ValueError, "AsyncSMSC(max_workers=...) must be at least 1, not -1"),
])
def test_max_workers_must_be_an_int_of_at_least_1(smsc, value, error, message):
    with pytest.raises(error) as raised:
        smsc.AsyncSMSC("alice", "secret", max_workers=value)
    assert str(raised.value) == message
