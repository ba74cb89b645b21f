# -*- coding: utf-8 -*-
"""Properties of the wire over the loopback gateway (hypothesis; Python 3 only; the examples: test_wire.py).

- Whatever text (any code point but surrogates) or bytes is passed as phones, message or
  sender, the gateway percent-decodes exactly that (UTF-8), by GET and by POST, on both sides
  of the 2000-character POST threshold; the rest of the query is fixed.
- Whatever the gateway replies, every method returns a list of str (get_balance: a str or
  False), never raises, and loses or invents no character of the reply.
"""
import pytest

from helpers import MIRRORS, characters_but_surrogates
from servers import Reply

pytest.importorskip("hypothesis", reason="hypothesis supports Python 3 only: the properties run on Python 3")

from urllib.parse import unquote_to_bytes  # noqa: E402 (Python 3 only: after the skip)

from hypothesis import HealthCheck, example, given, settings  # noqa: E402 (Python 3 only: after the skip)
from hypothesis import strategies as st  # noqa: E402 (Python 3 only: after the skip)

PROPERTY = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

CHARS = characters_but_surrogates()  # UTF-8 can encode each
TEXT = st.text(CHARS)
# Long text cheaply: a piece repeated, quoted to 1-12 characters per code point, so the
# argument string is sometimes under and sometimes over the 2000 characters that force POST.
LONG_TEXT = st.builds(lambda head, piece, times: head + piece * times,
                      TEXT, st.text(CHARS, min_size=1, max_size=4), st.integers(50, 700))
MESSAGES = st.one_of(TEXT, LONG_TEXT)

LOGIN, PASSWORD = "alice", "fake-pw"
PREFIX = [(b"login", LOGIN), (b"psw", PASSWORD), (b"fmt", "1"), (b"charset", "utf-8")]
# send_sms("", message, sender=""): the argument string is this long plus the message.
SEND_SMS_ARG = len("login=alice&psw=fake-pw&fmt=1&charset=utf-8&cost=3&phones=&mes=&translit=0&id=0&sender=")
AT_THRESHOLD, OVER_THRESHOLD = "x" * (2000 - SEND_SMS_ARG), "x" * (2001 - SEND_SMS_ARG)


def start(smsc, loopback, post, reply=b"1,1"):
    """Per example: constants set, requests and connections recorded so far dropped."""
    smsc.SMSC_LOGIN, smsc.SMSC_PASSWORD, smsc.SMSC_CHARSET = LOGIN, PASSWORD, "utf-8"
    smsc.SMSC_POST, smsc.SMSC_DEBUG, smsc.SMSC_HTTPS = post, False, False
    loopback.clear()
    loopback.http.default = Reply(reply)


def sent(loopback, path, post):
    """The one request made: its query as (name, percent-decoded bytes) pairs, in order."""
    assert len(loopback.requests) == 1
    request = loopback.requests[0]
    query = request.query
    # POST when SMSC_POST is set or the argument string is over 2000 characters
    if post or len(query) > 2000:
        assert request.request_line == b"POST " + path + b" HTTP/1.1"
        assert request.header("Content-Length") == str(len(query)).encode("ascii")
    else:
        assert request.request_line == b"GET " + path + b"?" + query + b" HTTP/1.1"
        assert request.body == b""
    assert request.asked == ("smscentre.com", 80)
    pairs = [item.split(b"=", 1) for item in query.split(b"&")]
    assert all(len(pair) == 2 for pair in pairs)
    return [(name, unquote_to_bytes(value)) for name, value in pairs]


def as_text(pairs):
    return [(name, value.decode("utf-8")) for name, value in pairs]


# What is sent arrives as it was given

@pytest.mark.parametrize("post", [False, True], ids=["get", "post"])
@PROPERTY
@given(phones=TEXT, message=MESSAGES, sender=TEXT)
@example(phones="", message=AT_THRESHOLD, sender="")
@example(phones="", message=OVER_THRESHOLD, sender="")
@example(phones="7999&id=1", message="a=b&c=%41+/?#\n\r\0", sender="x&y=z")
def test_send_sms_text_arrives_as_given(smsc, loopback, post, phones, message, sender):
    start(smsc, loopback, post)
    assert smsc.SMSC().send_sms(phones, message, sender=sender) == ["1", "1"]
    pairs = sent(loopback, b"/sys/send.php", post)
    assert as_text(pairs) == PREFIX + [(b"cost", "3"), (b"phones", phones), (b"mes", message),
                                       (b"translit", "0"), (b"id", "0"), (b"sender", sender)]


def test_post_threshold_examples_are_on_both_sides(smsc, loopback):
    for message, method in ((AT_THRESHOLD, b"GET"), (OVER_THRESHOLD, b"POST")):
        start(smsc, loopback, post=False)
        smsc.SMSC().send_sms("", message, sender="")
        assert loopback.requests[0].method == method
        assert len(loopback.requests[0].query) == len(message) + SEND_SMS_ARG


