# -*- coding: utf-8 -*-
"""The transport on a real network, played by loopback servers: deadlines, proxies, redirects,
replies read by Content-Length, a send that may have gone out, and keep-alive.

Deadlines are checked by what the servers saw (the client hung up before the reply was
complete, the black hole never accepted) and by a bound on the call's duration with a wide
margin: a bound that can only fail when the deadline does not hold, never a speed target.
"""
import base64
import contextlib
import gc
import json
import logging
import os
import smtplib
import socket
import subprocess
import sys
import threading
import time
import warnings as warnings_module

import pytest
import six

from helpers import (CLOSED, GET, HTTP_VERSION, LEGACY, MIRRORS as HOSTS, POST, ROOT, cli, configure, environment,
                     exit_status, run_together, whole_request)
from servers import (BlackHole, ConnectProxy, Drip, DripRelay, Drop, HeadThenWait, Held, Raw, Reply, Slow,
                     SlowReader, Stall, fork_between_requests, stop_and_check)
BALANCE = b"/sys/balance.php?login=alice&psw=secret&fmt=1&charset=utf-8&"
SEND = (b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=test"
        b"&translit=0&id=0")
MARGIN = 1.5  # seconds of slack on every duration bound (a loaded CI machine)


@contextlib.contextmanager
def routed(gw, port, server):
    """Connections to `port` of the SMSC hosts go to server (started) in the block; it is stopped after, and
    an error raised inside it fails the test (unless the block itself failed)."""
    gw.intercept.routes[port] = server
    try:
        yield server
    except BaseException:
        server.stop()
        raise
    stop_and_check([server])


def elapsed(call):
    """(what call() returned, seconds it took)."""
    start = time.time()
    result = call()
    return result, time.time() - start


@pytest.fixture
def logged(caplog):
    """logged(): (level, message) of each record smsc_api logged, INFO and up: each failed attempt at INFO, what the
    call came to at WARNING (the gateway's error) or ERROR (no host answered)."""
    caplog.set_level(logging.INFO, logger="smsc_api")
    return lambda: [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "smsc_api"]


@pytest.fixture
def attempts(logged):
    """attempts(): the failed attempts smsc_api logged; attempts(reasons=True): each without its head, "attempt 1 of
    5 failed: URL: ", as "timeout: no connection within 0.2 s"."""
    def failed(reasons=False):
        messages = [message for level, message in logged() if level == "INFO" and message.startswith("attempt ")]
        return [m.split(": ", 2)[2] for m in messages] if reasons else messages
    return failed


# 1. Deadlines: SMSC_TIMEOUT is the whole attempt, SMSC_CONNECT_TIMEOUT the connection

def test_a_reply_dripping_one_byte_at_a_time_is_cut_at_the_deadline(smsc, client, gw, attempts):
    smsc.SMSC_TIMEOUT = 0.3
    gw.http.default = Slow(Reply(b"100.00"), pieces=1000, delay=0.02)  # about 4 s a reply
    result, seconds = elapsed(client.get_balance)
    assert result is False
    assert len(gw.requests) == 5
    assert attempts(reasons=True) == ["timeout: no complete reply within 0.3 s"] * 5
    assert seconds < 5 * 0.3 + MARGIN  # 2.0 (and a per-read timeout) waited 5 x 4 s


def test_a_host_that_never_accepts_costs_the_connect_timeout(smsc, client, gw, attempts):
    with routed(gw, 80, BlackHole()):
        smsc.SMSC_CONNECT_TIMEOUT, smsc.SMSC_TIMEOUT = 0.2, 30
        result, seconds = elapsed(client.get_balance)
    assert result is False
    assert gw.hosts == HOSTS
    assert attempts(reasons=True) == ["timeout: no connection within 0.2 s"] * 5
    assert seconds < 5 * 0.2 + MARGIN  # not 5 x SMSC_TIMEOUT


def test_without_a_connect_timeout_connecting_is_bounded_by_the_deadline(smsc, client, gw, attempts):
    with routed(gw, 80, BlackHole()):
        smsc.SMSC_CONNECT_TIMEOUT, smsc.SMSC_TIMEOUT = None, 0.2
        result, seconds = elapsed(client.get_balance)
    assert result is False
    assert attempts(reasons=True) == ["timeout: no connection within 0.2 s"] * 5
    assert seconds < 5 * 0.2 + MARGIN


def test_the_deadline_covers_the_first_host_only_then_the_next_gets_its_own(smsc, client, gw):
    smsc.SMSC_TIMEOUT = 0.4
    gw.http.script(Stall(5), Slow(Reply(b"42"), pieces=4, delay=0.05))
    assert client.get_balance() == "42"
    assert gw.hosts == HOSTS[:2]


def test_timeout_none_keeps_the_socket_default_for_each_wait(smsc, client, gw):
    # no deadline: a reply that takes longer than the default in all, but never stops for that long, arrives
    smsc.SMSC_TIMEOUT, smsc.SMSC_CONNECT_TIMEOUT = None, None
    gw.http.script(Slow(Reply(b"42"), pieces=8, delay=0.1))
    saved = socket.getdefaulttimeout()
    socket.setdefaulttimeout(0.5)
    try:
        assert client.get_balance() == "42"
    finally:
        socket.setdefaulttimeout(saved)
    assert gw.hosts == HOSTS[:1]


