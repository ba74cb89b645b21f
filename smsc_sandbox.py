# -*- coding: utf-8 -*-
"""Loopback stand-ins for the SMSC gateway: real sockets on 127.0.0.1 that record raw bytes.

Standard library only, Python 2.7 and 3.6+. Used by the test suite of smsc_api:

    http = HTTPServer().start()            # records every raw request
    http.script(Drop(), Reply(b"1,1"))     # first request: connection dropped, second: "1,1"
    smtp = SMTPServer().start()            # records envelope, AUTH and raw DATA
    with Intercept({80: http, 25: smtp}):  # socket.create_connection("smscentre.com", 80) -> http
        smsc_api.SMSC().send_sms(...)
    http.requests[1].request_line          # b"GET /sys/send.php?... HTTP/1.1"

The client keeps the real host name (request line in origin form, real Host: header) because
only socket.create_connection is redirected; Intercept records which host and port were asked.
"""
from __future__ import print_function

import errno
import re
import socket
import threading
import time

__all__ = ["HTTPServer", "SMTPServer", "Intercept", "Request", "make_certificate", "server_context",
           "Reply", "Drop", "Reset", "Stall", "Slow", "Raw"]


def _read_until(conn, buf, marker, limit=1 << 20):
    """Read from conn until buf holds marker; returns (buf, found)."""
    while marker not in buf:
        chunk = conn.recv(65536)
        if not chunk or len(buf) > limit:
            return buf, False
        buf += chunk
    return buf, True


class Request(object):
    """One raw HTTP request as received, split but not interpreted."""

    def __init__(self, raw, asked, tls):
        self.raw = raw
        self.asked = asked  # (host, port) the client connected to, or None
        self.tls = tls
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        self.request_line = lines[0]
        self.header_lines = lines[1:]
        self.headers = [tuple(line.split(b": ", 1)) for line in lines[1:]]
        parts = self.request_line.split(b" ")
        self.method, self.target = parts[0], parts[1] if len(parts) > 1 else b""

    def header(self, name):
        for key, value in self.headers:
            if key.lower() == name.lower().encode("ascii"):
                return value
        return None

    @property
    def path(self):
        return self.target.split(b"?", 1)[0]

    @property
    def query(self):
        """The GET query string (bytes after "?"), or the POST body."""
        if self.method == b"POST":
            return self.body
        return self.target.split(b"?", 1)[1] if b"?" in self.target else b""

    def __repr__(self):
        return "<Request %r from %r>" % (self.request_line, self.asked)


# Scripted answers: each takes the client connection and the request it sent

class Reply(object):
    """An HTTP response: status, optional headers and a body (bytes)."""

    def __init__(self, body=b"", status=200, reason="OK", headers=None, version="HTTP/1.0"):
        self.body, self.status, self.reason, self.version = body, status, reason, version
        self.headers = headers if headers is not None else [("Content-Type", "text/plain")]

    def head(self):
        lines = ["%s %d %s" % (self.version, self.status, self.reason)]
        lines += ["%s: %s" % h for h in self.headers]
        lines.append("Content-Length: %d" % len(self.body))
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def __call__(self, conn, request, server):
        conn.sendall(self.head() + self.body)


class Drop(object):
    """Close the connection without a byte of answer."""

    def __call__(self, conn, request, server):
        pass


class Reset(object):
    """Abort the connection (TCP RST)."""

    def __call__(self, conn, request, server):
        import struct
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


class Stall(object):
    """Never answer: hold the connection until the client goes or the server stops."""

    def __init__(self, seconds=30):
        self.seconds = seconds

    def __call__(self, conn, request, server):
        server._stopped.wait(self.seconds)


