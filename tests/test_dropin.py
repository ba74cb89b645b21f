# -*- coding: utf-8 -*-
"""Drop-in: the names, signatures and defaults of 2.0, and what 2.0 code does with them.

The side-by-side tests run the official 2.0 module (tests/legacy/smsc_api_20.py) and ours
against the same loopback gateway and compare every byte sent, every value returned and
every line printed, on the interpreter running the suite.
"""
import pytest
import six

import smsc_api_20
from helpers import GET, MIRRORS, argspec, outcome
from servers import Drop, Reply


def star_names(module):
    namespace = {}
    exec("from %s import *" % module.__name__, namespace)
    namespace.pop("__builtins__")
    return namespace


# Names, defaults, signatures

def test_star_import_gives_every_name_of_2_0_bound_to_the_same_objects(smsc):
    ours, theirs = star_names(smsc), star_names(smsc_api_20)
    assert sorted(theirs) == sorted(['SMSC', 'SMSC_CHARSET', 'SMSC_DEBUG', 'SMSC_HTTPS', 'SMSC_LOGIN',
                                     'SMSC_PASSWORD', 'SMSC_POST', 'SMTP_FROM', 'SMTP_LOGIN',
                                     'SMTP_PASSWORD', 'SMTP_SERVER', 'datetime', 'ifs', 'quote',
                                     'sleep', 'smtplib', 'urlopen'])
    assert sorted(ours) == sorted(list(theirs) + ["SMSC_HOST", "SMSC_TIMEOUT", "SMSC_CONNECT_TIMEOUT",
                                                  "SMSC_KEEPALIVE"])  # the new names
    for name in ("datetime", "sleep", "smtplib", "urlopen", "quote"):
        assert ours[name] is theirs[name], name
    import datetime
    assert ours["datetime"] is datetime.datetime
    assert ours["datetime"].now().year >= 2019


def test_python_2_keeps_the_legacy_urllib_functions(smsc):
    if six.PY2:
        import urllib
        assert smsc.urlopen is urllib.urlopen and smsc.quote is urllib.quote
    else:
        import urllib.parse
        import urllib.request
        assert smsc.urlopen is urllib.request.urlopen and smsc.quote is urllib.parse.quote


def test_constants_have_the_defaults_of_2_0(smsc):
    for name in ("SMSC_LOGIN", "SMSC_PASSWORD", "SMSC_POST", "SMSC_HTTPS", "SMSC_CHARSET",
                 "SMSC_DEBUG", "SMTP_FROM", "SMTP_SERVER", "SMTP_LOGIN", "SMTP_PASSWORD"):
        assert getattr(smsc, name) == getattr(smsc_api_20, name), name
        assert type(getattr(smsc, name)) is type(getattr(smsc_api_20, name)), name
    assert (smsc.SMSC_LOGIN, smsc.SMSC_PASSWORD, smsc.SMSC_POST, smsc.SMSC_HTTPS) == ("", "", False, False)
    assert (smsc.SMSC_CHARSET, smsc.SMSC_DEBUG) == ("utf-8", False)
    assert (smsc.SMTP_FROM, smsc.SMTP_SERVER) == ("api@smscentre.com", "send.smscentre.com")
    assert (smsc.SMTP_LOGIN, smsc.SMTP_PASSWORD) == ("", "")


@pytest.mark.parametrize("method", ["send_sms", "send_sms_mail", "get_sms_cost", "get_status",
                                    "get_balance", "_smsc_send_cmd"])
def test_methods_have_the_signatures_of_2_0(smsc, method):
    ours, theirs = argspec(getattr(smsc.SMSC, method)), argspec(getattr(smsc_api_20.SMSC, method))
    if method == "send_sms":  # one more optional parameter, last: files=None
        assert ours[0][-1] == "files" and ours[3][-1] is None
        ours = (ours[0][:-1], ours[1], ours[2], ours[3][:-1])
    assert ours == theirs


