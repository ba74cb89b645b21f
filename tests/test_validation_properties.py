# -*- coding: utf-8 -*-
"""Property (hypothesis; Python 3): no value of id, translit, all, format, sender or time can add
or change a parameter of the request (issue 10).

Whatever the values, either the call raises TypeError, ValueError or IndexError before any
connection, or the one request sent has exactly the parameters the method sends, in its order,
the fixed ones unchanged, and id, translit and all sent as the digits they were given.
"""
import pytest

from helpers import characters_but_surrogates
from servers import Reply

pytest.importorskip("hypothesis", reason="hypothesis supports Python 3 only: the properties run on Python 3")

from urllib.parse import unquote_to_bytes  # noqa: E402 (Python 3 only: after the skip)

from hypothesis import HealthCheck, example, given, settings  # noqa: E402 (Python 3 only: after the skip)
from hypothesis import strategies as st  # noqa: E402 (Python 3 only: after the skip)

PROPERTY = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
TEXT = st.text(characters_but_surrogates(), max_size=12)
TRICKS = st.sampled_from(["5&phones=70000000000", "0&mes=changed", "1&all=2", "1,2", "12", "13", "14", "0", "",
                          "007", "new", "&", "=", "%26", "1\n", " 1", "1 ", "-1", "+1", u"\u0661", "1:2",
                          "order-17", "A.b_c", "1, 2", "x" * 41, "a b", "a%20b", "a+b", "a#b", "a?b"])
ANY = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT, st.binary(max_size=12), TRICKS,
                TRICKS.map(lambda text: text.encode("utf-8")), st.integers(0, 20).map(str),
                st.lists(st.integers(0, 9), max_size=2))
FORMAT_FLAGS = [None, "flash", "push", "hlr", "bin", "bin", "ping", "mms", "mail", "call", "viber", "soc", "", "tg"]
FIXED = [("login", b"alice"), ("psw", b"secret"), ("fmt", b"1"), ("charset", b"utf-8")]


def sent(smsc, loopback, call):
    """None if call raised before any connection; else the request's parameters as (name, decoded bytes)."""
    smsc.SMSC_LOGIN, smsc.SMSC_PASSWORD, smsc.SMSC_POST = "alice", "secret", False
    loopback.http.default = Reply(b"1,1")
    loopback.clear()
    try:
        call(smsc.SMSC())
    except (TypeError, ValueError, IndexError):
        assert loopback.intercept.connections == []
        return None
    request, = loopback.requests
    return [(name.decode("ascii"), unquote_to_bytes(value))
            for name, _, value in (item.partition(b"=") for item in request.query.split(b"&"))]


WHITESPACE = b" \t\r\n\x0b\x0c"


def digits(value):
    """What id, translit and all send: str() of an int (or of what is not text, as 2.0 sent it), or the characters
    as they were given, trailing whitespace too; get_status's ids given as a list: each without it, separated by
    commas."""
    if isinstance(value, list):
        return b",".join(digits(item).rstrip(WHITESPACE) for item in value)
    return value if isinstance(value, bytes) else str(value).encode("ascii")


def url_end(expected, params):
    """expected, its last value without trailing whitespace when it is the request's last (urllib cut it off the
    URL's end)."""
    if len(expected) != len(params):
        return expected
    name, value = expected[-1]
    return expected[:-1] + [(name, value.rstrip(WHITESPACE))]


def format_flag(format):
    flag = FORMAT_FLAGS[int(format) if isinstance(format, bool) else int(digits(format))]
    return [] if flag is None else [(flag, b"" if flag == "" else b"2" if format in (5, "5", b"5") else b"1")]


def has_sender(sender):
    return not (sender is None or sender == False)  # noqa: E712 (2.0's test)


@PROPERTY
@given(id=ANY, translit=ANY, format=ANY, sender=ANY, time=ANY)
@example(id="5&phones=70000000000", translit=0, format=0, sender=False, time="")
@example(id=0, translit="0&mes=changed", format=0, sender=None, time=None)
@example(id=0, translit=0, format=True, sender=0, time=0)
@example(id="1", translit="2", format="12", sender="a&b=c", time="+5&id=1")
@example(id="order-17 ", translit="1\t", format=0, sender="Shop", time="")  # padding inside the URL: kept
@example(id="order-17\n", translit=0, format=0, sender=None, time=None)     # at its end: cut
def test_send_sms_parameters(smsc, loopback, id, translit, format, sender, time):
    params = sent(smsc, loopback, lambda c: c.send_sms("79999999999", "hi", translit=translit, time=time, id=id,
                                                       format=format, sender=sender))
    if params is None:
        return
    expected = FIXED + [("cost", b"3"), ("phones", b"79999999999"), ("mes", b"hi"), ("translit", digits(translit)),
                        ("id", digits(id))] + format_flag(format)
    expected = url_end(expected, params)
    names = [name for name, value in expected]
    names += ["sender"] if has_sender(sender) else []
    names += ["time"] if time else []
    assert [name for name, value in params] == names
    assert params[:len(expected)] == expected


@PROPERTY
@given(translit=ANY, format=ANY, sender=ANY)
@example(translit="0&phones=70000000000", format=0, sender=False)
@example(translit="2 ", format=1, sender=False)
def test_get_sms_cost_parameters(smsc, loopback, translit, format, sender):
    params = sent(smsc, loopback, lambda c: c.get_sms_cost("79999999999", "hi", translit=translit, format=format,
                                                           sender=sender))
    if params is None:
        return
    names = ["login", "psw", "fmt", "charset", "cost", "phones", "mes"] + (["sender"] if has_sender(sender) else [])
    expected = [("translit", digits(translit))] + format_flag(format)
    assert [name for name, value in params] == names + [name for name, value in expected]
    assert params[:7] == FIXED + [("cost", b"1"), ("phones", b"79999999999"), ("mes", b"hi")]
    assert params[len(names):] == url_end(FIXED + [("cost", b"1"), ("phones", b"79999999999"), ("mes", b"hi")] + (
        [("sender", None)] if has_sender(sender) else []) + expected, params)[len(names):]


@PROPERTY
@given(id=ANY, all=ANY)
@example(id="1&phone=70000000000", all=0)
@example(id="1,2,3", all="0&id=2")
@example(id="101 ", all="1 ")
@example(id=["101 ", "order-17\t"], all=0)
def test_get_status_parameters(smsc, loopback, id, all):
    params = sent(smsc, loopback, lambda c: c.get_status(id, "79999999999", all=all))
    if params is None:
        return
    assert params == url_end(FIXED + [("phone", b"79999999999"), ("id", digits(id)), ("all", digits(all))], params)