def test_a_complete_reply_with_content_length_on_a_connection_left_open_is_a_reply(smsc, client, gw):
    # 2.0 on Python 2 read to the end of the connection: a server that keeps it open made it wait
    # (forever: 2.0 has no timeout); the reply is complete at its Content-Length
    smsc.SMSC_TIMEOUT = 5
    gw.http.script(Held(Reply(b"42", headers=[("Connection", "keep-alive")]), 3))
    result, seconds = elapsed(client.get_balance)
    assert result == "42"
    assert seconds < 3  # not held until the server closes


def test_the_smtp_session_has_the_same_deadline(smsc, gw):
    with routed(gw, 25, Drip(b"220 smsc-sandbox ESMTP\r\n" * 50, 0.05).start()) as drip:
        smsc.SMSC_TIMEOUT = 0.3
        client = smsc.SMSC()
        start = time.time()
        with pytest.raises((smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, socket.timeout)):
            client.send_sms_mail("79999999999", "hi")
        seconds = time.time() - start
        assert drip.wait_served(1)
    assert drip.sent[0] < len(drip.data)  # the client hung up before the greeting ended
    assert seconds < 0.3 + MARGIN


def test_an_smtp_server_that_never_accepts_costs_the_connect_timeout(smsc, gw):
    with routed(gw, 25, BlackHole()):
        smsc.SMSC_CONNECT_TIMEOUT, smsc.SMSC_TIMEOUT = 0.2, 30
        start = time.time()
        with pytest.raises(socket.timeout):
            smsc.SMSC().send_sms_mail("79999999999", "hi")
        seconds = time.time() - start
    assert seconds < 0.2 + MARGIN


# 2. A send that may have gone out

def test_a_send_that_timed_out_after_the_request_was_written_is_logged_as_possibly_sent(smsc, client, gw, logged):
    smsc.SMSC_TIMEOUT = 0.3
    gw.http.script(Stall(5), Reply(b"0,-9"))
    assert client.send_sms("79999999999", "test") == ["0", "-9"]  # 2.0's return value
    assert gw.hosts == HOSTS[:2]
    assert logged() == [
        ("INFO", "attempt 1 of 5 failed: http://smscentre.com/sys/send.php: timeout: no complete reply within 0.3 s; "
                 "the whole request was sent: the message may have been sent"),
        ("WARNING", "send: the gateway answered error 9: duplicate request within a minute, or too many requests; "
                    "attempt 1 (http://smscentre.com/sys/send.php) most likely sent the message")]


def test_2_0_said_nothing_of_a_send_that_may_have_gone_out(legacy, gw, caplog):
    # Row 21 (docs/differences.md): 2.0 (no timeout) waits for the first host to close, then reports the next's error 9
    caplog.set_level(logging.DEBUG)
    gw.http.script(Stall(0.3), Reply(b"0,-9"))
    assert configure(legacy).send_sms("79999999999", "test") == ["0", "-9"]
    assert len(gw.requests) == 2 and caplog.records == []


@pytest.mark.parametrize("call", [
    lambda c: c.get_sms_cost("79999999999", "test"),
    lambda c: c.get_status(1, "79999999999"),
    lambda c: c.get_balance(),
], ids=["get_sms_cost", "get_status", "get_balance"])
def test_only_a_send_is_possibly_sent(smsc, client, gw, attempts, call):
    smsc.SMSC_TIMEOUT = 0.3
    gw.http.script(Stall(5), Reply(b"0,-9"))
    call(client)
    assert [m.endswith("may have been sent") for m in attempts()] == [False]


@pytest.mark.parametrize("answer,possibly", [
    (Drop(), True), (Stall(5), True), (Reply(b"15,1", status=502, reason="Bad Gateway"), True),
    (Raw(b"HTTP/1.0 200 OK\r\nContent-Length: 9\r\n\r\n15,"), True),
    (Reply(b"", status=404, reason="Not Found"), False), (Reply(b""), False),
    (Reply(b"", status=302, reason="Found", headers=[("Location", "gopher://x/")]), False),
], ids=["closed", "timeout", "502", "cut-short", "404", "empty-200", "bad-redirect"])
def test_possibly_sent_means_the_whole_request_went_out_and_no_complete_reply_came(
        smsc, client, gw, attempts, answer, possibly):
    smsc.SMSC_TIMEOUT = 0.3
    gw.http.script(answer, Reply(b"15,1"))
    assert client.send_sms("79999999999", "test") == ["15", "1"]
    assert [m.endswith("the message may have been sent") for m in attempts()] == [possibly]


def test_a_send_refused_before_it_was_written_is_not_possibly_sent(smsc, client, gw, attempts):
    gw.intercept.refuse.add("smscentre.com")
    gw.http.script(Reply(b"0,-9"))
    assert client.send_sms("79999999999", "test") == ["0", "-9"]
    assert len(attempts()) == 1 and "may have been sent" not in attempts()[0]