def test_signatures_spelled_out(smsc):
    assert argspec(smsc.SMSC.send_sms) == (
        ["self", "phones", "message", "translit", "time", "id", "format", "sender", "query", "files"],
        None, None, (0, "", 0, 0, False, "", None))
    assert argspec(smsc.SMSC.send_sms_mail) == (
        ["self", "phones", "message", "translit", "time", "id", "format", "sender"],
        None, None, (0, "", 0, 0, ""))
    assert argspec(smsc.SMSC.get_sms_cost) == (
        ["self", "phones", "message", "translit", "format", "sender", "query"], None, None, (0, 0, False, ""))
    assert argspec(smsc.SMSC.get_status) == (["self", "id", "phone", "all"], None, None, (0,))
    assert argspec(smsc.SMSC.get_balance) == (["self"], None, None, None)
    assert argspec(smsc.SMSC._smsc_send_cmd) == (["self", "cmd", "arg"], None, None, ("",))


def test_ifs_returns_the_chosen_value(smsc):
    assert smsc.ifs(1, "a", "b") == "a" and smsc.ifs("", "a", "b") == "b" and smsc.ifs(0, 1, None) is None


def test_smsc_takes_no_argument_and_is_an_object(smsc):
    client = smsc.SMSC()
    # a new-style class, as 2.0's `class SMSC(object)`: on Python 2 a classic class would be a classobj
    assert type(smsc.SMSC) is type(smsc_api_20.SMSC) is type
    assert type(client) is smsc.SMSC


# The cmd and arg each public method hands to _smsc_send_cmd

class Recorder(object):
    """Subclass hook as users write it: override _smsc_send_cmd to log, then answer."""

    def __init__(self, module, reply):
        calls = self.calls = []

        class Logged(module.SMSC):
            def _smsc_send_cmd(self, cmd, arg=""):
                calls.append((cmd, arg))
                return reply.split(",")
        self.client = Logged()


CALLS = [
    ("send_sms", ("79999999999", "test"), {}),
    ("send_sms", ("79999999999", "test"), {"sender": "sms"}),
    ("send_sms", ("79999999999,79999999998", "http://smscentre.com\nSMSCENTRE.COM"), {"query": "maxsms=3"}),
    ("send_sms", ("79999999999", "0605040B8423F0DC06"), {"format": 5}),
    ("send_sms", ("79999999999", ""), {"format": 3}),
    ("send_sms", ("79999999999", "x y&z=1"), {"translit": 2, "time": "0101251200", "id": "12",
                                              "format": 13, "sender": "", "query": "valid=01:00&maxsms=3"}),
    ("send_sms", ("7999;7998", "a/b c"), {"sender": 0, "time": "+5", "id": 2147483647, "format": 12}),
    ("send_sms", ("7999", "m"), {"sender": "Name Co", "time": "h1-h2"}),
    ("get_sms_cost", ("79999999999", "test"), {}),
    ("get_sms_cost", ("79999999999", "test"), {"translit": 1, "format": 1, "sender": "s s", "query": "a=b"}),
    ("get_sms_cost", ("79999999999", "test"), {"sender": "", "format": 11}),
    ("get_status", (12345, "79999999999"), {}),
    ("get_status", ("12345", "+7 999"), {"all": 1}),
    ("get_status", (1, "79999999999"), {"all": 2}),
    ("get_balance", (), {}),
]
CALLS += [("send_sms", ("7999", "f"), {"format": n}) for n in range(14)]
CALLS += [("get_sms_cost", ("7999", "f"), {"format": n}) for n in range(14)]


@pytest.mark.parametrize("name,args,kwargs", CALLS)
def test_each_method_hands_the_same_cmd_and_arg_to_smsc_send_cmd(smsc, legacy, name, args, kwargs):
    ours, theirs = Recorder(smsc, "1,1,1.5,100"), Recorder(legacy, "1,1,1.5,100")
    assert getattr(ours.client, name)(*args, **kwargs) == getattr(theirs.client, name)(*args, **kwargs)
    assert ours.calls == theirs.calls
    assert len(ours.calls) == 1


