# -*- coding: utf-8 -*-
"""Settings without editing the file (docs/settings.md): what users used to patch into their copies (the domain,
settings per instance, the environment, one TLS context, many threads on one instance), and how each setting is
checked when it is used."""
import json
import os
import ssl
import threading
import types

import pytest
import six

from helpers import (DOMAINS, GET, HTTP_VERSION, LEGACY, MIRRORS, configure, expected_headers, instance, outcome,
                     printed, raised, run_app, run_together)
from servers import Drop, Reply, Slow


def country_copy(domain):
    """2.0 as published for that country: the official text with only the domain changed."""
    with open(os.path.join(LEGACY, "smsc_api_20.py"), "rb") as handle:
        source = handle.read().replace(b"smscentre.com", domain.encode("ascii"))
    module = types.ModuleType("smsc_api_20_" + domain.replace(".", "_"))
    exec(compile(source, module.__name__ + ".py", "exec"), module.__dict__)
    return module


def run_side_by_side(modules, loopback, capsys, call, replies):
    """helpers.outcome for each module, logged in as alice with SMSC_DEBUG on."""
    outcomes = []
    for module in modules:
        module.SMSC_LOGIN, module.SMSC_PASSWORD, module.SMSC_DEBUG = "alice", "secret", True
        outcomes.append(outcome(module, loopback, capsys, call, replies))
    return outcomes


# 1. SMSC_HOST

@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("call,replies", [
    (lambda c: c.send_sms("79999999999", "test", sender="sms"), [Reply(b"15,1,1.5,98.5")]),
    (lambda c: c.get_sms_cost("79999999999", "test"), [Drop(), Drop(), Reply(b"1.5,1")]),
    (lambda c: c.get_status(12345, "79999999999", all=1), [Drop()] * 5),
    (lambda c: c.get_balance(), [Reply(b"100.50")]),
    (lambda c: c.send_sms_mail("79999999999", "test"), []),
], ids=["send_sms", "failover", "all-hosts-down", "balance", "mail"])
def test_smsc_host_sends_what_that_countrys_copy_of_2_0_sends(smsc, loopback, capsys, domain, call, replies):
    smsc.SMSC_HOST = domain
    ours, theirs = run_side_by_side([smsc, country_copy(domain)], loopback, capsys, call, replies)
    # SMSC_DEBUG: the SMTP dialogue printed shows *** for the password (docs/differences.md, row 13)
    redacted = theirs.output.out, theirs.output.err.replace("alice:secret:", "alice:***:")
    assert ours[:4] + (tuple(ours.output),) == theirs[:4] + (redacted,)
    hosts = [host for host, port in ours.connections]
    assert all(host.endswith(domain) for host in hosts) and hosts


def test_smsc_host_spelled_out(smsc, loopback):
    smsc.SMSC_HOST, smsc.SMSC_LOGIN, smsc.SMSC_PASSWORD = "smsc.kz", "alice", "secret"
    loopback.http.default = Drop()
    assert smsc.SMSC().get_balance() is False
    assert loopback.hosts == ["smsc.kz", "www2.smsc.kz", "www3.smsc.kz", "www4.smsc.kz", "www5.smsc.kz"]
    smsc.SMSC().send_sms_mail("79999999999", "test")
    session, = loopback.smtp.sessions
    assert session["asked"] == ("send.smsc.kz", 25)
    assert session["mail_from"].endswith(b":<api@smsc.kz>") and session["rcpt_to"][0].endswith(b":<send@send.smsc.kz>")


def test_smtp_from_and_server_edited_in_the_file_stay_as_edited(smsc, loopback):
    smsc.SMSC_HOST, smsc.SMTP_FROM, smsc.SMTP_SERVER = "smsc.ua", "robot@example.org", "mail.example.org"
    smsc.SMSC().send_sms_mail("79999999999", "test")
    session, = loopback.smtp.sessions
    assert session["asked"] == ("mail.example.org", 25)
    assert session["mail_from"].endswith(b":<robot@example.org>")
    assert session["rcpt_to"][0].endswith(b":<send@send.smsc.ua>")


# 2. Settings per instance