# 3. Proxies: HTTPS tunnels through CONNECT on every Python, the certificate checked inside

@pytest.fixture
def proxy(https):
    tunnel = ConnectProxy({443: https.http}).start()
    yield tunnel
    stop_and_check([tunnel])


def proxied(gw, proxy, monkeypatch, url):
    gw.intercept.routes[3128] = proxy
    monkeypatch.setenv("https_proxy", url)


@pytest.mark.parametrize("credentials,authorization", [
    ("", None),
    ("user:p%40ss@", b"Proxy-Authorization: Basic dXNlcjpwQHNz"),
])
def test_https_through_a_proxy_tunnels_with_connect(smsc, client, gw, https, proxy, monkeypatch, credentials,
                                                    authorization):
    proxied(gw, proxy, monkeypatch, "http://%sproxy.example.org:3128" % credentials)
    smsc.SMSC_HTTPS = True
    https.http.script(Reply(b"42"))
    assert client.get_balance() == "42"
    assert gw.intercept.connections == [("proxy.example.org", 3128)]
    connect, = proxy.connects
    lines = connect.split(b"\r\n")
    assert lines[0] == b"CONNECT smscentre.com:443 " + (b"HTTP/1.1" if sys.version_info >= (3, 12) else b"HTTP/1.0")
    assert [line for line in lines if line.startswith(b"Proxy-Authorization")] == [authorization][:bool(authorization)]
    # the gateway (inside the tunnel) gets the usual request, with no proxy header
    assert [r.raw for r in https.requests] == [whole_request("smscentre.com", b"GET " + BALANCE + b" " + HTTP_VERSION)]
    assert https.requests[0].asked == ("smscentre.com", 443)


def test_2_0_on_python_2_opened_tls_to_the_proxy_itself(legacy, gw, https, proxy, monkeypatch):
    # Row 20 (docs/differences.md): 2.0 on Python 2 spoke TLS to a plain proxy (all calls failed); Python 3 tunnelled
    proxied(gw, proxy, monkeypatch, "http://proxy.example.org:3128")
    https.http.default = Reply(b"42")
    result = configure(legacy, SMSC_HTTPS=True).get_balance()
    if six.PY2:
        assert (result, proxy.connects, https.requests) == (False, [], [])
        assert gw.intercept.connections == [("proxy.example.org", 3128)] * 5
    else:
        assert result == "42" and len(proxy.connects) == 1


def test_the_certificate_is_checked_inside_the_tunnel(smsc, client, gw, https, proxy, monkeypatch):
    rogue = https.untrusted()
    proxy.routes[443] = rogue
    proxied(gw, proxy, monkeypatch, "http://proxy.example.org:3128")
    smsc.SMSC_HTTPS = True
    rogue.default = Reply(b"42")
    assert client.get_balance() is False
    assert len(proxy.connects) == 5 and rogue.requests == []  # the credentials never left the client


def test_no_proxy_is_honoured(smsc, client, gw, https, proxy, monkeypatch):
    proxied(gw, proxy, monkeypatch, "http://proxy.example.org:3128")
    monkeypatch.setenv("no_proxy", "example.com,smscentre.com")
    smsc.SMSC_HTTPS = True
    https.http.script(Reply(b"42"))
    assert client.get_balance() == "42"
    assert gw.intercept.connections == [("smscentre.com", 443)] and proxy.connects == []


def test_a_proxy_that_refuses_the_tunnel_is_a_failed_attempt(smsc, client, gw, https, monkeypatch):
    gw.intercept.routes[3128] = gw.http  # an ordinary web server, not a proxy: answers CONNECT with 500
    monkeypatch.setenv("https_proxy", "http://proxy.example.org:3128")
    smsc.SMSC_HTTPS = True
    gw.http.default = Reply(b"no", status=500, reason="Oops")
    assert client.get_balance() is False
    assert [r.request_line.split(b" ")[0] for r in gw.requests] == [b"CONNECT"] * 5
    assert https.requests == []


def test_http_through_a_proxy_asks_for_the_absolute_url_with_its_credentials(smsc, client, gw, monkeypatch):
    gw.intercept.routes[3128] = gw.http
    monkeypatch.setenv("http_proxy", "http://user:p%40ss@proxy.example.org:3128")
    gw.http.script(Reply(b"42"))
    assert client.get_balance() == "42"
    request, = gw.requests
    assert request.request_line == b"GET http://smscentre.com" + BALANCE + b" " + HTTP_VERSION
    assert request.header("Proxy-Authorization") == b"Basic dXNlcjpwQHNz"
    assert request.asked == ("proxy.example.org", 3128)


# 4. Redirects: as urllib followed them, only to http and https; anything else fails over

