# -*- coding: utf-8 -*-
"""send_sms_mail: every path, byte for byte, against the loopback SMTP server.

smtplib connects to (SMTP_SERVER, 25); smsc_sandbox.Intercept sends that connection to
loopback.smtp, which records each command line, the AUTH exchange and the raw DATA. Each case
runs our module and the official 2.0 (fixture `legacy`) against the same server and asserts
the same session, the same outcome, and the exact bytes; where 2.0 has a defect (docs/differences.md rows 1, 12, 13,
16 and 17), what 2.0 did and what ours does.

What smtplib sends differs by version, and is asserted per version:
- 3.13 spells the envelope `mail from:` / `rcpt to:`; 2.7 and 3.6-3.12 `mail FROM:` /
  `rcpt TO:` (CPython gh-65495).
- With SIZE advertised, 2.7 counts the message before it turns `\\n` into CRLF, 3.x after.
- When AUTH PLAIN is refused, 3.x tries AUTH LOGIN next; 2.7 gives up after PLAIN.
- A server without AUTH: 3.x raises SMTPNotSupportedError, 2.7 a bare SMTPException.
- A refused connection: ConnectionRefusedError on 3.x, socket.error on 2.7.
"""
import errno
import smtplib
import socket
import sys

import pytest
import six

from helpers import AUTH_PLAIN, EHLO, HEADER, HELO, ID, MAIL, MAIL_FROM, RCPT, configure, native, raised
from servers import Reply

ASKED = ("send.smscentre.com", 25)
CREDENTIALS = dict(SMSC_LOGIN="alice", SMSC_PASSWORD="secret")
SMTP_AUTH = dict(SMTP_LOGIN="mailer", SMTP_PASSWORD="mailpass")
OK = b"15,1,1.5,98.5"
PAGE_EXAMPLE = u"Ваш пароль: 123"


def refused(host, port):
    """The outcome of a connection the sandbox refuses: socket.error on 2.7, ConnectionRefusedError on 3.x."""
    error = socket.error if six.PY2 else ConnectionRefusedError  # noqa: F821 (Python 3 only)
    return (error, (errno.ECONNREFUSED, "Connection refused (sandbox: %s:%d)" % (host, port)))


def send_mail(module, loopback, args, kwargs, **constants):
    """Set constants, call send_sms_mail; return (outcome, new sessions, connections asked)."""
    for name, value in constants.items():
        setattr(module, name, value)
    sessions, connections = len(loopback.smtp.sessions), len(loopback.intercept.connections)
    try:
        outcome = ("returned", module.SMSC().send_sms_mail(*args, **kwargs))
    except Exception as exc:
        outcome = (type(exc), exc.args)
    return outcome, loopback.smtp.sessions[sessions:], loopback.intercept.connections[connections:]


def both(smsc, legacy, loopback, args, kwargs=None, **constants):
    """Ours and 2.0, same call, same server: the same outcome, sessions and connections."""
    ours = send_mail(smsc, loopback, args, kwargs or {}, **constants)
    theirs = send_mail(legacy, loopback, args, kwargs or {}, **constants)
    assert ours == theirs
    return ours


def session(commands, data=None, auth=None, mail_from=None, rcpt_to=None, asked=ASKED):
    """The session dict loopback.smtp records, derived from the command lines it saw."""
    mails = [c for c in commands if c.startswith(b"mail ")]
    return {"asked": asked, "commands": commands,
            "auth": auth if auth is not None else [c for c in commands if c.startswith(b"AUTH ")],
            "mail_from": mail_from if mail_from is not None else (mails[0][5:] if mails else None),
            "rcpt_to": rcpt_to if rcpt_to is not None else [c[5:] for c in commands if c.startswith(b"rcpt ")],
            "data": data}


def delivered(data, mail_from=MAIL, auth=(), asked=ASKED):
    """A session that delivered `data`: EHLO, [AUTH], MAIL, RCPT, DATA, QUIT."""
    return session([EHLO] + list(auth) + [mail_from, RCPT, b"data", b"quit"], data=data, asked=asked)


# The envelope and the whole session