class Slow(object):
    """Answer with a Reply, written in pieces with a pause before each."""

    def __init__(self, reply, pieces=4, delay=0.05):
        self.reply, self.pieces, self.delay = reply, pieces, delay

    def __call__(self, conn, request, server):
        data = self.reply.head() + self.reply.body
        size = max(1, -(-len(data) // self.pieces))
        for start in range(0, len(data), size):
            time.sleep(self.delay)
            conn.sendall(data[start:start + size])


class Raw(object):
    """Write these bytes as they are (garbage, a broken status line, half a response)."""

    def __init__(self, data):
        self.data = data

    def __call__(self, conn, request, server):
        conn.sendall(self.data)


class _Server(object):
    """A threaded TCP server on 127.0.0.1 with a thread per connection."""

    def __init__(self, ssl_context=None):
        self.ssl_context = ssl_context
        self.errors = []      # exceptions raised while serving (TLS handshakes refused, ...)
        self.served = 0       # connections ended (the client closed, or the server was done)
        self._asked = {}      # client port -> (host, port) the client asked for
        self._lock = threading.Lock()
        self._served = threading.Condition(self._lock)
        self._stopped = threading.Event()
        self._threads = []

    def start(self):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.address = self._sock.getsockname()
        self.port = self.address[1]
        self._spawn(self._accept_loop)
        return self

    def stop(self):
        self._stopped.set()
        waker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # wakes the blocking accept()
        waker.connect(self.address)
        waker.close()
        for thread in self._threads:
            thread.join(5)
        self._sock.close()

    def __enter__(self):
        return self.start() if not hasattr(self, "_sock") else self

    def __exit__(self, *exc):
        self.stop()

    def _spawn(self, target, *args):
        thread = threading.Thread(target=target, args=args)
        thread.daemon = True
        thread.start()
        self._threads.append(thread)

    def _accept_loop(self):
        while True:
            conn, peer = self._sock.accept()
            if self._stopped.is_set():
                conn.close()
                return
            self._spawn(self._serve, conn, peer)

    def note_asked(self, client_port, host, port):
        with self._lock:
            self._asked[client_port] = (host, port)

    def asked(self, client_port):
        # known once the client has sent a byte: Intercept notes it before returning the socket
        with self._lock:
            return self._asked.get(client_port)

    def _serve(self, conn, peer):
        conn.settimeout(10)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms Nagle stalls between TLS records
        plain = conn
        try:
            if self.ssl_context is not None:
                conn = self.ssl_context.wrap_socket(conn, server_side=True)
            self.handle(conn, peer[1])
        except Exception as exc:  # recorded for the tests to read
            self.errors.append(exc)
        finally:
            if conn is not plain:
                try:  # TLS close_notify, as real servers send: Python 2's urllib reads to EOF,
                    conn.unwrap()  # and OpenSSL 3 reports a bare TCP close as an error
                except Exception:  # the client has gone already
                    pass
            # Python 2: the TLS socket shares the plain one's descriptor, which stays open (and
            # the client, reading to EOF, waits) until the plain socket object is closed too.
            for sock in (conn, plain):
                try:
                    sock.close()
                except socket.error:
                    pass
            with self._served:
                self.served += 1
                self._served.notify_all()

    def wait_served(self, count, timeout=5):
        """Wait until `count` connections have ended; False if they have not within timeout."""
        deadline = time.time() + timeout
        with self._served:
            while self.served < count and time.time() < deadline:
                self._served.wait(deadline - time.time())
            return self.served >= count


class HTTPServer(_Server):
    """Records each request byte for byte and answers from a script.

    script(*actions) queues answers, used one per request in order; then `default` answers
    (a Reply, or any callable(conn, request, server)). respond(request) can replace both.
    """

    def __init__(self, ssl_context=None, default=None):
        _Server.__init__(self, ssl_context)
        self.requests = []
        self.default = default if default is not None else Reply(b"")
        self._script = []

    def script(self, *actions):
        with self._lock:
            self._script.extend(actions)
        return self

    def respond(self, request):
        with self._lock:
            return self._script.pop(0) if self._script else self.default

    def handle(self, conn, client_port):
        buf, complete = _read_until(conn, b"", b"\r\n\r\n")
        if not complete:
            return
        head = buf.split(b"\r\n\r\n", 1)[0]
        length = re.search(br"\r\ncontent-length: *(\d+)", head, re.I)
        want = len(head) + 4 + (int(length.group(1)) if length else 0)
        while len(buf) < want:
            chunk = conn.recv(65536)
            if not chunk:
                break
            buf += chunk
        request = Request(buf, self.asked(client_port), self.ssl_context is not None)
        with self._lock:
            self.requests.append(request)
        action = self.respond(request)
        action(conn, request, self)


class SMTPServer(_Server):
    """A minimal SMTP sink: records each session's commands, AUTH, envelope and raw DATA.

    fail = {"connect": "554 no", "ehlo": ..., "auth": "535 ...", "mail": ..., "rcpt": ...,
    "data": ..., "message": ...} makes the server answer that reply at that step instead.
    extensions: the keywords the EHLO reply advertises after its first line, in order
    (e.g. add "SIZE 10240000", or ["AUTH LOGIN"] alone, or [] for no AUTH at all).
    """

    EXTENSIONS = ("8BITMIME", "AUTH PLAIN LOGIN")

    def __init__(self, ssl_context=None, fail=None, extensions=EXTENSIONS):
        _Server.__init__(self, ssl_context)
        self.sessions = []
        self.fail = dict(fail or {})
        self.extensions = list(extensions)

    @property
    def messages(self):
        return [s for s in self.sessions if s.get("data") is not None]

    def handle(self, conn, client_port):
        session = {"asked": None, "commands": [], "auth": [], "mail_from": None,
                   "rcpt_to": [], "data": None}
        with self._lock:
            self.sessions.append(session)
        fail = self.fail

        def reply(line):
            conn.sendall(line.encode("ascii") + b"\r\n")

        reply(fail.get("connect", "220 smsc-sandbox ESMTP"))
        if "connect" in fail:
            return
        buf = b""
        while True:
            buf, complete = _read_until(conn, buf, b"\r\n")
            if not complete:
                return
            line, buf = buf.split(b"\r\n", 1)
            session["asked"] = session["asked"] or self.asked(client_port)
            session["commands"].append(line)
            verb = line.split(b" ", 1)[0].upper()
            if verb in (b"EHLO", b"HELO"):
                if "ehlo" in fail:
                    reply(fail["ehlo"])
                elif verb == b"EHLO":
                    lines = ["smsc-sandbox"] + self.extensions
                    reply("\r\n".join(["250-" + text for text in lines[:-1]] + ["250 " + lines[-1]]))
                else:
                    reply("250 smsc-sandbox")
            elif verb == b"AUTH":
                session["auth"].append(line)
                if line.upper().startswith(b"AUTH LOGIN") and len(line.split()) < 4:
                    # LOGIN: username and password follow on lines of their own
                    for prompt in ("334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6")[len(line.split()) - 2:]:
                        reply(prompt)
                        buf, complete = _read_until(conn, buf, b"\r\n")
                        if not complete:
                            return
                        answer, buf = buf.split(b"\r\n", 1)
                        session["auth"].append(answer)
                reply(fail.get("auth", "235 2.7.0 Authentication successful"))
            elif verb == b"MAIL":
                session["mail_from"] = line[5:]
                reply(fail.get("mail", "250 OK"))
            elif verb == b"RCPT":
                session["rcpt_to"].append(line[5:])
                reply(fail.get("rcpt", "250 OK"))
            elif verb == b"DATA":
                if "data" in fail:
                    reply(fail["data"])
                    continue
                reply("354 End data with <CR><LF>.<CR><LF>")
                buf, complete = _read_until(conn, buf, b"\r\n.\r\n")
                if not complete:
                    return
                session["data"], buf = buf.split(b"\r\n.\r\n", 1)
                session["data"] += b"\r\n"
                reply(fail.get("message", "250 OK queued"))
            elif verb == b"RSET" or verb == b"NOOP":
                reply("250 OK")
            elif verb == b"QUIT":
                reply("221 Bye")
                return
            else:
                reply("502 Command not implemented")


HOSTS = ("smscentre.com", "smsc.ru", "smsc.kz", "smsc.ua")


def make_certificate(directory, name="sandbox", hosts=HOSTS):
    """A new test CA and a certificate it signs for hosts and *.hosts, as PEM files in directory.

    Returns (ca_pem, cert_chain_pem, key_pem). Uses trustme where it is installed (Python 3),
    else the openssl command line; OSError when neither is there.
    """
    import os
    files = tuple(os.path.join(directory, name + suffix) for suffix in ("-ca.pem", ".pem", ".key"))
    names = [u"%s%s" % (prefix, host) for host in hosts for prefix in ("", "*.")]
    try:
        import trustme
    except ImportError:
        _openssl_certificate(directory, name, names, files)
        return files
    ca = trustme.CA()
    leaf = ca.issue_cert(*names)
    ca.cert_pem.write_to_path(files[0])
    with open(files[1], "wb") as handle:
        handle.write(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    leaf.private_key_pem.write_to_path(files[2])
    return files


def _openssl_certificate(directory, name, names, files):
    import os
    import subprocess
    config = os.path.join(directory, name + ".cnf")
    with open(config, "w") as handle:
        handle.write("[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = smsc-sandbox\n"
                     "[ca]\nbasicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\n"
                     "subjectKeyIdentifier = hash\n"
                     "[leaf]\nbasicConstraints = critical, CA:FALSE\n"
                     "keyUsage = critical, digitalSignature, keyEncipherment\nextendedKeyUsage = serverAuth\n"
                     "subjectAltName = %s\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n"
                     % ", ".join("DNS:" + n for n in names))
    ca_key, csr = os.path.join(directory, name + "-ca.key"), os.path.join(directory, name + ".csr")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for command in (
            ["req", "-x509", "-config", config, "-extensions", "ca", "-subj", "/CN=smsc-sandbox %s CA" % name,
             "-days", "3650", "-keyout", ca_key, "-out", files[0]] + ec,
            ["req", "-new", "-config", config, "-subj", "/CN=" + names[0], "-keyout", files[2], "-out", csr] + ec,
            ["x509", "-req", "-in", csr, "-CA", files[0], "-CAkey", ca_key, "-set_serial", str(abs(hash(name))),
             "-days", "3650", "-extfile", config, "-extensions", "leaf", "-out", files[1]]):
        subprocess.check_call(["openssl"] + command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def server_context(cert_chain_pem, key_pem):
    """An SSL context for HTTPServer(ssl_context=...) serving that certificate."""
    import ssl
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_chain_pem, key_pem)
    return context


class Intercept(object):
    """Send socket.create_connection((host, port)) to a loopback server chosen by port.

    routes: {port: server}. Each connection is recorded in `connections` as (host, port);
    hosts in `refuse` get ECONNREFUSED without a connection. Use as a context manager.
    """

    def __init__(self, routes, refuse=()):
        self.routes = dict(routes)
        self.refuse = set(refuse)
        self.connections = []
        self._lock = threading.Lock()

    def create_connection(self, address, *args, **kwargs):
        host, port = address[0], address[1]
        with self._lock:
            self.connections.append((host, port))
        if host in self.refuse or port not in self.routes:
            raise socket.error(errno.ECONNREFUSED, "Connection refused (sandbox: %s:%s)" % (host, port))
        server = self.routes[port]
        sock = self._real_create_connection(server.address, *args, **kwargs)
        server.note_asked(sock.getsockname()[1], host, port)
        return sock

    def __enter__(self):
        self._real_create_connection = socket.create_connection
        socket.create_connection = self.create_connection
        return self

    def __exit__(self, *exc):
        socket.create_connection = self._real_create_connection