@pytest.mark.parametrize("target", ["gopher://smscentre.com/1", "file:///etc/passwd", "ftp://smscentre.com/x"])
def test_a_redirect_to_another_scheme_is_a_failed_attempt(api, fixed, gw, target):
    gw.http.script(Reply(b"", status=302, reason="Found", headers=[("Location", target)]), Reply(b"42"))
    if not fixed and target.startswith("ftp:"):
        pytest.skip("2.0 follows a redirect to ftp:// with urllib's FTP client: not played here")
    assert configure(api).get_balance() == "42"
    assert [r.asked[0] for r in gw.requests] == HOSTS[:2]


def test_redirects_are_followed_up_to_urllibs_limit_then_the_next_host(api, fixed, gw):
    hops = [Reply(b"moved", status=302, reason="Found", headers=[("Location", "/sys/hop%d.php" % n)])
            for n in range(12)]
    followed = 9 if six.PY2 else 10  # urllib.urlopen stopped at its 10th redirect, urllib.request after 10
    gw.http.script(*(hops[:followed + 1] + [Reply(b"42")]))
    result = configure(api).get_balance()
    if six.PY2 and not fixed:  # 2.0 on Python 2 returned the last redirect's page as the reply
        assert result == "moved"
        assert len(gw.requests) == followed + 1
    else:
        assert result == "42"
        assert [r.asked[0] for r in gw.requests] == ["smscentre.com"] * (followed + 1) + ["www2.smscentre.com"]


def test_a_post_is_redirected_as_a_get_after_302_and_refused_after_307(smsc, client, gw):
    smsc.SMSC_POST = True
    gw.http.script(Reply(b"", status=302, reason="Found", headers=[("Location", "/sys/moved.php")]), Reply(b"42"),
                   Reply(b"", status=307, reason="Temporary Redirect", headers=[("Location", "/sys/moved.php")]),
                   Reply(b"43"))
    assert client.get_balance() == "42"
    assert client.get_balance() == "43"
    lines = [r.request_line for r in gw.requests]
    assert lines == [b"POST /sys/balance.php " + HTTP_VERSION, b"GET /sys/moved.php " + HTTP_VERSION,
                     b"POST /sys/balance.php " + HTTP_VERSION, b"POST /sys/balance.php " + HTTP_VERSION]
    assert [r.asked[0] for r in gw.requests] == HOSTS[:1] * 3 + HOSTS[1:2]


def test_a_redirect_loop_stops_at_urllib_requests_repeat_limit(api, fixed, gw):
    loop = Reply(b"moved", status=302, reason="Found", headers=[("Location", "/sys/again.php")])
    asked = 10 if six.PY2 else 5  # urllib.urlopen: 9 redirects; urllib.request: the same target 4 times
    gw.http.script(*([loop] * asked + [Reply(b"42")]))
    result = configure(api).get_balance()
    if six.PY2 and not fixed:
        assert (result, len(gw.requests)) == ("moved", 10)
    else:
        assert result == "42"
        assert [r.asked[0] for r in gw.requests] == ["smscentre.com"] * asked + ["www2.smscentre.com"]


# 5. A test suite that replaced smsc_api.urlopen (a mock) still gets the calls, as from 2.0

def test_a_replaced_urlopen_is_called_as_2_0_called_it(smsc, legacy, gw, monkeypatch):
    calls = []

    class Response(object):
        def read(self):
            return b"42"

    def fake_urlopen(*args):
        calls.append(args)
        return Response()
    for module in (smsc, legacy):
        monkeypatch.setattr(module, "urlopen", fake_urlopen)
        assert configure(module).get_balance() == "42"
        module.SMSC_POST = True
        assert module.SMSC().get_balance() == "42"
    assert calls[:2] == calls[2:]
    assert calls[:2] == [("http://smscentre.com" + BALANCE.decode("ascii"),),
                         ("http://smscentre.com/sys/balance.php", b"login=alice&psw=secret&fmt=1&charset=utf-8&")]
    assert gw.intercept.connections == []


# 6. The command line says when a send may have gone out

@pytest.mark.parametrize("as_json", [False, True])
def test_the_command_line_says_a_send_may_have_gone_out(smsc, gw, capsys, as_json):
    configure(smsc)
    gw.http.script(Stall(5), *[Drop()] * 4)
    code, out, err = cli(smsc, capsys, "send", "79999999999", "test", "--timeout", "0.3", "--http",
                         *(["--json"] if as_json else []))
    assert code == 3
    closed = CLOSED
    if as_json:
        assert json.loads(out) == {"error": "unreachable", "exit": 3, "ok": False, "attempts": 5, "reason": closed,
                                   "possibly_sent": "http://smscentre.com/sys/send.php"}
    else:
        assert (out, err) == ("", "error: no host answered (5 attempts; the last: %s); the message may have been "
                                  "sent: http://smscentre.com/sys/send.php received the whole request, and no "
                                  "complete reply came back\n" % closed)


