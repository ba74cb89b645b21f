# -*- coding: utf-8 -*-
"""The defects of 2.0, each fixed: every test shows 2.0 failing, then ours doing the right thing.

2.0 runs beside ours (fixture `legacy`) on the interpreter running the suite; where a defect
exists on one Python only, the test says so and asserts 2.0's behaviour on the other. Each
section is the row of that number in docs/differences.md (Differences from 2.0); row 14 (urllib's opener
no longer used) and the deadlines of row 5 are tested with the transport (test_transport.py).
"""
import base64
import logging
import smtplib
import socket
import threading

import pytest
import six

from helpers import (AUTH_PLAIN, EHLO, GET, HEADER, HTTP_VERSION, MAIL, MIRRORS, RCPT, configure,
                     expected_headers, native, run_together)
from servers import Drop, HTTPServer, Reply, Stall

PAGE_EXAMPLE = u"Ваш пароль: 123"


# 1. send_sms_mail with non-ASCII text

def mail_data(charset, message):
    return (b"Content-Type: text/plain; charset=" + charset.encode("ascii") + b"\r\n\r\n" +
            b"alice:secret:0::0,0,:79999999999:" + message + b"\r\n")


def test_mail_with_the_pages_own_example_is_sent_in_utf_8(smsc, legacy, gw):
    if six.PY2:  # 2.0 sends Python 2 byte strings as they are: no defect there
        configure(legacy).send_sms_mail("79999999999", native(PAGE_EXAMPLE))
        assert gw.smtp.sessions[-1]["data"] == mail_data("utf-8", PAGE_EXAMPLE.encode("utf-8"))
    else:
        with pytest.raises(UnicodeEncodeError):
            configure(legacy).send_sms_mail("79999999999", PAGE_EXAMPLE)
    gw.clear()
    configure(smsc).send_sms_mail("79999999999", native(PAGE_EXAMPLE))
    session, = gw.smtp.sessions
    assert session["data"] == mail_data("utf-8", PAGE_EXAMPLE.encode("utf-8"))
    assert session["rcpt_to"] == [RCPT[len(b"rcpt "):]]  # smtplib 3.13 spells it "to:", earlier ones "TO:"


@pytest.mark.parametrize("charset", ["windows-1251", "koi8-r"])
def test_mail_text_is_encoded_in_smsc_charset(smsc, gw, charset):
    configure(smsc, SMSC_CHARSET=charset).send_sms_mail(u"79999999999", PAGE_EXAMPLE)
    assert gw.smtp.messages[0]["data"] == mail_data(charset, PAGE_EXAMPLE.encode(charset))


def test_mail_bytes_are_sent_as_they_are(smsc, gw):
    configure(smsc, SMSC_CHARSET="windows-1251").send_sms_mail(b"79999999999", b"\xcf\xf0\xe8\r\n.x\n")
    assert gw.smtp.messages[0]["data"] == mail_data("windows-1251", b"\xcf\xf0\xe8\r\n..x")


def test_mail_text_outside_the_charset_is_a_clear_error_before_any_connection(smsc, gw):
    client = configure(smsc, SMSC_CHARSET="koi8-r")
    with pytest.raises(UnicodeEncodeError) as error:
        client.send_sms_mail("79999999999", u"\u20ac")
    assert "not in SMSC_CHARSET koi8-r (message)" in str(error.value)


# 2 and 3. Text is percent-encoded from SMSC_CHARSET; bytes as they are; unicode on Python 2

@pytest.mark.parametrize("charset", ["windows-1251", "koi8-r"])
def test_text_is_percent_encoded_from_smsc_charset(smsc, legacy, gw, charset):
    gw.http.default = Reply(b"1,1")
    expected = GET(b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=" + charset.encode("ascii") +
                   b"&cost=3&phones=79999999999&mes=" + six.moves.urllib.parse.quote(
                       PAGE_EXAMPLE.encode(charset)).encode("ascii") + b"&translit=0&id=0&sender=%CF%E5%F2%FF")
    if not six.PY2:  # 2.0 on Python 3 sends UTF-8 bytes labelled with the other charset
        configure(legacy, SMSC_CHARSET=charset).send_sms("79999999999", PAGE_EXAMPLE, sender=u"Петя")
        assert gw.requests[-1].request_line != expected
        gw.clear()
    sender = u"Петя" if charset == "windows-1251" else u"Петя".encode("windows-1251")  # bytes: as they are
    configure(smsc, SMSC_CHARSET=charset).send_sms("79999999999", PAGE_EXAMPLE, sender=sender)
    assert gw.requests[0].request_line == expected


