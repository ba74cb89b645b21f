# -*- coding: utf-8 -*-
"""2.0 callers' code, copied over with this file: it runs as it ran with 2.0 (issue 17).

Each case is code as 2.0 projects write it: wrappers that keep attributes of their own, tests that mock
smsc_api.urlopen, applications whose environment holds mail settings of their own or variables left empty, text
ids, several ids as text. Wherever 2.0 works the case runs on the official 2.0 text (tests/legacy) and on ours
against the same loopback servers, and asserts the same bytes on the wire, the same result and the same output.
"""
import json

import pytest
import six

import smsc_api
from helpers import HEADER, LEGACY, RCPT, TESTS, configure, native, run_app
from servers import Reply

if six.PY2:
    import mock
else:
    from unittest import mock

OK = b"15,1,1.5,98.5"
STATUS = b"1,1561977123,0"
# The names smsc_api 2.1.0 kept on SMSC and its instances (issue 17 moved them out): a subclass may use any of them
NAMES_OF_2_1_0 = [
    "_settings", "_connections", "_setting", "_HTTP_SETTINGS", "_SMTP_SETTINGS", "_settings_for", "_bytes_of",
    "_quoted", "_text_or_bytes", "_native_str", "_phones", "_digits", "_ids", "_files", "_FORMATS", "_format",
    "_format_flag", "_sender", "_sender_arg", "_time", "_time_arg", "_query_arg", "_smtp_address", "_mail_field",
    "_label", "_secrets", "_masks", "_smtp_login", "_send_cmd", "_encoded_request", "_one_attempt", "_fetch",
    "_pool", "_safe_text", "_records"]


class Junk(object):
    """What a subclass may keep in an attribute: not callable, not iterable, not a mapping."""


# Every public call of 2.0, with what the loopback gateway answers it
CALLS = [
    ("send_sms", lambda c: c.send_sms("79999999999", "hi", sender="Shop"), [Reply(OK)]),
    ("send_sms_mail", lambda c: c.send_sms_mail("79999999999", "hi"), []),
    ("get_sms_cost", lambda c: c.get_sms_cost("79999999999", "hi"), [Reply(b"1.5,1")]),
    ("get_status", lambda c: c.get_status(15, "79999999999", all=1), [Reply(STATUS)]),
    ("get_balance", lambda c: c.get_balance(), [Reply(b"98.5")]),
]


def side_by_side(smsc, legacy, gw, capsys, run, replies):
    """run(module) with 2.0, then with ours, each against replies: for each, (result or exception, the raw HTTP
    requests, the connections asked for, the SMTP sessions, the output)."""
    seen = []
    for module in (legacy, smsc):
        module.SMSC_LOGIN, module.SMSC_PASSWORD = "alice", "secret"
        gw.clear()
        gw.http.script(*replies)
        capsys.readouterr()
        try:
            result = run(module)
        except Exception as error:
            result = (type(error).__name__, str(error))
        seen.append((result, [r.raw for r in gw.requests], list(gw.intercept.connections), list(gw.smtp.sessions),
                     capsys.readouterr()))
    return seen


def assert_as_2_0(smsc, legacy, gw, capsys, run, replies):
    theirs, ours = side_by_side(smsc, legacy, gw, capsys, run, replies)
    assert ours == theirs
    assert theirs[1] or theirs[3]  # something went out: the comparison compares something
    return ours


# 1. Wrappers that keep attributes of their own

@pytest.mark.parametrize("name", NAMES_OF_2_1_0)
@pytest.mark.parametrize("call,run,replies", CALLS, ids=[c[0] for c in CALLS])
def test_a_subclass_may_set_any_private_name_on_its_instance(smsc, legacy, gw, capsys, name, call, run, replies):
    def wrapped(module):
        class Notifier(module.SMSC):
            def __init__(self):  # 2.0's SMSC had no __init__ of its own: wrappers seldom call it
                setattr(self, name, Junk())
        return run(Notifier())
    assert_as_2_0(smsc, legacy, gw, capsys, wrapped, replies)