@pytest.mark.parametrize("as_json", [False, True])
def test_the_command_line_says_error_9_most_likely_means_sent(smsc, gw, capsys, as_json):
    configure(smsc)
    gw.http.script(Stall(5), Reply(b"0,-9"))
    code, out, err = cli(smsc, capsys, "send", "79999999999", "test", "--timeout", "0.3", "--http",
                         *(["--json"] if as_json else []))
    assert code == 1
    url = "http://smscentre.com/sys/send.php"
    if as_json:
        assert json.loads(out) == {
            "error": 9, "exit": 1, "ok": False, "message": "duplicate request within a minute, or too many requests",
            "reply": ["0", "-9"], "possibly_sent": url, "most_likely_sent": url}
    else:
        assert (out, err) == ("", "error 9: duplicate request within a minute, or too many requests; the message was "
                                  "most likely sent: %s received the whole request, and no complete reply came "
                                  "back\n" % url)


def test_the_command_line_without_a_possible_send_says_nothing_more(smsc, gw, capsys):
    configure(smsc)
    gw.intercept.refuse.update(HOSTS)
    code, out, err = cli(smsc, capsys, "send", "79999999999", "test", "--json", "--http")
    assert code == 3
    assert json.loads(out) == {"error": "unreachable", "exit": 3, "ok": False, "attempts": 5,
                               "reason": json.loads(out)["reason"]}
    assert json.loads(out)["reason"].endswith("Connection refused (sandbox: www5.smscentre.com:80)")


# 7. Keep-alive: connections reused across calls, the request line and body unchanged

# (the fixtures kept and alive: conftest.py)

def test_keepalive_reuses_one_connection_and_changes_only_the_connection_header(smsc, alive, kept):
    kept.default = Reply(b"42")
    smsc.SMSC_POST = False
    assert [alive.get_balance() for _ in range(3)] == ["42"] * 3
    smsc.SMSC_POST = True
    assert alive.get_balance() == "42"
    body = BALANCE.split(b"?")[1]
    assert [r.raw for r in kept.requests] == (
        [whole_request("smscentre.com", GET(BALANCE), keepalive=True)] * 3 +
        [whole_request("smscentre.com", POST(b"/sys/balance.php"), body, keepalive=True)])
    assert [r.connection for r in kept.requests] == [1, 1, 1, 1]


def test_without_keepalive_each_call_has_its_connection(client, kept):
    kept.default = Reply(b"42")
    client.get_balance(), client.get_balance()
    assert [r.raw for r in kept.requests] == [whole_request("smscentre.com", GET(BALANCE))] * 2
    assert [r.connection for r in kept.requests] == [1, 2]


def test_https_keepalive_makes_one_tls_handshake(smsc, https):
    server = https.keepalive()
    server.default = Reply(b"42")
    with smsc.SMSC(login="alice", password="secret", https=True, keepalive=True) as client:
        assert [client.get_balance() for _ in range(3)] == ["42"] * 3
    assert [r.connection for r in server.requests] == [1, 1, 1]
    assert server.connections == 1  # one TCP connection, so one TLS handshake
    assert [r.raw for r in server.requests] == [whole_request("smscentre.com", GET(BALANCE), keepalive=True)] * 3


def test_a_connection_the_server_closed_while_idle_is_replaced_without_a_failed_attempt(alive, kept, attempts):
    kept.idle_timeout = 0.1
    kept.default = Reply(b"42")
    assert alive.get_balance() == "42"
    assert kept.wait_served(1)  # the server closed the idle connection
    assert alive.send_sms("79999999999", "test") == ["42"]
    assert [r.connection for r in kept.requests] == [1, 2]  # each request sent once
    assert attempts() == []


@pytest.mark.parametrize("call,resent", [
    (lambda c: c.get_balance(), True),
    (lambda c: c.get_status(15, "79999999999"), True),
    (lambda c: c.get_sms_cost("79999999999", "test"), True),
    (lambda c: c.send_sms("79999999999", "test"), False),
    (lambda c: c.get_sms_cost("79999999999", "test", query="cost=3"), False),  # the gateway reads the last cost
    (lambda c: c._smsc_send_cmd("jobs", "add=1&name=Spring&phones=79999999999&mes=test"), False),  # a subclass's
], ids=["get_balance", "get_status", "get_sms_cost", "send_sms", "cost-then-send", "jobs"])
def test_a_kept_connection_closed_as_the_request_arrives(alive, kept, attempts, call, resent):
    # the server reads the request on the reused connection and closes it without a word: a status, balance or
    # cost is asked again on a new connection; anything else may have been acted on, so it is a failed attempt
    kept.script(Reply(b"1"), Drop(), Reply(b"42"))
    alive.get_balance()
    result = call(alive)
    assert [r.connection for r in kept.requests] == [1, 1, 2]
    if resent:
        assert (result == "42" or result == ["42"], attempts()) == (True, [])
        assert [r.asked[0] for r in kept.requests[1:]] == ["smscentre.com"] * 2
    else:
        assert result == ["42"]
        assert [(r.asked[0], r.connection) for r in kept.requests[1:]] == [("smscentre.com", 1),
                                                                           ("www2.smscentre.com", 2)]
        assert [m.endswith("the message may have been sent") for m in attempts()] == [True]


