# -*- coding: utf-8 -*-
"""The sandbox gateway under load and abuse: a bounded request size (413) and head (431), a deadline for each
whole request (408; SMTP 421), bounded records of requests and messages, a bounded number of connections
served at once, the log made readable by its owner only, and no secret printed or logged however it is
written.

Behaviour only: memory, threads and speed are measured in bench/bench_sandbox.py. Deadlines are set to
fractions of a second for the test, and a slow client is played by writing a byte at a time.
"""
import json
import os
import select
import smtplib
import socket
import stat
import threading
import time
from decimal import Decimal

import pytest

import smsc_sandbox
from helpers import api, echoed, logged, raw_post, read_to_end, response, send, send_raw

BALANCE = b"GET /sys/balance.php?login=a&psw=b&fmt=1&charset=utf-8 HTTP/1.1\r\nHost: smscentre.com\r\n"


SEND = b"/sys/send.php"


def refused(status, detail):
    return response(b"smsc_sandbox: " + detail + b"\n", status=status, connection=b"close")


def wait_for(condition, seconds=5):
    """Wait until condition() is true, at most seconds; whether it is."""
    deadline = time.time() + seconds
    while not condition() and time.time() < deadline:
        time.sleep(0.01)
    return condition()


# 1. Request size: 413 past max_request_size, 431 past max_head_size

def test_a_body_over_max_request_size_is_413_and_not_kept(sandbox):
    sandbox.max_request_size = 100
    body = b"login=a&psw=b&fmt=1&charset=utf-8&phones=79999999999&mes=hi&pad="
    body += b"x" * (100 - len(body))
    assert send_raw(sandbox, raw_post(SEND, body)) == response(b"1,1")  # exactly the limit
    assert send_raw(sandbox, raw_post(SEND, body + b"x")) == refused(b"413 Payload Too Large",
                                                                     b"a body of 101 bytes, over the limit of 100")
    assert echoed(sandbox) == [u"SMS id=1 to 79999999999: hi (1 part, 2.50)",
                               u"ERROR HTTP 413 (a body of 101 bytes, over the limit of 100) for POST /sys/send.php"]
    assert [(r.body, r.reply) for r in sandbox.requests] == [
        (body, b"1,1"), (b"", b"smsc_sandbox: a body of 101 bytes, over the limit of 100\n")]
    assert len(sandbox.messages) == 1


def test_413_comes_before_the_body_is_sent(sandbox):
    """A client announcing 100 MB has its answer at once: the gateway does not wait for (or keep) the body."""
    head = b"POST /sys/send.php HTTP/1.1\r\nHost: smscentre.com\r\nContent-Length: 104857600\r\n\r\n"
    assert send_raw(sandbox, head) == refused(b"413 Payload Too Large",  # the head, and not a byte of the body
                                              b"a body of 104857600 bytes, over the limit of 10485760")


def test_smsc_api_over_the_limit_gets_413_on_every_host(smsc, sandbox, tmpdir):
    sandbox.max_request_size = 1000
    big = tmpdir.join("big.bin")
    big.write_binary(b"\0" * 2000)
    assert smsc.SMSC().send_sms("79999999999", "hi", files=[str(big)]) == ["", ""]
    assert [r.reply[:len(b"smsc_sandbox: a body of ")] for r in sandbox.requests] == [b"smsc_sandbox: a body of "] * 5
    assert sandbox.messages == []


def test_a_head_over_max_head_size_is_431(sandbox):
    sandbox.http.max_head_size = 200
    assert send_raw(sandbox, b"GET /sys/balance.php?" + b"x" * 300 + b" HTTP/1.1\r\n\r\n") == refused(
        b"431 Request Header Fields Too Large", b"a request head over 200 bytes")
    assert echoed(sandbox) == [u"ERROR HTTP 431 (a request head over 200 bytes)"]
    assert list(sandbox.requests) == []


def test_a_mail_over_max_request_size_is_552(sandbox):
    sandbox.max_request_size = 1000
    replies = send_raw(sandbox, b"EHLO me\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<send@send.smscentre.com>\r\n"
                                b"DATA\r\n" + b"x" * 2000 + b"\r\n.\r\n", sandbox.smtp.address).split(b"\r\n")
    assert replies[-2:] == [b"552 5.3.4 smsc-sandbox: over 1000 bytes", b""]
    assert sandbox.messages == []