def test_unicode_arguments_are_encoded_not_a_key_error(smsc, legacy, gw):
    gw.http.default = Reply(b"1,1")
    if six.PY2:
        with pytest.raises(KeyError):  # 2.0: urllib.quote cannot take non-ASCII unicode
            configure(legacy).send_sms(u"79999999999", PAGE_EXAMPLE)
    result = configure(smsc).send_sms(u"79999999999", PAGE_EXAMPLE, sender=u"Я", time=u"+5", query=u"maxsms=3")
    assert result == ["1", "1"]
    assert gw.requests[0].request_line == GET(
        b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999"
        b"&mes=%D0%92%D0%B0%D1%88%20%D0%BF%D0%B0%D1%80%D0%BE%D0%BB%D1%8C%3A%20123&translit=0&id=0"
        b"&sender=%D0%AF&time=%2B5&maxsms=3")


def test_bytes_id_and_status_arguments_are_sent_as_they_are(smsc, legacy, gw):
    gw.http.default = Reply(b"1,1561977123,0")
    if not six.PY2:  # 2.0: str(b"12") is "b'12'" on Python 3
        configure(legacy).get_status(b"12", b"79999999999")
        assert gw.requests[-1].request_line == GET(
            b"/sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999&id=b'12'&all=0")
        gw.clear()
    assert configure(smsc).get_status(b"12", b"79999999999") == ["1", "1561977123", "0"]
    assert gw.requests[0].request_line == GET(
        b"/sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999&id=12&all=0")


def test_text_outside_the_charset_is_a_clear_error_before_any_connection(smsc, legacy, gw):
    gw.http.default = Reply(b"1,1")
    if six.PY2:  # 2.0: urllib.quote cannot take non-ASCII unicode
        with pytest.raises(KeyError):
            configure(legacy, SMSC_CHARSET="windows-1251").send_sms("79999999999", u"\U0001F600")
    else:  # 2.0 sends it in UTF-8, labelled windows-1251
        assert configure(legacy, SMSC_CHARSET="windows-1251").send_sms("79999999999", u"\U0001F600") == ["1", "1"]
        assert gw.requests[-1].request_line == GET(
            b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=windows-1251&cost=3&phones=79999999999"
            b"&mes=%F0%9F%98%80&translit=0&id=0")
    gw.clear()
    with pytest.raises(UnicodeEncodeError) as error:
        configure(smsc, SMSC_CHARSET="windows-1251").send_sms("79999999999", u"\U0001F600")
    assert "not in SMSC_CHARSET windows-1251 (message)" in str(error.value)
    assert gw.intercept.connections == []


# 4. get_status: 14 fields, all=2

HLR_14 = b"1,1561977123,0,1561977000,79999999999,1.5,sms,Delivered,a,b,c,d,e,f"


def test_status_reply_of_14_fields_is_rejoined_not_an_index_error(smsc, legacy, gw):
    gw.http.default = Reply(HLR_14)
    with pytest.raises(IndexError):
        configure(legacy).get_status(1, "79999999999", all=1)
    assert configure(smsc).get_status(1, "79999999999", all=1) == [
        "1", "1561977123", "0", "1561977000", "79999999999", "1.5", "sms", "Delivered", "a,b,c,d,e,f"]


ALL2 = b"1,1561977123,0,1561977000,79999999999,1.5,sms,Delivered,Russia,MTS,Moscow,Hi, there, you, all"


def test_all_2_is_rejoined_into_12_fields(smsc, legacy, gw):
    gw.http.default = Reply(ALL2)
    assert configure(legacy).get_status(1, "79999999999", all=2)[-1] == "Russia,MTS,Moscow,Hi, there, you, all"
    assert configure(smsc).get_status(1, "79999999999", all=2) == [
        "1", "1561977123", "0", "1561977000", "79999999999", "1.5", "sms", "Delivered",
        "Russia", "MTS", "Moscow", "Hi, there, you, all"]


