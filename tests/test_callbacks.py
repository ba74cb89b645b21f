# -*- coding: utf-8 -*-
"""Delivery callbacks: smsc_api.verify_callback, and the sandbox gateway posting them to an application.

The application is a recording loopback server (servers.HTTPServer): every byte the gateway posts is asserted
whole, and the application's answer is scripted (an answer, a 500, a stall, garbage, a refused connection).
The gateway runs on the `sandbox` fixture's stopped clock: a status changes when the test moves the clock.
"""
import hashlib
import re
import socket

import pytest
import six

import smsc_api
import smsc_sandbox
from helpers import NOW, SandboxProcess, echoed, run_app
from servers import HTTPServer, Raw, Reply, Stall, stop_and_check
from smsc_sandbox import Intercept

SECRET = "s3cr3t-of-the-account"


def md5(text):
    return hashlib.md5(text.encode("utf-8") if isinstance(text, six.text_type) else text).hexdigest()


# 1. smsc_api.verify_callback

STATUS = {"id": "15", "phone": "79999999999", "status": "1", "err": "0", "time": "14.11.2023 22:13:22",
          "ts": "1700000002", "md5": md5(u"15:79999999999:1:" + SECRET)}
INCOMING = {"phone": "79999999999", "mes": u"Да, приду", "to": "79990000000", "ts": "1700000002",
            "md5": md5(u"79999999999:Да, приду:79990000000:" + SECRET)}
WAITCALL = {"phone": "79999999999", "ts": "1700000002", "md5": md5(u"79999999999:1700000002:" + SECRET)}


def as_bytes(fields, codec="utf-8"):
    return dict((name.encode("ascii"), value.encode(codec)) for name, value in fields.items())


@pytest.mark.parametrize("fields", [STATUS, INCOMING, WAITCALL], ids=["status", "incoming", "waitcall"])
def test_a_genuine_callback_is_true_as_text_bytes_or_lists_of_one(fields):
    assert smsc_api.verify_callback(fields, SECRET) is True
    assert smsc_api.verify_callback(as_bytes(fields), SECRET.encode("ascii")) is True
    assert smsc_api.verify_callback(dict((name, [value]) for name, value in fields.items()), SECRET) is True
    assert smsc_api.verify_callback(dict(fields, md5=fields["md5"].upper()), SECRET) is True


@pytest.mark.parametrize("fields,name", [(STATUS, "id"), (STATUS, "phone"), (STATUS, "status"), (STATUS, "md5"),
                                         (INCOMING, "phone"), (INCOMING, "mes"), (INCOMING, "to"),
                                         (WAITCALL, "phone"), (WAITCALL, "ts")])
def test_a_signed_field_changed_or_missing_is_false(fields, name):
    assert smsc_api.verify_callback(dict(fields, **{name: fields[name] + "0"}), SECRET) is False
    assert smsc_api.verify_callback(dict((key, value) for key, value in fields.items() if key != name),
                                    SECRET) is False
    assert smsc_api.verify_callback(dict(fields, **{name: [fields[name], fields[name]]}), SECRET) is False


def test_only_the_signed_fields_are_covered():
    """The gateway signs id, phone and status of a status: err and time are as posted."""
    assert smsc_api.verify_callback(dict(STATUS, err="20", time="anything"), SECRET) is True


@pytest.mark.parametrize("fields", [
    dict(STATUS, md5=md5(u"15:79999999999:1:another")),  # another secret
    dict(WAITCALL, id="15", status="1"),                 # a call check's signature made into a status
    dict(INCOMING, status="1", id="15"),                 # an incoming message's made into a status
    dict(STATUS, md5=u"ä" * 32),                         # not hex at all
    dict(STATUS, md5=""),
    {}, {"md5": STATUS["md5"]},
])
def test_a_forged_or_shapeless_callback_is_false(fields):
    assert smsc_api.verify_callback(fields, SECRET) is False


class MultiValued(dict):
    """A form as Django's QueryDict and Werkzeug's MultiDict hold one: [] gives one value, getlist() every one."""

    def __getitem__(self, name):
        return dict.__getitem__(self, name)[-1]

    def getlist(self, name):
        return dict.__getitem__(self, name)


