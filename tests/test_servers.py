# -*- coding: utf-8 -*-
"""The tests' loopback servers themselves (tests/servers.py on smsc_sandbox's base classes).

What other tests rely on: one request per connection by default, HTTP keep-alive when asked for (the
headers, who closes and when, the connection each request came on), the life cycle (clear, stop,
check: an error inside a server thread is raised in the test) and SMTP commands dispatched by verb.
Raw sockets on 127.0.0.1 (not intercepted); answers are asserted whole.
"""
import socket

import pytest

from helpers import get_over_one_connection, read_to_end
from servers import Drop, HTTPServer, Raw, Reply, Slow, SMTPServer, Stall, stop_and_check


@pytest.fixture
def http(request):
    """A started HTTPServer(**params); stopped after the test, and its errors raised."""
    server = HTTPServer(**getattr(request, "param", {})).start()
    yield server
    stop_and_check([server])


def connect(server):
    return socket.create_connection(server.address, 5)


def read_response(sock):
    """One response: its head, then Content-Length bytes of body."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head = data.split(b"\r\n\r\n", 1)[0]
    length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
    while len(data) < len(head) + 4 + length:
        data += sock.recv(65536)
    return data


def get_request(path, version=b"HTTP/1.1", headers=b""):
    """A whole GET request for smscentre.com, every byte (helpers.GET is a request line alone)."""
    return b"GET " + path + b" " + version + b"\r\nHost: smscentre.com\r\n" + headers + b"\r\n"


def answer(body, connection=None, version=b"HTTP/1.1"):
    """Reply(body) as a server writes it: with keepalive, Connection: keep-alive or close."""
    return (version + b" 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + str(len(body)).encode("ascii") +
            (b"\r\nConnection: " + connection if connection else b"") + b"\r\n\r\n" + body)


KEEPALIVE = {"keepalive": True}


# One request per connection (the default)

def test_by_default_one_request_per_connection_answered_in_http_1_0(http):
    http.script(Reply(b"1,1"), Reply(b"2,2"))
    sock = connect(http)
    sock.sendall(get_request(b"/a") + get_request(b"/b"))  # two HTTP/1.1 requests: the client would keep the connection
    assert read_to_end(sock) == answer(b"1,1", version=b"HTTP/1.0")
    sock.close()
    assert [(r.request_line, r.connection, r.keep_alive) for r in http.requests] == [
        (b"GET /a HTTP/1.1", 1, False)]


# Keep-alive

@pytest.mark.parametrize("http", [KEEPALIVE], indirect=True)
def test_keepalive_answers_each_request_on_the_same_connection(http):
    http.script(Reply(b"1,1"), Reply(b"2,2"), Reply(b"3,3"))
    sock = connect(http)
    for path, body in ((b"/a", b"1,1"), (b"/b", b"2,2")):
        sock.sendall(get_request(path))
        assert read_response(sock) == answer(body, b"keep-alive")
    sock.shutdown(socket.SHUT_WR)  # the client is done: the server closes
    assert read_to_end(sock) == b""
    sock.close()
    other = connect(http)
    other.sendall(get_request(b"/c", headers=b"Connection: close\r\n"))
    assert read_to_end(other) == answer(b"3,3", b"close")
    other.close()
    assert [(r.path, r.connection, r.keep_alive) for r in http.requests] == [
        (b"/a", 1, True), (b"/b", 1, True), (b"/c", 2, False)]


@pytest.mark.parametrize("version,headers,kept", [
    (b"HTTP/1.1", b"", True),
    (b"HTTP/1.1", b"Connection: close\r\n", False),
    (b"HTTP/1.1", b"Connection: TE, Close\r\n", False),
    (b"HTTP/1.0", b"", False),
    (b"HTTP/1.0", b"Connection: keep-alive\r\n", True),
    (b"HTTP/1.0", b"Connection: Keep-Alive\r\n", True),
])
@pytest.mark.parametrize("http", [KEEPALIVE], indirect=True)
def test_keepalive_follows_what_the_client_asks(http, version, headers, kept):
    http.default = Reply(b"ok")
    sock = connect(http)
    sock.sendall(get_request(b"/", version, headers))
    if kept:
        assert read_response(sock) == answer(b"ok", b"keep-alive")
        sock.sendall(get_request(b"/again", version, headers))  # the same connection answers again
        assert read_response(sock) == answer(b"ok", b"keep-alive")
        assert [r.connection for r in http.requests] == [1, 1]
    else:
        assert read_to_end(sock) == answer(b"ok", b"close")  # answered, then closed by the server
        assert [r.connection for r in http.requests] == [1]
    sock.close()


@pytest.mark.parametrize("action,sent", [
    (Reply(b"bye", close=True), answer(b"bye", b"close")),
    (Slow(Reply(b"bye", close=True), pieces=2, delay=0.01), answer(b"bye", b"close")),
    (Raw(b"HTTP/1.1 200 OK\r\n\r\nno length"), b"HTTP/1.1 200 OK\r\n\r\nno length"),
    (Drop(), b""),
    (Stall(0.05), b""),
])
@pytest.mark.parametrize("http", [KEEPALIVE], indirect=True)
def test_keepalive_an_action_may_close_the_connection(http, action, sent):
    http.script(action)
    sock = connect(http)
    sock.sendall(get_request(b"/"))
    assert read_to_end(sock) == sent
    sock.close()


@pytest.mark.parametrize("http", [KEEPALIVE], indirect=True)
def test_keepalive_raw_bytes_may_keep_the_connection(http):
    http.script(Raw(answer(b"raw", b"keep-alive"), close=False), Reply(b"next"))
    sock = connect(http)
    sock.sendall(get_request(b"/"))
    assert read_response(sock) == answer(b"raw", b"keep-alive")
    sock.sendall(get_request(b"/"))
    assert read_response(sock) == answer(b"next", b"keep-alive")
    sock.close()


@pytest.mark.parametrize("http", [KEEPALIVE], indirect=True)
def test_keepalive_pipelined_requests_are_answered_in_order(http):
    http.respond = lambda request: Reply(request.body or request.path)
    sock = connect(http)
    sock.sendall(b"POST /one HTTP/1.1\r\nContent-Length: 5\r\n\r\nfirst" + get_request(b"/two") +
                 b"POST /three HTTP/1.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    assert read_to_end(sock) == (answer(b"first", b"keep-alive") + answer(b"/two", b"keep-alive") +
                                 answer(b"/three", b"close"))
    sock.close()
    assert [(r.raw.split(b"\r\n")[0], r.body) for r in http.requests] == [
        (b"POST /one HTTP/1.1", b"first"), (b"GET /two HTTP/1.1", b""), (b"POST /three HTTP/1.1", b"")]


@pytest.mark.parametrize("http", [dict(KEEPALIVE, idle_timeout=0.2)], indirect=True)
def test_keepalive_an_idle_connection_is_closed_after_idle_timeout(http):
    sock = connect(http)  # waits at most 5 s for the server to close
    sock.sendall(get_request(b"/"))
    assert read_response(sock) == answer(b"", b"keep-alive")
    assert read_to_end(sock) == b""  # nothing more, and closed by the server
    sock.close()
    assert http.wait_served(1) and http.disconnects == []


@pytest.mark.parametrize("http", [dict(KEEPALIVE, idle_timeout=60)], indirect=True)
def test_stop_closes_a_kept_connection_at_once(http):
    sock = connect(http)
    sock.sendall(get_request(b"/"))
    assert read_response(sock) == answer(b"", b"keep-alive")
    http.stop()  # not after the 60 s of idle_timeout
    assert read_to_end(sock) == b""
    sock.close()


@pytest.mark.parametrize("http", [KEEPALIVE], indirect=True)
def test_keepalive_with_http_client(http):
    http.respond = lambda request: Reply(request.path)
    assert get_over_one_connection(http.port, ["/one", "/two"]) == [
        (200, "keep-alive", b"/one"), (200, "keep-alive", b"/two")]
    assert [r.connection for r in http.requests] == [1, 1]


# Life cycle

def test_clear_forgets_the_requests_and_the_script_not_the_default(http):
    http.script(Reply(b"first"), Reply(b"second"))
    http.default = Reply(b"default")
    for expected in (b"first", b"default"):
        sock = connect(http)
        sock.sendall(get_request(b"/"))
        assert read_to_end(sock) == answer(expected, version=b"HTTP/1.0")
        sock.close()
        assert len(http.requests) == 1
        http.clear()
    assert http.requests == []


def test_check_raises_the_first_error_raised_in_a_server_thread():
    server = HTTPServer().start()

    def broken(request):
        raise KeyError("a bug in a test's function")
    server.respond = broken
    sock = connect(server)
    sock.sendall(get_request(b"/"))
    assert read_to_end(sock) == b""  # the connection is closed all the same
    sock.close()
    server.stop()
    assert server.disconnects == []
    with pytest.raises(KeyError) as raised:
        server.check()
    assert raised.value is server.errors[0]


def test_check_raises_an_error_raised_in_the_accept_loop():
    class Broken(HTTPServer):
        @property
        def max_connections(self):
            raise KeyError("a bug in the accept loop")
    server = Broken().start()
    server.stop()
    with pytest.raises(KeyError) as raised:
        server.check()
    assert raised.value.args == ("a bug in the accept loop",)


def test_a_server_used_as_a_context_manager_checks_when_it_stops():
    with pytest.raises(ValueError):
        with HTTPServer() as server:
            server.respond = lambda request: int("not a number")
            sock = connect(server)
            sock.sendall(get_request(b"/"))
            read_to_end(sock)
            sock.close()


def test_a_client_that_goes_away_is_not_an_error(http):
    http.script(Slow(Reply(b"x" * 100000), pieces=20, delay=0.02))
    sock = connect(http)
    sock.sendall(get_request(b"/"))
    sock.close()  # before the answer: the server's writes fail
    assert http.wait_served(1)
    assert http.errors == [] and len(http.disconnects) == 1
    assert isinstance(http.disconnects[0], socket.error)


# SMTP: one method a verb

@pytest.fixture
def smtp():
    server = SMTPServer().start()
    yield server
    stop_and_check([server])


def dialogue(server, *lines):
    """Send each line (CRLF added) and read the reply to it; the greeting first."""
    sock = connect(server)
    replies = [sock.recv(65536)]
    for line in lines:
        sock.sendall(line + b"\r\n")
        replies.append(sock.recv(65536))
    sock.close()
    return replies


def test_smtp_commands_without_a_method_are_502(smtp):
    unknown = u"ÜBER x".encode("utf-8")  # not a verb of ASCII letters
    assert dialogue(smtp, b"NOOP", b"rset", b"VRFY alice", unknown, b"", b"QUIT") == [
        b"220 smsc-sandbox ESMTP\r\n", b"250 OK\r\n", b"250 OK\r\n", b"502 Command not implemented\r\n",
        b"502 Command not implemented\r\n", b"502 Command not implemented\r\n", b"221 Bye\r\n"]
    assert smtp.sessions[0]["commands"] == [b"NOOP", b"rset", b"VRFY alice", unknown, b"", b"QUIT"]


def test_smtp_fail_answers_instead_and_clear_keeps_it(smtp):
    smtp.fail.update(ehlo="421 busy", data="554 no data")
    for _ in range(2):
        assert dialogue(smtp, b"EHLO me", b"HELO me", b"DATA", b"QUIT") == [
            b"220 smsc-sandbox ESMTP\r\n", b"421 busy\r\n", b"421 busy\r\n", b"554 no data\r\n", b"221 Bye\r\n"]
        assert [s["commands"] for s in smtp.sessions] == [[b"EHLO me", b"HELO me", b"DATA", b"QUIT"]]
        assert smtp.messages == []
        smtp.clear()
    assert smtp.sessions == []


def test_smtp_a_refused_greeting_ends_the_session(smtp):
    smtp.fail["connect"] = "554 5.3.2 go away"
    sock = connect(smtp)
    assert read_to_end(sock) == b"554 5.3.2 go away\r\n"
    sock.close()