def test_instance_settings_override_the_constants_and_the_rest_is_read_at_call_time(smsc, loopback):
    smsc.SMSC_LOGIN, smsc.SMSC_PASSWORD = "module-login", "module-pw"
    client = smsc.SMSC(login="bob", password=u"пароль", post=True, charset="windows-1251", host="smsc.ru")
    plain = smsc.SMSC()
    loopback.http.default = Reply(b"1,1")
    client.send_sms("79999999999", u"тест")
    plain.send_sms("79999999999", "test")
    smsc.SMSC_LOGIN = "changed"  # read at call time by what the instance did not set
    plain.get_balance()
    client.get_balance()
    first, second, third, fourth = loopback.requests
    assert (first.request_line, first.asked) == (b"POST /sys/send.php " + HTTP_VERSION, ("smsc.ru", 80))
    assert first.body == (b"login=bob&psw=%EF%E0%F0%EE%EB%FC&fmt=1&charset=windows-1251&cost=3&phones=79999999999"
                          b"&mes=%F2%E5%F1%F2&translit=0&id=0")
    assert first.header_lines == expected_headers("smsc.ru", first.body)
    assert second.request_line == (b"GET /sys/send.php?login=module-login&psw=module-pw&fmt=1&charset=utf-8&cost=3"
                                   b"&phones=79999999999&mes=test&translit=0&id=0 " + HTTP_VERSION)
    assert third.request_line == GET(b"/sys/balance.php?login=changed&psw=module-pw&fmt=1&charset=utf-8&")
    assert fourth.body == b"login=bob&psw=%EF%E0%F0%EE%EB%FC&fmt=1&charset=windows-1251&"


def test_login_and_password_by_position(smsc, loopback):
    loopback.http.default = Reply(b"5")
    assert smsc.SMSC("bob", "pw").get_balance() == "5"
    assert loopback.requests[0].request_line == (b"GET /sys/balance.php?login=bob&psw=pw&fmt=1&charset=utf-8& " +
                                                 HTTP_VERSION)


def test_api_key_per_instance(smsc, loopback):
    smsc.SMSC_LOGIN = "module-login"
    loopback.http.default = Reply(b"5")
    smsc.SMSC(login="", password="KEY").get_balance()
    assert loopback.requests[0].request_line == b"GET /sys/balance.php?apikey=KEY&fmt=1&charset=utf-8& " + HTTP_VERSION


def test_debug_https_and_timeout_per_instance(smsc, loopback, capsys):
    smsc.SMSC_DEBUG, smsc.SMSC_TIMEOUT = True, 0.3
    # the main host answers after 1 s, the mirrors at once
    loopback.http.respond = lambda request: (Slow(Reply(b"main"), pieces=1, delay=1.0)
                                             if request.asked[0] == "smscentre.com" else Reply(b"mirror"))
    assert smsc.SMSC(debug=False, timeout=5).get_balance() == "main"
    assert capsys.readouterr() == ("", "")
    assert smsc.SMSC(debug=False).get_balance() == "mirror"  # the module's 0.3 s
    assert smsc.SMSC(https=True, debug=False).get_balance() is False  # nothing listens on 443 here
    assert loopback.intercept.connections[-5:] == [(host, 443) for host in MIRRORS]


def test_smtp_settings_per_instance(smsc, loopback):
    smsc.SMTP_LOGIN = "module-mailer"
    client = smsc.SMSC(login="bob", password="pw", smtp_from="me@example.org", smtp_server="mail.example.org",
                       smtp_login="mailer", smtp_password="mailpass", host="smsc.kz")
    client.send_sms_mail("79999999999", "hi")
    session, = loopback.smtp.sessions
    assert session["asked"] == ("mail.example.org", 25)
    assert session["mail_from"].endswith(b":<me@example.org>")
    assert session["rcpt_to"][0].endswith(b":<send@send.smsc.kz>")
    assert session["auth"] == [b"AUTH PLAIN AG1haWxlcgBtYWlscGFzcw=="]  # \0mailer\0mailpass
    assert session["data"] == b"Content-Type: text/plain; charset=utf-8\r\n\r\nbob:pw:0::0,0,:79999999999:hi\r\n"


def test_a_subclass_that_never_calls_our_init_still_works(smsc, loopback):
    class Legacy(smsc.SMSC):
        def __init__(self):
            self.sent = 0  # no super().__init__()
    smsc.SMSC_LOGIN, smsc.SMSC_PASSWORD = "alice", "secret"
    loopback.http.default = Reply(b"9")
    assert Legacy().get_balance() == "9"
    assert loopback.requests[0].request_line == GET(b"/sys/balance.php?login=alice&psw=secret&fmt=1&charset=utf-8&")