def test_defaults_whole_session(smsc, legacy, loopback):
    outcome, sessions, connections = both(smsc, legacy, loopback, ("79999999999", "test2"), **CREDENTIALS)
    assert outcome == ("returned", None)
    assert connections == [ASKED]
    assert sessions == [delivered(HEADER + b"alice:secret:0::0,0,:79999999999:test2\r\n")]
    commands = sessions[0]["commands"]
    if sys.version_info >= (3, 13):
        assert commands[1:] == [b"mail from:<api@smscentre.com>", b"rcpt to:<send@send.smscentre.com>",
                                b"data", b"quit"]
    else:
        assert commands[1:] == [b"mail FROM:<api@smscentre.com>", b"rcpt TO:<send@send.smscentre.com>",
                                b"data", b"quit"]


def test_every_parameter(smsc, legacy, loopback):
    outcome, sessions, _ = both(smsc, legacy, loopback, ("79999999999,79999999998", "Your code: 1234"),
                                dict(translit=2, time="0101251200", id=12345, format=13, sender="SMSC.RU"),
                                **CREDENTIALS)
    assert outcome == ("returned", None)
    assert sessions == [delivered(HEADER + b"alice:secret:12345:0101251200:2,13,SMSC.RU:"
                                           b"79999999999,79999999998:Your code: 1234\r\n")]


@pytest.mark.parametrize("kwargs,line", [
    (dict(translit=1), b"alice:secret:0::1,0,:7999:m"),
    (dict(time="+5"), b"alice:secret:0:+5:0,0,:7999:m"),
    (dict(time="h1-h2"), b"alice:secret:0:h1-h2:0,0,:7999:m"),
    (dict(id=2147483647), b"alice:secret:2147483647::0,0,:7999:m"),
    (dict(format=1), b"alice:secret:0::0,1,:7999:m"),
    (dict(format=12), b"alice:secret:0::0,12,:7999:m"),
    (dict(sender="sms"), b"alice:secret:0::0,0,sms:7999:m"),
    (dict(sender="a,b"), b"alice:secret:0::0,0,a,b:7999:m"),  # nothing is escaped (a ":" is refused: below)
])
def test_each_parameter_alone(smsc, legacy, loopback, kwargs, line):
    outcome, sessions, _ = both(smsc, legacy, loopback, ("7999", "m"), kwargs, **CREDENTIALS)
    assert outcome == ("returned", None)
    assert sessions == [delivered(HEADER + line + b"\r\n")]


def test_api_key_mode_sends_an_empty_login(smsc, legacy, loopback):
    outcome, sessions, _ = both(smsc, legacy, loopback, ("7999", "m"), SMSC_LOGIN="", SMSC_PASSWORD="KEY-123")
    assert outcome == ("returned", None)
    assert sessions == [delivered(HEADER + b":KEY-123:0::0,0,:7999:m\r\n")]


def test_empty_message_and_phones(smsc, legacy, loopback):
    outcome, sessions, _ = both(smsc, legacy, loopback, ("", ""))
    assert outcome == ("returned", None)
    assert sessions == [delivered(HEADER + b"::0::0,0,::\r\n")]


@pytest.mark.parametrize("message,body", [
    ("one\ntwo", b"one\r\ntwo\r\n"),                                  # bare LF -> CRLF
    ("one\r\ntwo", b"one\r\ntwo\r\n"),                                # CRLF kept
    ("one\rtwo", b"one\r\ntwo\r\n"),                                  # bare CR -> CRLF
    ("one\n.two\n..three\n.", b"one\r\n..two\r\n...three\r\n..\r\n"),  # dot-stuffing
    ("one\n.\ntwo", b"one\r\n..\r\ntwo\r\n"),                         # a lone "." is not the end
    ("ends with newline\n", b"ends with newline\r\n"),                # no second CRLF
    ("two blank lines\n\n", b"two blank lines\r\n\r\n"),
    ("a.b .c\n x", b"a.b .c\r\n x\r\n"),                              # only a leading "." is doubled
])
def test_line_breaks_and_dots_in_the_message(smsc, legacy, loopback, message, body):
    outcome, sessions, _ = both(smsc, legacy, loopback, ("7999", message), **CREDENTIALS)
    assert outcome == ("returned", None)
    assert sessions == [delivered(HEADER + b"alice:secret:0::0,0,:7999:" + body)]


def test_smtp_from_changed(smsc, legacy, loopback):
    outcome, sessions, _ = both(smsc, legacy, loopback, ("7999", "m"), SMTP_FROM="robot@example.org")
    assert outcome == ("returned", None)
    assert sessions == [delivered(HEADER + b"::0::0,0,:7999:m\r\n",
                                  mail_from=MAIL_FROM + b"<robot@example.org>")]