@pytest.mark.parametrize("all", [2, "2"])
def test_all_2_hlr_marker_at_17_keeps_the_fields(smsc, gw, all):
    reply = b"1,1561977123,0,1561977000,79999999999,1.5,sms,Delivered,Russia,MTS,Moscow,x,a,b,c,d,e,HLR,z"
    gw.http.default = Reply(reply)
    assert configure(smsc).get_status(1, "79999999999", all=all) == reply.decode("ascii").split(",")


@pytest.mark.parametrize("fields", [15, 17])
def test_all_2_without_hlr_marker_is_rejoined_whatever_the_length(smsc, gw, fields):
    reply = ",".join("f%d" % n for n in range(fields))
    gw.http.default = Reply(reply.encode("ascii"))
    assert configure(smsc).get_status(1, "79999999999", all=2) == reply.split(",", 11)


# 5. A timeout for each attempt, HTTP and SMTP, without touching socket's global default

def test_a_stalled_host_costs_one_timeout_then_the_next_host_answers(smsc, gw):
    seen_default = []

    def stall_first(request):
        seen_default.append(socket.getdefaulttimeout())
        return Stall(10) if len(seen_default) == 1 else Reply(b"42")
    gw.http.respond = stall_first
    assert smsc.SMSC_TIMEOUT == 60
    assert configure(smsc, SMSC_TIMEOUT=0.3).get_balance() == "42"
    assert gw.hosts == ["smscentre.com", "www2.smscentre.com"]
    assert seen_default == [None, None]  # no socket.setdefaulttimeout() while the call waited


def test_timeout_none_waits_on_sockets_global_default_as_2_0(smsc, gw):
    gw.http.script(Stall(10), Reply(b"42"))
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(0.3)
    try:
        assert configure(smsc, SMSC_TIMEOUT=None).get_balance() == "42"
    finally:
        socket.setdefaulttimeout(previous)
    assert gw.hosts == ["smscentre.com", "www2.smscentre.com"]


def test_timeouts_apply_per_call_when_threads_send_at_once(smsc, gw):
    seen_default = []

    def stall_main_host(request):
        seen_default.append(socket.getdefaulttimeout())
        return Stall(10) if request.asked[0] == "smscentre.com" else Reply(request.asked[0].encode("ascii"))
    gw.http.respond = stall_main_host
    smsc.SMSC_TIMEOUT = 0.3
    results = {}

    def balance(n):
        results[n] = smsc.SMSC().get_balance()
    run_together([threading.Thread(target=balance, args=(n,)) for n in range(8)])
    assert results == dict((n, "www2.smscentre.com") for n in range(8))
    assert seen_default == [None] * 16


def test_smtp_uses_the_timeout(smsc, gw):
    silent = HTTPServer().start()  # accepts, waits for a request that smtplib never sends: no greeting
    gw.intercept.routes[25] = silent
    try:
        with pytest.raises(smtplib.SMTPServerDisconnected) as error:  # how smtplib reports the timeout
            configure(smsc, SMSC_TIMEOUT=0.3).send_sms_mail("79999999999", "hi")
        assert str(error.value) == "Connection unexpectedly closed: timed out"
    finally:
        silent.stop()
    assert gw.intercept.connections == [("send.smscentre.com", 25)]


# 6. Only ordinary exceptions move to the next host

@pytest.mark.parametrize("interruption", [KeyboardInterrupt, SystemExit])
def test_interrupts_propagate_on_the_first_attempt(smsc, legacy, gw, interruption):
    attempts = []

    def interrupted(address, *args, **kwargs):
        attempts.append(address[0])
        raise interruption()
    routed, socket.create_connection = socket.create_connection, interrupted
    try:
        assert configure(legacy).get_balance() is False  # 2.0: Ctrl-C retried on all five hosts
        assert len(attempts) == 5
        del attempts[:]
        with pytest.raises(interruption):
            configure(smsc).get_balance()
    finally:
        socket.create_connection = routed
    assert attempts == ["smscentre.com"]


# 7. Why each attempt failed, on logging.getLogger("smsc_api"), never a secret

FAILING_HOSTS = [Drop(), Reply(b""), Reply(b"x", status=500, reason="Oops"), Reply(b"1,1")]  # www2 refused


