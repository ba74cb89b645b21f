# -*- coding: utf-8 -*-
"""The transport on a real network, played by loopback servers: deadlines, only ordinary exceptions failing over,
proxies, redirects and replies read by Content-Length, why a call failed (the log), and urllib's opener left alone
(keep-alive: test_keepalive.py; a send that may have gone out: test_at_most_once.py).

Deadlines are checked by what the servers saw (the client hung up before the reply was
complete, the black hole never accepted) and by a bound on the call's duration with a wide
margin: a bound that can only fail when the deadline does not hold, never a speed target.
"""
import base64
import gc
import json
import logging
import smtplib
import socket
import subprocess
import sys
import threading
import time
import warnings as warnings_module

import pytest
import six

from helpers import (HTTP_VERSION, LEGACY, MARGIN, MIRRORS, ROOT, configure, elapsed, environment, logged_at,
                     run_together, whole_request)
from servers import (BlackHole, ConnectProxy, Drip, DripRelay, Drop, Endless, HTTPServer, HeadThenWait, Held, Raw,
                     Reply, Slow, SlowReader, Stall, routed, stop_and_check)
BALANCE = b"/sys/balance.php?login=alice&psw=secret&fmt=1&charset=utf-8&"


# 1. Deadlines: SMSC_TIMEOUT is the whole attempt, SMSC_CONNECT_TIMEOUT the connection

def test_a_reply_dripping_one_byte_at_a_time_is_cut_at_the_deadline(smsc, client, loopback, attempts):
    smsc.SMSC_TIMEOUT = 0.3
    loopback.http.default = Slow(Reply(b"100.00"), pieces=1000, delay=0.02)  # about 4 s a reply
    result, seconds = elapsed(client.get_balance)
    assert result is False
    assert len(loopback.requests) == 5
    assert attempts(reasons=True) == ["timeout: no complete reply within 0.3 s"] * 5
    assert seconds < 5 * 0.3 + MARGIN  # 2.0 (and a per-read timeout) waited 5 x 4 s


def test_a_host_that_never_accepts_costs_the_connect_timeout(smsc, client, loopback, attempts):
    with routed(loopback, 80, BlackHole()):
        smsc.SMSC_CONNECT_TIMEOUT, smsc.SMSC_TIMEOUT = 0.2, 30
        result, seconds = elapsed(client.get_balance)
    assert result is False
    assert loopback.hosts == MIRRORS
    assert attempts(reasons=True) == ["timeout: no connection within 0.2 s"] * 5
    assert seconds < 5 * 0.2 + MARGIN  # not 5 x SMSC_TIMEOUT


def test_without_a_connect_timeout_connecting_is_bounded_by_the_deadline(smsc, client, loopback, attempts):
    with routed(loopback, 80, BlackHole()):
        smsc.SMSC_CONNECT_TIMEOUT, smsc.SMSC_TIMEOUT = None, 0.2
        result, seconds = elapsed(client.get_balance)
    assert result is False
    assert attempts(reasons=True) == ["timeout: no connection within 0.2 s"] * 5
    assert seconds < 5 * 0.2 + MARGIN


def test_the_deadline_covers_the_first_host_only_then_the_next_gets_its_own(smsc, client, loopback):
    smsc.SMSC_TIMEOUT = 0.4
    loopback.http.script(Stall(5), Slow(Reply(b"42"), pieces=4, delay=0.05))
    assert client.get_balance() == "42"
    assert loopback.hosts == MIRRORS[:2]


def test_timeout_none_keeps_the_socket_default_for_each_wait(smsc, client, loopback):
    # no deadline: a reply that takes longer than the default in all, but never stops for that long, arrives
    smsc.SMSC_TIMEOUT, smsc.SMSC_CONNECT_TIMEOUT = None, None
    loopback.http.script(Slow(Reply(b"42"), pieces=8, delay=0.1))
    saved = socket.getdefaulttimeout()
    socket.setdefaulttimeout(0.5)
    try:
        assert client.get_balance() == "42"
    finally:
        socket.setdefaulttimeout(saved)
    assert loopback.hosts == MIRRORS[:1]


def test_a_complete_reply_with_content_length_on_a_connection_left_open_is_a_reply(smsc, client, loopback):
    # 2.0 on Python 2 read to the end of the connection: a server that keeps it open made it wait
    # (forever: 2.0 has no timeout); the reply is complete at its Content-Length
    smsc.SMSC_TIMEOUT = 5
    loopback.http.script(Held(Reply(b"42", headers=[("Connection", "keep-alive")]), 3))
    result, seconds = elapsed(client.get_balance)
    assert result == "42"
    assert seconds < 3  # not held until the server closes