@pytest.mark.parametrize("fields", [
    # a status's signature passed off as an incoming message (phone=its id, mes=its phone, to=its status)
    {"phone": "15", "mes": "79999999999", "to": "1", "md5": STATUS["md5"]},
    # an incoming message's as a status (id=its phone, phone=its text, status=its to)
    {"id": "79999999999", "phone": u"Да, приду", "status": "79990000000", "md5": INCOMING["md5"]},
    # a status's as a call check, a ":" shifting the fields
    {"phone": "15:79999999999", "ts": "1", "md5": STATUS["md5"]},
    # a genuine status with a message's fields added, for a handler that looks at "mes" first
    dict(STATUS, mes="STOP", to="79990000000"),
    # a field repeated in a form, the first value signed and the last one read (or the other way round)
    MultiValued((name, [value]) for name, value in STATUS.items()).__class__(
        dict(((name, [value]) for name, value in STATUS.items()), status=["1", "20"])),
], ids=["status-as-incoming", "incoming-as-status", "status-as-call", "status-and-mes", "repeated"])
def test_one_forms_signature_never_passes_for_anothers(fields):
    assert smsc_api.verify_callback(fields, SECRET) is False


def test_a_form_with_one_value_each_is_read_through_getlist():
    assert smsc_api.verify_callback(MultiValued((name, [value]) for name, value in STATUS.items()), SECRET) is True


def test_the_charset_of_the_callback():
    """The gateway posts windows-1251 unless the handler's URL says otherwise: text is encoded in `charset`."""
    signed = md5(u"79999999999:Да, приду:79990000000:".encode("cp1251") + SECRET.encode("ascii"))
    posted = dict(INCOMING, md5=signed)
    assert smsc_api.verify_callback(as_bytes(posted, "cp1251"), SECRET) is True
    assert smsc_api.verify_callback(posted, SECRET, charset="windows-1251") is True
    assert smsc_api.verify_callback(posted, SECRET) is False  # UTF-8 bytes: not what was signed
    garbled = dict(posted, mes=u"Да, приду".encode("cp1251").decode("utf-8", "replace"))  # decoded as UTF-8
    assert smsc_api.verify_callback(garbled, SECRET) is False
    assert smsc_api.verify_callback(dict(INCOMING, mes=u"Да 😀"), SECRET, charset="ascii") is False


@pytest.mark.parametrize("call,error,message", [
    (lambda: smsc_api.verify_callback([("id", "1")], SECRET), TypeError,
     "fields must be a dict of the callback's form fields, not list"),
    (lambda: smsc_api.verify_callback(None, SECRET), TypeError,
     "fields must be a dict of the callback's form fields, not NoneType"),
    (lambda: smsc_api.verify_callback(STATUS, None), TypeError, "secret must be text or bytes, not NoneType"),
    (lambda: smsc_api.verify_callback(STATUS, 12345), TypeError, "secret must be text or bytes, not int"),
    (lambda: smsc_api.verify_callback(dict(STATUS, id=15), SECRET), TypeError,
     "fields['id'] must be text or bytes, not int"),
    (lambda: smsc_api.verify_callback(STATUS, ""), ValueError, "secret is empty: anyone can sign a callback with it"),
    (lambda: smsc_api.verify_callback(STATUS, b""), ValueError,
     "secret is empty: anyone can sign a callback with it"),
    (lambda: smsc_api.verify_callback(STATUS, SECRET, charset="no-such"), ValueError,
     "charset must be the name of a codec, not 'no-such'"),
    (lambda: smsc_api.verify_callback(STATUS, u"пароль-секрет", charset="ascii"), ValueError,
     "secret cannot be encoded in ascii"),
])
def test_bad_arguments_are_errors_naming_them(call, error, message):
    with pytest.raises(error) as raised:
        call()
    assert str(raised.value) == message
    assert u"пароль" not in u"%s %r" % (raised.value, raised.value.args)


def test_verify_callback_is_not_exported_by_import_star():
    """__all__ stays 2.0's names plus the new constants: an application names smsc_api.verify_callback."""
    assert "verify_callback" not in smsc_api.__all__
    namespace = {}
    exec("from smsc_api import *", namespace)
    assert "verify_callback" not in namespace


# 2. The sandbox posts them

@pytest.fixture
def app():
    """The application's callback handler: a recording server that answers "OK"."""
    server = HTTPServer(default=Reply(b"OK")).start()
    yield server
    stop_and_check([server])


def url(server, path="/smsc/callback?charset=utf-8"):
    return "http://127.0.0.1:%d%s" % (server.port, path)