def test_each_failed_attempt_is_logged_without_secrets(smsc, legacy, gw, caplog):
    gw.intercept.refuse.add("www2.smscentre.com")
    caplog.set_level(logging.DEBUG)
    gw.http.script(*FAILING_HOSTS)
    configure(legacy, SMSC_PASSWORD="pa ss/w%rd").send_sms("79999999999", "private text", query="list=secret")
    # 2.0: the same attempts fail (Python 2 reads www4's error page as the reply), and nothing is logged
    assert gw.hosts == MIRRORS[:4 if six.PY2 else 5]
    assert caplog.records == []
    gw.clear()
    caplog.clear()
    gw.http.script(*FAILING_HOSTS)
    configure(smsc, SMSC_PASSWORD="pa ss/w%rd").send_sms("79999999999", "private text", query="list=secret")
    records = [r for r in caplog.records if r.name == "smsc_api"]
    messages = [r.getMessage() for r in records]
    # an HTTP error page is a failed attempt on every Python (2.0 on Python 2 read it as the reply)
    expected_hosts = ["smscentre.com", "www2.smscentre.com", "www3.smscentre.com", "www4.smscentre.com"]
    assert [m.split(": ")[0] for m in messages] == [
        "attempt %d of 5 failed" % (n + 1) for n in range(len(expected_hosts))]
    for message, host in zip(messages, expected_hosts):
        assert message.startswith("attempt ") and (" http://%s/sys/send.php: " % host) in message
    assert "empty reply" in messages[2]
    for message in messages:
        for secret in ("pa ss", "pa%20ss", "private", "secret", "s3cr3t"):
            assert secret not in message
    assert all(r.levelno == logging.INFO for r in records)  # www5 answered: a success says nothing at WARNING


def test_nothing_is_printed_unless_logging_is_configured(smsc, gw, capfd):
    gw.http.default = Drop()
    assert configure(smsc).get_balance() is False
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    assert any(isinstance(h, logging.NullHandler) for h in logging.getLogger("smsc_api").handlers)


# 8. Bad input: a clear error naming the parameter

@pytest.mark.parametrize("format", [14, 15, -1, -13, 100])
def test_format_outside_0_to_13_is_an_index_error_naming_format(smsc, legacy, gw, format):
    gw.http.default = Reply(b"1,1")
    if -13 < format < 0:  # 2.0: formats[format - 1] is an index all the same: a plain SMS, sent silently
        assert configure(legacy).send_sms("79999999999", "hi", format=format) == ["1", "1"]
        assert [request.request_line for request in gw.requests] == [GET(
            b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=hi"
            b"&translit=0&id=0")]
    else:  # 2.0: a bare IndexError
        with pytest.raises(IndexError) as bare:
            configure(legacy).send_sms("79999999999", "hi", format=format)
        assert str(bare.value) == "list index out of range"
    gw.clear()
    with pytest.raises(IndexError) as error:
        configure(smsc).send_sms("79999999999", "hi", format=format)
    assert str(error.value) == "format must be from 0 to 13, not %d" % format
    with pytest.raises(IndexError):
        configure(smsc).get_sms_cost("79999999999", "hi", format=format)
    assert gw.intercept.connections == []


@pytest.mark.parametrize("phones,sent", [
    (["79999999999", "79999999998"], b"79999999999%2C79999999998"),
    (("79999999999", 79999999998), b"79999999999%2C79999999998"),
    (79999999999, b"79999999999"),
])
def test_phones_may_be_a_list_a_tuple_or_an_int(smsc, legacy, gw, phones, sent):
    gw.http.default = Reply(b"1,2")
    with pytest.raises((TypeError, AttributeError)):  # 2.0: from inside quote()
        configure(legacy).send_sms(phones, "hi")
    assert configure(smsc).send_sms(phones, "hi") == ["1", "2"]
    assert gw.requests[0].request_line == GET(
        b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=" + sent +
        b"&mes=hi&translit=0&id=0")