NAMES = ["login", "password", "post", "https", "charset", "debug", "host", "timeout", "smtp_from", "smtp_server",
         "smtp_login", "smtp_password", "connect_timeout", "keepalive"]


def test_the_constructor_binds_every_setting_in_order(smsc):
    values = [object() for name in NAMES]
    assert smsc._given(smsc.SMSC(*values)) == dict(zip(NAMES, values))
    assert smsc._given(smsc.SMSC(**dict(zip(NAMES, values)))) == dict(zip(NAMES, values))
    assert smsc._given(smsc.SMSC("alice", keepalive=True)) == {"login": "alice", "keepalive": True}
    assert smsc._given(smsc.SMSC()) == {}


@pytest.mark.parametrize("args,kwargs,message", [
    ((), {"user": "bob"}, "SMSC() got an unexpected keyword argument 'user'"),
    (("alice",), {"login": "bob"}, "SMSC() got multiple values for argument 'login'"),
    (tuple(range(15)), {}, "SMSC() takes at most 14 settings (15 given)"),
])
def test_the_constructor_refuses_what_a_signature_would(smsc, args, kwargs, message):
    with pytest.raises(TypeError) as raised:
        smsc.SMSC(*args, **kwargs)
    assert str(raised.value) == message


def test_a_base_after_smsc_keeps_its_init_close_and_with_as_with_2_0(smsc, legacy, loopback):
    # 2.0's class had none of them: the mixin's ran
    class Config(object):
        def __init__(self, sender, region="ru"):
            self.sender, self.region, self.closed = sender, region, 0

        def close(self):
            self.closed += 1

        def __enter__(self):
            return "entered"

        def __exit__(self, *exc_info):
            self.closed += 10
    loopback.http.default = Reply(b"15,1")
    for module in (legacy, smsc):
        class Notifier(module.SMSC, Config):
            pass
        configure(module)
        notifier = Notifier("Shop", region="kz")
        assert (notifier.sender, notifier.region) == ("Shop", "kz")
        assert notifier.send_sms("79999999999", "hi", sender=notifier.sender) == ["15", "1"]
        with notifier as entered:
            assert entered == "entered"
        notifier.close()
        assert notifier.closed == 11
    theirs, ours = loopback.requests
    assert ours.raw == theirs.raw and b"login=alice&psw=secret" in ours.request_line


# 3. Defaults from the environment: a bad variable never stops the import; the calls that read it name it
# (docs/differences.md row 23)

def constants_with_environment(variables):
    """The module constants as a fresh interpreter imports them with these variables set: (exit status, out, err),
    out the line as_json() writes them in (nothing else: the import prints nothing)."""
    code = ("import smsc_api, json; print(json.dumps(dict((n, getattr(smsc_api, n)) for n in dir(smsc_api)"
            " if n.startswith(('SMSC_', 'SMTP_'))), sort_keys=True))")
    return run_app(code, **variables)


DEFAULTS = {"SMSC_LOGIN": "", "SMSC_PASSWORD": "", "SMSC_POST": False, "SMSC_HTTPS": False, "SMSC_CHARSET": "utf-8",
            "SMSC_DEBUG": False, "SMSC_TIMEOUT": 60, "SMSC_HOST": "smscentre.com", "SMTP_FROM": "api@smscentre.com",
            "SMTP_SERVER": "send.smscentre.com", "SMTP_LOGIN": "", "SMTP_PASSWORD": "", "SMSC_CONNECT_TIMEOUT": 10,
            "SMSC_KEEPALIVE": False}


def as_json(constants):
    """The constants as JSON text, in the order of their names."""
    return json.dumps(constants, sort_keys=True)


def test_unset_environment_gives_the_defaults_of_2_0():
    code, out, err = constants_with_environment({})
    assert (code, err) == (0, "")
    assert json.loads(out) == DEFAULTS


