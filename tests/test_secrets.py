# -*- coding: utf-8 -*-
"""Secrets (passwords, API keys) never appear in output, logs or exceptions, however they are written.

What SMSC_DEBUG prints of the SMTP dialogue, the transport's log messages, and the exceptions the module raises
(their text, args, attributes, cause and context): every form a password takes there (as it is, without its line
feed, percent-encoded, in base64, in AUTH PLAIN) shows as ***; a short password only where it stands alone. What the
command line shows of a reply: test_cli.py; the sandbox's own output: test_sandbox_limits.py.
"""
import base64

import pytest
import six

from helpers import HEADER, configure, native, printed
from servers import Reply


# 1. SMSC_DEBUG: the SMTP dialogue smtplib prints (docs/differences.md row 13)

@pytest.fixture
def smtp_debug(smsc, mail_output):
    """run(**constants): conftest's mail_output of send_sms_mail("7999", "hi") as alice (password "secret"),
    SMSC_DEBUG on, then `constants`; stderr and the "send:" lines smtplib printed there."""
    def run(**constants):
        smsc.SMSC_LOGIN, smsc.SMSC_PASSWORD = "alice", "secret"
        err = mail_output(smsc, True, message="hi", **constants).err
        return err, [line for line in err.splitlines() if line.startswith("send: ")]
    return run


def every_form(secret):
    """What a leak of secret may look like in the dialogue smtplib prints."""
    raw = secret.encode("utf-8")
    forms = set([secret, secret.strip()])
    for value in (raw, raw.strip(), b"\0mailer\0" + raw):
        forms.add(base64.b64encode(value).decode("ascii"))
    return forms


@pytest.mark.parametrize("smtp_password,encoded", [("mailpass", b"bWFpbHBhc3M="),
                                                   ("mailpass\n", b"bWFpbHBhc3MK")])  # as read from a file
def test_smsc_debug_never_prints_a_password_or_key(smsc, loopback, mail_output, smtp_password, encoded):
    loopback.smtp.extensions = ["AUTH LOGIN"]
    smsc.SMSC_LOGIN, smsc.SMSC_PASSWORD = "alice", "s3cr3t-smsc"
    ours = mail_output(smsc, True, SMTP_PASSWORD=smtp_password)  # SMTP_LOGIN "mailer"
    sent = [line for line in ours.err.splitlines() if line.startswith("send: ")]
    assert sent[1:3] == ["send: 'AUTH LOGIN bWFpbGVy\\r\\n'", "send: '***\\r\\n'"]  # user name kept, password not
    assert sent[-2] == "send: %r" % (HEADER + b"alice:***:0::0,0,:7999:hi\r\n..x\r\n.\r\n")
    plain = base64.b64encode(b"\0mailer\0" + smtp_password.encode("ascii")).decode("ascii")  # as AUTH PLAIN has it
    for secret in ("s3cr3t-smsc", "mailpass", "bWFpbHBhc3M=", "czNjcjN0LXNtc2M=", smtp_password,
                   encoded.decode("ascii"), plain):
        assert secret not in ours.err
    session, = loopback.smtp.sessions
    assert session["auth"] == [b"AUTH LOGIN bWFpbGVy", encoded]  # the server still got them
    assert session["data"] == HEADER + b"alice:s3cr3t-smsc:0::0,0,:7999:hi\r\n..x\r\n"


ECHOES = [  # a server (a proxy, a portal) that echoes the request: 2.0's line, the secret masked
    (lambda c: c.get_balance(), b"/sys/balance.php?apikey=MyApiKey-123&fmt=1",
     u"Сумма на счете: /sys/balance.php?apikey=***&fmt=1", "/sys/balance.php?apikey=MyApiKey-123&fmt=1"),
    (lambda c: c.get_balance(), b"0,-MyApiKey-123", u"Ошибка №***", False),
    (lambda c: c.send_sms("79999999999", "hi"), b"15,1,TXlBcGlLZXktMTIz,98.5",
     u"Сообщение отправлено успешно. ID: 15, всего SMS: 1, стоимость: ***, баланс: 98.5",
     ["15", "1", "TXlBcGlLZXktMTIz", "98.5"]),
    (lambda c: c.get_sms_cost("79999999999", "hi"), b"'MyApiKey-123',1", u"Стоимость рассылки: '***'. Всего SMS: 1",
     ["'MyApiKey-123'", "1"]),
    (lambda c: c.get_status(15, "79999999999"), b"1,0,0,MyApiKey-123", u"Статус SMS = 1",
     ["1", "0", "0", "MyApiKey-123"]),
]


@pytest.mark.parametrize("call,reply,line,returned", ECHOES)
def test_smsc_debug_masks_a_secret_a_server_echoes(smsc, loopback, capsys, call, reply, line, returned):
    loopback.http.script(Reply(reply))
    client = configure(smsc, SMSC_LOGIN="", SMSC_PASSWORD="MyApiKey-123", SMSC_DEBUG=True)
    assert call(client) == returned  # 2.0's return value, as it came
    assert printed(capsys) == line + u"\n"


