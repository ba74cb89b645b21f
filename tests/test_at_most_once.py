# -*- coding: utf-8 -*-
"""A paid SMS goes out at most once (issue 18; docs/differences.md, row 21).

The gateway refuses an identical send within one minute (error 9), and only within it. After an attempt that may
have sent the message (its whole request written, no complete reply) the next hosts are asked only while their
request can be written whole within 50 s of that attempt's. The clock is smsc_api's own (_monotonic): a test
moves it forward (`warp`) instead of waiting; one test waits on the real clock, in the background of the run
(conftest.py starts it when it is collected).
"""
import logging
import sys
import time

import pytest

from helpers import CLOSED, MIRRORS, configure, logged_at, printed
from servers import Drop, Raw, Reply, SlowReader, Stall, stop_and_check


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


# 1. A send that may have gone out: its whole request written, no complete reply

def test_a_send_that_timed_out_after_the_request_was_written_is_logged_as_possibly_sent(smsc, client, loopback, logged):
    smsc.SMSC_TIMEOUT = 0.3
    loopback.http.script(Stall(5), Reply(b"0,-9"))
    assert client.send_sms("79999999999", "test") == ["0", "-9"]  # 2.0's return value
    assert loopback.hosts == MIRRORS[:2]
    assert logged() == [
        ("INFO", "attempt 1 of 5 failed: http://smscentre.com/sys/send.php: timeout: no complete reply within 0.3 s; "
                 "the whole request was sent: the message may have been sent"),
        ("WARNING", "send: the gateway answered error 9: duplicate request within a minute, or too many requests; "
                    "attempt 1 (http://smscentre.com/sys/send.php) most likely sent the message")]


def test_a_send_that_may_have_gone_out_is_logged_where_2_0_said_nothing(smsc, legacy, loopback, caplog):
    # Row 21 (docs/differences.md): 2.0 (no timeout) waits for the first host to close, then reports the next's error 9
    caplog.set_level(logging.DEBUG)
    loopback.http.script(Stall(0.3), Reply(b"0,-9"))
    assert configure(legacy).send_sms("79999999999", "test") == ["0", "-9"]
    assert len(loopback.requests) == 2 and caplog.records == []
    # ours: the same return value, and the log says the first host may have sent it, the second most likely did
    loopback.clear()
    loopback.http.script(Stall(0.3), Reply(b"0,-9"))
    assert configure(smsc).send_sms("79999999999", "test") == ["0", "-9"]
    assert len(loopback.requests) == 2
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("INFO", "attempt 1 of 5 failed: http://smscentre.com/sys/send.php: %s; the whole request was sent: the "
                 "message may have been sent" % CLOSED),
        ("WARNING", "send: the gateway answered error 9: duplicate request within a minute, or too many requests; "
                    "attempt 1 (http://smscentre.com/sys/send.php) most likely sent the message")]


@pytest.mark.parametrize("call", [
    lambda c: c.get_sms_cost("79999999999", "test"),
    lambda c: c.get_status(1, "79999999999"),
    lambda c: c.get_balance(),
], ids=["get_sms_cost", "get_status", "get_balance"])
def test_only_a_send_is_possibly_sent(smsc, client, loopback, attempts, call):
    smsc.SMSC_TIMEOUT = 0.3
    loopback.http.script(Stall(5), Reply(b"0,-9"))
    call(client)
    assert [m.endswith("may have been sent") for m in attempts()] == [False]


@pytest.mark.parametrize("answer,possibly", [
    (Drop(), True), (Stall(5), True), (Reply(b"15,1", status=502, reason="Bad Gateway"), True),
    (Raw(b"HTTP/1.0 200 OK\r\nContent-Length: 9\r\n\r\n15,"), True),
    (Reply(b"", status=404, reason="Not Found"), False), (Reply(b""), False),
    (Reply(b"", status=302, reason="Found", headers=[("Location", "gopher://x/")]), False),
], ids=["closed", "timeout", "502", "cut-short", "404", "empty-200", "bad-redirect"])
def test_possibly_sent_means_the_whole_request_went_out_and_no_complete_reply_came(
        smsc, client, loopback, attempts, answer, possibly):
    smsc.SMSC_TIMEOUT = 0.3
    loopback.http.script(answer, Reply(b"15,1"))
    assert client.send_sms("79999999999", "test") == ["15", "1"]
    assert [m.endswith("the message may have been sent") for m in attempts()] == [possibly]