@pytest.mark.parametrize("variables,changed", [
    ({"SMSC_LOGIN": "alice", "SMSC_PASSWORD": "s e c"}, {"SMSC_LOGIN": "alice", "SMSC_PASSWORD": "s e c"}),
    ({"SMSC_POST": "1", "SMSC_HTTPS": "true", "SMSC_DEBUG": "YES"},
     {"SMSC_POST": True, "SMSC_HTTPS": True, "SMSC_DEBUG": True}),
    ({"SMSC_POST": "0", "SMSC_HTTPS": "false", "SMSC_DEBUG": "off"}, {}),
    ({"SMSC_DEBUG": "0"}, {}),
    ({"SMSC_DEBUG": "on", "SMSC_POST": "No"}, {"SMSC_DEBUG": True}),
    ({"SMSC_TIMEOUT": "2.5"}, {"SMSC_TIMEOUT": 2.5}),
    ({"SMSC_TIMEOUT": "none"}, {"SMSC_TIMEOUT": None}),
    ({"SMSC_CONNECT_TIMEOUT": "0.5", "SMSC_KEEPALIVE": "on"}, {"SMSC_CONNECT_TIMEOUT": 0.5, "SMSC_KEEPALIVE": True}),
    ({"SMSC_CONNECT_TIMEOUT": "None"}, {"SMSC_CONNECT_TIMEOUT": None}),
    ({"SMSC_HOST": "smsc.ru", "SMSC_CHARSET": "koi8-r"}, {"SMSC_HOST": "smsc.ru", "SMSC_CHARSET": "koi8-r"}),
    ({"SMSC_TIMEOUT": "2.5", "SMSC_CONNECT_TIMEOUT": "none", "SMSC_CHARSET": "koi8-r"},
     {"SMSC_TIMEOUT": 2.5, "SMSC_CONNECT_TIMEOUT": None, "SMSC_CHARSET": "koi8-r"}),
    ({"SMSC_SMTP_FROM": "a@b.c", "SMSC_SMTP_SERVER": "mx", "SMSC_SMTP_LOGIN": "u", "SMSC_SMTP_PASSWORD": "p"},
     {"SMTP_FROM": "a@b.c", "SMTP_SERVER": "mx", "SMTP_LOGIN": "u", "SMTP_PASSWORD": "p"}),
    # the application's own mail settings are its own: only SMSC_* variables are read
    ({"SMTP_FROM": "a@b.c", "SMTP_SERVER": "mx", "SMTP_LOGIN": "u", "SMTP_PASSWORD": "p", "SMSC_SMTP": "x"}, {}),
    # docker-compose and .env files give VAR= for a variable left empty: as if it were not set, not "no deadline"
    ({"SMSC_TIMEOUT": "", "SMSC_CONNECT_TIMEOUT": " ", "SMSC_POST": "", "SMSC_KEEPALIVE": ""}, {}),
    ({"SMSC_CHARSET": "", "SMSC_HOST": "", "SMSC_SMTP_SERVER": "", "SMSC_SMTP_FROM": "", "SMSC_LOGIN": ""}, {}),
])
def test_each_constant_defaults_to_its_environment_variable(variables, changed):
    code, out, err = constants_with_environment(variables)
    assert (code, err) == (0, "")
    # as JSON text, so the types count too (60, not 60.0; false, not 0), and nothing else is printed
    assert out == as_json(dict(DEFAULTS, **changed)) + "\n"


@pytest.mark.parametrize("name", ["SMSC_POST", "SMSC_HTTPS", "SMSC_DEBUG", "SMSC_KEEPALIVE"])
def test_a_boolean_that_is_not_one_keeps_its_default_and_is_named_by_a_call(name):
    code = "import smsc_api; print('%%r %%r %%r' %% (smsc_api.%s, smsc_api.%s == False, bool(smsc_api.%s)))" % (
        name, name, name)
    assert run_app(code, **{name: "maybe"}) == (0, "False True False\n", "")
    code, out, err = run_app("import socket, smsc_api\nsocket.create_connection = None  # offline\ntry:\n"
                             "    smsc_api.SMSC().get_balance()\nexcept ValueError as e:\n    print(e)",
                             **{name: "maybe"})
    assert (code, out, err) == (
        0, "environment variable %s: expected 1/true/yes/on or 0/false/no/off, not 'maybe'\n" % name, "")


CALLS_OFFLINE = """
import socket, smsc_api
def offline(*args, **kwargs):
    raise socket.error("offline")
socket.create_connection = offline  # no call of this test reaches a network
for name, args in (("get_balance", ()), ("send_sms_mail", ("7999", "hi"))):
    try:
        getattr(smsc_api.SMSC("alice", "secret"), name)(*args)
        print(name + ": ran")
    except ValueError as error:
        print(name + ": ValueError: %s" % (error,))
    except socket.error:
        print(name + ": offline")
"""


def calls_with(variables):
    """(exit status, [what get_balance and send_sms_mail did], err) in a fresh interpreter with these variables."""
    code, out, err = run_app(CALLS_OFFLINE, **variables)
    return code, out.splitlines(), err


