# -*- coding: utf-8 -*-
"""A far network played on loopback, for the benchmarks (bench_keepalive.py, bench_async.py).

    relay = DelayRelay(("127.0.0.1", server_port), delay=0.010, handshake=True)
    DelayRelay.spawn(relay.serve_forever)     # connect clients to ("127.0.0.1", relay.port)

Each connection is relayed to `upstream`, every chunk of bytes `delay` seconds late each way: a round trip of
2 * delay. With handshake=True a new connection also costs one round trip before its first bytes go on, as
the TCP handshake costs on a real network (the kernel completes it at once on loopback), whatever the client
(one that connects through socket.create_connection, or asyncio's own connect).
"""
import socket
import threading
import time


class DelayRelay(object):
    """Listens on 127.0.0.1; relays each connection to `upstream`, every chunk `delay` seconds late."""

    def __init__(self, upstream, delay, handshake=False):
        self.upstream, self.delay, self.handshake = upstream, delay, handshake
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]

    def serve_forever(self):
        while True:
            client, _ = self.sock.accept()
            opened = time.time() + (2 * self.delay if self.handshake else 0)  # SYN, SYN-ACK
            server = socket.create_connection(self.upstream)
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.spawn(self._forward, client, server, opened)
            self.spawn(self._forward, server, client, 0)

    @staticmethod
    def spawn(target, *args):
        thread = threading.Thread(target=target, args=args)
        thread.daemon = True
        thread.start()

    def _forward(self, source, target, opened):
        """One direction: each chunk read is written `delay` after it arrived (nothing before `opened`), in order."""
        chunks, ready = [], threading.Condition()

        def write():
            while True:
                with ready:
                    while not chunks:
                        ready.wait()
                    due, data = chunks.pop(0)
                time.sleep(max(0, due - time.time()))
                try:
                    if not data:
                        target.shutdown(socket.SHUT_WR)
                        return
                    target.sendall(data)
                except socket.error:  # the other side has gone
                    return
        self.spawn(write)
        while True:
            try:
                data = source.recv(65536)
            except socket.error:
                data = b""
            with ready:
                chunks.append((max(time.time(), opened) + self.delay, data))
                ready.notify()
            if not data:
                return