def test_cmd_and_arg_spelled_out(smsc):
    rec = Recorder(smsc, "5,1,1.5,100")
    rec.client.send_sms("79999999999", "Hi there", translit=1, time="+5", id=7, format=1, sender="sms",
                        query="maxsms=3")
    rec.client.get_sms_cost("79999999999", "Hi", translit=2, format=13, sender="x")
    rec.client.get_status(12345, "79999999999", all=1)
    rec.client.get_balance()
    assert rec.calls == [
        ("send", "cost=3&phones=79999999999&mes=Hi%20there&translit=1&id=7&flash=1&sender=sms&time=%2B5&maxsms=3"),
        ("send", "cost=1&phones=79999999999&mes=Hi&sender=x&translit=2&tg=1"),
        ("status", "phone=79999999999&id=12345&all=1"),
        ("balance", ""),
    ]


def test_get_balance_calls_smsc_send_cmd_with_one_argument(smsc):
    seen = []

    class OldStyle(smsc.SMSC):
        def _smsc_send_cmd(self, cmd, *rest):  # an override that never expected arg=""
            seen.append(rest)
            return ["42.5"]
    assert OldStyle().get_balance() == "42.5"
    assert seen == [()]


# Side by side with 2.0 over the loopback gateway

def both(smsc, legacy, loopback, capsys, call, replies, **constants):
    """Ours and 2.0, the same call against the same replies: the same outcome (helpers.outcome)."""
    outcomes = []
    for module in (smsc, legacy):
        for name, value in constants.items():
            setattr(module, name, value)
        outcomes.append(outcome(module, loopback, capsys, call, replies))
    assert outcomes[0] == outcomes[1]
    return outcomes[0]


LOGIN = dict(SMSC_LOGIN="alice", SMSC_PASSWORD="secret word")
APIKEY = dict(SMSC_LOGIN="", SMSC_PASSWORD="KEY-123")
DEBUG = dict(LOGIN, SMSC_DEBUG=True)

REPLIES = {
    "sent": [Reply(b"15,2,3.4,96.6")],
    "error": [Reply(b"0,-7")],
    "id error": [Reply(b"15,-8")],
    "empty": [Reply(b"")] * 5,
    "late": [Drop(), Reply(b""), Drop(), Reply(b"16,1,1,90")],
    "dead": [Drop()] * 5,
}


@pytest.mark.parametrize("constants", [LOGIN, APIKEY, DEBUG, dict(LOGIN, SMSC_POST=True),
                                       dict(DEBUG, SMSC_POST=True, SMSC_CHARSET="windows-1251")],
                         ids=["login", "apikey", "debug", "post", "debug-post-1251"])
@pytest.mark.parametrize("replies", sorted(REPLIES))
def test_send_sms_side_by_side(smsc, legacy, loopback, capsys, constants, replies):
    sent = both(smsc, legacy, loopback, capsys, lambda c: c.send_sms(
        "79999999999", "Hello, world", sender="sms", query="maxsms=3"), REPLIES[replies], **constants)
    assert len(sent.requests) >= 1


@pytest.mark.parametrize("replies", [[Reply(b"2.5,1")], [Reply(b"0,-1")], [Drop()] * 5])
@pytest.mark.parametrize("constants", [LOGIN, DEBUG], ids=["login", "debug"])
def test_get_sms_cost_side_by_side(smsc, legacy, loopback, capsys, constants, replies):
    both(smsc, legacy, loopback, capsys, lambda c: c.get_sms_cost("79999999999", "test", format=2), replies,
         **constants)


STATUS_REPLIES = [
    b"1,1561977123,0",
    b"-1,0,0",
    b"0,-3",
    b"1,1561977123,0,250013900000000,79000000000,7,1,Russia,MTS,,",
    b"1,1561977123,0,1561977000,79999999999,1.5,sms,Delivered,Hello, world, again",
    b"1,1561977123,0,250013900000000,79000000000,7,1,Russia,MTS,,,HLR,x,y,z",
    b"1,1561977123,0,1561977000,79999999999,1.5,sms,Delivered,a,b,c,d,e,HLR,k",
]


@pytest.mark.parametrize("reply", STATUS_REPLIES)
@pytest.mark.parametrize("all", [0, 1])
@pytest.mark.parametrize("constants", [LOGIN, DEBUG], ids=["login", "debug"])
def test_get_status_side_by_side(smsc, legacy, loopback, capsys, constants, all, reply):
    both(smsc, legacy, loopback, capsys, lambda c: c.get_status(12345, "79999999999", all=all), [Reply(reply)],
         **constants)