def form(request):
    return dict((name, value) for name, value in six.moves.urllib.parse.parse_qsl(request.body.decode("ascii")))


@pytest.fixture
def posting(sandbox, app, utc):
    """The gateway with callback_url set to the application and callback_secret set; times in UTC."""
    sandbox.callback_url, sandbox.callback_secret = url(app), SECRET
    return sandbox


def test_a_status_change_is_posted_signed_after_deliver_after(smsc, posting, app):
    assert smsc.SMSC("alice", "secret").send_sms("79999999999", "hi") == ["1", "1", "2.50", "97.50"]
    assert not posting.wait_callbacks(1, timeout=0.3)  # waiting (-1) until deliver_after has passed
    posting.clock.now = NOW + posting.deliver_after
    assert posting.wait_callbacks(1)
    request, = app.requests
    body = (b"id=1&phone=79999999999&status=1&err=0&time=14.11.2023+22%3A13%3A22&ts=1700000002&md5=" +
            md5(u"1:79999999999:1:" + SECRET).encode("ascii"))
    assert request.raw == (
        b"POST /smsc/callback?charset=utf-8 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: smsc_sandbox\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
        % (app.port, len(body)) + body)
    assert smsc_api.verify_callback(form(request), SECRET) is True
    assert posting.callbacks == [{
        "url": url(app), "body": body, "status": 200, "reply": b"OK", "error": None, "time": NOW + 2,
        "fields": [("id", "1"), ("phone", "79999999999"), ("status", "1"), ("err", "0"),
                   ("time", "14.11.2023 22:13:22"), ("ts", "1700000002"), ("md5", md5(u"1:79999999999:1:" + SECRET))]}]
    assert echoed(posting) == [u"SMS id=1 to 79999999999: hi (1 part, 2.50)",
                               u"CALLBACK status 1 of SMS id=1 to 79999999999, posted to http://127.0.0.1:%d"
                               u"/smsc/callback: HTTP 200" % app.port]
    assert SECRET not in u"".join(echoed(posting))


def test_each_phone_and_each_undeliverable_number_and_the_status_php_agrees(smsc, posting, app):
    posting.undeliverable = {"+7 999 999-99-98": (20, 1), "79999999997": 22}
    client = smsc.SMSC("alice", "secret")
    assert client.send_sms("79999999999,79999999998,79999999997", "hi", id=7) == ["7", "3", "7.50", "92.50"]
    posting.clock.now += posting.deliver_after
    assert posting.wait_callbacks(3)
    assert [[(name, value) for name, value in record["fields"] if name in ("id", "phone", "status", "err")]
            for record in posting.callbacks] == [
        [("id", "7"), ("phone", "79999999999"), ("status", "1"), ("err", "0")],
        [("id", "7"), ("phone", "79999999998"), ("status", "20"), ("err", "1")],
        [("id", "7"), ("phone", "79999999997"), ("status", "22"), ("err", "0")]]
    assert all(smsc_api.verify_callback(form(request), SECRET) for request in app.requests)
    assert client.get_status(7, "79999999998") == ["20", "1700000002", "1"]
    assert client.get_status(7, "79999999997", all=1)[7] == native_text(u"Неверный номер")


def native_text(text):
    return text.encode("utf-8") if six.PY2 else text


def test_mail_is_followed_by_a_callback_too(smsc, posting, app):
    smsc.SMSC("alice", "secret").send_sms_mail("79999999999", "by mail")
    posting.clock.now += posting.deliver_after
    assert posting.wait_callbacks(1) and form(app.requests[0])["status"] == "1"


@pytest.mark.parametrize("path,codec", [("/in?charset=utf-8", "utf-8"), ("/in", "cp1251"),
                                        ("/in?charset=koi8-r", "koi8-r")])
def test_an_incoming_message_in_the_handlers_charset(posting, app, path, codec):
    posting.callback_url = url(app, path)
    posting.incoming("79999999999", u"Да, приду", "79990000000")
    assert posting.wait_callbacks(1)
    request, = app.requests
    mes = six.moves.urllib.parse.quote_plus(u"Да, приду".encode(codec)).encode("ascii")
    signed = md5(u"79999999999:Да, приду:79990000000:".encode(codec) + SECRET.encode("ascii"))
    assert request.body == (b"phone=79999999999&mes=" + mes + b"&to=79990000000&time=14.11.2023+22%3A13%3A20"
                            b"&ts=1700000000&md5=" + signed.encode("ascii"))
    fields = dict(smsc_sandbox._form(request.body))  # values as bytes, as a WSGI application may read them
    assert smsc_api.verify_callback(fields, SECRET) is True
    assert echoed(posting) == [u"CALLBACK incoming SMS from 79999999999 to 79990000000, posted to "
                               u"http://127.0.0.1:%d/in: HTTP 200" % app.port]