@pytest.mark.parametrize("variables,message", [
    ({"SMSC_TIMEOUT": "abc"}, "environment variable SMSC_TIMEOUT: expected a number of seconds or none, not 'abc'"),
    ({"SMSC_CONNECT_TIMEOUT": "10s"},
     "environment variable SMSC_CONNECT_TIMEOUT: expected a number of seconds or none, not '10s'"),
    ({"SMSC_TIMEOUT": "-1"},
     "environment variable SMSC_TIMEOUT must be a positive, finite number of seconds or None, not -1.0"),
    ({"SMSC_TIMEOUT": "0"},
     "environment variable SMSC_TIMEOUT must be a positive, finite number of seconds or None, not 0.0"),
    ({"SMSC_CONNECT_TIMEOUT": "nan"},
     "environment variable SMSC_CONNECT_TIMEOUT must be a positive, finite number of seconds or None, not nan"),
    ({"SMSC_TIMEOUT": "inf"},
     "environment variable SMSC_TIMEOUT must be a positive, finite number of seconds or None, not inf"),
    ({"SMSC_CHARSET": "no-such-charset"},
     "environment variable SMSC_CHARSET must be the name of a charset, such as 'utf-8', not 'no-such-charset'"),
    # a number Python 3 alone reads (float("5_0")): refused on every Python
    ({"SMSC_TIMEOUT": "5_0"}, "environment variable SMSC_TIMEOUT: expected a number of seconds or none, not '5_0'"),
    ({"SMSC_HOST": "smsc.ru/x"}, "environment variable SMSC_HOST must be a host name (smscentre.com, smsc.ru, ...; "
                                 "host:port for SMTP), not 'smsc.ru/x'"),
])
def test_a_bad_environment_variable_is_named_by_each_call_that_reads_it(variables, message):
    assert calls_with(variables) == (0, ["get_balance: ValueError: " + message,
                                         "send_sms_mail: ValueError: " + message], "")


def test_a_bad_smtp_variable_is_named_by_mail_alone():
    message = ("environment variable SMSC_SMTP_SERVER must be a host name (smscentre.com, smsc.ru, ...; host:port for "
               "SMTP), not 'smtp://mail'")
    assert calls_with({"SMSC_SMTP_SERVER": "smtp://mail"}) == (
        0, ["get_balance: ran", "send_sms_mail: ValueError: " + message], "")


def test_a_setting_given_in_code_replaces_a_bad_variable():
    code = CALLS_OFFLINE.replace("import socket, smsc_api", "import socket, smsc_api\nsmsc_api.SMSC_TIMEOUT = 5")
    assert run_app(code, SMSC_TIMEOUT="abc") == (0, "get_balance: ran\nsend_sms_mail: offline\n", "")
    instance = CALLS_OFFLINE.replace('smsc_api.SMSC("alice", "secret")', 'smsc_api.SMSC("alice", "secret", timeout=5)')
    assert run_app(instance, SMSC_TIMEOUT="abc") == (0, "get_balance: ran\nsend_sms_mail: offline\n", "")


@pytest.mark.parametrize("variables", [
    {},
    # an application's own mail settings, and variables left empty (VAR=, as .env files and docker-compose leave them)
    {"SMTP_SERVER": "smtp://mail.example.org", "SMTP_LOGIN": "app", "SMTP_PASSWORD": "app-secret", "SMTP_FROM": ""},
    {"SMSC_CHARSET": "", "SMSC_HOST": "", "SMSC_SMTP_SERVER": "", "SMSC_TIMEOUT": "", "SMSC_DEBUG": " "},
])
def test_good_or_foreign_or_empty_variables_change_nothing(variables):
    assert calls_with(variables) == (0, ["get_balance: ran", "send_sms_mail: offline"], "")


ENVIRONMENT_SET_IN_CODE = """
import socket, smsc_api
socket.create_connection = None  # offline
smsc_api.SMSC_HTTPS, smsc_api.SMSC_DEBUG = False, False  # the application's own reading of its variables
print(smsc_api.SMSC("alice", "secret").get_balance())
"""


def test_a_constant_set_in_code_to_its_default_replaces_a_bad_variable():
    assert run_app(ENVIRONMENT_SET_IN_CODE, SMSC_HTTPS="disabled", SMSC_DEBUG="off") == (0, "False\n", "")