@pytest.mark.parametrize("name", NAMES_OF_2_1_0)
def test_a_subclass_may_define_any_private_name_on_its_class(smsc, legacy, gw, capsys, name):
    def wrapped(module):
        Notifier = type("Notifier", (module.SMSC,), {name: "Shop"})
        client = Notifier()
        return [run(client) for _, run, _ in CALLS]
    assert_as_2_0(smsc, legacy, gw, capsys, wrapped, [Reply(OK), Reply(b"1.5,1"), Reply(STATUS), Reply(b"98.5")])


def test_the_wrappers_of_the_issue(smsc, legacy, gw, capsys):
    class Config(object):
        sender = "Shop"

    def wrapped(module):
        class Notifier(module.SMSC):
            def __init__(self, config):
                module.SMSC.__init__(self)
                self._sender, self._settings, self._connections = config.sender, config, []

            def notify(self, phone, text):
                return self.send_sms(phone, text, sender=self._sender, id="order-17")
        return Notifier(Config()).notify("79999999999", "Your order is ready")
    assert_as_2_0(smsc, legacy, gw, capsys, wrapped, [Reply(OK)])


def test_the_class_and_its_instance_hold_no_new_name_a_subclass_could_set(smsc, legacy):
    def names(namespace):
        return set(name for name in namespace if not (name.startswith("__") and name.endswith("__")))
    assert names(vars(legacy.SMSC)) == {"send_sms", "send_sms_mail", "get_sms_cost", "get_status", "get_balance",
                                        "_smsc_send_cmd"}
    assert names(vars(smsc.SMSC)) == names(vars(legacy.SMSC)) | {"close"}
    assert list(vars(smsc.SMSC("alice", "secret"))) == ["_SMSC__smsc_api"]  # SMSC.__smsc_api


def test_a_subclass_keeps_its_attributes_through_pickle_and_copy(smsc, gw):
    import copy
    import pickle
    gw.http.default = Reply(b"42")
    client = Wrapper("alice", "secret", keepalive=True)
    client._settings, client._sender = {"region": "kz"}, "Shop"
    assert client.get_balance() == "42"  # its pool of connections now exists: never copied
    for twin in (copy.copy(client), pickle.loads(pickle.dumps(client))):
        assert (twin._settings, twin._sender) == ({"region": "kz"}, "Shop")
        assert smsc._given(twin) == {"login": "alice", "password": "secret", "keepalive": True}


class Wrapper(smsc_api.SMSC):
    """A module-level subclass, as pickle needs it."""


# 2. Tests that mock smsc_api.urlopen: called with 2.0's URL and data

MOCKED = [
    ("balance", lambda c: c.get_balance(), False),
    ("send", lambda c: c.send_sms("79999999999", native(u"Привет, мир"), sender="Shop", id="order-17"), False),
    ("query-spaces-lines", lambda c: c.get_sms_cost(
        "79999999999", "", query="list=79999999999:Ваш пароль: 123\n78888888888:Ваш пароль: 456"), False),
    ("query-unsafe", lambda c: c.send_sms("79999999999", "test", query='tag={x}|"y"<z>^`\\ #1'), False),
    ("status-ids", lambda c: c.get_status("101, 102", "79999999999,79999999998"), False),
    ("post", lambda c: c.send_sms("79999999999", "hi", query="valid=01:00"), True),
    ("long", lambda c: c.send_sms("79999999999", "x" * 1990), False),
]


@pytest.mark.parametrize("name,call,post", MOCKED, ids=[m[0] for m in MOCKED])
def test_a_mocked_urlopen_gets_the_arguments_2_0_passed(smsc, legacy, gw, name, call, post):
    calls = []
    for module in (legacy, smsc):
        module.SMSC_POST = post
        with mock.patch.object(module, "urlopen") as urlopen:
            urlopen.return_value.read.return_value = b"15,1"
            result = call(configure(module))
        calls.append((result, urlopen.call_args_list))
    assert calls[1] == calls[0]
    assert calls[0][1] and gw.intercept.connections == []


def test_mock_patch_by_name_as_2_0_projects_write_it(smsc):
    configure(smsc)
    with mock.patch("smsc_api.urlopen") as urlopen:
        urlopen.return_value.read.return_value = b"15,1,1.5,98.5"
        assert smsc.SMSC().send_sms("79999999999", "hi", id="order-17") == ["15", "1", "1.5", "98.5"]
    urlopen.assert_called_once_with(
        "http://smscentre.com/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999"
        "&mes=hi&translit=0&id=order-17")