def test_the_smtp_session_has_the_same_deadline(smsc, loopback):
    with routed(loopback, 25, Drip(b"220 smsc-sandbox ESMTP\r\n" * 50, 0.05).start()) as drip:
        smsc.SMSC_TIMEOUT = 0.3
        client = smsc.SMSC()
        start = time.time()
        with pytest.raises((smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, socket.timeout)):
            client.send_sms_mail("79999999999", "hi")
        seconds = time.time() - start
        assert drip.wait_served(1)
    assert drip.sent[0] < len(drip.data)  # the client hung up before the greeting ended
    assert seconds < 0.3 + MARGIN


def test_an_smtp_server_that_never_accepts_costs_the_connect_timeout(smsc, loopback):
    with routed(loopback, 25, BlackHole()):
        smsc.SMSC_CONNECT_TIMEOUT, smsc.SMSC_TIMEOUT = 0.2, 30
        start = time.time()
        with pytest.raises(socket.timeout):
            smsc.SMSC().send_sms_mail("79999999999", "hi")
        seconds = time.time() - start
    assert seconds < 0.2 + MARGIN


TLS_RECORD = b"\x16\x03\x03\x00\x30" + b"\x02" * 0x30  # a handshake record, to be dripped


def test_a_tls_handshake_dripped_byte_by_byte_is_cut_at_the_deadline(smsc, client, loopback, loopback_https, attempts):
    # Python 2's ssl waited anew for each piece: 5 x 5 s here, where the deadline is 5 x 0.3 s
    with routed(loopback, 443, Drip(TLS_RECORD, 0.1).start()):
        smsc.SMSC_HTTPS, smsc.SMSC_TIMEOUT = True, 0.3
        result, seconds = elapsed(client.get_balance)
    assert result is False
    assert attempts(reasons=True) == ["timeout: no complete reply within 0.3 s"] * 5
    assert seconds < 5 * 0.3 + MARGIN


def test_a_tls_reply_dripped_byte_by_byte_is_cut_at_the_deadline(smsc, client, loopback, loopback_https, attempts):
    loopback_https.http.default = Reply(b"42" * 100)
    with routed(loopback, 443, DripRelay(loopback_https.http, 0.02).start()):  # about 7 s for the whole reply
        smsc.SMSC_HTTPS, smsc.SMSC_TIMEOUT = True, 0.5
        result, seconds = elapsed(client.get_balance)
    assert result is False and len(attempts()) == 5
    assert seconds < 5 * 0.5 + MARGIN


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_server_that_reads_slowly_cannot_hold_a_large_post(smsc, client, loopback, tmpdir, request, scheme):
    # never a wait longer than 0.05 s, the whole 2 MB in about 6 s: a timeout for each piece sent (Python 2's
    # sendall, plain and TLS) would take that long; the deadline cuts each attempt at 0.5 s
    context = request.getfixturevalue("loopback_https").context() if scheme == "https" else None
    picture = tmpdir.join("big.png")
    picture.write_binary(b"\0" * (2 << 20))
    connect = socket.create_connection

    def small_send_buffer(*args, **kwargs):
        sock = connect(*args, **kwargs)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16384)
        return sock
    with SlowReader(16384, 0.05, context) as reader:  # stopped, then checked, after the block
        try:  # not monkeypatch: it would put loopback's intercept back after loopback has taken it away
            loopback.intercept.routes[443 if context else 80] = reader
            socket.create_connection = small_send_buffer
            smsc.SMSC_HTTPS, smsc.SMSC_TIMEOUT = bool(context), 0.5
            result, seconds = elapsed(lambda: client.send_sms("79999999999", "hi", files=[str(picture)]))
        finally:
            socket.create_connection = connect
    assert result == ["", ""]
    assert seconds < 5 * 0.5 + MARGIN


def test_each_wait_gets_the_time_left_not_the_whole_timeout(smsc, client, loopback):
    # the head comes at 0.6 s, the body never: the client hangs up at 1 s from its request, not at 1.6 s
    late = HeadThenWait(Reply(b"42"), 0.6)
    loopback.http.script(late, Reply(b"43"))
    smsc.SMSC_TIMEOUT = 1
    assert client.get_balance() == "43"
    assert loopback.http.wait_served(2)
    assert len(late.hung_up) == 1 and late.hung_up[0] < 1 + 0.35


# docs/differences.md row 5: a timeout for each attempt, HTTP and SMTP, without touching socket's global default

def test_a_stalled_host_costs_one_timeout_then_the_next_host_answers(smsc, loopback):
    seen_default = []

    def stall_first(request):
        seen_default.append(socket.getdefaulttimeout())
        return Stall(10) if len(seen_default) == 1 else Reply(b"42")
    loopback.http.respond = stall_first
    assert smsc.SMSC_TIMEOUT == 60
    assert configure(smsc, SMSC_TIMEOUT=0.3).get_balance() == "42"
    assert loopback.hosts == ["smscentre.com", "www2.smscentre.com"]
    assert seen_default == [None, None]  # no socket.setdefaulttimeout() while the call waited


