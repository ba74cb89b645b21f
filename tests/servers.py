# -*- coding: utf-8 -*-
"""The recording and fault-injecting loopback servers of smsc_api's own tests (and bench/).

Built on smsc_sandbox's loopback servers (real sockets on 127.0.0.1, every byte recorded):

    http = HTTPServer().start()            # records every raw request (smsc_sandbox.Request)
    http.script(Drop(), Reply(b"1,1"))     # first request: connection dropped, second: "1,1", then `default`
    smtp = SMTPServer().start()            # records envelope, AUTH and raw DATA
    with Intercept({80: http, 25: smtp}):  # socket.create_connection("smscentre.com", 80) -> http
        smsc_api.SMSC().send_sms(...)
    http.requests[1].request_line          # b"GET /sys/send.php?... HTTP/1.1"
    http.clear()                           # forget the requests and what is left of the script
    http.stop()
    http.check()                           # the first error raised in a server thread, raised here
    stop_and_check([http, smtp])           # or at once: stop each, then raise the first error of any

An action answers one request: a callable(conn, request, server) that writes the answer and returns True
to keep the connection open (honoured only by a server with keepalive=True, for a request that asked).
"""
import contextlib
import os
import re
import select
import socket
import struct
import threading
import time

from smsc_sandbox import LoopbackHTTPServer, LoopbackServer, LoopbackSMTPServer, _Channel

__all__ = ["HTTPServer", "SMTPServer", "Reply", "Drop", "Reset", "Stall", "Slow", "Raw", "Held", "Late", "Endless",
           "HeadThenWait", "BlackHole", "ConnectProxy", "Drip", "DripRelay", "SlowReader", "relay",
           "fork_between_requests", "routed", "stop_and_check"]


# Actions

class Reply(object):
    """An HTTP response: status, headers (default Content-Type: text/plain) and a body (bytes).

    Written by server.response(): the server's version (HTTP/1.0, or HTTP/1.1 with keepalive) unless
    `version` is given, Content-Length, and with keepalive a Connection header. close=True: the server
    closes the connection after it ("Connection: close"), whatever the client asked.
    """

    def __init__(self, body=b"", status=200, reason="OK", headers=None, version=None, close=False):
        self.body, self.status, self.reason, self.version = body, status, reason, version
        self.headers, self.close = headers, close

    def render(self, request, server):
        """(bytes, keep the connection open)."""
        return server.response(request, self.body, self.status, self.reason, self.headers, self.version,
                               self.close)

    def __call__(self, conn, request, server):
        data, keep = self.render(request, server)
        conn.sendall(data)
        return keep


class Drop(object):
    """Close the connection without a byte of answer."""

    def __call__(self, conn, request, server):
        return False


class Reset(object):
    """Abort the connection (TCP RST)."""

    def __call__(self, conn, request, server):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        return False


class Stall(object):
    """Never answer: hold the connection until the client goes or the server stops, then close it."""

    def __init__(self, seconds=30):
        self.seconds = seconds

    def __call__(self, conn, request, server):
        server.wait_stopped(self.seconds)
        return False