@pytest.mark.skipif(not six.PY2, reason="string_escape is a Python 2 codec")
def test_a_codec_that_takes_no_text_is_named_not_fatal():
    code = "import smsc_api\ntry:\n    smsc_api.SMSC().get_balance()\nexcept ValueError as e:\n    print(e)"
    assert run_app(code, SMSC_CHARSET="string_escape") == (
        0, "environment variable SMSC_CHARSET must be the name of a charset, such as 'utf-8', not 'string_escape'\n",
        "")


# 4. Settings are checked when they are used, before any connection, and named (docs/differences.md row 18)

OK = b"15,1,1.5,98.5"
BOOLEANS = [("post", "SMSC_POST"), ("https", "SMSC_HTTPS"), ("debug", "SMSC_DEBUG"), ("keepalive", "SMSC_KEEPALIVE")]
TIMEOUTS = [("timeout", "SMSC_TIMEOUT"), ("connect_timeout", "SMSC_CONNECT_TIMEOUT")]
CALLS = [lambda c: c.get_balance(), lambda c: c.send_sms("7999", "hi"), lambda c: c.get_status(1, "7999")]


@pytest.mark.parametrize("name,constant", BOOLEANS)
@pytest.mark.parametrize("value", ["false", "0", "no", "", "1", b"0"])
def test_a_boolean_setting_is_not_text(smsc, loopback, name, constant, value):
    # text: 2.0 read "false" and "0" as true; every other value is read by its truth, as 2.0 read it
    for call in CALLS:
        assert raised(call, instance(smsc, **{name: value})) == (
            TypeError, "SMSC(%s=...) must be True or False (or 1 or 0), not %r" % (name, value))
        assert raised(call, configure(smsc, **{constant: value})) == (
            TypeError, "%s must be True or False (or 1 or 0), not %r" % (constant, value))
        setattr(smsc, constant, False)
    assert loopback.intercept.connections == []


@pytest.mark.parametrize("value,post", [(None, False), (0.0, False), ([], False), (2, True), (-1, True), (1.0, True)])
def test_what_is_not_text_is_read_by_its_truth_as_2_0_read_it(smsc, legacy, loopback, capsys, value, post):
    for module in (legacy, smsc):
        loopback.clear()
        loopback.http.default = Reply(b"42")
        assert configure(module, SMSC_POST=value, SMSC_DEBUG=value).get_balance() == "42"
        assert printed(capsys) == (u"Сумма на счете: 42\n" if post else u"")
        assert [r.request_line.startswith(b"POST") for r in loopback.requests] == [post]


def test_text_booleans_that_2_0_read_as_true_are_refused(smsc, legacy, loopback, capsys):
    loopback.http.default = Reply(b"100")
    assert configure(legacy, SMSC_POST="0", SMSC_DEBUG="no").get_balance() == "100"
    assert loopback.requests[0].method == b"POST"
    assert printed(capsys) == u"Сумма на счете: 100\n"
    loopback.clear()
    assert raised(configure(smsc, SMSC_POST="0", SMSC_DEBUG="no").get_balance) == (
        TypeError, "SMSC_POST must be True or False (or 1 or 0), not '0'")
    assert loopback.intercept.connections == [] and printed(capsys) == u""


@pytest.mark.parametrize("value", [True, False, 1, 0])
def test_booleans_and_0_or_1_are_taken(smsc, loopback, capsys, value):
    loopback.http.default = Reply(b"100")
    client = instance(smsc, post=value, debug=value, keepalive=value)
    assert client.get_balance() == "100"
    assert loopback.requests[0].method == (b"POST" if value else b"GET")
    assert printed(capsys) == (u"Сумма на счете: 100\n" if value else u"")


@pytest.mark.parametrize("name,constant", TIMEOUTS)
@pytest.mark.parametrize("value,error,expected", [
    ("5", TypeError, "a number of seconds or None"),
    (True, TypeError, "a number of seconds or None"),
    ([5], TypeError, "a number of seconds or None"),
    (0, ValueError, "a positive, finite number of seconds or None"),
    (0.0, ValueError, "a positive, finite number of seconds or None"),
    (-1, ValueError, "a positive, finite number of seconds or None"),
    (float("nan"), ValueError, "a positive, finite number of seconds or None"),
    (float("inf"), ValueError, "a positive, finite number of seconds or None"),
    (10 ** 400, ValueError, "a positive, finite number of seconds or None"),  # no float holds it
])
def test_a_timeout_must_be_a_positive_finite_number_or_none(smsc, loopback, name, constant, value, error, expected):
    for call in CALLS + [lambda c: c.send_sms_mail("7999", "hi")]:
        assert raised(call, instance(smsc, **{name: value})) == (
            error, "SMSC(%s=...) must be %s, not %r" % (name, expected, value))
        assert raised(call, configure(smsc, **{constant: value})) == (
            error, "%s must be %s, not %r" % (constant, expected, value))
        setattr(smsc, constant, 10)
    assert loopback.intercept.connections == []