def test_timeout_none_waits_on_sockets_global_default_as_2_0(smsc, loopback):
    loopback.http.script(Stall(10), Reply(b"42"))
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(0.3)
    try:
        assert configure(smsc, SMSC_TIMEOUT=None).get_balance() == "42"
    finally:
        socket.setdefaulttimeout(previous)
    assert loopback.hosts == ["smscentre.com", "www2.smscentre.com"]


def test_timeouts_apply_per_call_when_threads_send_at_once(smsc, loopback):
    seen_default = []

    def stall_main_host(request):
        seen_default.append(socket.getdefaulttimeout())
        return Stall(10) if request.asked[0] == "smscentre.com" else Reply(request.asked[0].encode("ascii"))
    loopback.http.respond = stall_main_host
    smsc.SMSC_TIMEOUT = 0.3
    results = {}

    def balance(n):
        results[n] = smsc.SMSC().get_balance()
    run_together([threading.Thread(target=balance, args=(n,)) for n in range(8)])
    assert results == dict((n, "www2.smscentre.com") for n in range(8))
    assert seen_default == [None] * 16


def test_smtp_uses_the_timeout(smsc, loopback):
    silent = HTTPServer().start()  # accepts, waits for a request that smtplib never sends: no greeting
    loopback.intercept.routes[25] = silent
    try:
        with pytest.raises(smtplib.SMTPServerDisconnected) as error:  # how smtplib reports the timeout
            configure(smsc, SMSC_TIMEOUT=0.3).send_sms_mail("79999999999", "hi")
        assert str(error.value) == "Connection unexpectedly closed: timed out"
    finally:
        silent.stop()
    assert loopback.intercept.connections == [("send.smscentre.com", 25)]


# 2. Only ordinary exceptions move to the next host (docs/differences.md row 6)

@pytest.mark.parametrize("interruption", [KeyboardInterrupt, SystemExit])
def test_interrupts_propagate_on_the_first_attempt(smsc, legacy, loopback, interruption):
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


# 3. Proxies: HTTPS tunnels through CONNECT on every Python, the certificate checked inside

@pytest.fixture
def proxy(loopback_https):
    tunnel = ConnectProxy({443: loopback_https.http}).start()
    yield tunnel
    stop_and_check([tunnel])


def proxied(loopback, proxy, monkeypatch, url):
    loopback.intercept.routes[3128] = proxy
    monkeypatch.setenv("https_proxy", url)


@pytest.mark.parametrize("credentials,authorization", [
    ("", None),
    ("user:p%40ss@", b"Proxy-Authorization: Basic dXNlcjpwQHNz"),
])
def test_https_through_a_proxy_tunnels_with_connect(smsc, client, loopback, loopback_https, proxy, monkeypatch,
                                                    credentials, authorization):
    proxied(loopback, proxy, monkeypatch, "http://%sproxy.example.org:3128" % credentials)
    smsc.SMSC_HTTPS = True
    loopback_https.http.script(Reply(b"42"))
    assert client.get_balance() == "42"
    assert loopback.intercept.connections == [("proxy.example.org", 3128)]
    connect, = proxy.connects
    lines = connect.split(b"\r\n")
    assert lines[0] == b"CONNECT smscentre.com:443 " + (b"HTTP/1.1" if sys.version_info >= (3, 12) else b"HTTP/1.0")
    assert [line for line in lines if line.startswith(b"Proxy-Authorization")] == [authorization][:bool(authorization)]
    # the gateway (inside the tunnel) gets the usual request, with no proxy header
    assert [r.raw for r in loopback_https.requests] == [
        whole_request("smscentre.com", b"GET " + BALANCE + b" " + HTTP_VERSION)]
    assert loopback_https.requests[0].asked == ("smscentre.com", 443)


def test_https_through_a_plain_proxy_tunnels_where_2_0_on_python_2_spoke_tls_to_it(smsc, legacy, loopback,
                                                                                   loopback_https, proxy,
                                                                                   monkeypatch):
    # Row 20 (docs/differences.md): 2.0 on Python 2 spoke TLS to a plain proxy (all calls failed); Python 3 tunnelled
    proxied(loopback, proxy, monkeypatch, "http://proxy.example.org:3128")
    loopback_https.http.default = Reply(b"42")
    result = configure(legacy, SMSC_HTTPS=True).get_balance()
    if six.PY2:
        assert (result, proxy.connects, loopback_https.requests) == (False, [], [])
        assert loopback.intercept.connections == [("proxy.example.org", 3128)] * 5
    else:
        assert result == "42" and len(proxy.connects) == 1
    # ours, on every Python: one tunnel, the request inside it
    loopback.clear(), proxy.clear(), loopback_https.http.clear()
    assert configure(smsc, SMSC_HTTPS=True).get_balance() == "42"
    assert loopback.intercept.connections == [("proxy.example.org", 3128)]
    assert len(proxy.connects) == 1 and proxy.connects[0].startswith(b"CONNECT smscentre.com:443 HTTP/1.")
    assert [r.asked for r in loopback_https.requests] == [("smscentre.com", 443)]


