# -*- coding: utf-8 -*-
"""A paid SMS goes out at most once, and every failure says why (issue 18).

The gateway refuses an identical send within one minute (error 9), and only within it. After an attempt that may
have sent the message (its whole request written, no complete reply) the next hosts are asked only while their
request can be written whole within 50 s of that attempt's. The clock is smsc_api's own (_monotonic): a test
moves it forward (`warp`) instead of waiting; one test waits on the real clock, in the background of the run
(conftest.py starts it when it is collected).
"""
import json
import logging
import sys
import time

import pytest

from helpers import MIRRORS, configure, printed
from servers import ConnectProxy, Reply, SlowReader, Stall, stop_and_check

SEND = b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=test&translit=0&id=0"


class Warp(object):
    """smsc_api's clock: the real one, `ahead` seconds ahead."""

    def __init__(self, real):
        self.real, self.ahead = real, 0.0

    def __call__(self):
        return self.real() + self.ahead


@pytest.fixture
def warp(smsc, monkeypatch):
    clock = Warp(smsc._monotonic)
    monkeypatch.setattr(smsc, "_monotonic", clock)
    return clock


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Python 2 has a monotonic clock (times(2)) on Linux")
def test_the_deadlines_clock_is_not_the_wall_clock_that_ntp_sets_back(smsc):
    assert smsc._monotonic is not time.time  # Python 3: time.monotonic; Python 2: os.times()'s elapsed ticks
    first = smsc._monotonic()
    time.sleep(0.05)
    assert 0.03 <= smsc._monotonic() - first < 5


class Jump(object):
    """When the request has arrived, move the clock `seconds` ahead, then: drop the connection (the client sees
    it at once), or (stall=True) send one byte of an answer and never the rest (the client then waits, from the
    moved clock, until its deadline)."""

    def __init__(self, warp, seconds, stall=False):
        self.warp, self.seconds, self.stall = warp, seconds, stall

    def __call__(self, conn, request, server):
        time.sleep(0.1)  # the client notes when it wrote the request (after the last byte was sent): not moved yet
        self.warp.ahead += self.seconds
        if self.stall:
            conn.sendall(b"H")  # wakes the client's wait, which then ends at its (moved) deadline
            return Stall(30)(conn, request, server)
        return False


@pytest.fixture
def logged(caplog):
    """logged(): (level, message) of each record of the "smsc_api" logger, INFO and up."""
    caplog.set_level(logging.INFO, logger="smsc_api")
    return lambda: [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "smsc_api"]


def outcome(logged, level):
    """The messages logged at `level` (WARNING, ERROR)."""
    return [message for name, message in logged() if name == level]


# 1. At most once

def test_with_the_defaults_a_stalled_first_host_is_not_asked_again(smsc, client, loopback, warp, logged):
    # SMSC_TIMEOUT 60: the first attempt ends 60 s after its request was written, past the 50 s
    loopback.http.script(Jump(warp, 59.7, stall=True), Reply(b"0,-9"))
    assert client.send_sms("79999999999", "test") == ["", ""]  # as 2.0 ends when no host answers
    assert loopback.hosts == MIRRORS[:1]
    assert outcome(logged, "ERROR") == [
        "send: not sent again: attempt 1 (http://smscentre.com/sys/send.php) received the whole request and no "
        "complete reply came back: the message may have been sent, and 50 s have passed since, past which the "
        "gateway would take a copy for a new message instead of refusing it (error 9); 1 of 5 hosts asked, the last "
        "reason: timeout: no complete reply within 60 s"]


def test_with_a_timeout_of_10_s_the_next_host_is_asked_inside_the_window(smsc, client, loopback, warp, logged):
    smsc.SMSC_TIMEOUT = 10
    loopback.http.script(Jump(warp, 9.7, stall=True), Reply(b"0,-9"))
    assert client.send_sms("79999999999", "test") == ["0", "-9"]
    assert loopback.hosts == MIRRORS[:2]
    assert outcome(logged, "ERROR") == []
    assert outcome(logged, "WARNING") == [
        "send: the gateway answered error 9: duplicate request within a minute, or too many requests; attempt 1 "
        "(http://smscentre.com/sys/send.php) most likely sent the message"]


@pytest.mark.parametrize("timeout,asked", [(10, 5), (12, 5), (13, 4), (24, 3), (26, 2), (51, 1)])
def test_hosts_that_all_stall_are_asked_while_the_window_lasts(smsc, client, loopback, warp, logged, timeout, asked):
    # each attempt's request is written about `timeout` s after the one before: the k-th at (k - 1) * timeout
    smsc.SMSC_TIMEOUT = timeout
    loopback.http.default = Jump(warp, timeout - 0.3, stall=True)
    assert client.send_sms("79999999999", "test") == ["", ""]
    assert loopback.hosts == MIRRORS[:asked]
    errors = outcome(logged, "ERROR")
    assert len(errors) == 1
    if asked == 5:
        assert errors[0].startswith("send: no host answered (5 attempts); the last, http://www5.smscentre.com/sys/"
                                    "send.php: timeout: no complete reply within %g s; attempt 1 (" % timeout)
    else:
        assert errors[0].startswith("send: not sent again: attempt 1 (")
        assert "; %d of 5 hosts asked, the last reason: timeout" % asked in errors[0]


@pytest.mark.parametrize("seconds,asked", [(49.8, 2), (50.1, 1)])
def test_the_50_second_edge(smsc, client, loopback, warp, seconds, asked):
    # the first host drops the connection `seconds` after the request was written: is the next one asked?
    loopback.http.script(Jump(warp, seconds), Reply(b"0,-9"))
    assert client.send_sms("79999999999", "test") == (["0", "-9"] if asked == 2 else ["", ""])
    assert loopback.hosts == MIRRORS[:asked]