def test_without_a_secret_no_md5_and_verify_callback_says_false(smsc, posting, app):
    posting.callback_secret = None
    posting.incoming("79999999999", u"hi", "79990000000")
    assert posting.wait_callbacks(1)
    assert "md5" not in form(app.requests[0])
    assert smsc_api.verify_callback(form(app.requests[0]), SECRET) is False


def test_messages_sent_without_a_callback_url_are_not_posted(smsc, sandbox, app):
    smsc.SMSC("alice", "secret").send_sms("79999999999", "before")
    sandbox.callback_url = url(app)
    sandbox.clock.now += sandbox.deliver_after
    sandbox.incoming("79999999999", u"after", "79990000000")
    assert sandbox.wait_callbacks(1)
    assert not sandbox.wait_callbacks(2, timeout=0.3)
    assert [request.body.split(b"&")[1] for request in app.requests] == [b"mes=after"]


# A callback that fails is recorded, never raised: the gateway goes on (its check() stays clean at teardown)

def closed_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.mark.parametrize("answer,status,reply,error", [
    (Reply(b"boom", status=500, reason="Internal Server Error"), 500, b"boom", None),
    (Raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nOK\r\n3\r\n!!!\r\n0\r\n\r\n"), 200, b"OK!!!",
     None),
    (Raw(b"HTTP/1.1 204 No Content\r\n\r\n"), 204, b"", None),
    (Raw(b"garbage\r\n\r\n"), None, None, u"not an HTTP answer"),
    (Raw(b""), None, None, u"closed without an answer"),
    (Stall(), None, None, u"timed out after 0.5 s"),
], ids=["500", "chunked", "to-the-end", "garbage", "closed", "stalled"])
def test_what_the_application_answers_is_recorded(posting, app, answer, status, reply, error):
    posting.callback_timeout = 0.5
    app.script(answer)
    posting.incoming("79999999999", u"hi", "79990000000")
    assert posting.wait_callbacks(1)
    record, = posting.callbacks
    assert (record["status"], record["reply"], record["error"]) == (status, reply, error)
    assert echoed(posting)[-1].endswith(u": HTTP %d" % status if status else u": failed (%s)" % error)
    posting.incoming("79999999998", u"the next one", "79990000000")  # the gateway goes on
    assert posting.wait_callbacks(2) and posting.callbacks[1]["status"] == 200


def test_a_refused_connection_is_recorded(posting):
    posting.callback_url = "http://127.0.0.1:%d/cb" % closed_port()
    posting.incoming("79999999999", u"hi", "79990000000")
    assert posting.wait_callbacks(1)
    assert posting.callbacks[0]["status"] is None and "refused" in posting.callbacks[0]["error"].lower()


def test_the_post_is_never_routed_back_into_a_sandbox(posting, app):
    """An Intercept routing every host by port (smsc_only=False) is active: the callback still reaches the app."""
    with HTTPServer() as other:
        with Intercept({app.port: other, 80: other}):
            posting.incoming("79999999999", u"hi", "79990000000")
            assert posting.wait_callbacks(1)
        assert other.requests == []
    assert len(app.requests) == 1 and posting.callbacks[0]["status"] == 200


def test_stop_ends_a_callback_the_application_never_answers(app):
    app.script(Stall(60))
    gateway = smsc_sandbox.Gateway(echo=False, https=False, callback_url=url(app), callback_timeout=60).start()
    try:
        gateway.incoming("79999999999", u"hi", "79990000000")
        for _ in range(100):  # until the application has the request (and stalls)
            if app.requests or app.wait_stopped(0.05):
                break
    finally:
        gateway.stop()
    gateway.check()
    assert len(app.requests) == 1 and not gateway._dispatcher.is_alive()
    assert gateway.callbacks[0]["status"] is None and gateway.callbacks[0]["error"]