def test_the_certificate_is_checked_inside_the_tunnel(smsc, client, loopback, loopback_https, proxy, monkeypatch):
    rogue = loopback_https.untrusted()
    proxy.routes[443] = rogue
    proxied(loopback, proxy, monkeypatch, "http://proxy.example.org:3128")
    smsc.SMSC_HTTPS = True
    rogue.default = Reply(b"42")
    assert client.get_balance() is False
    assert len(proxy.connects) == 5 and rogue.requests == []  # the credentials never left the client


def test_no_proxy_is_honoured(smsc, client, loopback, loopback_https, proxy, monkeypatch):
    proxied(loopback, proxy, monkeypatch, "http://proxy.example.org:3128")
    monkeypatch.setenv("no_proxy", "example.com,smscentre.com")
    smsc.SMSC_HTTPS = True
    loopback_https.http.script(Reply(b"42"))
    assert client.get_balance() == "42"
    assert loopback.intercept.connections == [("smscentre.com", 443)] and proxy.connects == []


def test_a_proxy_that_refuses_the_tunnel_is_a_failed_attempt(smsc, client, loopback, loopback_https, monkeypatch):
    loopback.intercept.routes[3128] = loopback.http  # an ordinary web server, not a proxy: answers CONNECT with 500
    monkeypatch.setenv("https_proxy", "http://proxy.example.org:3128")
    smsc.SMSC_HTTPS = True
    loopback.http.default = Reply(b"no", status=500, reason="Oops")
    assert client.get_balance() is False
    assert [r.request_line.split(b" ")[0] for r in loopback.requests] == [b"CONNECT"] * 5
    assert loopback_https.requests == []


def test_http_through_a_proxy_asks_for_the_absolute_url_with_its_credentials(smsc, client, loopback, monkeypatch):
    loopback.intercept.routes[3128] = loopback.http
    monkeypatch.setenv("http_proxy", "http://user:p%40ss@proxy.example.org:3128")
    loopback.http.script(Reply(b"42"))
    assert client.get_balance() == "42"
    request, = loopback.requests
    assert request.request_line == b"GET http://smscentre.com" + BALANCE + b" " + HTTP_VERSION
    assert request.header("Proxy-Authorization") == b"Basic dXNlcjpwQHNz"
    assert request.asked == ("proxy.example.org", 3128)


@pytest.mark.parametrize("credentials", ["u:p%D0%BF", "u:", ":p", "user", "u%3Ax:y"])
def test_proxy_credentials_as_urllib_wrote_them(module, loopback, monkeypatch, credentials):
    loopback.intercept.routes[3128] = loopback.http
    monkeypatch.setenv("http_proxy", "http://%s@proxy.example.org:3128" % credentials)
    loopback.http.default = Reply(b"42")
    assert configure(module).get_balance() == "42"
    authorization = loopback.requests[0].header("Proxy-Authorization")
    if six.PY2:  # urllib.urlopen: the user:password as written, %-decoded, whatever is empty
        assert authorization == b"Basic " + base64.b64encode(six.moves.urllib.parse.unquote(credentials))
    elif credentials.split(":")[0] and credentials.partition(":")[2]:  # urllib.request: both, in UTF-8
        user, _, password = credentials.partition(":")
        pair = "%s:%s" % (six.moves.urllib.parse.unquote(user), six.moves.urllib.parse.unquote(password))
        assert authorization == b"Basic " + base64.b64encode(pair.encode("utf-8"))
    else:
        assert authorization is None


def test_proxies_are_read_at_the_first_request_as_2_0s_opener_read_them(module, loopback, monkeypatch):
    loopback.http.default = Reply(b"42")
    assert configure(module).get_balance() == "42"
    monkeypatch.setenv("http_proxy", "http://proxy.example.org:3128")  # too late: already read
    assert module.SMSC().get_balance() == "42"  # a new instance
    assert loopback.intercept.connections == [("smscentre.com", 80)] * 2


# 4. Redirects and replies: redirects as urllib followed them, only to http and https; anything else fails over
# (docs/differences.md row 19)