@pytest.mark.parametrize("value", [5, 0.5, None, 3600])
def test_numbers_and_none_are_taken_as_timeouts(smsc, loopback, value):
    loopback.http.default = Reply(b"100")
    assert instance(smsc, timeout=value, connect_timeout=value).get_balance() == "100"
    assert configure(smsc, SMSC_TIMEOUT=value, SMSC_CONNECT_TIMEOUT=value).get_balance() == "100"
    configure(smsc).send_sms_mail("7999", "hi")
    assert len(loopback.requests) == 2 and len(loopback.smtp.messages) == 1


@pytest.mark.parametrize("charset", ["no-such-charset", "base64", "rot13", "hex", "utf-8&phones=70000000000",
                                     "utf-8&", "", " utf-8", "utf 8",
                                     "utf-16", "utf-32", "utf-8-sig", "utf-7"])
# (the last four do not keep ASCII as it is: Python 3 sent the whole request in UTF-16, and took its reply as a
# balance; Python 2 sent it in ASCII)
def test_the_charset_must_be_a_known_text_codec_the_same_on_python_2_and_3(smsc, loopback, charset):
    calls = CALLS + [lambda c: c.send_sms(b"7999", b"hi"), lambda c: c.send_sms_mail("7999", "hi")]
    for call in calls:
        assert raised(call, instance(smsc, charset=charset)) == (
            ValueError, "SMSC(charset=...) must be the name of a charset, such as 'utf-8', not %r" % charset)
        assert raised(call, configure(smsc, SMSC_CHARSET=charset)) == (
            ValueError, "SMSC_CHARSET must be the name of a charset, such as 'utf-8', not %r" % charset)
        smsc.SMSC_CHARSET = "utf-8"
    assert loopback.intercept.connections == []


@pytest.mark.parametrize("charset", [None, 1251] + ([] if six.PY2 else [b"utf-8"]))
def test_a_charset_that_is_not_text_is_a_type_error(smsc, loopback, charset):
    assert raised(instance(smsc, charset=charset).get_balance) == (
        TypeError, "SMSC(charset=...) must be the name of a charset, such as 'utf-8', not %r" % (charset,))
    assert loopback.intercept.connections == []


def test_an_unknown_charset_that_2_0_sent_to_five_hosts_is_refused_before_any_connection(smsc, legacy, loopback):
    loopback.http.default = Reply(b"100")
    assert configure(legacy, SMSC_CHARSET="no-such-charset").get_balance() is False  # the reply cannot be decoded
    assert len(loopback.requests) == 5
    loopback.clear()
    assert raised(configure(smsc, SMSC_CHARSET="no-such-charset").get_balance) == (
        ValueError, "SMSC_CHARSET must be the name of a charset, such as 'utf-8', not 'no-such-charset'")
    assert loopback.intercept.connections == []


@pytest.mark.parametrize("charset", ["windows-1251", "KOI8-R", "cp1251", "utf8", "UTF-8"])
def test_known_charsets_are_sent_as_they_are_written(smsc, loopback, charset):
    loopback.http.default = Reply(b"100")
    assert configure(smsc, SMSC_CHARSET=charset).get_balance() == "100"
    assert loopback.requests[0].request_line == GET(
        b"/sys/balance.php?login=alice&psw=secret&fmt=1&charset=" + charset.encode("ascii") + b"&")


@pytest.mark.parametrize("name,constant", [("host", "SMSC_HOST"), ("smtp_server", "SMTP_SERVER"),
                                           ("smtp_from", "SMTP_FROM")])
def test_host_and_mail_addresses_must_be_text(smsc, loopback, name, constant):
    call = CALLS[0] if name == "host" else (lambda c: c.send_sms_mail("7999", "hi"))
    assert raised(call, instance(smsc, **{name: None})) == (
        TypeError, "SMSC(%s=...) must be text, not None" % name)
    assert raised(call, configure(smsc, **{constant: 25})) == (TypeError, "%s must be text, not 25" % constant)
    assert loopback.intercept.connections == []