@pytest.mark.parametrize("password", ["s3cr3t-smsc\n", "s3cr3t-smsc \r\n", "s3cr3t-smsc\t", " s3cr3t-smsc"])
@pytest.mark.parametrize("smtp_password", ["mailpass\n", "mailpass \r\n", "mailpass  "])
def test_smtp_dialogue_masks_passwords_read_from_a_file(smtp_debug, loopback, password, smtp_password):
    err, sent = smtp_debug(SMSC_PASSWORD=password, SMTP_PASSWORD=smtp_password)
    for secret in (password, smtp_password):
        for form in every_form(secret):
            assert form not in err
    assert sent[1] == "send: 'AUTH PLAIN ***\\r\\n'"
    assert sent[-2] == "send: %r" % (HEADER + b"alice:***:0::0,0,:7999:hi\r\n.\r\n")
    data = loopback.smtp.messages[0]["data"]  # the server still got them
    assert data == HEADER + b"alice:" + password.encode("ascii").replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") + \
        b":0::0,0,:7999:hi\r\n"


def test_smsc_debug_masks_what_the_smtp_server_echoes(smtp_debug, loopback):
    # a server that echoes AUTH and the message in its replies: smtplib prints the replies too
    loopback.smtp.fail["auth"] = "235 accepted AUTH PLAIN " + base64.b64encode(b"\0mailer\0mailpass").decode("ascii")
    loopback.smtp.fail["message"] = "250 queued alice:s3cr3t-smsc:0::0,0,:7999:hi"
    err, sent = smtp_debug(SMSC_PASSWORD="s3cr3t-smsc", SMTP_PASSWORD="mailpass")
    for secret in ("s3cr3t-smsc", "mailpass", base64.b64encode(b"\0mailer\0mailpass").decode("ascii")):
        assert secret not in err
    assert "235 accepted AUTH PLAIN ***" in err and "250 queued alice:***:0::0,0,:7999:hi" in err


# 2. Log messages

@pytest.mark.parametrize("written", [
    "pa ss/w%rd\n",           # as it is
    "pa ss/w%rd",             # without its line feed
    "pa ss/w%rd\\n",          # as repr() writes it
    "pa%20ss/w%25rd%0A",      # percent-encoded, as the request carries it
    "pa%20ss/w%25rd",
    "pa%20ss%2Fw%25rd%0A",    # percent-encoded with "/" too
    "pa+ss%2Fw%25rd%0A",      # as a form body (quote_plus)
    "cGEgc3MvdyVyZAo=",       # base64
    "cGEgc3MvdyVyZA==",
])
def test_log_messages_mask_every_form_of_the_password(smsc, written):
    client = smsc.SMSC(password="pa ss/w%rd\n")
    assert smsc._failure_text(client, IOError("failed <%s>" % written), "login=x") == (
        "%s: failed <***>" % IOError.__name__)


def test_log_messages_mask_the_smtp_password_and_the_query(smsc):
    client = smsc.SMSC(password="pw", smtp_login="mailer", smtp_password=u"пароль\n")
    encoded = base64.b64encode(u"пароль".encode("utf-8")).decode("ascii")
    error = ValueError(native(u"<пароль> <%s> <a=1&b=2>" % encoded))  # an exception's text: the native str
    assert smsc._failure_text(client, error, "a=1&b=2") == "ValueError: <***> <***> <***>"


def test_a_short_password_is_masked_only_where_it_stands_alone(smsc):
    forms = smsc._secret_forms(["e"])
    assert smsc._masked(u"ConnectionRefusedError: [Errno 111] Connection refused", forms) == (
        u"ConnectionRefusedError: [Errno 111] Connection refused")
    assert smsc._masked(u"login=alice&psw=e&fmt=1 alice:e:0", forms) == u"login=alice&psw=***&fmt=1 alice:***:0"
    assert smsc._masked(b"alice:e:0", forms) == b"alice:***:0"


# The helpers the transport uses for its own log lines

def test_secret_forms_and_masked(smsc):
    forms = smsc._secret_forms([u"пароль\n", b"key\r\n", None, u"", b"  "], "utf-8")
    as_bytes, as_text = forms
    assert all(isinstance(form, bytes) for form in as_bytes) and all(isinstance(f, six.text_type) for f in as_text)
    assert [len(form) for form in as_bytes] == sorted((len(form) for form in as_bytes), reverse=True)
    assert b"" not in as_bytes and u"" not in as_text
    assert smsc._masked(b"psw=%D0%BF%D0%B0%D1%80%D0%BE%D0%BB%D1%8C%0A&x", forms) == b"psw=***&x"
    assert smsc._masked(u"пароль and key and a2V5DQo=", forms) == u"*** and *** and ***"
    assert smsc._masked(b"AUTH " + base64.b64encode(u"пароль".encode("utf-8")), forms) == b"AUTH ***"
    assert smsc._masked(u"nothing secret", smsc._secret_forms([], "utf-8")) == u"nothing secret"


def test_secrets_of_an_instance(smsc):
    client = smsc.SMSC(password="pw", smtp_login="mailer", smtp_password="mp")
    assert smsc._secrets(client) == ["pw", "mp", b"\0mailer\0mp"]
    assert smsc._secrets(smsc.SMSC(password="pw")) == ["pw", ""]