def test_one_instance_from_many_threads_never_shares_a_connection(alive, kept):
    started, busy, overlaps, guard = threading.Event(), set(), [], threading.Lock()

    def echo(request):
        with guard:
            overlaps.append(request.connection in busy)
            busy.add(request.connection)
        started.wait(5)
        time.sleep(0.01)
        with guard:
            busy.discard(request.connection)
        return Reply(request.query.split(b"&mes=")[1].split(b"&")[0] + b",1")
    kept.respond = echo
    results = {}

    def send(n):
        for round in range(3):
            results[n, round] = alive.send_sms("79999999999", "m%d-%d" % (n, round))
    run_together([threading.Thread(target=send, args=(n,)) for n in range(8)], started)
    assert results == dict(((n, r), ["m%d-%d" % (n, r), "1"]) for n in range(8) for r in range(3))
    assert len(kept.requests) == 24 and not any(overlaps)
    assert kept.connections < 24  # connections were reused


# The fork tests fork a process with threads (the servers') on purpose: that is what gunicorn and Celery do
# with a module-level SMSC; Python 3.12+ warns about any such fork.
FORK_WITH_THREADS = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")


@FORK_WITH_THREADS
@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork: POSIX only")
def test_after_fork_the_child_never_touches_its_parents_connection(alive, kept, gw):
    kept.default = Reply(b"42")
    assert alive.get_balance() == "42"
    pid = fork_between_requests(kept, gw.intercept)
    if pid == 0:  # the child: its own connection, the parent's left alone
        try:
            code = 0 if alive.get_balance() == "42" else 1
        except BaseException:
            code = 2
        os._exit(code)
    assert exit_status(pid) == 0
    assert alive.get_balance() == "42"
    assert [r.connection for r in kept.requests] == [1, 2, 1]


def test_close_and_the_context_manager_close_the_connections(smsc, kept):
    kept.default = Reply(b"42")
    with smsc.SMSC(login="alice", password="secret", keepalive=True) as client:
        client.get_balance()
        assert kept.served == 0
    assert kept.wait_served(1)
    client.get_balance()  # still usable: a new connection
    client.close()
    assert kept.wait_served(2) and [r.connection for r in kept.requests] == [1, 2]


def test_a_collected_instance_closes_its_connections(smsc, kept):
    kept.default = Reply(b"42")
    client = smsc.SMSC(login="alice", password="secret", keepalive=True)
    client.get_balance()
    with warnings_module.catch_warnings(record=True) as caught:
        warnings_module.simplefilter("always")
        del client
        gc.collect()
    assert kept.wait_served(1)
    assert [str(w.message) for w in caught] == []  # closed by the instance, not left to the socket ("unclosed")