@pytest.mark.parametrize("post", [False, True], ids=["get", "post"])
@PROPERTY
@given(phones=TEXT, message=MESSAGES, sender=TEXT)
def test_get_sms_cost_text_arrives_as_given(smsc, loopback, post, phones, message, sender):
    start(smsc, loopback, post)
    assert smsc.SMSC().get_sms_cost(phones, message, sender=sender) == ["1", "1"]
    pairs = sent(loopback, b"/sys/send.php", post)
    assert as_text(pairs) == PREFIX + [(b"cost", "1"), (b"phones", phones), (b"mes", message),
                                       (b"sender", sender), (b"translit", "0")]


@pytest.mark.parametrize("post", [False, True], ids=["get", "post"])
@PROPERTY
@given(phone=st.one_of(TEXT, LONG_TEXT))
def test_get_status_phone_arrives_as_given(smsc, loopback, post, phone):
    start(smsc, loopback, post)
    assert smsc.SMSC().get_status(12345, phone) == ["1", "1"]
    pairs = sent(loopback, b"/sys/status.php", post)
    assert as_text(pairs) == PREFIX + [(b"phone", phone), (b"id", "12345"), (b"all", "0")]


BYTES = st.one_of(st.binary(), st.builds(lambda piece, times: piece * times,
                                         st.binary(min_size=1, max_size=4), st.integers(100, 800)))


@pytest.mark.parametrize("post", [False, True], ids=["get", "post"])
@PROPERTY
@given(phones=st.binary(), message=BYTES)
@example(phones=b"\xff&=", message=b"\x00%25\xd0\xbf\xfe")
def test_bytes_arrive_as_given(smsc, loopback, post, phones, message):
    prefix = [(name, value.encode("ascii")) for name, value in PREFIX]
    client = smsc.SMSC()
    start(smsc, loopback, post)
    assert client.send_sms(phones, message) == ["1", "1"]
    assert sent(loopback, b"/sys/send.php", post) == prefix + [(b"cost", b"3"), (b"phones", phones), (b"mes", message),
                                                               (b"translit", b"0"), (b"id", b"0")]
    start(smsc, loopback, post)
    assert client.get_sms_cost(phones, message) == ["1", "1"]
    assert sent(loopback, b"/sys/send.php", post) == prefix + [(b"cost", b"1"), (b"phones", phones), (b"mes", message),
                                                               (b"translit", b"0")]
    start(smsc, loopback, post)
    assert client.get_status(1, phones) == ["1", "1"]
    assert sent(loopback, b"/sys/status.php", post) == prefix + [(b"phone", phones), (b"id", b"1"), (b"all", b"0")]


# Whatever the gateway replies: a list of str, no exception, no character lost

FIELDS = st.one_of(TEXT, st.sampled_from(["HLR", "0", "-1", "-3", "1561977123", "1.5", ""]),
                   st.integers(-10, 2 ** 40).map(str))
STRUCTURED = st.lists(FIELDS, max_size=20).map(lambda fields: ",".join(fields).encode("utf-8"))
REPLIES = st.one_of(st.binary(), STRUCTURED)
FOURTEEN_FIELDS = b"1,1561977123,0,1561977000,79999999999,1.5,sms,Delivered,a,b,c,d,e,f"

CALLS = [
    pytest.param("send_sms", lambda client: client.send_sms("79999999999", "hi"), id="send_sms"),
    pytest.param("get_sms_cost", lambda client: client.get_sms_cost("79999999999", "hi"), id="get_sms_cost"),
    pytest.param("get_status", lambda client: client.get_status(1, "79999999999", all=0), id="get_status-all0"),
    pytest.param("get_status", lambda client: client.get_status(1, "79999999999", all=1), id="get_status-all1"),
    pytest.param("get_status", lambda client: client.get_status(1, "79999999999", all=2), id="get_status-all2"),
    pytest.param("get_balance", lambda client: client.get_balance(), id="get_balance"),
]


def check_reply(smsc, loopback, method, call, body):
    start(smsc, loopback, post=False, reply=body)
    result = call(smsc.SMSC())
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    # A reply that is empty or not UTF-8 is a failed attempt: the next host, five in all,
    # then the fictitious ",".
    if text:
        assert loopback.hosts == MIRRORS[:1]
    else:
        assert loopback.hosts == MIRRORS
        text = ","
    if method == "get_balance":
        assert result == (False if "," in text else text)
        assert type(result) is bool or type(result) is str
    else:
        assert type(result) is list and all(type(field) is str for field in result)
        assert ",".join(result) == text
        if method != "get_status":
            assert result == text.split(",")


@pytest.mark.parametrize("method,call", CALLS)
@PROPERTY
@given(body=REPLIES)
@example(body=FOURTEEN_FIELDS)
@example(body=b"1,1561977123,0,1561977000,79999999999,1.5,sms,Delivered,Hello, world, again")
@example(body=b"1,1561977123,0,250013900000000,79000000000,7,1,Russia,MTS,,,HLR,x,y,z")
@example(body=b"1,2,3,4,5,6,7,8,9,10,11,12,13,14,HLR,16,17,HLR")
@example(body=b"")
@example(body=b"\xff,\xfe")
def test_any_reply_gives_strings_and_never_raises(smsc, loopback, method, call, body):
    check_reply(smsc, loopback, method, call, body)