# 2. One pass: a body is read whole however it arrives

def test_a_body_in_many_pieces_or_larger_than_a_read_arrives_whole(sandbox):
    large = b"login=a&psw=b&fmt=1&charset=utf-8&phones=79999999999&mes="
    large += b"y" * (sandbox.max_request_size - len(large))  # the largest body it takes (10 MiB): many reads
    assert send_raw(sandbox, raw_post(SEND, large)) == response(b"0,-1")  # read whole: a message over 1000 characters
    small = b"login=a&psw=b&fmt=1&charset=utf-8&phones=79999999999&mes=" + b"z" * 300
    sock = socket.create_connection(sandbox.http.address, 5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        data = raw_post(SEND, small)
        for start in range(0, len(data), 7):  # 7 bytes a write
            sock.sendall(data[start:start + 7])
        sock.shutdown(socket.SHUT_WR)
        assert read_to_end(sock) == response(b"1,2")
    finally:
        sock.close()
    assert [r.body for r in sandbox.requests] == [large, small]


def test_expect_100_continue_is_answered_before_the_body(sandbox):
    body = b"login=a&psw=b&fmt=1&charset=utf-8&phones=79999999999&mes=hi"
    sock = socket.create_connection(sandbox.http.address, 5)
    try:
        sock.sendall(raw_post(SEND, body).replace(b"\r\n\r\n", b"\r\nExpect: 100-continue\r\n\r\n")[:-len(body)])
        assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        sock.shutdown(socket.SHUT_WR)
        assert read_to_end(sock) == response(b"1,1")
    finally:
        sock.close()


# 3. A deadline for each whole request (not each read)

def trickle(sock, data, pause=0.05):
    """Write data on sock a byte at a time, pause seconds apart, until the server answers; all it answered."""
    for start in range(len(data)):
        sock.sendall(data[start:start + 1])
        if select.select([sock], [], [], pause)[0]:
            break
    return read_to_end(sock)


@pytest.fixture
def connect():
    """connect(address): a socket connected to address, closed after the test."""
    socks = []
    yield lambda address: socks.append(socket.create_connection(address, 5)) or socks[-1]
    for sock in socks:
        sock.close()


def test_a_head_that_does_not_arrive_whole_in_time_is_408(sandbox, connect):
    sandbox.request_timeout = 0.2  # each byte comes well within the 10 s a read may wait
    assert trickle(connect(sandbox.http.address), BALANCE * 10) == refused(b"408 Request Timeout",
                                                                           b"no whole request within 0.2 s")
    assert echoed(sandbox) == [u"ERROR HTTP 408 (no whole request within 0.2 s)"]


def test_a_body_that_does_not_arrive_whole_in_time_is_408(sandbox, connect):
    sandbox.request_timeout = 0.2
    body = b"login=a&psw=b&fmt=1&charset=utf-8&phones=79999999999&mes=" + b"x" * 100
    sock = connect(sandbox.http.address)
    sock.sendall(raw_post(SEND, body)[:-len(body)])
    assert trickle(sock, body) == refused(b"408 Request Timeout", b"no whole request within 0.2 s")
    assert echoed(sandbox) == [u"ERROR HTTP 408 (no whole request within 0.2 s) for POST /sys/send.php"]
    assert sandbox.messages == []


def test_an_idle_connection_is_closed_without_a_word(sandbox, connect):
    sandbox.request_timeout = 0.1
    assert read_to_end(connect(sandbox.http.address)) == b""
    assert echoed(sandbox) == []


def test_an_smtp_command_that_does_not_arrive_whole_in_time_is_421(sandbox, connect):
    sandbox.request_timeout = 0.2
    sock = connect(sandbox.smtp.address)
    assert sock.recv(100) == b"220 smsc-sandbox ESMTP\r\n"
    assert trickle(sock, b"EHLO a-very-slow-client.example.org\r\n" * 3) == (
        b"421 4.4.2 smsc-sandbox: no whole command within 0.2 s\r\n")


# 4. Bounded records

def test_the_gateway_keeps_the_last_max_records_requests_and_messages(sandbox):
    sandbox.max_records = 3
    for n in range(5):
        assert send(sandbox, b"phones=79999999999&mes=m%d" % n) == b"%d,1" % (n + 1)
    assert [r.target.split(b"&mes=")[1] for r in sandbox.requests] == [
        b"m2&fmt=1&charset=utf-8", b"m3&fmt=1&charset=utf-8", b"m4&fmt=1&charset=utf-8"]
    assert [m["id"] for m in sandbox.messages] == [3, 4, 5]
    assert api(sandbox, b"status", b"login=a&psw=b&phone=79999999999&id=1,5") == b"-3,0,0\n-1,1700000000,0"
    assert sandbox.balance == Decimal("87.50")  # forgotten, not refunded


def test_max_record_bytes_bounds_the_requests_kept_the_newest_always_kept(sandbox):
    send_raw(sandbox, raw_post(SEND, b"x" * 300))
    size = sandbox.requests[0].size  # the head and the body
    sandbox.max_record_bytes = 3 * size
    for body in (b"y" * 300, b"z" * 300):
        send_raw(sandbox, raw_post(SEND, body))
    assert [r.body[:1] for r in sandbox.requests] == [b"x", b"y", b"z"]
    send_raw(sandbox, raw_post(SEND, b"w" * 300))
    assert [r.body[:1] for r in sandbox.requests] == [b"y", b"z", b"w"]  # the first forgotten
    send_raw(sandbox, raw_post(SEND, b"v" * 10 * size))
    assert [r.body[:1] for r in sandbox.requests] == [b"v"]


def test_record():
    record = smsc_sandbox.Record(count=3, size=10, size_of=len)
    for item in ["ab", "cd", "ef", "gh"]:
        record.append(item)
    assert record == ["cd", "ef", "gh"] and isinstance(record, list)
    assert json.dumps(record) == '["cd", "ef", "gh"]'
    record.append("ijklmn")  # 2 + 2 + 6 = 10: fits
    assert record == ["ef", "gh", "ijklmn"]
    record.append("o" * 20)  # alone over the size: kept alone
    assert record == ["o" * 20]
    del record[:]
    for item in ["12345", "67890"]:  # the sizes forgotten with the items
        record.append(item)
    assert record == ["12345", "67890"]
    unbounded = smsc_sandbox.Record()
    for n in range(5000):
        unbounded.append(n)
    assert len(unbounded) == 5000


# 5. A bounded number of connections served at once (a thread each)

def test_connections_past_max_connections_wait_for_a_free_thread(sandbox):
    sandbox.max_connections = 2
    socks = [socket.create_connection(sandbox.http.address, 5) for _ in range(5)]
    try:
        for sock in socks:  # half a request each: every one would hold a thread
            sock.sendall(BALANCE)
        assert wait_for(lambda: sandbox.http.connections == 2)
        time.sleep(0.2)
        assert (sandbox.http.connections, sandbox.http.peak_connections) == (2, 2)  # the others wait
        for sock in socks:
            sock.sendall(b"Connection: close\r\n\r\n")
        answers = [read_to_end(sock) for sock in socks]
    finally:
        for sock in socks:
            sock.close()
    assert answers == [response(b"100.00", connection=b"close")] * 5
    assert (sandbox.http.connections, sandbox.http.peak_connections) == (5, 2)


def test_stop_ends_a_gateway_whose_connections_are_all_taken():
    gateway = smsc_sandbox.Gateway(max_connections=1, echo=False).start()
    held, waiting = [socket.create_connection(gateway.http.address, 5) for _ in range(2)]
    try:
        assert wait_for(lambda: gateway.http.connections == 1)
        stopper = threading.Thread(target=gateway.stop)
        stopper.start()
        stopper.join(10)
        assert not stopper.is_alive()
    finally:
        held.close()
        waiting.close()
    gateway.check()


def test_none_is_no_limit(smsc, sandbox):
    """Gateway's documented None for each limit: bodies and mails past the default limits are read whole (and
    judged: too long for an SMS), connections served, records kept."""
    sandbox.max_request_size = sandbox.max_connections = sandbox.request_timeout = None
    sandbox.max_records = sandbox.max_record_bytes = None
    client = smsc.SMSC("alice", "secret")
    assert client.send_sms("79999999999", "x" * (11 << 20)) == ["0", "-1"]  # not 413: past 10 MiB
    with pytest.raises(smtplib.SMTPDataError) as refused:
        client.send_sms_mail("79999999999", "y" * (2 << 20))  # not 552: past 1 MiB
    assert refused.value.smtp_code == 554
    assert client.send_sms("79999999999", "by http") == ["1", "1", "2.50", "97.50"]
    client.send_sms_mail("79999999999", "by mail")
    assert echoed(sandbox)[-2:] == [u"SMS id=1 to 79999999999: by http (1 part, 2.50)",
                                    u"SMS id=2 to 79999999999: by mail (1 part, 2.50, by mail)"]
    assert (len(sandbox.requests), sandbox.http.peak_connections) == (2, 1)


# 6. The log: readable by its owner only

@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX's")
def test_the_log_is_made_readable_by_its_owner_only_and_an_existing_one_keeps_its_mode(smsc, sandbox, tmpdir):
    smsc.SMSC("alice", "secret").send_sms("79999999999", "one")
    assert stat.S_IMODE(os.stat(sandbox.log).st_mode) == 0o600
    shared = tmpdir.join("shared.jsonl")
    shared.write("")
    shared.chmod(0o644)
    sandbox.log = str(shared)
    smsc.SMSC("alice", "secret").send_sms("79999999999", "two")
    assert stat.S_IMODE(os.stat(sandbox.log).st_mode) == 0o644
    assert [json.loads(line)["message"] for line in logged(sandbox)] == ["two"]


# 7. No secret printed or logged, however it is written

@pytest.mark.parametrize("name", [b"psw", b"ps%77", b"%70sw", b"%70%73%77", b"PSW", b"psw%5B%5D", b"+psw+",
                                  b"apikey", b"api%4Bey", b"APIKEY"])
def test_mask_hides_a_password_or_key_however_its_name_is_written(name):
    """As PHP reads a form, the gateway decodes names (ps%77 is psw): each spelling is masked, in each place."""
    for before, after in [(b"/sys/send.php?login=a&", b"&mes=hi"), (b"GET /sys/send.php?", b" HTTP/1.1"),
                          (b"", b"&mes=hi"), (b"http://smsc.ru/sys/send.php?", b"")]:
        assert smsc_sandbox.mask(before + name + b"=SECRET" + after) == before + name + b"=***" + after


def test_mask_hides_every_value_whole():
    assert smsc_sandbox.mask(b"/sys/send.php?psw=x&psw=SECRET&mes=hi") == b"/sys/send.php?psw=***&psw=***&mes=hi"
    assert smsc_sandbox.mask(b"/sys/send.php?psw=SE%43R+ET&mes=hi") == b"/sys/send.php?psw=***&mes=hi"
    assert smsc_sandbox.mask(b"/sys/send.php?psw=SECRET?psw=1&mes=SECRET") == b"/sys/send.php?psw=***&mes=SECRET"
    assert smsc_sandbox.mask(b"psw=SECRET?x&mes=a?psw=1") == b"psw=***&mes=a?psw=1"  # a body: "?" is a character


def test_no_secret_is_printed_or_logged_whatever_the_way_in(smsc, sandbox, tmpdir):
    sandbox.login, sandbox.password = "alice", "SECRET"
    assert send_raw(sandbox, b"GET /sys/send.php?login=alice&ps%77=SECRET&fmt=1&charset=utf-8&phones=79999999999"
                             b"&mes=one HTTP/1.1\r\nHost: smscentre.com\r\n\r\n") == response(b"1,1")
    send_raw(sandbox, b"GET /nowhere?%70sw=SECRET&apikey=SECRET HTTP/1.1\r\nHost: smscentre.com\r\n\r\n")  # 404
    send_raw(sandbox, b"POST /sys/send.php?psw=SECRET&PSW=SECRET HTTP/1.1\r\nContent-Length: 20000000\r\n\r\n")
    note = tmpdir.join("note.txt")
    note.write("a note")
    assert smsc.SMSC("alice", "SECRET").send_sms("79999999999", "two", files=[str(note)])[1] == "1"  # multipart
    assert smsc.SMSC("", "SECRET", post=True).get_balance() == "95.00"
    smsc.SMSC("alice", "SECRET").send_sms_mail("79999999999", "three")
    said = echoed(sandbox) + logged(sandbox) + [repr(request) for request in sandbox.requests]
    assert len(echoed(sandbox)) == 5 and len(logged(sandbox)) == 3 and len(sandbox.requests) == 5
    assert [line for line in said if "SECRET" in line] == []