@pytest.mark.parametrize("target", ["gopher://smscentre.com/1", "file:///etc/passwd", "ftp://smscentre.com/x"])
def test_a_redirect_to_another_scheme_is_a_failed_attempt(module, is_ours, loopback, target):
    loopback.http.script(Reply(b"", status=302, reason="Found", headers=[("Location", target)]), Reply(b"42"))
    if not is_ours and target.startswith("ftp:"):
        pytest.skip("2.0 follows a redirect to ftp:// with urllib's FTP client: not played here")
    assert configure(module).get_balance() == "42"
    assert [r.asked[0] for r in loopback.requests] == MIRRORS[:2]


def test_redirects_are_followed_up_to_urllibs_limit_then_the_next_host(module, is_ours, loopback):
    hops = [Reply(b"moved", status=302, reason="Found", headers=[("Location", "/sys/hop%d.php" % n)])
            for n in range(12)]
    followed = 9 if six.PY2 else 10  # urllib.urlopen stopped at its 10th redirect, urllib.request after 10
    loopback.http.script(*(hops[:followed + 1] + [Reply(b"42")]))
    result = configure(module).get_balance()
    if six.PY2 and not is_ours:  # 2.0 on Python 2 returned the last redirect's page as the reply
        assert result == "moved"
        assert len(loopback.requests) == followed + 1
    else:
        assert result == "42"
        assert [r.asked[0] for r in loopback.requests] == ["smscentre.com"] * (followed + 1) + ["www2.smscentre.com"]


def test_a_post_is_redirected_as_a_get_after_302_and_refused_after_307(smsc, client, loopback):
    smsc.SMSC_POST = True
    loopback.http.script(Reply(b"", status=302, reason="Found", headers=[("Location", "/sys/moved.php")]), Reply(b"42"),
                         Reply(b"", status=307, reason="Temporary Redirect", headers=[("Location", "/sys/moved.php")]),
                         Reply(b"43"))
    assert client.get_balance() == "42"
    assert client.get_balance() == "43"
    lines = [r.request_line for r in loopback.requests]
    assert lines == [b"POST /sys/balance.php " + HTTP_VERSION, b"GET /sys/moved.php " + HTTP_VERSION,
                     b"POST /sys/balance.php " + HTTP_VERSION, b"POST /sys/balance.php " + HTTP_VERSION]
    assert [r.asked[0] for r in loopback.requests] == MIRRORS[:1] * 3 + MIRRORS[1:2]


def test_a_redirect_loop_stops_at_urllib_requests_repeat_limit(module, is_ours, loopback):
    loop = Reply(b"moved", status=302, reason="Found", headers=[("Location", "/sys/again.php")])
    asked = 10 if six.PY2 else 5  # urllib.urlopen: 9 redirects; urllib.request: the same target 4 times
    loopback.http.script(*([loop] * asked + [Reply(b"42")]))
    result = configure(module).get_balance()
    if six.PY2 and not is_ours:
        assert (result, len(loopback.requests)) == ("moved", 10)
    else:
        assert result == "42"
        assert [r.asked[0] for r in loopback.requests] == ["smscentre.com"] * asked + ["www2.smscentre.com"]