def test_a_send_refused_before_it_was_written_is_not_possibly_sent(smsc, client, loopback, attempts):
    loopback.intercept.refuse.add("smscentre.com")
    loopback.http.script(Reply(b"0,-9"))
    assert client.send_sms("79999999999", "test") == ["0", "-9"]
    assert len(attempts()) == 1 and "may have been sent" not in attempts()[0]


def test_a_send_that_timed_out_after_a_redirect_is_possibly_sent(smsc, client, loopback, attempts):
    smsc.SMSC_TIMEOUT = 0.3
    loopback.http.script(Reply(b"", status=302, reason="Found", headers=[("Location", "/sys/send2.php")]), Stall(5),
                         Reply(b"15,1"))
    assert client.send_sms("79999999999", "test") == ["15", "1"]
    assert [m.endswith("the message may have been sent") for m in attempts()] == [True]


# 2. At most once

def test_with_the_defaults_a_stalled_first_host_is_not_asked_again(smsc, client, loopback, warp, logged):
    # SMSC_TIMEOUT 60: the first attempt ends 60 s after its request was written, past the 50 s
    loopback.http.script(Jump(warp, 59.7, stall=True), Reply(b"0,-9"))
    assert client.send_sms("79999999999", "test") == ["", ""]  # as 2.0 ends when no host answers
    assert loopback.hosts == MIRRORS[:1]
    assert logged_at(logged, "ERROR") == [
        "send: not sent again: attempt 1 (http://smscentre.com/sys/send.php) received the whole request and no "
        "complete reply came back: the message may have been sent, and 50 s have passed since, past which the "
        "gateway would take a copy for a new message instead of refusing it (error 9); 1 of 5 hosts asked, the last "
        "reason: timeout: no complete reply within 60 s"]


def test_with_a_timeout_of_10_s_the_next_host_is_asked_inside_the_window(smsc, client, loopback, warp, logged):
    smsc.SMSC_TIMEOUT = 10
    loopback.http.script(Jump(warp, 9.7, stall=True), Reply(b"0,-9"))
    assert client.send_sms("79999999999", "test") == ["0", "-9"]
    assert loopback.hosts == MIRRORS[:2]
    assert logged_at(logged, "ERROR") == []
    assert logged_at(logged, "WARNING") == [
        "send: the gateway answered error 9: duplicate request within a minute, or too many requests; attempt 1 "
        "(http://smscentre.com/sys/send.php) most likely sent the message"]


@pytest.mark.parametrize("timeout,asked", [(10, 5), (12, 5), (13, 4), (24, 3), (26, 2), (51, 1)])
def test_hosts_that_all_stall_are_asked_while_the_window_lasts(smsc, client, loopback, warp, logged, timeout, asked):
    # each attempt's request is written about `timeout` s after the one before: the k-th at (k - 1) * timeout
    smsc.SMSC_TIMEOUT = timeout
    loopback.http.default = Jump(warp, timeout - 0.3, stall=True)
    assert client.send_sms("79999999999", "test") == ["", ""]
    assert loopback.hosts == MIRRORS[:asked]
    errors = logged_at(logged, "ERROR")
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
    assert logged_at(logged, "ERROR")[0].endswith("2 of 5 hosts asked, the last reason: its request could not be "
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


@pytest.mark.parametrize("query", ["cost=3", "+cost=3", "%20cost=3", "cost%00x=3"])
def test_a_cost_request_whose_query_asks_for_a_send_is_at_most_once(smsc, client, loopback, warp, query):
    # PHP reads the last cost given, its name's leading spaces and what follows a NUL ignored: this one sends
    loopback.http.script(Jump(warp, 59.7, stall=True), Reply(b"0,-9"))
    assert client.get_sms_cost("79999999999", "test", query=query) == ["", ""]
    assert loopback.hosts == MIRRORS[:1]


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