@pytest.mark.parametrize("call,message", [
    (lambda c: c.send_sms(None, "hi"), "phones must be text, bytes, an int or a list of them, not NoneType"),
    (lambda c: c.send_sms(["7999", 1.5], "hi"), "phones must be text, bytes, an int or a list of them, not float"),
    (lambda c: c.send_sms("7999", None), "message must be text or bytes, not NoneType"),
    (lambda c: c.send_sms("7999", "hi", format=1.5), "format must be an int or text of digits, not float"),
    (lambda c: c.send_sms("7999", "hi", time=1234), "time must be text or bytes, not int"),
    (lambda c: c.get_sms_cost({"7999": 1}, "hi"), "phones must be text, bytes, an int or a list of them, not dict"),
    (lambda c: c.get_status(1, None), "phone must be text, bytes, an int or a list of them, not NoneType"),
    (lambda c: c.send_sms_mail("7999", 5), "message must be text or bytes, not int"),
])
def test_wrong_types_are_a_type_error_naming_the_parameter(smsc, legacy, gw, call, message):
    with pytest.raises((TypeError, AttributeError)) as error20:  # 2.0: from inside quote() or "+"
        call(configure(legacy))
    assert str(error20.value) != message
    gw.clear()  # 2.0's send_sms_mail connected first
    with pytest.raises(TypeError) as error:
        call(configure(smsc))
    assert str(error.value) == message
    assert gw.intercept.connections == []


# 9. query with non-ASCII, spaces or newlines: escaped as Python 2's urllib did

LIST_QUERY = u"list=79999999999:Ваш пароль: 123\n78888888888:Ваш пароль: 456"


@pytest.mark.parametrize("charset", ["utf-8", "windows-1251"])
def test_query_with_text_spaces_and_newlines_reaches_the_gateway(smsc, legacy, gw, charset):
    gw.http.default = Reply(b"1,2")
    escaped = six.moves.urllib.parse.quote(LIST_QUERY.encode(charset), safe="%/:=&?~#+!$,;'@()*[]|")
    expected = GET(b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=" + charset.encode("ascii") +
                   b"&cost=1&phones=&mes=&translit=0&" + escaped.encode("ascii"))
    if six.PY2:  # 2.0's urllib.urlopen escaped the URL itself
        configure(legacy, SMSC_CHARSET=charset).get_sms_cost("", "", query=LIST_QUERY.encode(charset))
        assert gw.requests[-1].request_line == expected
        gw.clear()
    else:  # 2.0 on Python 3: http.client refuses the URL, on every host
        assert configure(legacy, SMSC_CHARSET=charset).get_sms_cost("", "", query=LIST_QUERY) == ["", ""]
        assert gw.requests == []
    query = LIST_QUERY.encode(charset) if six.PY2 else LIST_QUERY
    assert configure(smsc, SMSC_CHARSET=charset).get_sms_cost("", "", query=query) == ["1", "2"]
    assert gw.requests[0].request_line == expected
    assert gw.requests[0].header_lines == expected_headers("smscentre.com")


def test_query_text_goes_as_is_in_a_post_body_encoded_in_the_charset(smsc, gw):
    gw.http.default = Reply(b"1,2")
    configure(smsc, SMSC_POST=True, SMSC_CHARSET="windows-1251").get_sms_cost(
        "", "", query=LIST_QUERY.encode("windows-1251") if six.PY2 else LIST_QUERY)
    body = b"login=alice&psw=secret&fmt=1&charset=windows-1251&cost=1&phones=&mes=&translit=0&" + \
        LIST_QUERY.encode("windows-1251")
    assert gw.requests[0].request_line == b"POST /sys/send.php " + HTTP_VERSION
    assert gw.requests[0].body == body


# 10. Debug output never raises on a short or garbled reply

@pytest.mark.parametrize("call,reply,expected_out", [
    (lambda c: c.send_sms("7999", "hi"), b"15,2",
     u"Сообщение отправлено успешно. ID: 15, всего SMS: 2, стоимость: , баланс: \n"),
    (lambda c: c.send_sms("7999", "hi"), b"15", u"Ошибка №, ID: 15\n"),
    (lambda c: c.get_sms_cost("7999", "hi"), b"2.5", u"Ошибка №\n"),
    (lambda c: c.get_status(1, "7999"), b"1,abc,0", u"Статус SMS = 1, время изменения статуса - abc\n"),
    (lambda c: c.get_status(1, "7999"), b"1", u"Ошибка №\n"),
])
def test_debug_output_survives_short_replies(smsc, legacy, gw, capsys, call, reply, expected_out):
    gw.http.default = Reply(reply)
    with pytest.raises((IndexError, ValueError)):
        call(configure(legacy, SMSC_DEBUG=True))
    capsys.readouterr()
    call(configure(smsc, SMSC_DEBUG=True))
    out = capsys.readouterr()[0]
    assert out == expected_out