# 3. The application's own environment

MAIL_APP = """
import json, sys
sys.path[:0] = [%(tests)r, %(legacy)r]
import smsc_sandbox
from servers import SMTPServer
import %(module)s as smsc_api
smtp = SMTPServer().start()
with smsc_sandbox.Intercept({25: smtp}) as intercept:
    smsc_api.SMSC_LOGIN, smsc_api.SMSC_PASSWORD = "alice", "secret"  # edited in the file, as 2.0 users did
    smsc_api.SMSC().send_sms_mail("79999999999", "hi")
smtp.stop()
smtp.check()
session, = smtp.sessions
print(json.dumps([intercept.connections, session["auth"] != [], session["rcpt_to"][0].decode("ascii"),
                  session["data"].decode("utf-8")]))
"""


@pytest.mark.parametrize("variables", [
    # an application's own mail: it must not receive the SMSC login and password
    {"SMTP_SERVER": "mail.example.org", "SMTP_LOGIN": "app", "SMTP_PASSWORD": "app-secret",
     "SMTP_FROM": "shop@example.org"},
    {"SMTP_SERVER": "smtp://mail.example.org:587"},  # not even a host name: the import did not survive it
    # left empty, as .env files and docker-compose leave them
    {"SMSC_CHARSET": "", "SMSC_HOST": "", "SMSC_SMTP_SERVER": "", "SMSC_SMTP_FROM": "", "SMSC_TIMEOUT": "",
     "SMSC_LOGIN": "", "SMSC_PASSWORD": ""},
], ids=["own-mail", "own-mail-url", "empty"])
def test_an_applications_environment_changes_nothing_2_0_did(variables):
    runs = [run_app(MAIL_APP % dict(tests=TESTS, legacy=LEGACY, module=module), **variables)
            for module in ("smsc_api_20", "smsc_api")]
    assert runs[1] == runs[0]
    code, out, err = runs[0]
    assert (code, err) == (0, "")
    assert json.loads(out) == [[["send.smscentre.com", 25]], False, RCPT[5:].decode("ascii"),
                               (HEADER + b"alice:secret:0::0,0,:79999999999:hi\r\n").decode("ascii")]


# 4. Values the gateway accepts: ids as text, sender 0.0, bytearray

VALUES = [
    ("send-text-id", lambda c: c.send_sms("79999999999", "hi", id="order-17"), [Reply(OK)]),
    ("send-new", lambda c: c.send_sms("79999999999", "hi", id="new"), [Reply(OK)]),
    ("send-dotted", lambda c: c.send_sms("79999999999", "hi", id="v1.2_x-3"), [Reply(OK)]),
    ("mail-text-id", lambda c: c.send_sms_mail("79999999999", "hi", id="order-17"), []),
    ("status-text-id", lambda c: c.get_status("abc-1", "79999999999"), [Reply(STATUS)]),
    ("status-text-ids", lambda c: c.get_status("abc-1,xyz_2", "79999999999,79999999998"),
     [Reply(STATUS + b"\n-1,0,0")]),
    ("status-ids-all", lambda c: c.get_status("101,102", "79999999999", all=1),
     [Reply(b"1,1561977123,0,1561977000,79999999999,1.5,sms,Delivered,Hi, you\n-1,0,0")]),
    ("sender-0.0", lambda c: c.send_sms("79999999999", "hi", sender=0.0), [Reply(OK)]),
    ("cost-sender-0.0", lambda c: c.get_sms_cost("79999999999", "hi", sender=0.0), [Reply(b"1.5,1")]),
]
if not six.PY2:  # 2.0 quoted bytearray on Python 3 (Python 2's quote() could not)
    VALUES += [
        ("bytearray-message", lambda c: c.send_sms("79999999999", bytearray(u"Привет".encode("utf-8"))),
         [Reply(OK)]),
        ("bytearray-phones", lambda c: c.get_sms_cost(bytearray(b"79999999999"), "hi"), [Reply(b"1.5,1")]),
        ("bytearray-status", lambda c: c.get_status(1, bytearray(b"79999999999")), [Reply(STATUS)]),
    ]