def test_smtp_server_changed_keeps_the_smscentre_recipient(smsc, legacy, loopback):
    outcome, sessions, connections = both(smsc, legacy, loopback, ("7999", "m"), SMTP_SERVER="smtp.example.org")
    assert outcome == ("returned", None)
    assert connections == [("smtp.example.org", 25)]
    assert sessions == [delivered(HEADER + b"::0::0,0,:7999:m\r\n", asked=("smtp.example.org", 25))]


def test_smtp_server_with_a_port_is_split_by_smtplib(smsc, legacy, loopback):
    outcome, sessions, connections = both(smsc, legacy, loopback, ("7999", "m"), SMTP_SERVER="smtp.example.org:2525")
    assert connections == [("smtp.example.org", 2525)]   # not routed by the sandbox: refused
    assert sessions == []
    assert outcome == refused("smtp.example.org", 2525)


@pytest.mark.parametrize("charset", ["windows-1251", "koi8-r", "UTF-8"])
def test_smsc_charset_changes_only_the_header(smsc, legacy, loopback, charset):
    outcome, sessions, _ = both(smsc, legacy, loopback, ("7999", "Hello"), SMSC_CHARSET=charset, **CREDENTIALS)
    assert outcome == ("returned", None)
    assert sessions == [delivered(b"Content-Type: text/plain; charset=" + charset.encode("ascii") +
                                  b"\r\n\r\nalice:secret:0::0,0,:7999:Hello\r\n")]


def test_size_parameter_when_the_server_advertises_size(smsc, legacy, loopback):
    loopback.smtp.extensions = ["SIZE 10240000", "8BITMIME", "AUTH PLAIN LOGIN"]
    outcome, sessions, _ = both(smsc, legacy, loopback, ("7999", "one\ntwo"), **CREDENTIALS)
    data = HEADER + b"alice:secret:0::0,0,:7999:one\r\ntwo\r\n"
    # 2.0 hands smtplib "Content-Type: text/plain; charset=utf-8\n\nalice:secret:0::0,0,:7999:one\ntwo":
    # 74 characters with 3 bare LFs; 77 once each LF is CRLF (DATA without its final CRLF).
    assert len(data) - len(b"\r\n") == 77
    if six.PY2:
        size = b" size=74"   # 2.7 counts the string as given
    else:
        size = b" size=77"   # 3.x counts it after LF -> CRLF
    assert outcome == ("returned", None)
    assert sessions == [delivered(data, mail_from=MAIL + size)]


def test_helo_when_ehlo_is_refused(smsc, legacy, loopback):
    loopback.smtp.fail["ehlo"] = "502 5.5.2 EHLO not supported"
    outcome, sessions, _ = both(smsc, legacy, loopback, ("7999", "m"))
    # The sandbox answers HELO with the same failure: smtplib gives up after HELO.
    assert outcome == (smtplib.SMTPHeloError, (502, b"5.5.2 EHLO not supported"))
    assert sessions == [session([EHLO, HELO])]


# SMTP authentication

def test_without_smtp_login_no_auth_is_sent(smsc, legacy, loopback):
    outcome, sessions, _ = both(smsc, legacy, loopback, ("7999", "m"), SMTP_LOGIN="", SMTP_PASSWORD="unused")
    assert outcome == ("returned", None)
    assert sessions == [delivered(HEADER + b"::0::0,0,:7999:m\r\n")]  # no AUTH command, nothing in "auth"


def test_with_smtp_login_auth_plain(smsc, legacy, loopback):
    outcome, sessions, _ = both(smsc, legacy, loopback, ("7999", "m"), **SMTP_AUTH)
    assert outcome == ("returned", None)
    assert sessions == [delivered(HEADER + b"::0::0,0,:7999:m\r\n", auth=[AUTH_PLAIN])]
    assert sessions[0]["auth"] == [b"AUTH PLAIN AG1haWxlcgBtYWlscGFzcw=="]  # "\0mailer\0mailpass" in base64