# 11. Python 2: a reply with non-ASCII bytes is returned, not failed over

def test_non_ascii_reply_is_returned(smsc, legacy, gw):
    reply = u"1,1561977123,0,1561977000,79999999999,1.5,sms,Доставлено,Привет, мир"
    gw.http.default = Reply(reply.encode("utf-8"))
    expected = [native(field) for field in reply.split(",", 8)]  # all=1: the message re-joined
    if six.PY2:  # 2.0: str() of the decoded reply fails, on all five hosts
        assert configure(legacy).get_status(1, "79999999999", all=1) == ["", ""]
        assert gw.hosts == MIRRORS
    else:
        assert configure(legacy).get_status(1, "79999999999", all=1) == expected
    gw.clear()
    result = configure(smsc).get_status(1, "79999999999", all=1)
    assert result == expected and all(type(field) is str for field in result)
    assert gw.hosts == MIRRORS[:1]


# 12. send_sms_mail closes the SMTP connection when the server refuses a step

def test_mail_connection_is_closed_when_the_server_refuses(smsc, legacy, gw):
    gw.smtp.fail["rcpt"] = "550 5.1.1 No such user"
    with pytest.raises(smtplib.SMTPRecipientsRefused) as error20:  # the traceback keeps 2.0's SMTP object
        configure(legacy).send_sms_mail("79999999999", "hi")
    assert gw.smtp.served == 0  # 2.0 left the connection open (until the SMTP object is collected)
    with pytest.raises(smtplib.SMTPRecipientsRefused) as error:  # ours kept alive alike: only close() ends it
        configure(smsc).send_sms_mail("79999999999", "hi")
    assert gw.smtp.wait_served(1)  # ours closed its connection: the server's session ended
    assert gw.smtp.sessions[1]["commands"][-1] == b"rset"  # no QUIT: the bytes are 2.0's
    assert gw.smtp.sessions[0]["commands"] == gw.smtp.sessions[1]["commands"]
    del error20, error


# 13. SMSC_DEBUG: the SMTP dialogue smtplib prints shows *** for the passwords

def test_smsc_debug_prints_the_smtp_dialogue_on_stderr(smsc, legacy, gw, debug_run):
    ours, theirs = debug_run(smsc, True), debug_run(legacy, True)
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


@pytest.mark.parametrize("smtp_password,encoded", [("mailpass", b"bWFpbHBhc3M="),
                                                   ("mailpass\n", b"bWFpbHBhc3MK")])  # as read from a file
def test_smsc_debug_never_prints_a_password_or_key(smsc, gw, debug_run, smtp_password, encoded):
    gw.smtp.extensions = ["AUTH LOGIN"]
    smsc.SMSC_LOGIN, smsc.SMSC_PASSWORD = "alice", "s3cr3t-smsc"
    ours = debug_run(smsc, True, SMTP_PASSWORD=smtp_password)  # SMTP_LOGIN "mailer"
    sent = [line for line in ours.err.splitlines() if line.startswith("send: ")]
    assert sent[1:3] == ["send: 'AUTH LOGIN bWFpbGVy\\r\\n'", "send: '***\\r\\n'"]  # user name kept, password not
    assert sent[-2] == "send: %r" % (HEADER + b"alice:***:0::0,0,:7999:hi\r\n..x\r\n.\r\n")
    plain = base64.b64encode(b"\0mailer\0" + smtp_password.encode("ascii")).decode("ascii")  # as AUTH PLAIN has it
    for secret in ("s3cr3t-smsc", "mailpass", "bWFpbHBhc3M=", "czNjcjN0LXNtc2M=", smtp_password,
                   encoded.decode("ascii"), plain):
        assert secret not in ours.err
    session, = gw.smtp.sessions
    assert session["auth"] == [b"AUTH LOGIN bWFpbGVy", encoded]  # the server still got them
    assert session["data"] == HEADER + b"alice:s3cr3t-smsc:0::0,0,:7999:hi\r\n..x\r\n"