@pytest.mark.skipif(six.PY2, reason="Python 3's sockets warn when they are left to the garbage collector")
@pytest.mark.parametrize("answer", [HeadThenWait(Reply(b"42"), 0),
                                    Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n4")])
def test_a_reply_that_fails_while_read_closes_its_connection(smsc, client, loopback, answer):
    smsc.SMSC_TIMEOUT = 0.3
    loopback.http.script(answer, Reply(b"42"))
    with warnings_module.catch_warnings(record=True) as caught:
        warnings_module.simplefilter("always")
        assert client.get_balance() == "42"
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


# 5. Why a call failed, on logging.getLogger("smsc_api"): each attempt, the gateway's error, no host answering;
# never a secret (docs/differences.md row 7)

FAILING_HOSTS = [Drop(), Reply(b""), Reply(b"x", status=500, reason="Oops"), Reply(b"1,1")]  # www2 refused


def test_each_failed_attempt_is_logged_without_secrets(smsc, legacy, loopback, caplog):
    loopback.intercept.refuse.add("www2.smscentre.com")
    caplog.set_level(logging.DEBUG)
    loopback.http.script(*FAILING_HOSTS)
    configure(legacy, SMSC_PASSWORD="pa ss/w%rd").send_sms("79999999999", "private text", query="list=secret")
    # 2.0: the same attempts fail (Python 2 reads www4's error page as the reply), and nothing is logged
    assert loopback.hosts == MIRRORS[:4 if six.PY2 else 5]
    assert caplog.records == []
    loopback.clear()
    caplog.clear()
    loopback.http.script(*FAILING_HOSTS)
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


def test_nothing_is_printed_unless_logging_is_configured(smsc, loopback, capfd):
    loopback.http.default = Drop()
    assert configure(smsc).get_balance() is False
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    assert any(isinstance(h, logging.NullHandler) for h in logging.getLogger("smsc_api").handlers)


def test_the_null_handler_is_added_once_however_often_the_caches_are_forgotten(smsc):
    # the pytest plugin forgets the caches around each test: the logger must not gain a handler each time
    for _ in range(3):
        smsc._log()
        smsc._forget_cached()
    handlers = logging.getLogger("smsc_api").handlers
    assert len([h for h in handlers if isinstance(h, logging.NullHandler)]) == 1


ERRORS = [
    (lambda c: c.send_sms("79999999999", "test"), b"0,-2",
     "send: the gateway answered error 2: invalid login or password (or API key)"),
    (lambda c: c.send_sms("79999999999", "test"), b"15,-7",
     "send: the gateway answered error 7: wrong phone number format"),
    (lambda c: c.get_sms_cost("79999999999", "test"), b"0,-3", "cost: the gateway answered error 3: not enough money"),
    (lambda c: c.get_balance(), b"0,-2",
     "balance: the gateway answered error 2: invalid login or password (or API key)"),
    (lambda c: c.get_status(15, "79999999999"), b"0,-9",
     "status: the gateway answered error 9: duplicate request within a minute, or too many requests"),
    (lambda c: c.get_status(15, "79999999999"), b"0,-7", "status: the gateway answered error 7: unknown error"),
]


@pytest.mark.parametrize("call,reply,message", ERRORS,
                         ids=["password", "phone", "money", "balance", "status", "status-7"])
def test_an_error_of_the_gateway_is_a_warning_with_its_meaning(smsc, loopback, logged, call, reply, message):
    loopback.http.script(Reply(reply))
    call(configure(smsc, SMSC_PASSWORD="Sup3r-Secret"))
    assert logged() == [("WARNING", message)]


def test_a_success_logs_nothing(smsc, client, loopback, logged):
    loopback.http.script(Reply(b"15,1,1.5,98.5"), Reply(b"1,1561977123,0"), Reply(b"98.5"), Reply(b"-3,0,0"))
    client.send_sms("79999999999", "test")
    client.get_status(15, "79999999999")
    client.get_balance()
    client.get_status(16, "79999999999")  # a status of -3 (not found) is the gateway's answer, not its error
    assert logged() == []


def test_no_host_answering_is_one_error_with_the_attempts_and_the_last_reason(smsc, client, loopback, logged):
    loopback.intercept.refuse.update(MIRRORS)
    assert client.get_balance() is False
    assert [level for level, message in logged()] == ["INFO"] * 5 + ["ERROR"]
    error, = logged_at(logged, "ERROR")
    assert error.startswith("balance: no host answered (5 attempts); the last, http://www5.smscentre.com/sys/"
                            "balance.php: ")
    assert error.endswith("Connection refused (sandbox: www5.smscentre.com:80)")


def records_of(caplog):
    return [r for r in caplog.records if r.name == "smsc_api"]


@pytest.mark.parametrize("proxy_url", ["http://proxy.example.org:3128", "http://user:S3cret-pw@proxy.example.org:3128"])
def test_a_dead_proxy_is_named_without_its_credentials(smsc, client, loopback, caplog, monkeypatch, proxy_url):
    caplog.set_level(logging.INFO, logger="smsc_api")
    monkeypatch.setenv("http_proxy", proxy_url)
    loopback.intercept.refuse.add("proxy.example.org")
    assert client.get_balance() is False
    messages = [r.getMessage() for r in records_of(caplog)]
    assert all(": proxy proxy.example.org:3128: " in message for message in messages), messages
    assert messages[-1].startswith("balance: no host answered (5 attempts); the last, http://www5.smscentre.com/sys/"
                                   "balance.php: proxy proxy.example.org:3128: ")
    assert not any("user" in m or "S3cret" in m or "secret" in m for m in messages)
    assert json.dumps([vars(r) for r in records_of(caplog)], default=repr).count("S3cret") == 0


def test_a_proxy_that_refuses_connect_or_wants_credentials_is_named(smsc, client, loopback, loopback_https, monkeypatch,
                                                                    logged):
    loopback.intercept.routes[3128] = loopback.http
    monkeypatch.setenv("https_proxy", "http://proxy.example.org:3128")
    monkeypatch.setenv("http_proxy", "http://proxy.example.org:3128")
    loopback.http.default = Reply(b"", status=407, reason="Proxy Authentication Required")
    smsc.SMSC_HTTPS = True
    assert client.get_balance() is False
    smsc.SMSC_HTTPS = False
    assert client.get_balance() is False
    reasons = [message.split(": ", 2)[2] for level, message in logged() if level == "INFO"]
    assert reasons[0].startswith("proxy proxy.example.org:3128: CONNECT refused (")
    assert "407 Proxy Authentication Required" in reasons[0]
    assert reasons[5] == "proxy proxy.example.org:3128: HTTP 407 Proxy Authentication Required"


def test_a_connect_proxy_that_is_down_is_named(smsc, client, loopback, loopback_https, monkeypatch, logged):
    tunnel = ConnectProxy({443: loopback_https.http}).start()
    tunnel.stop()  # its port is closed now
    loopback.intercept.routes[3128] = tunnel
    monkeypatch.setenv("https_proxy", "http://u:Pr0xy-Secret@proxy.example.org:3128")
    smsc.SMSC_HTTPS = True
    assert client.get_balance() is False
    messages = [message for level, message in logged()]
    assert all("proxy proxy.example.org:3128: " in message and "Pr0xy" not in message for message in messages)


def test_a_proxy_url_that_cannot_be_read_is_named_without_its_password(smsc, client, loopback, caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="smsc_api")
    monkeypatch.setenv("http_proxy", "http://alice:Pr0xy/Secret@proxy.example.org:3128")  # "/" left unquoted
    assert client.get_balance() is False
    messages = [r.getMessage() for r in records_of(caplog)]
    assert messages[-1] == ("balance: no host answered (5 attempts); the last, http://www5.smscentre.com/sys/"
                            "balance.php: the http_proxy variable of the environment cannot be read as a proxy URL")
    assert loopback.hosts == []  # nothing was connected to
    assert json.dumps([vars(r) for r in records_of(caplog)], default=repr).count("Secret") == 0


@pytest.mark.parametrize("tls", [False, True], ids=["http", "connect"])
def test_a_proxy_that_repeats_its_credentials_in_the_reason_does_not_get_them_logged(smsc, client, loopback,
                                                                                     loopback_https, monkeypatch,
                                                                                     logged, tls):
    import base64
    loopback.intercept.routes[3128] = loopback.http
    url = "http://bob:Pr0xy%2DSecret-42@proxy.example.org:3128"
    monkeypatch.setenv("https_proxy", url)
    monkeypatch.setenv("http_proxy", url)
    echoed = base64.b64encode(b"bob:Pr0xy-Secret-42").decode("ascii")
    loopback.http.default = Reply(b"", status=407, reason="Denied for Basic " + echoed)
    smsc.SMSC_HTTPS = tls
    assert client.get_balance() is False
    messages = [message for level, message in logged()]
    assert len(messages) == 6 and all("Denied for Basic ***" in message for message in messages), messages
    assert not any(echoed in m or "Pr0xy" in m or "Secret-42" in m for m in messages)


@pytest.mark.parametrize("call,reply,shown", [
    (lambda c: c.get_balance(), b"<html><title>Hotel Wi-Fi: log in</title>\npsw=Sup3r-Secret</html>",
     "balance: the reply is not the gateway's: <html><title>Hotel Wi-Fi: log in</title>\\x0apsw=***</html>"),
    (lambda c: c.get_balance(), b"<html>blocked: login=alice&psw=sup3r-secret%3a%21</html>",
     "balance: the reply is not the gateway's: <html>blocked: login=alice&psw=***</html>"),
    (lambda c: c.send_sms("79999999999", "test"), b"15,1,<b>1.50</b>,98.50",
     "send: the reply is not the gateway's: 15,1,<b>1.50</b>,98.50"),
    (lambda c: c.get_status(15, "79999999999"), b"OK" * 40,
     "status: the reply is not the gateway's: " + "OK" * 30 + "..."),
], ids=["portal", "echo-lowercase-escapes", "garbled", "status"])
def test_a_reply_that_is_not_the_gateways_is_a_warning_never_a_secret(smsc, loopback, logged, call, reply, shown):
    # 2.0's return value stays (a list of what came back), but it is not reported as a success
    loopback.http.script(Reply(reply))
    call(configure(smsc, SMSC_PASSWORD="Sup3r-Secret" if b"%3a" not in reply else "sup3r-secret:!"))
    assert logged() == [("WARNING", shown)]


@pytest.mark.parametrize("reply,expected", [
    (b"order-17,1,2.50,97.50", []),
    (b"order-17,1", []),
    (b"order-17,1,2.50", []),  # query="cost=2": the cost without the balance
    (b"order-17,-7", [("WARNING", "send: the gateway answered error 7: wrong phone number format")]),
    (b"order-17,0", [("WARNING", "send: the reply is not the gateway's: order-17,0")]),
], ids=["sent", "sent-short", "sent-cost", "refused", "no-sms"])
def test_a_text_id_in_the_reply_is_the_gateways(smsc, loopback, logged, reply, expected):
    # the gateway echoes the caller's id, and a text id is one of its documented forms
    loopback.http.script(Reply(reply))
    assert configure(smsc).send_sms("79999999999", "test", id="order-17") == reply.decode("ascii").split(",")
    assert logged() == expected


@pytest.mark.parametrize("answer,reason", [
    (Endless(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", chunked=True), "a reply over 16777216 bytes"),
    (Endless(b"HTTP/1.0 200 OK\r\n\r\n"), "a reply over 16777216 bytes"),
    (Raw(b"HTTP/1.0 200 OK\r\nContent-Length: 100000000000\r\n\r\n42"),
     "a reply of 100000000000 bytes: over 16777216"),
], ids=["chunked", "to-the-end", "content-length"])
def test_a_reply_without_end_fills_no_memory(smsc, loopback, attempts, answer, reason):
    # a server that sends without end: the attempt ends at 16 MiB, long before its deadline, and the next host answers
    loopback.http.script(answer)
    loopback.http.default = Reply(b"42")
    assert configure(smsc, SMSC_TIMEOUT=30).get_balance() == "42"
    assert attempts(reasons=True) == ["_BadReply: " + reason]


@pytest.mark.parametrize("length", [10, 11])
@pytest.mark.parametrize("framing", ["content-length", "chunked", "to-the-end"])
def test_the_longest_reply_is_read_and_one_byte_more_is_not(smsc, loopback, attempts, monkeypatch, framing, length):
    monkeypatch.setattr(smsc, "_LONGEST_REPLY", 10)
    body = b"1" * length
    loopback.http.script(Raw({
        "content-length": b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % length + body,
        "chunked": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n111111\r\n%x\r\n%s\r\n0\r\n\r\n" % (
            length - 6, body[6:]),
        "to-the-end": b"HTTP/1.0 200 OK\r\n\r\n" + body}[framing]))
    loopback.http.default = Reply(b"42")
    assert configure(smsc).get_balance() == ("1" * 10 if length == 10 else "42")
    assert len(attempts()) == (length - 10)


def test_what_a_server_says_reaches_the_log_with_its_control_characters_escaped(smsc, loopback, logged):
    # a reason phrase written to forge log lines or move a terminal's cursor
    loopback.http.script(Reply(b"", status=500, reason="\x1b]0;pwned\x07\x1b[2J oops"),
                         Raw(b"X\r\n\x00\r\n"))
    loopback.http.default = Reply(b"42")
    assert configure(smsc).get_balance() == "42"
    assert logged() == [
        ("INFO", "attempt 1 of 5 failed: http://smscentre.com/sys/balance.php: _BadReply: HTTP 500 "
                 "\\x1b]0;pwned\\x07\\x1b[2J oops"),
        ("INFO", "attempt 2 of 5 failed: http://www2.smscentre.com/sys/balance.php: BadStatusLine: X\\x0d\\x0a")]


# 6. docs/differences.md row 14: urllib's opener is no longer used for the gateway

UNAUTHORIZED = Reply(b"", status=401, reason="Unauthorized", headers=[("WWW-Authenticate", 'Basic realm="smsc"')])


@pytest.mark.parametrize("version", ["2.0", "2.1"])
def test_a_401_challenge_never_asks_for_a_password_on_standard_input(loopback, version):
    # Python 2's FancyURLopener answered a Basic challenge by asking on the terminal (then on EOF tried the next
    # host); Python 3's urllib raised HTTPError. Here: the next host, on both, and nothing asked
    loopback.http.default = UNAUTHORIZED
    path, name = (LEGACY, "smsc_api_20") if version == "2.0" else (ROOT, "smsc_api")
    code = "import %s as m; m.SMSC_LOGIN, m.SMSC_PASSWORD = 'alice', 'secret'; print(repr(m.SMSC().get_balance()))"
    process = subprocess.Popen([sys.executable, "-c", code % name], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE,
                               env=environment(proxy_to=loopback.http, PYTHONPATH=path))
    out, err = process.communicate(b"")
    asked = b"Enter username for smsc at smscentre.com: "
    if version == "2.0" and six.PY2:
        assert out.startswith(asked) and out.endswith(b"False\n")
    else:
        assert out == b"False\n"
    assert (process.returncode, len(loopback.requests)) == (0, 5)


@pytest.mark.skipif(six.PY2, reason="urllib.request.install_opener: Python 3 (Python 2's urllib has no such hook)")
def test_an_opener_the_application_installed_is_not_used_for_the_gateway(module, is_ours, loopback):
    import urllib.request

    class Marked(urllib.request.BaseHandler):
        def http_request(self, request):
            request.add_header("X-Installed-Opener", "yes")
            return request
    urllib.request.install_opener(urllib.request.build_opener(Marked()))
    loopback.http.default = Reply(b"42")
    assert configure(module).get_balance() == "42"
    request, = loopback.requests
    assert (request.header("X-Installed-Opener") is None) == is_ours