def test_with_smtp_login_auth_login_when_only_login_is_offered(smsc, legacy, loopback):
    loopback.smtp.extensions = ["AUTH LOGIN"]
    outcome, sessions, _ = both(smsc, legacy, loopback, ("7999", "m"), **SMTP_AUTH)
    assert outcome == ("returned", None)
    # 2.7 and 3.x alike: the user name on the AUTH line, the password after "334 Password:" (bWFpbGVy and
    # bWFpbHBhc3M= are "mailer" and "mailpass" in base64).
    assert sessions == [session(
        [EHLO, b"AUTH LOGIN bWFpbGVy", MAIL, RCPT, b"data", b"quit"],
        data=HEADER + b"::0::0,0,:7999:m\r\n", auth=[b"AUTH LOGIN bWFpbGVy", b"bWFpbHBhc3M="])]


def test_smtp_login_against_a_server_without_auth(smsc, legacy, loopback):
    loopback.smtp.extensions = ["8BITMIME"]
    outcome, sessions, _ = both(smsc, legacy, loopback, ("7999", "m"), **SMTP_AUTH)
    assert sessions == [session([EHLO])]
    if six.PY2:
        assert outcome == (smtplib.SMTPException, ("SMTP AUTH extension not supported by server.",))
    else:
        assert outcome == (smtplib.SMTPNotSupportedError, ("SMTP AUTH extension not supported by server.",))


def test_auth_refused(smsc, legacy, loopback):
    loopback.smtp.fail["auth"] = "535 5.7.8 Authentication credentials invalid"
    outcome, sessions, _ = both(smsc, legacy, loopback, ("7999", "m"), **SMTP_AUTH)
    assert outcome == (smtplib.SMTPAuthenticationError, (535, b"5.7.8 Authentication credentials invalid"))
    if six.PY2:
        # 2.7 tries the first mechanism it prefers, PLAIN, and stops there
        assert sessions == [session([EHLO, AUTH_PLAIN])]
    else:
        # 3.x tries every offered mechanism it knows: PLAIN, then LOGIN
        assert sessions == [session([EHLO, AUTH_PLAIN, b"AUTH LOGIN bWFpbGVy"],
                                    auth=[AUTH_PLAIN, b"AUTH LOGIN bWFpbGVy", b"bWFpbHBhc3M="])]


# Server errors: 2.0 catches none of them, they reach the caller; no quit() is sent

def test_connection_refused(smsc, legacy, loopback):
    loopback.intercept.refuse.add("send.smscentre.com")
    outcome, sessions, connections = both(smsc, legacy, loopback, ("7999", "m"), **SMTP_AUTH)
    assert connections == [ASKED]
    assert sessions == []
    assert outcome == refused("send.smscentre.com", 25)


def test_greeting_554(smsc, legacy, loopback):
    loopback.smtp.fail["connect"] = "554 5.3.2 No service here"
    outcome, sessions, connections = both(smsc, legacy, loopback, ("7999", "m"), **SMTP_AUTH)
    assert outcome == (smtplib.SMTPConnectError, (554, b"5.3.2 No service here"))
    assert connections == [ASKED]
    assert sessions == [session([], asked=None)]   # nothing sent, not even EHLO


REFUSED = [
    ("mail", "550 5.1.0 Sender rejected",
     (smtplib.SMTPSenderRefused, (550, b"5.1.0 Sender rejected", "api@smscentre.com")),
     [EHLO, AUTH_PLAIN, MAIL, b"rset"], None),
    ("rcpt", "550 5.1.1 No such user",
     (smtplib.SMTPRecipientsRefused, ({"send@send.smscentre.com": (550, b"5.1.1 No such user")},)),
     [EHLO, AUTH_PLAIN, MAIL, RCPT, b"rset"], None),
    ("data", "554 5.5.1 No valid recipients",
     (smtplib.SMTPDataError, (554, b"5.5.1 No valid recipients")),
     [EHLO, AUTH_PLAIN, MAIL, RCPT, b"data"], None),
    ("message", "554 5.7.1 Message rejected",
     (smtplib.SMTPDataError, (554, b"5.7.1 Message rejected")),
     [EHLO, AUTH_PLAIN, MAIL, RCPT, b"data", b"rset"], HEADER + b"alice:secret:0::0,0,:7999:m\r\n"),
]