def test_connections_close_at_interpreter_exit_without_noise(kept):
    kept.default = Reply(b"42")
    code = ("import smsc_api; c = smsc_api.SMSC(login='alice', password='secret', keepalive=True); "
            "print(c.get_balance())")
    env = environment(proxy_to=kept, PYTHONPATH=ROOT)
    flags = ["-W", "error"] + ([] if six.PY2 else ["-X", "dev"])  # unclosed sockets would be ResourceWarnings
    process = subprocess.Popen([sys.executable] + flags + ["-c", code], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = process.communicate()
    assert (process.returncode, out.strip(), err) == (0, b"42", b"")
    assert kept.wait_served(1)


def test_keepalive_through_an_http_proxy(alive, kept, gw, monkeypatch):
    gw.intercept.routes[3128] = kept
    monkeypatch.setenv("http_proxy", "http://proxy.example.org:3128")
    kept.default = Reply(b"42")
    assert [alive.get_balance() for _ in range(2)] == ["42"] * 2
    assert [r.request_line for r in kept.requests] == [GET(b"http://smscentre.com" + BALANCE)] * 2
    assert [r.connection for r in kept.requests] == [1, 1]


def test_keepalive_makes_a_new_connection_once_the_cached_settings_are_forgotten(smsc, alive, kept):
    # a connection made before _forget_cached() was made under other CAs or proxies (or before a sandbox)
    kept.default = Reply(b"42")
    assert alive.get_balance() == "42"
    smsc._forget_cached()
    assert [alive.get_balance() for _ in range(2)] == ["42"] * 2
    assert [r.connection for r in kept.requests] == [1, 2, 2]


def test_keepalive_through_a_connect_proxy(smsc, gw, https, monkeypatch):
    server = https.keepalive()
    server.default = Reply(b"42")
    with routed(gw, 3128, ConnectProxy({443: server}).start()) as tunnel:
        monkeypatch.setenv("https_proxy", "http://proxy.example.org:3128")
        with smsc.SMSC(login="alice", password="secret", https=True, keepalive=True) as client:
            assert [client.get_balance() for _ in range(3)] == ["42"] * 3
    assert len(tunnel.connects) == 1 and [r.connection for r in server.requests] == [1, 1, 1]


def test_a_kept_connection_still_has_the_deadline(smsc, alive, kept, attempts):
    smsc.SMSC_TIMEOUT = 0.3
    kept.script(Reply(b"1"), Slow(Reply(b"42"), pieces=100, delay=0.05), Reply(b"43"))
    alive.get_balance()
    result, seconds = elapsed(alive.get_balance)
    assert result == "43"
    assert attempts(reasons=True) == ["timeout: no complete reply within 0.3 s"]
    assert seconds < 0.3 + MARGIN


# 8. What a hostile review found (each failed before its fix)

TLS_RECORD = b"\x16\x03\x03\x00\x30" + b"\x02" * 0x30  # a handshake record, to be dripped


def test_a_tls_handshake_dripped_byte_by_byte_is_cut_at_the_deadline(smsc, client, gw, https, attempts):
    # Python 2's ssl waited anew for each piece: 5 x 5 s here, where the deadline is 5 x 0.3 s
    with routed(gw, 443, Drip(TLS_RECORD, 0.1).start()):
        smsc.SMSC_HTTPS, smsc.SMSC_TIMEOUT = True, 0.3
        result, seconds = elapsed(client.get_balance)
    assert result is False
    assert attempts(reasons=True) == ["timeout: no complete reply within 0.3 s"] * 5
    assert seconds < 5 * 0.3 + MARGIN


def test_a_tls_reply_dripped_byte_by_byte_is_cut_at_the_deadline(smsc, client, gw, https, attempts):
    https.http.default = Reply(b"42" * 100)
    with routed(gw, 443, DripRelay(https.http, 0.02).start()):  # about 7 s for the whole reply
        smsc.SMSC_HTTPS, smsc.SMSC_TIMEOUT = True, 0.5
        result, seconds = elapsed(client.get_balance)
    assert result is False and len(attempts()) == 5
    assert seconds < 5 * 0.5 + MARGIN


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_server_that_reads_slowly_cannot_hold_a_large_post(smsc, client, gw, tmpdir, request, scheme):
    # never a wait longer than 0.05 s, the whole 2 MB in about 6 s: a timeout for each piece sent (Python 2's
    # sendall, plain and TLS) would take that long; the deadline cuts each attempt at 0.5 s
    context = request.getfixturevalue("https").context() if scheme == "https" else None
    picture = tmpdir.join("big.png")
    picture.write_binary(b"\0" * (2 << 20))
    connect = socket.create_connection

    def small_send_buffer(*args, **kwargs):
        sock = connect(*args, **kwargs)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16384)
        return sock
    with SlowReader(16384, 0.05, context) as reader:  # stopped, then checked, after the block
        try:  # not monkeypatch: it would put gw's intercept back after gw has taken it away
            gw.intercept.routes[443 if context else 80] = reader
            socket.create_connection = small_send_buffer
            smsc.SMSC_HTTPS, smsc.SMSC_TIMEOUT = bool(context), 0.5
            result, seconds = elapsed(lambda: client.send_sms("79999999999", "hi", files=[str(picture)]))
        finally:
            socket.create_connection = connect
    assert result == ["", ""]
    assert seconds < 5 * 0.5 + MARGIN


def test_each_wait_gets_the_time_left_not_the_whole_timeout(smsc, client, gw):
    # the head comes at 0.6 s, the body never: the client hangs up at 1 s from its request, not at 1.6 s
    late = HeadThenWait(Reply(b"42"), 0.6)
    gw.http.script(late, Reply(b"43"))
    smsc.SMSC_TIMEOUT = 1
    assert client.get_balance() == "43"
    assert gw.http.wait_served(2)
    assert len(late.hung_up) == 1 and late.hung_up[0] < 1 + 0.35


@FORK_WITH_THREADS
@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork: POSIX only")
def test_after_fork_close_never_waits_for_a_lock_held_in_the_parent(smsc, alive, kept, gw):
    # a thread of the parent held the pool's lock at the fork: in the child nobody ever releases it
    kept.default = Reply(b"42")
    alive.get_balance()
    pool = smsc._pool(alive)
    pool._lock.acquire()
    try:
        pid = fork_between_requests(kept, gw.intercept)
        if pid == 0:
            try:
                alive.close()
                code = 0
            except BaseException:
                code = 2
            os._exit(code)
        status = exit_status(pid)
    finally:
        pool._lock.release()
    assert status == 0


def test_a_send_that_timed_out_after_a_redirect_is_possibly_sent(smsc, client, gw, attempts):
    smsc.SMSC_TIMEOUT = 0.3
    gw.http.script(Reply(b"", status=302, reason="Found", headers=[("Location", "/sys/send2.php")]), Stall(5),
                   Reply(b"15,1"))
    assert client.send_sms("79999999999", "test") == ["15", "1"]
    assert [m.endswith("the message may have been sent") for m in attempts()] == [True]