def test_a_request_that_cannot_be_written_whole_inside_the_window_is_cut(smsc, client, loopback, warp, logged):
    reader = SlowReader(size=1024, interval=0.05).start()  # takes about 1 KB of the request every 50 ms
    try:
        loopback.intercept.routes[80] = Router(loopback.http, reader)
        loopback.http.script(Jump(warp, 49))
        started = time.time()
        result = client.send_sms("79999999999", "x" * 16000000)  # a POST of 16 MB: hours at that pace
        seconds = time.time() - started
    finally:
        stop_and_check([reader])
    assert result == ["", ""] and seconds < 1 + 5  # cut when the window closed, not at the deadline (60 s)
    assert 0 < reader.received < 16000000
    assert outcome(logged, "ERROR")[0].endswith("2 of 5 hosts asked, the last reason: its request could not be "
                                                "written whole within 50 s of attempt 1's")


class Router(object):
    """Routes the first connection to `first`, every other to `rest` (an Intercept route)."""

    def __init__(self, first, rest):
        self.first, self.rest, self.used = first, rest, 0

    @property
    def address(self):
        self.used += 1
        return (self.first if self.used == 1 else self.rest).address

    def note_asked(self, client_port, host, port):
        (self.first if self.used == 1 else self.rest).note_asked(client_port, host, port)


@pytest.mark.parametrize("call", [
    lambda c: c.get_balance(),
    lambda c: c.get_status(15, "79999999999"),
    lambda c: c.get_sms_cost("79999999999", "test"),
], ids=["balance", "status", "cost"])
def test_status_balance_and_cost_fail_over_as_before(smsc, client, loopback, warp, call):
    loopback.http.script(Jump(warp, 59.7, stall=True), Reply(b"1,1,1"))
    call(client)
    assert loopback.hosts == MIRRORS[:2]


def test_files_and_a_subclass_command_are_at_most_once_too(smsc, client, loopback, warp, tmpdir):
    picture = tmpdir.join("cat.png")
    picture.write_binary(b"\x89PNG")
    loopback.http.script(Jump(warp, 59.7, stall=True), Reply(b"0,-9"))
    assert client.send_sms("79999999999", "", format=7, files=[str(picture)]) == ["", ""]
    assert loopback.hosts == MIRRORS[:1]
    loopback.clear()
    loopback.http.script(Jump(warp, 59.7, stall=True), Reply(b"0,-9"))
    assert client._smsc_send_cmd("jobs", "add=1&name=Spring&phones=79999999999&mes=test") == ["", ""]
    assert loopback.hosts == MIRRORS[:1]


def test_a_call_with_no_possibly_sent_attempt_tries_every_host(smsc, client, loopback, warp, logged):
    loopback.intercept.refuse.update(MIRRORS[:4])  # refused before a byte is written: nothing may have gone out
    loopback.http.script(Reply(b"15,1"))
    assert client.send_sms("79999999999", "test") == ["15", "1"]
    assert loopback.intercept.connections == [(host, 80) for host in MIRRORS]
    assert [level for level, message in logged()] == ["INFO"] * 4  # a success: nothing at WARNING or above


# 2. Failures say why, never with a secret

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
    error, = outcome(logged, "ERROR")
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


def test_the_debug_line_of_2_0_stays_when_the_window_ends_the_call(smsc, client, loopback, warp, capsys):
    smsc.SMSC_DEBUG = True
    loopback.http.script(Jump(warp, 59.7, stall=True))
    capsys.readouterr()
    client.send_sms("79999999999", "test")
    assert printed(capsys).splitlines() == [u"Ошибка чтения адреса: http://smscentre.com/sys/send.php",
                                            u"Ошибка №"]  # 2.0's two lines for ['', '']


# 3. The 50-second edge on a real clock: run in the background from the start of the test run (conftest.py)

def test_the_50_second_edge_on_a_real_clock(real_clock_edge):
    inside, past = real_clock_edge()  # SMSC_TIMEOUT 49 s, then 51 s; the first host stalls, the second says 9
    assert (inside["result"], inside["hosts"]) == (["0", "-9"], MIRRORS[:2])
    assert (past["result"], past["hosts"]) == (["", ""], MIRRORS[:1])
    assert 49 <= inside["seconds"] < 49 + 10 and 51 <= past["seconds"] < 51 + 10
    assert [level for level, message in past["logged"]] == ["INFO", "ERROR"]


@pytest.mark.parametrize("call,reply,shown", [
    (lambda c: c.get_balance(), b"<html><title>Hotel Wi-Fi: log in</title>\npsw=Sup3r-Secret</html>",
     "balance: the reply is not the gateway's: <html><title>Hotel Wi-Fi: log in</title>\\x0apsw=***</html>"),
    (lambda c: c.send_sms("79999999999", "test"), b"15,1,<b>1.50</b>,98.50",
     "send: the reply is not the gateway's: 15,1,<b>1.50</b>,98.50"),
    (lambda c: c.get_status(15, "79999999999"), b"OK" * 40,
     "status: the reply is not the gateway's: " + "OK" * 30 + "..."),
], ids=["portal", "garbled", "status"])
def test_a_reply_that_is_not_the_gateways_is_a_warning_never_a_secret(smsc, loopback, logged, call, reply, shown):
    # 2.0's return value stays (a list of what came back), but it is not reported as a success
    loopback.http.script(Reply(reply))
    call(configure(smsc, SMSC_PASSWORD="Sup3r-Secret"))
    assert logged() == [("WARNING", shown)]