# 3. Exceptions: a setting or text the charset cannot encode, a mail server's refusal

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


def test_a_password_outside_the_charset_is_refused_without_showing_it(smsc, loopback):
    client = configure(smsc, SMSC_CHARSET="koi8-r", SMSC_PASSWORD=u"секрет\u20ac")
    for call in (client.get_balance, lambda: client.send_sms_mail("7999", "hi")):
        with pytest.raises(UnicodeEncodeError) as error:
            call()
        assert str(error.value) == "SMSC_PASSWORD cannot be encoded in SMSC_CHARSET koi8-r"
        assert u"\u20ac" not in repr(error.value.args) and "position" not in str(error.value)
    assert loopback.intercept.connections == []


def test_an_smtp_password_that_auth_cannot_carry_is_refused_without_showing_it(smsc, loopback):
    client = configure(smsc, SMTP_LOGIN="mailer", SMTP_PASSWORD=u"p\u00e4ssw\u00f6rd")
    with pytest.raises(UnicodeEncodeError) as error:
        client.send_sms_mail("7999", "hi")
    assert str(error.value).startswith("SMTP_LOGIN or SMTP_PASSWORD cannot be encoded for SMTP AUTH")
    assert u"\u00e4" not in repr(error.value.args) and "position" not in str(error.value)


def test_a_query_the_charset_cannot_encode_raises_without_the_password(smsc, loopback):
    client = configure(smsc, SMSC_PASSWORD="Sup3r-Secret", SMSC_CHARSET="windows-1251")
    with pytest.raises(UnicodeEncodeError) as raised:
        client.send_sms("79999999999", "hi", query=u"tag=\u4e2d")
    assert secrets_in(raised.value, ["Sup3r-Secret"]) == []
    assert "query" in str(raised.value) and loopback.intercept.connections == []


def test_a_password_the_charset_cannot_encode_raises_without_it(smsc, loopback):
    client = configure(smsc, SMSC_PASSWORD=u"Sup3r-Secr\u20act", SMSC_CHARSET="koi8-r")
    for call in (lambda: client.get_balance(), lambda: client.send_sms_mail("7999", "hi")):
        with pytest.raises(UnicodeEncodeError) as raised:
            call()
        assert secrets_in(raised.value, [u"Sup3r-Secr\u20act", u"Sup3r", u"\u20ac"]) == []
    assert loopback.intercept.connections == []


@pytest.mark.skipif(six.PY2, reason="2.0's quote() on Python 2 took bytes only: a text password never reaches it")
@pytest.mark.parametrize("post", [False, True], ids=["get", "post"])
def test_a_replaced_quote_that_leaves_text_as_it_is_sends_the_charsets_bytes(smsc, loopback, monkeypatch, post):
    # 2.0 encoded such a request in SMSC_CHARSET (POST; its GET failed): the password is never in an exception
    monkeypatch.setattr(smsc, "quote", lambda text, safe="/": text)
    client = configure(smsc, SMSC_LOGIN="alice", SMSC_PASSWORD=u"Пароль", SMSC_CHARSET="windows-1251", SMSC_POST=post)
    loopback.http.script(Reply(b"12.50"))
    assert client.get_balance() == "12.50"
    request, = loopback.requests
    if post:  # 2.0's bytes
        assert (request.body, request.target) == (
            b"login=alice&psw=\xcf\xe0\xf0\xee\xeb\xfc&fmt=1&charset=windows-1251&", b"/sys/balance.php")
    else:  # what 2.0 could not send (its URL was not ASCII), as those bytes %-encoded
        assert (request.body, request.target) == (
            b"", b"/sys/balance.php?login=alice&psw=%CF%E0%F0%EE%EB%FC&fmt=1&charset=windows-1251&")
    client = configure(smsc, SMSC_PASSWORD=u"Пароль\u4e2d", SMSC_CHARSET="windows-1251")  # not in windows-1251
    with pytest.raises(UnicodeEncodeError) as raised:
        client.get_balance()
    assert str(raised.value) == "SMSC_LOGIN or SMSC_PASSWORD cannot be encoded in SMSC_CHARSET windows-1251"
    assert secrets_in(raised.value, [u"Пароль", u"\u4e2d"]) == [] and len(loopback.requests) == 1


def test_what_an_smtp_server_echoes_in_a_refusal_is_masked(smsc, loopback):
    client = configure(smsc, SMSC_PASSWORD="Sup3r-Secret", SMTP_LOGIN="mailer", SMTP_PASSWORD="Mail-Secret")
    loopback.smtp.fail = {"data": "554 5.7.1 refused: alice:Sup3r-Secret:0 AUTH PLAIN AG1haWxlcgBNYWlsLVNlY3JldA=="}
    with pytest.raises(Exception) as raised:
        client.send_sms_mail("79999999999", "hi")
    assert secrets_in(raised.value, ["Sup3r-Secret", "Mail-Secret", "AG1haWxlcgBNYWlsLVNlY3JldA=="]) == []
    assert raised.value.smtp_code == 554 and b"***" in raised.value.smtp_error