@pytest.mark.parametrize("replies", [[Reply(b"100.50")], [Reply(b"0,-2")], [Drop()] * 5,
                                     [Drop(), Drop(), Drop(), Drop(), Reply(b"7")]])
@pytest.mark.parametrize("constants", [LOGIN, APIKEY, DEBUG], ids=["login", "apikey", "debug"])
def test_get_balance_side_by_side(smsc, legacy, loopback, capsys, constants, replies):
    both(smsc, legacy, loopback, capsys, lambda c: c.get_balance(), replies, **constants)


def test_long_message_goes_by_post_side_by_side(smsc, legacy, loopback, capsys):
    sent = both(smsc, legacy, loopback, capsys, lambda c: c.send_sms("7999", "x" * 2100), [Reply(b"1,3")], **LOGIN)
    assert sent.requests[0].startswith(b"POST /sys/send.php ")


def test_mail_side_by_side(smsc, legacy, loopback):
    sessions = []
    for module in (smsc, legacy):
        module.SMSC_LOGIN, module.SMSC_PASSWORD = "alice", "secret"
        module.SMTP_LOGIN, module.SMTP_PASSWORD = "mailer", "mailpass"
        module.SMSC().send_sms_mail("79999999999", "test2", format=1, sender="sms", time="+5", id=9)
        sessions.append(loopback.smtp.sessions[-1])
        loopback.clear()
    assert sessions[0] == sessions[1]
    assert sessions[0]["data"].startswith(b"Content-Type: text/plain; charset=utf-8\r\n\r\n")


# What 2.0 callers do with the results

def test_what_callers_of_2_0_do_with_results(smsc, loopback):
    loopback.http.script(Reply(b"15,2,3.4,96.6"), Reply(b"0,-7"), Reply(b"96.6"), Reply(b"0,-2"))
    client = smsc.SMSC()
    _, _, cost, _ = client.send_sms("79999999999", "hi")
    assert cost == "3.4"
    r = client.send_sms("bad", "hi")
    assert r[1] <= "0" and int(r[1][1:]) == 7
    assert float(client.get_balance()) == 96.6
    assert client.get_balance() is False
    for value in [cost] + r:
        assert type(value) is str


def test_all_hosts_down_gives_two_empty_strings(smsc, loopback):
    loopback.http.default = Drop()
    assert smsc.SMSC().send_sms("7999", "hi") == ["", ""]
    assert loopback.hosts == MIRRORS
    assert smsc.SMSC().get_balance() is False


def test_constants_are_read_at_call_time(smsc, loopback):
    client = smsc.SMSC()
    smsc.SMSC_LOGIN, smsc.SMSC_PASSWORD, smsc.SMSC_POST = "late", "pw", True
    loopback.http.script(Reply(b"1"))
    assert client.get_balance() == "1"
    assert loopback.requests[0].body == b"login=late&psw=pw&fmt=1&charset=utf-8&"


@pytest.mark.skipif(not six.PY2, reason="Python 2 str arguments")
def test_python_2_byte_strings_are_sent_as_they_are(smsc, loopback):
    loopback.http.script(Reply(b"1,1"))
    smsc.SMSC().send_sms("7999", "\xd0\xbf\xd1\x80\xd0\xb8")
    assert loopback.requests[0].request_line == GET(b"/sys/send.php?apikey=&fmt=1&charset=utf-8&cost=3&phones=7999"
                                                    b"&mes=%D0%BF%D1%80%D0%B8&translit=0&id=0")


@pytest.mark.skipif(six.PY2, reason="bytes are str on Python 2")
def test_python_3_bytes_phones_and_message_are_sent_as_they_are(smsc, loopback):
    loopback.http.script(Reply(b"1,1"))
    smsc.SMSC().send_sms(b"7999", u"привет".encode("utf-8"))
    assert loopback.requests[0].request_line == GET(b"/sys/send.php?apikey=&fmt=1&charset=utf-8&cost=3&phones=7999"
                                                    b"&mes=%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82&translit=0&id=0")
