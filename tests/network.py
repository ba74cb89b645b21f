# -*- coding: utf-8 -*-
"""Loopback stand-ins for what a real network does to a client: hosts that never accept a
connection, a proxy that only speaks CONNECT, servers that drip their answer.

Used by tests/test_transport.py. Each one is a real socket on 127.0.0.1, routed to by
smsc_sandbox.Intercept like the other test servers (it has `address` and `note_asked`).
"""
import re
import select
import socket
import time

import smsc_sandbox


class BlackHole(object):
    """A host that never accepts: a listening socket whose accept queue is full, so the kernel
    drops every new SYN and the client's connect() waits until its own timeout."""

    def __init__(self):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(0)
        self.address = self._sock.getsockname()
        self._fillers = []
        while self._accepts_quickly():
            pass

    def _accepts_quickly(self):
        filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        filler.settimeout(0.2)
        self._fillers.append(filler)
        try:
            filler.connect(self.address)
            return True
        except socket.timeout:  # the queue is full: from now on every connect() hangs
            return False

    def note_asked(self, client_port, host, port):
        raise AssertionError("a black hole accepted a connection")

    def stop(self):
        for sock in self._fillers + [self._sock]:
            sock.close()


class ConnectProxy(smsc_sandbox._Server):
    """An HTTP proxy that speaks only CONNECT: anything else is answered 405 and closed.

    routes: {port: server}, where a CONNECT to (host, port) is relayed (the server's note_asked
    learns the host, as with Intercept). Each CONNECT request head is recorded in `connects`
    (bytes, up to the blank line); `relayed` counts the bytes that went through each tunnel.
    """

    def __init__(self, routes):
        smsc_sandbox._Server.__init__(self)
        self.routes = dict(routes)
        self.connects = []
        self.refused = []

    def handle(self, conn, client_port):
        head, found = smsc_sandbox._read_until(conn, b"", b"\r\n\r\n")
        if not found:
            return
        head, _, early = head.partition(b"\r\n\r\n")
        match = re.match(br"CONNECT ([^ :]+):(\d+) HTTP/1\.[01]\r\n", head + b"\r\n")
        if not match or int(match.group(2)) not in self.routes:
            self.refused.append(head)
            conn.sendall(b"HTTP/1.0 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        with self._lock:
            self.connects.append(head)
        server = self.routes[int(match.group(2))]
        upstream = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # not socket.create_connection: intercepted
        upstream.settimeout(5)
        try:
            upstream.connect(server.address)
            server.note_asked(upstream.getsockname()[1], match.group(1).decode("ascii"), int(match.group(2)))
            conn.sendall(b"HTTP/1.0 200 Connection established\r\n\r\n")
            if early:
                upstream.sendall(early)
            self._relay(conn, upstream)
        finally:
            upstream.close()

    def _relay(self, conn, upstream):
        peers = {conn: upstream, upstream: conn}
        while not self._stopped.is_set():
            readable = select.select(list(peers), [], [], 0.5)[0]
            for sock in readable:
                data = sock.recv(65536)
                if not data:
                    return
                peers[sock].sendall(data)


class Drip(smsc_sandbox._Server):
    """Writes `data` one byte every `interval` seconds on each connection, reading nothing.

    `sent` records, per connection, how many bytes were written before the client went away
    (or all of them).
    """

    def __init__(self, data, interval):
        smsc_sandbox._Server.__init__(self)
        self.data, self.interval = data, interval
        self.sent = []

    def handle(self, conn, client_port):
        count = 0
        try:
            for index in range(len(self.data)):
                if self._stopped.wait(self.interval):
                    break
                conn.sendall(self.data[index:index + 1])
                count += 1
        except socket.error:
            pass
        finally:
            with self._lock:
                self.sent.append(count)


class Held(object):
    """Answer with a Reply, then keep the connection open for `seconds` (a server that keeps it alive)."""

    def __init__(self, reply, seconds):
        self.reply, self.seconds = reply, seconds

    def __call__(self, conn, request, server):
        self.reply(conn, request, server)
        server._stopped.wait(self.seconds)


def elapsed(call):
    """(result, seconds) of call()."""
    start = time.time()
    result = call()
    return result, time.time() - start

