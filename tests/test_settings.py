# -*- coding: utf-8 -*-
"""What users used to patch into their copies: the domain, settings per instance, the
environment, one TLS context, and many threads on one instance."""
import json
import os
import ssl
import threading
import types

import pytest

from helpers import (DOMAINS, GET, HTTP_VERSION, LEGACY, MIRRORS, configure, expected_headers, outcome, run_app,
                     run_together)
from servers import Drop, Reply, Slow


def country_copy(domain):
    """2.0 as published for that country: the official text with only the domain changed."""
    with open(os.path.join(LEGACY, "smsc_api_20.py"), "rb") as handle:
        source = handle.read().replace(b"smscentre.com", domain.encode("ascii"))
    module = types.ModuleType("smsc_api_20_" + domain.replace(".", "_"))
    exec(compile(source, module.__name__ + ".py", "exec"), module.__dict__)
    return module


def run_side_by_side(modules, gw, capsys, call, replies):
    """helpers.outcome for each module, logged in as alice with SMSC_DEBUG on."""
    outcomes = []
    for module in modules:
        module.SMSC_LOGIN, module.SMSC_PASSWORD, module.SMSC_DEBUG = "alice", "secret", True
        outcomes.append(outcome(module, gw, capsys, call, replies))
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
def test_smsc_host_sends_what_that_countrys_copy_of_2_0_sends(smsc, gw, capsys, domain, call, replies):
    smsc.SMSC_HOST = domain
    ours, theirs = run_side_by_side([smsc, country_copy(domain)], gw, capsys, call, replies)
    # SMSC_DEBUG: the SMTP dialogue printed shows *** for the password (docs/differences.md, row 13)
    redacted = theirs.output.out, theirs.output.err.replace("alice:secret:", "alice:***:")
    assert ours[:4] + (tuple(ours.output),) == theirs[:4] + (redacted,)
    hosts = [host for host, port in ours.connections]
    assert all(host.endswith(domain) for host in hosts) and hosts


def test_smsc_host_spelled_out(smsc, gw):
    smsc.SMSC_HOST, smsc.SMSC_LOGIN, smsc.SMSC_PASSWORD = "smsc.kz", "alice", "secret"
    gw.http.default = Drop()
    assert smsc.SMSC().get_balance() is False
    assert gw.hosts == ["smsc.kz", "www2.smsc.kz", "www3.smsc.kz", "www4.smsc.kz", "www5.smsc.kz"]
    smsc.SMSC().send_sms_mail("79999999999", "test")
    session, = gw.smtp.sessions
    assert session["asked"] == ("send.smsc.kz", 25)
    assert session["mail_from"].endswith(b":<api@smsc.kz>") and session["rcpt_to"][0].endswith(b":<send@send.smsc.kz>")


def test_smtp_from_and_server_edited_in_the_file_stay_as_edited(smsc, gw):
    smsc.SMSC_HOST, smsc.SMTP_FROM, smsc.SMTP_SERVER = "smsc.ua", "robot@example.org", "mail.example.org"
    smsc.SMSC().send_sms_mail("79999999999", "test")
    session, = gw.smtp.sessions
    assert session["asked"] == ("mail.example.org", 25)
    assert session["mail_from"].endswith(b":<robot@example.org>")
    assert session["rcpt_to"][0].endswith(b":<send@send.smsc.ua>")


# 2. Settings per instance

def test_instance_settings_override_the_constants_and_the_rest_is_read_at_call_time(smsc, gw):
    smsc.SMSC_LOGIN, smsc.SMSC_PASSWORD = "module-login", "module-pw"
    client = smsc.SMSC(login="bob", password=u"пароль", post=True, charset="windows-1251", host="smsc.ru")
    plain = smsc.SMSC()
    gw.http.default = Reply(b"1,1")
    client.send_sms("79999999999", u"тест")
    plain.send_sms("79999999999", "test")
    smsc.SMSC_LOGIN = "changed"  # read at call time by what the instance did not set
    plain.get_balance()
    client.get_balance()
    first, second, third, fourth = gw.requests
    assert (first.request_line, first.asked) == (b"POST /sys/send.php " + HTTP_VERSION, ("smsc.ru", 80))
    assert first.body == (b"login=bob&psw=%EF%E0%F0%EE%EB%FC&fmt=1&charset=windows-1251&cost=3&phones=79999999999"
                          b"&mes=%F2%E5%F1%F2&translit=0&id=0")
    assert first.header_lines == expected_headers("smsc.ru", first.body)
    assert second.request_line == (b"GET /sys/send.php?login=module-login&psw=module-pw&fmt=1&charset=utf-8&cost=3"
                                   b"&phones=79999999999&mes=test&translit=0&id=0 " + HTTP_VERSION)
    assert third.request_line == GET(b"/sys/balance.php?login=changed&psw=module-pw&fmt=1&charset=utf-8&")
    assert fourth.body == b"login=bob&psw=%EF%E0%F0%EE%EB%FC&fmt=1&charset=windows-1251&"