@pytest.mark.parametrize("credentials", ["u:p%D0%BF", "u:", ":p", "user", "u%3Ax:y"])
def test_proxy_credentials_as_urllib_wrote_them(api, gw, monkeypatch, credentials):
    gw.intercept.routes[3128] = gw.http
    monkeypatch.setenv("http_proxy", "http://%s@proxy.example.org:3128" % credentials)
    gw.http.default = Reply(b"42")
    assert configure(api).get_balance() == "42"
    authorization = gw.requests[0].header("Proxy-Authorization")
    if six.PY2:  # urllib.urlopen: the user:password as written, %-decoded, whatever is empty
        assert authorization == b"Basic " + base64.b64encode(six.moves.urllib.parse.unquote(credentials))
    elif credentials.split(":")[0] and credentials.partition(":")[2]:  # urllib.request: both, in UTF-8
        user, _, password = credentials.partition(":")
        pair = "%s:%s" % (six.moves.urllib.parse.unquote(user), six.moves.urllib.parse.unquote(password))
        assert authorization == b"Basic " + base64.b64encode(pair.encode("utf-8"))
    else:
        assert authorization is None


@pytest.mark.skipif(six.PY2, reason="Python 3's sockets warn when they are left to the garbage collector")
@pytest.mark.parametrize("answer", [HeadThenWait(Reply(b"42"), 0),
                                    Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n4")])
def test_a_reply_that_fails_while_read_closes_its_connection(smsc, client, gw, answer):
    smsc.SMSC_TIMEOUT = 0.3
    gw.http.script(answer, Reply(b"42"))
    with warnings_module.catch_warnings(record=True) as caught:
        warnings_module.simplefilter("always")
        assert client.get_balance() == "42"
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_at_most_four_idle_connections_are_kept_per_destination(alive, kept):
    started = threading.Event()

    def held(request):
        started.wait(5)
        return Reply(b"42")
    kept.respond = held
    results = []
    run_together([threading.Thread(target=lambda: results.append(alive.get_balance())) for _ in range(6)], started)
    assert results == ["42"] * 6 and kept.connections == 6
    assert kept.wait_served(2, timeout=2)  # two of the six closed at once (the server's own idle limit is 5 s)
    assert kept.served == 2  # four kept for the next calls
    kept.respond = lambda request: Reply(b"42")
    for _ in range(4):
        alive.get_balance()
    assert kept.connections == 6


def test_proxies_are_read_at_the_first_request_as_2_0s_opener_read_them(api, gw, monkeypatch):
    gw.http.default = Reply(b"42")
    assert configure(api).get_balance() == "42"
    monkeypatch.setenv("http_proxy", "http://proxy.example.org:3128")  # too late: already read
    assert api.SMSC().get_balance() == "42"  # a new instance
    assert gw.intercept.connections == [("smscentre.com", 80)] * 2


def test_an_instance_with_open_connections_can_be_pickled_and_copied(alive, kept):
    import copy
    import pickle
    kept.default = Reply(b"42")
    alive.get_balance()
    for twin in (pickle.loads(pickle.dumps(alive)), copy.deepcopy(alive), copy.copy(alive)):
        assert twin.get_balance() == "42"
        twin.close()
    # pickle and deepcopy open their own; copy.copy shares what the original has, as it shares every attribute
    assert [r.connection for r in kept.requests] == [1, 2, 3, 1]


# 9. docs/differences.md row 14: urllib's opener is no longer used for the gateway

UNAUTHORIZED = Reply(b"", status=401, reason="Unauthorized", headers=[("WWW-Authenticate", 'Basic realm="smsc"')])


@pytest.mark.parametrize("version", ["2.0", "2.1"])
def test_a_401_challenge_never_asks_for_a_password_on_standard_input(gw, version):
    # Python 2's FancyURLopener answered a Basic challenge by asking on the terminal (then on EOF tried the next
    # host); Python 3's urllib raised HTTPError. Here: the next host, on both, and nothing asked
    gw.http.default = UNAUTHORIZED
    path, name = (LEGACY, "smsc_api_20") if version == "2.0" else (ROOT, "smsc_api")
    code = "import %s as m; m.SMSC_LOGIN, m.SMSC_PASSWORD = 'alice', 'secret'; print(repr(m.SMSC().get_balance()))"
    process = subprocess.Popen([sys.executable, "-c", code % name], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE,
                               env=environment(proxy_to=gw.http, PYTHONPATH=path))
    out, err = process.communicate(b"")
    asked = b"Enter username for smsc at smscentre.com: "
    if version == "2.0" and six.PY2:
        assert out.startswith(asked) and out.endswith(b"False\n")
    else:
        assert out == b"False\n"
    assert (process.returncode, len(gw.requests)) == (0, 5)


@pytest.mark.skipif(six.PY2, reason="urllib.request.install_opener: Python 3 (Python 2's urllib has no such hook)")
def test_an_opener_the_application_installed_is_not_used_for_the_gateway(api, fixed, gw):
    import urllib.request

    class Marked(urllib.request.BaseHandler):
        def http_request(self, request):
            request.add_header("X-Installed-Opener", "yes")
            return request
    urllib.request.install_opener(urllib.request.build_opener(Marked()))
    gw.http.default = Reply(b"42")
    assert configure(api).get_balance() == "42"
    request, = gw.requests
    assert (request.header("X-Installed-Opener") is None) == fixed