class Slow(object):
    """Answer with a Reply, written in pieces with a pause before each."""

    def __init__(self, reply, pieces=4, delay=0.05):
        self.reply, self.pieces, self.delay = reply, pieces, delay

    def __call__(self, conn, request, server):
        data, keep = self.reply.render(request, server)
        size = max(1, -(-len(data) // self.pieces))
        for start in range(0, len(data), size):
            time.sleep(self.delay)
            conn.sendall(data[start:start + size])
        return keep


class Raw(object):
    """Write these bytes as they are (garbage, a broken status line, half a response).

    Then the connection is closed, unless close=False (with keepalive, for a request that asked): the
    next request on it is read after these bytes.
    """

    def __init__(self, data, close=True):
        self.data, self.close = data, close

    def __call__(self, conn, request, server):
        conn.sendall(self.data)
        return request.keep_alive and not self.close


class Endless(object):
    """Write `head`, then a body without end (64 KiB pieces, chunked or not) until the client goes or the server
    stops."""

    def __init__(self, head, chunked=False):
        self.head, self.chunked = head, chunked

    def __call__(self, conn, request, server):
        piece = b"x" * 65536
        try:
            conn.sendall(self.head)
            while not server.wait_stopped(0):
                conn.sendall(b"10000\r\n" + piece + b"\r\n" if self.chunked else piece)
        except (IOError, OSError):  # the client went
            pass
        return False


class Held(object):
    """Answer with a Reply, then hold the connection open for `seconds` whatever the client asked (a
    server that keeps it alive without saying so); then close it."""

    def __init__(self, reply, seconds):
        self.reply, self.seconds = reply, seconds

    def __call__(self, conn, request, server):
        conn.sendall(self.reply.render(request, server)[0])
        server.wait_stopped(self.seconds)
        return False


class Late(object):
    """Answer each request with `reply` (a Reply, or a function of the request that returns one) after `seconds`,
    or as soon as `released` (a threading.Event) is set; the server's stop ends the wait without an answer.

    `arrived` counts the requests that have come to it and wait, or have waited (read it under `lock`);
    `wait_arrived(count)` waits until that many have come.
    """

    def __init__(self, reply, seconds=10):
        self.reply, self.seconds = reply, seconds
        self.released, self.arrived, self.lock = threading.Event(), 0, threading.Condition()

    def wait_arrived(self, count, timeout=10):
        """True once `count` requests have come (False if they have not within timeout)."""
        deadline = time.time() + timeout
        with self.lock:
            while self.arrived < count and time.time() < deadline:
                self.lock.wait(deadline - time.time())
            return self.arrived >= count

    def __call__(self, conn, request, server):
        with self.lock:
            self.arrived += 1
            self.lock.notify_all()
        deadline = time.time() + self.seconds
        while not self.released.is_set() and time.time() < deadline:  # the server's stop, or the release
            if server.wait_stopped(min(0.05, max(0, deadline - time.time()))):
                return False
        reply = self.reply if isinstance(self.reply, Reply) else self.reply(request)
        return reply(conn, request, server)


# Servers

class HTTPServer(LoopbackHTTPServer):
    """Records each request byte for byte and answers from a script.

    script(*actions) queues answers, used one per request in order; then `default` answers (an empty
    200 unless given). respond(request) can replace both (assign a function of the request that returns
    an action). clear() forgets the requests and the actions left in the script, not `default`.
    keepalive, idle_timeout: see smsc_sandbox.LoopbackHTTPServer (default: one request per connection).
    """

    def __init__(self, ssl_context=None, default=None, keepalive=False,
                 idle_timeout=LoopbackHTTPServer.IDLE_TIMEOUT):
        LoopbackHTTPServer.__init__(self, ssl_context, default, keepalive, idle_timeout)
        self._script = []

    def script(self, *actions):
        with self._lock:
            self._script.extend(actions)
        return self

    def respond(self, request):
        with self._lock:
            return self._script.pop(0) if self._script else self.default

    def clear(self):
        """Forget the requests recorded and the actions left in the script."""
        LoopbackHTTPServer.clear(self)
        with self._lock:
            del self._script[:]


class SMTPServer(LoopbackSMTPServer):
    """A minimal SMTP sink: records each session's commands, AUTH, envelope and raw DATA.

    fail = {"connect": "554 no", "ehlo": ..., "auth": "535 ...", "mail": ..., "rcpt": ...,
    "data": ..., "message": ...} makes the server answer that reply at that step instead ("ehlo"
    answers HELO too). extensions: the keywords the EHLO reply advertises after its first line, in
    order (e.g. add "SIZE 10240000", or ["AUTH LOGIN"] alone, or [] for no AUTH at all).
    clear() forgets the sessions, not `fail` nor `extensions`.
    """

    def __init__(self, ssl_context=None, fail=None, extensions=LoopbackSMTPServer.EXTENSIONS):
        LoopbackSMTPServer.__init__(self, ssl_context, extensions)
        self.fail = dict(fail or {})

    def answer(self, step, session, argument=None):
        key = "ehlo" if step == "helo" else step
        if key in self.fail:
            return self.fail[key]
        return LoopbackSMTPServer.answer(self, step, session, argument)


# What a real network does to a client, played on loopback (routed to by Intercept like the servers above:
# each has `address` and `note_asked`)

class BlackHole(object):
    """A host that never accepts: a listening socket whose accept queue is full, so the kernel drops every
    new SYN and the client's connect() waits until its own timeout."""

    def __init__(self):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(0)
        self.address = self._sock.getsockname()
        self._fillers = []
        while self._fill():
            pass

    def _fill(self):
        """Queue one more connection; False once the queue is full (that connect timed out)."""
        filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        filler.settimeout(0.2)
        self._fillers.append(filler)
        try:
            filler.connect(self.address)
            return True
        except socket.timeout:
            return False

    def note_asked(self, client_port, host, port):
        raise AssertionError("a black hole accepted a connection")

    def stop(self):
        for sock in self._fillers + [self._sock]:
            sock.close()

    def check(self):
        """Nothing runs inside a black hole, so nothing can have failed there (see stop_and_check)."""


class ConnectProxy(LoopbackServer):
    """An HTTP proxy that speaks only CONNECT: anything else is answered 405 and closed.

    routes: {port: server}; a CONNECT to (host, port) is relayed to that server (whose note_asked learns
    the host, as with Intercept). Each CONNECT request's head (bytes up to the blank line) is recorded
    in `connects`, anything else in `refused`.
    """

    def __init__(self, routes):
        LoopbackServer.__init__(self)
        self.routes = dict(routes)
        self.connects, self.refused = [], []

    def clear(self):
        with self._lock:
            del self.connects[:], self.refused[:]

    def handle(self, conn, client_port, number):
        channel = _Channel(conn)
        head = channel.read_until(b"\r\n\r\n")
        match = re.match(br"CONNECT ([^ :]+):(\d+) HTTP/1\.[01]\r\n", (head or b"") + b"\r\n")
        if not match or int(match.group(2)) not in self.routes:
            with self._lock:
                self.refused.append(head)
            conn.sendall(b"HTTP/1.0 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        with self._lock:
            self.connects.append(head)
        server = self.routes[int(match.group(2))]
        upstream = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # not create_connection: intercepted
        upstream.settimeout(self.timeout)
        try:
            upstream.connect(server.address)
            server.note_asked(upstream.getsockname()[1], match.group(1).decode("ascii"), int(match.group(2)))
            conn.sendall(b"HTTP/1.0 200 Connection established\r\n\r\n")
            if channel.buffer:
                upstream.sendall(channel.buffer)
            relay(self, conn, upstream)
        finally:
            upstream.close()


def relay(server, conn, upstream, interval=0):
    """Pass bytes both ways until either side closes (or server stops); what upstream sends goes on one byte
    every `interval` seconds when given."""
    peers = {conn: upstream, upstream: conn}
    while not server.wait_stopped(0):
        for sock in select.select(list(peers), [], [], 0.5)[0]:
            data = sock.recv(65536)
            if not data:
                return
            if sock is upstream and interval:
                for index in range(len(data)):
                    if server.wait_stopped(interval):
                        return
                    conn.sendall(data[index:index + 1])
            else:
                peers[sock].sendall(data)


class DripRelay(LoopbackServer):
    """Relays each connection to `server`, what the server answers dripped one byte every `interval` seconds:
    a TLS record then arrives in many pieces (a client that waits for each piece anew is never done)."""

    def __init__(self, server, interval):
        LoopbackServer.__init__(self)
        self.server, self.interval = server, interval

    def handle(self, conn, client_port, number):
        upstream = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # not create_connection: intercepted
        upstream.settimeout(self.timeout)
        try:
            upstream.connect(self.server.address)
            host, port = self.asked(client_port) or ("127.0.0.1", 0)
            self.server.note_asked(upstream.getsockname()[1], host, port)
            relay(self, conn, upstream, self.interval)
        finally:
            upstream.close()


class SlowReader(LoopbackServer):
    """Reads what each client sends, `size` bytes every `interval` seconds; answers nothing. `received`: the bytes
    read, in all."""

    def __init__(self, size=4096, interval=0.1, ssl_context=None):
        LoopbackServer.__init__(self, ssl_context)
        self.size, self.interval, self.received = size, interval, 0

    def handle(self, conn, client_port, number):
        while not self.wait_stopped(self.interval):
            data = conn.recv(self.size)
            if not data:
                return
            with self._lock:
                self.received += len(data)


class HeadThenWait(object):
    """Send a Reply's status line and headers after `delay` seconds, never its body, then wait until the client
    hangs up. `hung_up`: for each request, the seconds from its arrival to the client's hanging up."""

    def __init__(self, reply, delay):
        self.reply, self.delay, self.hung_up = reply, delay, []

    def __call__(self, conn, request, server):
        start = time.time()
        if server.wait_stopped(self.delay):
            return False
        conn.sendall(self.reply.render(request, server)[0].split(b"\r\n\r\n")[0] + b"\r\n\r\n")
        try:
            conn.recv(1)  # the client's end: EOF (or a reset)
        except socket.error:
            pass
        self.hung_up.append(time.time() - start)
        return False


class Drip(LoopbackServer):
    """Writes `data` one byte every `interval` seconds on each connection, reading nothing. `sent` records,
    per connection, how many bytes were written before the client went away (or all of them)."""

    def __init__(self, data, interval):
        LoopbackServer.__init__(self)
        self.data, self.interval = data, interval
        self.sent = []

    def handle(self, conn, client_port, number):
        count = 0
        try:
            while count < len(self.data) and not self.wait_stopped(self.interval):
                conn.sendall(self.data[count:count + 1])
                count += 1
        except socket.error:
            pass
        with self._lock:
            self.sent.append(count)


def stop_and_check(servers):
    """Stop each server, then raise the first error raised inside any of them."""
    for server in servers:
        server.stop()
    for server in servers:
        server.check()


@contextlib.contextmanager
def routed(loopback, port, server):
    """Connections to `port` of the SMSC hosts go to server (started) in the block; it is stopped after, and
    an error raised inside it fails the test (unless the block itself failed)."""
    loopback.intercept.routes[port] = server
    try:
        yield server
    except BaseException:
        server.stop()
        raise
    stop_and_check([server])


def fork_between_requests(*servers):
    """os.fork() while no thread of these servers (or Intercepts) holds their lock, the one lock every
    LoopbackServer (and Intercept) keeps its records under: a child forked while a thread held it would wait
    for it forever."""
    locks = [server._lock for server in servers]
    for lock in locks:
        lock.acquire()
    try:
        return os.fork()
    finally:
        for lock in locks:
            lock.release()