def test_login_and_password_by_position(smsc, gw):
    gw.http.default = Reply(b"5")
    assert smsc.SMSC("bob", "pw").get_balance() == "5"
    assert gw.requests[0].request_line == b"GET /sys/balance.php?login=bob&psw=pw&fmt=1&charset=utf-8& " + HTTP_VERSION


def test_api_key_per_instance(smsc, gw):
    smsc.SMSC_LOGIN = "module-login"
    gw.http.default = Reply(b"5")
    smsc.SMSC(login="", password="KEY").get_balance()
    assert gw.requests[0].request_line == b"GET /sys/balance.php?apikey=KEY&fmt=1&charset=utf-8& " + HTTP_VERSION


def test_debug_https_and_timeout_per_instance(smsc, gw, capsys):
    smsc.SMSC_DEBUG, smsc.SMSC_TIMEOUT = True, 0.3
    # the main host answers after 1 s, the mirrors at once
    gw.http.respond = lambda request: (Slow(Reply(b"main"), pieces=1, delay=1.0) if request.asked[0] == "smscentre.com"
                                       else Reply(b"mirror"))
    assert smsc.SMSC(debug=False, timeout=5).get_balance() == "main"
    assert capsys.readouterr() == ("", "")
    assert smsc.SMSC(debug=False).get_balance() == "mirror"  # the module's 0.3 s
    assert smsc.SMSC(https=True, debug=False).get_balance() is False  # nothing listens on 443 here
    assert gw.intercept.connections[-5:] == [(host, 443) for host in MIRRORS]


def test_smtp_settings_per_instance(smsc, gw):
    smsc.SMTP_LOGIN = "module-mailer"
    client = smsc.SMSC(login="bob", password="pw", smtp_from="me@example.org", smtp_server="mail.example.org",
                       smtp_login="mailer", smtp_password="mailpass", host="smsc.kz")
    client.send_sms_mail("79999999999", "hi")
    session, = gw.smtp.sessions
    assert session["asked"] == ("mail.example.org", 25)
    assert session["mail_from"].endswith(b":<me@example.org>")
    assert session["rcpt_to"][0].endswith(b":<send@send.smsc.kz>")
    assert session["auth"] == [b"AUTH PLAIN AG1haWxlcgBtYWlscGFzcw=="]  # \0mailer\0mailpass
    assert session["data"] == b"Content-Type: text/plain; charset=utf-8\r\n\r\nbob:pw:0::0,0,:79999999999:hi\r\n"


def test_a_subclass_that_never_calls_our_init_still_works(smsc, gw):
    class Legacy(smsc.SMSC):
        def __init__(self):
            self.sent = 0  # no super().__init__()
    smsc.SMSC_LOGIN, smsc.SMSC_PASSWORD = "alice", "secret"
    gw.http.default = Reply(b"9")
    assert Legacy().get_balance() == "9"
    assert gw.requests[0].request_line == GET(b"/sys/balance.php?login=alice&psw=secret&fmt=1&charset=utf-8&")


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


def test_a_base_after_smsc_keeps_its_init_close_and_with_as_with_2_0(smsc, legacy, gw):
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
    gw.http.default = Reply(b"15,1")
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
    theirs, ours = gw.requests
    assert ours.raw == theirs.raw and b"login=alice&psw=secret" in ours.request_line


# 3. Defaults from the environment

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


# 4. One verified TLS context

def test_https_builds_one_verified_context_and_reuses_it(smsc, gw, https, monkeypatch):
    built = []
    real = ssl.create_default_context

    def counting(*args, **kwargs):
        built.append(args)
        return real(*args, **kwargs)
    monkeypatch.setattr(ssl, "create_default_context", counting)
    smsc.SMSC_HTTPS = True
    https.http.default = Reply(b"42")
    assert [smsc.SMSC().get_balance() for _ in range(3)] == ["42"] * 3
    client_contexts = lambda: [args for args in built if args == ()]  # noqa: E731 (servers pass a purpose)
    assert len(client_contexts()) == 1 and len(https.requests) == 3
    context = smsc._tls()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname is True
    https.untrusted()  # a certificate from another CA: refused with the context already built
    assert smsc.SMSC().get_balance() is False
    assert https.requests == [] and len(client_contexts()) == 1 and smsc._tls() is context


# 5. One instance, many threads

@pytest.mark.parametrize("scheme", ["http", "https"])
def test_one_instance_from_16_threads_gives_each_caller_its_own_reply(smsc, gw, request, scheme):
    server = gw.http
    if scheme == "https":
        server = request.getfixturevalue("https").http
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