@pytest.mark.parametrize("value,error,message", [
    ("ftp://127.0.0.1/cb", ValueError, "callback_url must be an http:// or https:// URL with a host, not "
                                       "'ftp://127.0.0.1/cb'"),
    ("http:///cb", ValueError, "callback_url must be an http:// or https:// URL with a host, not 'http:///cb'"),
    ("http://127.0.0.1:port/cb", ValueError, "callback_url must be an http:// or https:// URL with a host, not "
                                             "'http://127.0.0.1:port/cb'"),
    ("http://127.0.0.1/cb\r\nX: y", ValueError, "callback_url must be an http:// or https:// URL with a host, not "
                                                "'http://127.0.0.1/cb\\r\\nX: y'"),
    ("https://www2.smscentre.com/cb", ValueError, "callback_url must be the application's URL, not an SMSC host's "
                                                  "(www2.smscentre.com)"),
    (8080, TypeError, "callback_url must be text (http://... or https://...), not int"),
])
def test_a_bad_callback_url_is_an_error_naming_it(sandbox, value, error, message):
    with pytest.raises(error) as raised:
        sandbox.callback_url = value
    assert str(raised.value) == message


@pytest.mark.parametrize("numbers,message", [
    ({"79999999999": 1}, "undeliverable['79999999999'] must be a status (20, 22, 23, 24, 25) or (status, err) for a "
                         "valid phone, not 1"),
    ({"123": 20}, "undeliverable['123'] must be a status (20, 22, 23, 24, 25) or (status, err) for a valid phone, "
                  "not 20"),
    ({"79999999999": (20, -1)}, "undeliverable['79999999999'] must be a status (20, 22, 23, 24, 25) or (status, "
                                "err) for a valid phone, not (20, -1)"),
])
def test_bad_undeliverable_numbers_are_errors_naming_them(sandbox, numbers, message):
    with pytest.raises(ValueError) as raised:
        sandbox.undeliverable = numbers
    assert str(raised.value) == message


@pytest.mark.parametrize("value", [0, -1, None, "10", float("inf"), True])
def test_a_bad_callback_timeout_is_an_error_naming_it(sandbox, value):
    with pytest.raises(ValueError) as raised:
        sandbox.callback_timeout = value
    assert str(raised.value) == "callback_timeout must be a positive number of seconds, not %r" % (value,)


def test_incoming_needs_a_url_and_text(sandbox):
    with pytest.raises(ValueError) as raised:
        sandbox.incoming("79999999999", u"hi", "79990000000")
    assert str(raised.value) == "incoming() posts to callback_url, which is not set"
    sandbox.callback_url = "http://127.0.0.1:9/cb"
    with pytest.raises(TypeError) as raised:
        sandbox.incoming("79999999999", None, "79990000000")
    assert str(raised.value) == "message must be text, not NoneType"


# 3. The command line

def test_the_command_line_posts_callbacks_and_never_prints_the_secret(app):
    sandbox = SandboxProcess("--port", "0", "--smtp-port", "0", "--deliver-after", "0", "--callback-url",
                             url(app, "/cb?token=query-secret"), "--callback-secret", SECRET)
    try:
        http = re.match(r"HTTP on http://127\.0\.0\.1:(\d+) ", sandbox.line()).group(1)
        lines = [sandbox.line() for _ in range(3)]
        assert lines[1:] == [u"any login; balance 100.00, 2.50 per SMS, delivered 0 s after sending. Ctrl-C to stop.",
                             u"Callbacks to http://127.0.0.1:%d/cb, signed (md5) with the secret given." % app.port]
        assert run_app("import smsc_api; print(smsc_api.SMSC('alice', 'secret').send_sms('79999999999', 'hi'))",
                       http_proxy="http://127.0.0.1:" + http) == (0, "['1', '1', '2.50', '97.50']\n", "")
        assert sandbox.line() == u"SMS id=1 to 79999999999: hi (1 part, 2.50)"
        assert sandbox.line() == u"CALLBACK status 1 of SMS id=1 to 79999999999, posted to " \
                                 u"http://127.0.0.1:%d/cb: HTTP 200" % app.port
    finally:
        rest, code = sandbox.stop()
    assert (rest, code) == (["Stopped."], 0)
    assert app.requests[0].request_line == b"POST /cb?token=query-secret HTTP/1.1"
    assert smsc_api.verify_callback(form(app.requests[0]), SECRET, charset="windows-1251") is True
    assert not [line for line in lines + rest if SECRET in line or "query-secret" in line]