@pytest.mark.parametrize("step,answer,outcome,commands,data", REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_step_raises_to_the_caller(smsc, legacy, loopback, step, answer, outcome, commands, data):
    loopback.smtp.fail[step] = answer
    got, sessions, _ = both(smsc, legacy, loopback, ("7999", "m"), **dict(CREDENTIALS, **SMTP_AUTH))
    assert got == outcome  # the exact class: classes are equal only when they are the same
    assert sessions == [session(commands, data=data)]


def test_refused_errors_are_the_smtplib_classes(smsc, loopback):
    """The rcpt case of REFUSED spelled with pytest.raises, for the exact class (not a subclass); here without
    SMTP AUTH nor credentials, a session REFUSED does not run."""
    loopback.smtp.fail["rcpt"] = "550 5.1.1 No such user"
    with pytest.raises(smtplib.SMTPRecipientsRefused) as info:
        smsc.SMSC().send_sms_mail("7999", "m")
    assert type(info.value) is smtplib.SMTPRecipientsRefused
    assert info.value.recipients == {"send@send.smscentre.com": (550, b"5.1.1 No such user")}


# docs/differences.md row 12: send_sms_mail closes the SMTP connection when the server refuses a step

def test_mail_connection_is_closed_when_the_server_refuses(smsc, legacy, loopback):
    loopback.smtp.fail["rcpt"] = "550 5.1.1 No such user"
    with pytest.raises(smtplib.SMTPRecipientsRefused) as error20:  # the traceback keeps 2.0's SMTP object
        configure(legacy).send_sms_mail("79999999999", "hi")
    assert loopback.smtp.served == 0  # 2.0 left the connection open (until the SMTP object is collected)
    with pytest.raises(smtplib.SMTPRecipientsRefused) as error:  # ours kept alive alike: only close() ends it
        configure(smsc).send_sms_mail("79999999999", "hi")
    assert loopback.smtp.wait_served(1)  # ours closed its connection: the server's session ended
    assert loopback.smtp.sessions[1]["commands"][-1] == b"rset"  # no QUIT: the bytes are 2.0's
    assert loopback.smtp.sessions[0]["commands"] == loopback.smtp.sessions[1]["commands"]
    del error20, error


def test_a_mail_server_that_refuses_is_a_warning_and_one_that_fails_an_error(smsc, loopback, logged):
    # raised to the caller as in 2.0, and said on the log (what a server echoes masked, its control characters
    # escaped)
    client = configure(smsc, SMSC_PASSWORD="Sup3r-Secret")
    loopback.smtp.fail["rcpt"] = "550 5.1.1 no \x1b[2J Sup3r-Secret"
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        client.send_sms_mail("79999999999", "hi")
    echoed = ("" if six.PY2 else "b") + "'5.1.1 no \\x1b[2J ***'"  # the bytes' repr: escaped
    assert logged() == [("WARNING", "mail: send.smscentre.com refused it: SMTPRecipientsRefused: "
                                    "{'send@send.smscentre.com': (550, %s)}" % echoed)]
    loopback.intercept.refuse.add("send.smscentre.com")
    with pytest.raises(socket.error):
        client.send_sms_mail("79999999999", "hi")
    level, message = logged()[-1]
    assert (level, message.split(": ")[:2]) == ("ERROR", ["mail", "send.smscentre.com failed"])
    assert "ConnectionRefusedError" in message or "error: [Errno 111]" in message


# SMSC_DEBUG: smtplib debug level 1 (stderr), the dialogue as 2.0's but for *** in place of the passwords
# (docs/differences.md row 13; every form of a password masked: test_secrets.py)

def test_without_smsc_debug_stderr_stays_empty(smsc, legacy, loopback, mail_output):
    for module in (smsc, legacy):
        assert mail_output(module, False) == ("", "")
    assert len(loopback.smtp.messages) == 2


def test_smsc_debug_prints_the_smtp_dialogue_on_stderr(smsc, legacy, loopback, mail_output):
    ours, theirs = mail_output(smsc, True), mail_output(legacy, True)
    # 2.0's dialogue, but for the password: smtplib printed AUTH PLAIN <base64 of \0mailer\0mailpass>
    assert ours == (theirs[0], theirs[1].replace(AUTH_PLAIN.decode("ascii"), "AUTH PLAIN ***"))
    assert AUTH_PLAIN.decode("ascii") in theirs.err and "AUTH PLAIN ***" in ours.err
    assert ours.out == ""
    data = HEADER + b"::0::0,0,:7999:hi\r\n..x\r\n.\r\n"
    sent = [line for line in ours.err.splitlines() if line.startswith("send: ")]
    # commands are sent as str; DATA as bytes on 3.x (repr b'...'), as str on 2.7
    assert sent == ["send: %r" % six.ensure_str(line + b"\r\n") for line in
                    [EHLO, b"AUTH PLAIN ***", MAIL, RCPT, b"data"]] + \
                   ["send: %r" % data, "send: 'quit\\r\\n'"]
    assert "reply: retcode (221)" in ours.err
    assert "connect:" not in ours.err   # the level is set after the connection is made


# Text that is not ASCII

@pytest.mark.skipif(not six.PY2, reason="Python 3: 2.0 raises UnicodeEncodeError for non-ASCII mail text "
                                        "(docs/differences.md row 1, tested below)")
def test_python_2_utf8_byte_strings_are_sent_as_they_are(smsc, legacy, loopback):
    message = u"Ваш пароль: 123\n.ок".encode("utf-8")
    sender = u"Отправитель".encode("utf-8")
    outcome, sessions, _ = both(smsc, legacy, loopback, ("79999999999", message), dict(sender=sender),
                                SMSC_LOGIN=u"логин".encode("utf-8"), SMSC_PASSWORD="secret")
    assert outcome == ("returned", None)
    assert sessions == [delivered(HEADER + u"логин:secret:0::0,0,Отправитель:79999999999:"
                                           u"Ваш пароль: 123\r\n..ок\r\n".encode("utf-8"))]


# docs/differences.md row 1: non-ASCII text is sent in SMSC_CHARSET

def mail_data(charset, message):
    return (b"Content-Type: text/plain; charset=" + charset.encode("ascii") + b"\r\n\r\n" +
            b"alice:secret:0::0,0,:79999999999:" + message + b"\r\n")


def test_mail_with_the_pages_own_example_is_sent_in_utf_8(smsc, legacy, loopback):
    if six.PY2:  # 2.0 sends Python 2 byte strings as they are: no defect there
        configure(legacy).send_sms_mail("79999999999", native(PAGE_EXAMPLE))
        assert loopback.smtp.sessions[-1]["data"] == mail_data("utf-8", PAGE_EXAMPLE.encode("utf-8"))
    else:
        with pytest.raises(UnicodeEncodeError):
            configure(legacy).send_sms_mail("79999999999", PAGE_EXAMPLE)
    loopback.clear()
    configure(smsc).send_sms_mail("79999999999", native(PAGE_EXAMPLE))
    session, = loopback.smtp.sessions
    assert session["data"] == mail_data("utf-8", PAGE_EXAMPLE.encode("utf-8"))
    assert session["rcpt_to"] == [RCPT[len(b"rcpt "):]]  # smtplib 3.13 spells it "to:", earlier ones "TO:"


@pytest.mark.parametrize("charset", ["windows-1251", "koi8-r"])
def test_mail_text_is_encoded_in_smsc_charset(smsc, loopback, charset):
    configure(smsc, SMSC_CHARSET=charset).send_sms_mail(u"79999999999", PAGE_EXAMPLE)
    assert loopback.smtp.messages[0]["data"] == mail_data(charset, PAGE_EXAMPLE.encode(charset))


def test_mail_bytes_are_sent_as_they_are(smsc, loopback):
    configure(smsc, SMSC_CHARSET="windows-1251").send_sms_mail(b"79999999999", b"\xcf\xf0\xe8\r\n.x\n")
    assert loopback.smtp.messages[0]["data"] == mail_data("windows-1251", b"\xcf\xf0\xe8\r\n..x")


def test_mail_text_outside_the_charset_is_a_clear_error_before_any_connection(smsc, loopback):
    client = configure(smsc, SMSC_CHARSET="koi8-r")
    with pytest.raises(UnicodeEncodeError) as error:
        client.send_sms_mail("79999999999", u"\u20ac")
    assert "not in SMSC_CHARSET koi8-r (message)" in str(error.value)


# 2.0's send_sms_mail took any format and id, and shifted its fields on a ":"; ours accepts exactly what send_sms
# accepts (docs/differences.md rows 16 and 17)

@pytest.mark.parametrize("kwargs", [dict(sender=None), dict(sender=False), dict(sender=0), dict(time=None),
                                    dict(time=0), dict(time=False)])
def test_mail_takes_none_and_0_as_send_sms_does(smsc, legacy, loopback, kwargs):
    with pytest.raises(TypeError):  # 2.0 concatenated them to text
        configure(legacy).send_sms_mail("79999999999", "hi", **kwargs)
    configure(smsc).send_sms_mail("79999999999", "hi", **kwargs)
    assert loopback.smtp.messages[-1]["data"] == HEADER + b"alice:secret:0::0,0,:79999999999:hi\r\n"


VALUES = [0, 1, 13, 14, -1, 2 ** 40, "1", "13", "14", "x", "", "1&x=2", "1:2", None, True, False, 1.0, [1], b"2"]


@pytest.mark.parametrize("name", ["id", "translit", "format", "time", "sender"])
def test_mail_accepts_exactly_what_send_sms_accepts(smsc, loopback, name):
    loopback.http.default = Reply(OK)
    client = configure(smsc)
    for value in VALUES + [u"Я", "+5", "0101251200"]:
        sms = raised(client.send_sms, "79999999999", "hi", **{name: value})
        mail = raised(client.send_sms_mail, "79999999999", "hi", **{name: value})
        if sms == ("returned", None) and u":" in u"%s" % (value,):  # what a mail alone cannot carry: its separator
            sms = (ValueError, "%s must not hold ':' in send_sms_mail: it would shift the mail's fields" % name)
        assert (value, mail) == (value, sms)


@pytest.mark.parametrize("name,value,shifted", [
    ("sender", "shop:70000000000", b"alice:secret:0::0,0,shop:70000000000:79999999999:hi"),
    ("time", "0:70000000000", b"alice:secret:0:0:70000000000:0,0,:79999999999:hi"),
    ("phones", "79999999999:evil", b"alice:secret:0::0,0,:79999999999:evil:hi"),
])
def test_mail_refuses_a_colon_that_would_shift_its_fields(smsc, legacy, loopback, name, value, shifted):
    # 2.0 pasted it into the mail: the gateway then reads the next field from it (70000000000 as the phones)
    arguments = dict({"phones": "79999999999", "message": "hi"}, **{name: value})
    configure(legacy).send_sms_mail(**arguments)
    assert loopback.smtp.messages[0]["data"] == HEADER + shifted + b"\r\n"
    assert raised(configure(smsc).send_sms_mail, **arguments) == (
        ValueError, "%s must not hold ':' in send_sms_mail: it would shift the mail's fields" % name)
    assert len(loopback.smtp.sessions) == 1


def test_mail_refuses_a_colon_in_the_credentials(smsc, loopback):
    for constants, name in ((dict(SMSC_PASSWORD="se:cret"), "SMSC_PASSWORD"),
                            (dict(SMSC_LOGIN="al:ice"), "SMSC_LOGIN")):
        assert raised(configure(smsc, **constants).send_sms_mail, "7999", "m") == (
            ValueError, "%s must not hold ':' in send_sms_mail: it would shift the mail's fields" % name)
    assert raised(smsc.SMSC(login="alice", password="se:cret").send_sms_mail, "7999", "m") == (
        ValueError, "SMSC(password=...) must not hold ':' in send_sms_mail: it would shift the mail's fields")
    assert loopback.smtp.sessions == []


def test_mail_format_outside_0_to_13_is_refused_as_by_send_sms(smsc, legacy, loopback):
    configure(legacy).send_sms_mail("7999", "m", format=20)  # 2.0: no list of formats for mail
    assert loopback.smtp.messages[0]["data"] == HEADER + b"alice:secret:0::0,20,:7999:m\r\n"
    assert raised(configure(smsc).send_sms_mail, "7999", "m", format=20) == (
        IndexError, "format must be from 0 to 13, not 20")
    assert len(loopback.smtp.sessions) == 1


def test_mail_id_that_is_not_an_id_is_refused(smsc, legacy, loopback):
    configure(legacy).send_sms_mail("7999", "m", id="new:79990000000")  # shifts the fields of the mail
    assert loopback.smtp.messages[0]["data"] == HEADER + b"alice:secret:new:79990000000::0,0,:7999:m\r\n"
    assert raised(configure(smsc).send_sms_mail, "7999", "m", id="new:79990000000") == (
        ValueError, "id must be %s, not 'new:79990000000'" % ID)
    assert len(loopback.smtp.sessions) == 1