def test_a_setting_read_after_the_request_is_checked_before_it(smsc, loopback):
    # debug is read once the reply is in: a bad value must not raise after an SMS went out
    loopback.http.default = Reply(OK)
    with pytest.raises(TypeError):
        instance(smsc, debug="no").send_sms("79999999999", "hi")
    with pytest.raises(TypeError):
        instance(smsc, debug="no").send_sms_mail("79999999999", "hi")
    assert loopback.intercept.connections == []


def test_a_subclass_that_never_calls_our_init_is_checked_against_the_constants(smsc, loopback):
    class Legacy(smsc.SMSC):
        def __init__(self):
            pass
    configure(smsc, SMSC_HTTPS="false")
    assert raised(Legacy().get_balance) == (TypeError, "SMSC_HTTPS must be True or False (or 1 or 0), not 'false'")
    assert loopback.intercept.connections == []


@pytest.mark.parametrize("settings", [dict(timeout=1e10), dict(timeout=None, connect_timeout=1e10),
                                      dict(timeout=10 ** 12, connect_timeout=10 ** 12)])
def test_a_huge_timeout_waits_as_long_as_a_socket_can(smsc, loopback, settings):
    loopback.http.default = Reply(b"42")
    assert instance(smsc, **settings).get_balance() == "42"


def test_the_host_is_a_host_name(smsc, loopback):
    for host in ("", "evil.example/x?", "user@smsc.ru", "smsc.ru ", "smsc.ru:99999", "smsc.ru:0", "smsc.ru:"):
        assert raised(CALLS[0], instance(smsc, host=host))[0] is ValueError
    assert loopback.intercept.connections == []


@pytest.mark.parametrize("address", ["a@b.c>\r\nRCPT TO:<evil@example.org", "shop@example.org\n", "a\x00@b.c"])
def test_smtp_from_is_one_line(smsc, loopback, address):
    # a line feed in MAIL FROM would add a command: refused, named, before any connection (2.0's smtplib refused it
    # on Python 3 once connected, without naming the setting)
    assert raised(lambda c: c.send_sms_mail("7999", "hi"), instance(smsc, smtp_from=address)) == (
        ValueError, "SMSC(smtp_from=...) must be a mail address, without line feeds or control characters, not %r"
        % address)
    assert loopback.intercept.connections == []
    smsc.SMTP_FROM = address
    assert raised(lambda c: c.send_sms_mail("7999", "hi"), configure(smsc))[1].startswith("SMTP_FROM must be a mail")


# 5. One verified TLS context

def test_https_builds_one_verified_context_and_reuses_it(smsc, loopback, loopback_https, monkeypatch):
    built = []
    real = ssl.create_default_context

    def counting(*args, **kwargs):
        built.append(args)
        return real(*args, **kwargs)
    monkeypatch.setattr(ssl, "create_default_context", counting)
    smsc.SMSC_HTTPS = True
    loopback_https.http.default = Reply(b"42")
    assert [smsc.SMSC().get_balance() for _ in range(3)] == ["42"] * 3
    client_contexts = lambda: [args for args in built if args == ()]  # noqa: E731 (servers pass a purpose)
    assert len(client_contexts()) == 1 and len(loopback_https.requests) == 3
    context = smsc._tls()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname is True
    loopback_https.untrusted()  # a certificate from another CA: refused with the context already built
    assert smsc.SMSC().get_balance() is False
    assert loopback_https.requests == [] and len(client_contexts()) == 1 and smsc._tls() is context


# 6. One instance, many threads

@pytest.mark.parametrize("scheme", ["http", "https"])
def test_one_instance_from_16_threads_gives_each_caller_its_own_reply(smsc, loopback, request, scheme):
    server = loopback.http
    if scheme == "https":
        server = request.getfixturevalue("loopback_https").http
    # each reply names the message it answers, once all threads have started: their calls overlap
    started = threading.Event()

    def echo(req):
        started.wait(5)
        return Reply(req.query.split(b"&mes=")[1].split(b"&")[0] + b",1")
    server.respond = echo
    client = smsc.SMSC(login="alice", password="secret", https=(scheme == "https"), timeout=10)
    results = {}

    def send(n):
        results[n] = client.send_sms("79999999999", "m%d" % n)
    run_together([threading.Thread(target=send, args=(n,)) for n in range(16)], started)
    assert results == dict((n, ["m%d" % n, "1"]) for n in range(16))
    assert len(server.requests) == 16