@pytest.mark.parametrize("name,run,replies", VALUES, ids=[v[0] for v in VALUES])
def test_values_the_gateway_accepts_go_as_2_0_sent_them(smsc, legacy, gw, capsys, name, run, replies):
    assert_as_2_0(smsc, legacy, gw, capsys, lambda module: run(module.SMSC()), replies)


@pytest.mark.parametrize("post", [True, False] if six.PY2 else [True])  # 2.0's Python 3 GET refused the space
def test_status_ids_with_spaces_go_as_2_0_sent_them(smsc, legacy, gw, capsys, post):
    def run(module):
        module.SMSC_POST = post
        return module.SMSC().get_status("101, 102", "79999999999, 79999999998")
    ours = assert_as_2_0(smsc, legacy, gw, capsys, run, [Reply(STATUS + b"\n-1,0,0")])
    assert ours[0] == ["1", "1561977123", "0\n-1", "0", "0"]


def test_status_ids_with_spaces_by_get_on_python_3_go_as_python_2_sent_them(client, gw):
    gw.http.script(Reply(STATUS))
    client.get_status("101, 102", "79999999999")
    assert gw.requests[0].request_line.split(b" ")[1].endswith(b"&id=101,%20102&all=0")


def test_several_ids_in_a_list_give_a_record_each(client, gw):
    # 2.0 could not take a list (it sent "[101, 102]"): a list asks as the official PHP library 3.8 does
    gw.http.script(Reply(STATUS + b"\n-1,0,0"), Reply(b"0,-2"))
    records = client.get_status(["abc-1", 102], ["79999999999", "79999999998"])
    assert records == [["1", "1561977123", "0"], ["-1", "0", "0"]]
    assert client.get_status(["abc-1", 102], "79999999999") == ["0", "-2"]  # an error of the whole request


# 5. No exception the module raises holds a secret

def secrets_in(error, secrets, seen=None):
    """The secrets found anywhere in an exception: its text, repr, args, attributes, cause and context."""
    seen = seen if seen is not None else set()
    if error is None or id(error) in seen:
        return []
    seen.add(id(error))
    places = [str(error), repr(error), repr(error.args), repr(vars(error))] + [
        repr(getattr(error, name, None)) for name in ("object", "reason", "smtp_error", "recipients")]
    found = [secret for secret in secrets for place in places if secret in place]
    return found + secrets_in(getattr(error, "__cause__", None), secrets, seen) + secrets_in(
        getattr(error, "__context__", None), secrets, seen)


def test_a_query_the_charset_cannot_encode_raises_without_the_password(smsc, gw):
    client = configure(smsc, SMSC_PASSWORD="Sup3r-Secret", SMSC_CHARSET="windows-1251")
    with pytest.raises(UnicodeEncodeError) as raised:
        client.send_sms("79999999999", "hi", query=u"tag=\u4e2d")
    assert secrets_in(raised.value, ["Sup3r-Secret"]) == []
    assert "query" in str(raised.value) and gw.intercept.connections == []


def test_a_password_the_charset_cannot_encode_raises_without_it(smsc, gw):
    client = configure(smsc, SMSC_PASSWORD=u"Sup3r-Secr\u20act", SMSC_CHARSET="koi8-r")
    for call in (lambda: client.get_balance(), lambda: client.send_sms_mail("7999", "hi")):
        with pytest.raises(UnicodeEncodeError) as raised:
            call()
        assert secrets_in(raised.value, [u"Sup3r-Secr\u20act", u"Sup3r", u"\u20ac"]) == []
    assert gw.intercept.connections == []


def test_what_an_smtp_server_echoes_in_a_refusal_is_masked(smsc, gw):
    client = configure(smsc, SMSC_PASSWORD="Sup3r-Secret", SMTP_LOGIN="mailer", SMTP_PASSWORD="Mail-Secret")
    gw.smtp.fail = {"data": "554 5.7.1 refused: alice:Sup3r-Secret:0 AUTH PLAIN AG1haWxlcgBNYWlsLVNlY3JldA=="}
    with pytest.raises(Exception) as raised:
        client.send_sms_mail("79999999999", "hi")
    assert secrets_in(raised.value, ["Sup3r-Secret", "Mail-Secret", "AG1haWxlcgBNYWlsLVNlY3JldA=="]) == []
    assert raised.value.smtp_code == 554 and b"***" in raised.value.smtp_error
