# -*- coding: utf-8 -*-
"""A local SMSC gateway on 127.0.0.1 (HTTP API and SMTP) to run and test against. No SMS is ever sent.

Standard library only, Python 2.7 and 3.6+.

    python smsc_sandbox.py [--port 8025] [--smtp-port 8026] [--log FILE] [--login L --password P]
                           [--balance 100.00] [--price 2.50] [--deliver-after 2]
    python smsc_sandbox.py demo            # smsc_api against it, call by call

In Python:

    gateway = Gateway(balance="10.00").start()       # HTTP and SMTP on free ports
    with gateway.intercept():                          # smscentre.com:80 and :25 (and mirrors) go there
        smsc_api.SMSC().send_sms("79999999999", "hi")  # ['1', '1', '2.50', '7.50']
    gateway.messages                                   # [{"id": 1, "phones": ["79999999999"], ...}]
    gateway.stop()
    gateway.check()                                    # raises the first error raised inside the gateway

In a pytest suite: the `smsc_gateway` fixture of the plugin pytest_smsc (installed with the package).

Underneath, the loopback servers (LoopbackServer, LoopbackHTTPServer, LoopbackSMTPServer) record every
request byte for byte; Intercept redirects socket.create_connection to them by port, so that a client keeps
the real host name (request line in origin form, real Host: header) and runs unchanged. smsc_api's own tests
build their recording and fault-injecting servers on these classes (tests/servers.py).

(PYTEST_DONT_REWRITE: pytest would rewrite this module as part of the package of the pytest_smsc plugin.)
"""
from __future__ import print_function

import errno
import re
import socket
import sys
import threading
import time

# Python 2 and 3
_PY2 = sys.version_info[0] == 2
if _PY2:
    _text = unicode  # noqa: F821 (Python 2 only)
    from urllib import unquote as _unquote_bytes
else:
    _text = str
    from urllib.parse import unquote_to_bytes as _unquote_bytes

__all__ = ["Gateway", "GatewayError", "Intercept", "Request", "LoopbackServer", "LoopbackHTTPServer",
           "LoopbackSMTPServer", "make_certificate", "server_context", "HOSTS", "is_smsc_host", "mask", "parts",
           "normalize_phone", "no_proxy_for_smsc", "demo", "main"]


# The SMSC hosts, texts as the gateway reads them

HOSTS = ("smscentre.com", "smsc.ru", "smsc.kz", "smsc.ua")

_PHONE = re.compile(u"\\+?[0-9]{10,15}\\Z")
_SECRET = re.compile(br"((?:^|[?&])(?:psw|apikey)=)[^&]*")
# GSM 03.38: the basic alphabet (1 septet a character) and its extension table (2 septets)
_GSM_BASIC = frozenset(u"@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
                       u"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM_EXTENSION = frozenset(u"\f^{}\\[~]|€")


def is_smsc_host(host):
    """True for smscentre.com, smsc.ru, smsc.kz, smsc.ua and their subdomains (www2..., send...)."""
    if isinstance(host, bytes):
        host = host.decode("latin-1")
    host = (host or "").lower().rstrip(".")
    return any(host == domain or host.endswith("." + domain) for domain in HOSTS)


def mask(data):
    """The request target or query with the psw= and apikey= values replaced by ***."""
    return _SECRET.sub(br"\1***", data)


def parts(text):
    """The SMS parts the gateway counts for a text: GSM 7-bit 160, then 153 a part; else 70, then 67."""
    if all(c in _GSM_BASIC or c in _GSM_EXTENSION for c in text):
        size, single, multi = sum(2 if c in _GSM_EXTENSION else 1 for c in text), 160, 153
    else:
        size, single, multi = len(text.encode("utf-16-le")) // 2, 70, 67
    return 1 if size <= single else -(-size // multi)


def normalize_phone(phone):
    """A phone as the gateway stores it (digits only), or None when it is not a valid number."""
    phone = re.sub(u"[ ()\\-]", u"", phone.strip())
    return phone.lstrip(u"+") if _PHONE.match(phone) else None


def no_proxy_for_smsc(setenv=None):
    """Let urllib reach the SMSC hosts directly (so Intercept sees them) even when *_proxy is set.

    Adds HOSTS to no_proxy and NO_PROXY through setenv(name, value): monkeypatch.setenv in a test,
    os.environ by default.
    """
    import os
    setenv = setenv or os.environ.__setitem__
    for name in ("no_proxy", "NO_PROXY"):
        setenv(name, ",".join([value for value in [os.environ.get(name)] if value] + list(HOSTS)))


# Certificates for a TLS server (the gateway will serve HTTPS with them)

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
    """An SSL context for a loopback server (ssl_context=...) serving that certificate."""
    import ssl
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_chain_pem, key_pem)
    return context


# Loopback servers: real sockets on 127.0.0.1, a thread per connection, every byte recorded

# What a client does by going away (a reset, a broken pipe, a closed socket), as errno values
_GONE = frozenset([errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED, errno.ENOTCONN, errno.ESHUTDOWN,
                   errno.EBADF, 0])  # 0: OpenSSL's "Error" when the peer closes during a handshake


def _client_gone(exc):
    """True when exc is the client's doing (gone, too slow, its TLS handshake refused), not a server's bug."""
    ssl = sys.modules.get("ssl")
    if isinstance(exc, socket.timeout) or (ssl is not None and isinstance(exc, ssl.SSLError)):
        return True
    return isinstance(exc, socket.error) and exc.errno in _GONE


class _Channel(object):
    """A client connection read in pieces: what has arrived and is not read yet waits in `buffer`."""

    def __init__(self, conn, limit=1 << 20):
        self.conn, self.buffer, self.limit = conn, b"", limit

    def _receive(self):
        chunk = self.conn.recv(65536)
        self.buffer += chunk
        return bool(chunk)

    def wait(self, seconds):
        """True once a byte is there to read; False if the client closed or sent nothing for `seconds`."""
        if self.buffer:
            return True
        previous = self.conn.gettimeout()
        self.conn.settimeout(seconds)
        try:
            return self._receive()
        except socket.timeout:
            return False
        finally:
            self.conn.settimeout(previous)

    def read_until(self, marker):
        """The bytes before marker (marker consumed), or None if the client closed first."""
        while marker not in self.buffer:
            if len(self.buffer) > self.limit or not self._receive():
                return None
        data, self.buffer = self.buffer.split(marker, 1)
        return data

    def read(self, count):
        """count bytes, or fewer if the client closed first."""
        while len(self.buffer) < count and self._receive():
            pass
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def reply(self, line):
        """Write one line of text (SMTP), CRLF added."""
        self.conn.sendall(line.encode("ascii") + b"\r\n")


class LoopbackServer(object):
    """A TCP server on 127.0.0.1 with a thread per connection. Life cycle: start(), clear(), stop(), check().

    errors: exceptions raised while serving that are bugs (of the server, of an action, of a test's
    function); check() raises the first one, so a fixture that calls it at teardown fails the test that
    caused it. disconnects: what clients caused (a reset, a broken pipe, a timeout, a refused TLS
    handshake), expected in fault tests and never raised. Both are kept until the server is dropped.
    """

    timeout = 10  # seconds a connection may wait for the client's next bytes

    def __init__(self, ssl_context=None):
        self.ssl_context = ssl_context
        self.errors = []       # bugs, in the order they were raised
        self.disconnects = []  # what the clients caused
        self.connections = 0   # connections accepted so far (Request.connection numbers them from 1)
        self.served = 0        # connections ended (the client closed, or the server was done)
        self._asked = {}       # client port -> (host, port) the client asked for
        self._lock = threading.Lock()
        self._served = threading.Condition(self._lock)
        self._stopped = threading.Event()
        self._threads = []
        self._open = set()     # connections being served, shut down by stop()

    def start(self, port=0):
        """Listen on 127.0.0.1:port (0: any free port, the default) and serve in threads."""
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._sock.bind(("127.0.0.1", port))
        except Exception:
            self._sock.close()
            del self._sock
            raise
        self._sock.listen(64)
        self.address = self._sock.getsockname()
        self.port = self.address[1]
        self._spawn(self._accept_loop)
        return self

    def clear(self):
        """Forget what was recorded (a subclass's requests, sessions, scripts); errors are kept for check()."""

    def stop(self):
        """Stop accepting, shut down the open connections, wait for their threads (5 s each at most)."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        waker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # wakes the blocking accept()
        waker.connect(self.address)
        waker.close()
        with self._lock:
            still_open = list(self._open)
        for conn in still_open:  # a kept-alive or stalled connection ends now, not at its timeout
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except socket.error:
                pass
        for thread in self._threads:
            thread.join(5)
        self._sock.close()

    def check(self):
        """Raise the first error raised inside the server (see `errors`); nothing if there was none."""
        if self.errors:
            raise self.errors[0]

    def wait_stopped(self, seconds):
        """Wait until stop() is called, at most `seconds`; True if it was."""
        return self._stopped.wait(seconds)

    def wait_served(self, count, timeout=5):
        """Wait until `count` connections have ended; False if they have not within timeout."""
        deadline = time.time() + timeout
        with self._served:
            while self.served < count and time.time() < deadline:
                self._served.wait(deadline - time.time())
            return self.served >= count

    def __enter__(self):
        return self.start() if not hasattr(self, "_sock") else self

    def __exit__(self, exc_type, exc, traceback):
        self.stop()
        if exc_type is None:
            self.check()

    def note_asked(self, client_port, host, port):
        """Intercept: the client on client_port asked for (host, port)."""
        with self._lock:
            self._asked[client_port] = (host, port)

    def asked(self, client_port):
        # known once the client has sent a byte: Intercept notes it before returning the socket
        with self._lock:
            return self._asked.get(client_port)

    def handle(self, conn, client_port, number):
        """Serve connection number `number` (from 1) of the client on client_port; a subclass's job."""
        raise NotImplementedError

    def _spawn(self, target, *args):
        thread = threading.Thread(target=target, args=args)
        thread.daemon = True
        thread.start()
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]

    def _accept_loop(self):
        while True:
            conn, peer = self._sock.accept()
            if self._stopped.is_set():
                conn.close()
                return
            with self._lock:
                self.connections += 1
                self._open.add(conn)
                number = self.connections
            self._spawn(self._serve, conn, peer, number)

    def _serve(self, conn, peer, number):
        conn.settimeout(self.timeout)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms Nagle stalls between TLS records
        plain = conn
        try:
            if self.ssl_context is not None:
                conn = self.ssl_context.wrap_socket(conn, server_side=True)
            self.handle(conn, peer[1], number)
        except Exception as exc:  # recorded for the tests to read
            (self.disconnects if _client_gone(exc) else self.errors).append(exc)
        finally:
            self._close(conn, plain)

    def _close(self, conn, plain):
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
            self._open.discard(plain)
            self.served += 1
            self._served.notify_all()


class Request(object):
    """One raw HTTP request as received, split but not interpreted."""

    reply = None  # the body the sandbox gateway answered with (bytes), when it answered

    def __init__(self, raw, asked, tls, connection=None):
        self.raw = raw
        self.asked = asked            # (host, port) the client connected to, or None
        self.tls = tls
        self.connection = connection  # the number of the connection it came on: 1, 2, ... in each server
        self.keep_alive = False       # set by the server: the connection stays open after a complete answer
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        self.request_line = lines[0]
        self.header_lines = lines[1:]
        self.headers = [tuple(line.split(b": ", 1)) for line in lines[1:]]
        parts = self.request_line.split(b" ")
        self.method, self.target = parts[0], parts[1] if len(parts) > 1 else b""
        self.version = parts[2] if len(parts) > 2 else b"HTTP/0.9"

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

    def wants_keep_alive(self):
        """HTTP/1.1 without "Connection: close", or HTTP/1.0 with "Connection: keep-alive"."""
        tokens = [token.strip().lower() for token in (self.header("Connection") or b"").split(b",")]
        if self.version == b"HTTP/1.1":
            return b"close" not in tokens
        return self.version == b"HTTP/1.0" and b"keep-alive" in tokens

    def __repr__(self):
        return "<Request %r from %r>" % (self.request_line, self.asked)


def _answer_empty(conn, request, server):
    """The default action: 200 with an empty body."""
    data, keep = server.response(request, b"")
    conn.sendall(data)
    return keep


class LoopbackHTTPServer(LoopbackServer):
    """Reads each HTTP request whole, records it in `requests`, and answers it with an action.

    A request is its head and then Content-Length bytes of body. respond(request) gives the action
    that answers it: `default` (an empty 200 unless given), or what a subclass chooses. An action is
    a callable(conn, request, server) that writes the answer and returns True to keep the connection
    open; response() makes the bytes of an answer.

    keepalive=False (the default): one request per connection; the answer is HTTP/1.0 with
    Content-Length, then the connection is closed, whatever the client asked.
    keepalive=True: persistent connections. A request keeps its connection open when it is HTTP/1.1
    without "Connection: close", or HTTP/1.0 with "Connection: keep-alive" (request.keep_alive tells
    the action, which may still close). Answers are HTTP/1.1 with Content-Length and "Connection:
    keep-alive" when the connection stays open, "Connection: close" when the server closes it after
    the answer. Requests may be pipelined. After an answer, a connection on which no request starts
    within idle_timeout seconds (default 5) is closed without a byte.
    """

    IDLE_TIMEOUT = 5

    def __init__(self, ssl_context=None, default=None, keepalive=False, idle_timeout=IDLE_TIMEOUT):
        LoopbackServer.__init__(self, ssl_context)
        self.requests = []
        self.default = default if default is not None else _answer_empty
        self.keepalive, self.idle_timeout = keepalive, idle_timeout

    def clear(self):
        """Forget the requests recorded so far."""
        with self._lock:
            del self.requests[:]

    def respond(self, request):
        """The action that answers request."""
        return self.default

    def response(self, request, body, status=200, reason="OK", headers=None, version=None, close=False):
        """(the bytes of an answer to request, whether the connection stays open after it).

        The status line (version: HTTP/1.0, or HTTP/1.1 with keepalive), the headers (default
        Content-Type: text/plain), Content-Length, and with keepalive "Connection: keep-alive" when
        request.keep_alive and not close, else "Connection: close". Then the body.
        """
        keep = request.keep_alive and not close
        lines = ["%s %d %s" % (version or ("HTTP/1.1" if self.keepalive else "HTTP/1.0"), status, reason)]
        headers = headers if headers is not None else [("Content-Type", "text/plain")]
        lines += ["%s: %s" % header for header in headers]
        lines.append("Content-Length: %d" % len(body))
        if self.keepalive:
            lines.append("Connection: keep-alive" if keep else "Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body, keep

    def handle(self, conn, client_port, number):
        channel = _Channel(conn)
        while True:
            head = channel.read_until(b"\r\n\r\n")
            if head is None:
                return
            length = re.search(br"\r\ncontent-length: *(\d+)", head, re.I)
            raw = head + b"\r\n\r\n" + channel.read(int(length.group(1)) if length else 0)
            request = Request(raw, self.asked(client_port), self.ssl_context is not None, number)
            request.keep_alive = self.keepalive and request.wants_keep_alive() and not self._stopped.is_set()
            with self._lock:
                self.requests.append(request)
            keep = self.respond(request)(conn, request, self)
            if not (keep and request.keep_alive and channel.wait(self.idle_timeout)):
                return


class LoopbackSMTPServer(LoopbackServer):
    """SMTP as smtplib speaks it: records each session's commands, AUTH, envelope and raw DATA.

    sessions: one dict a connection: {"asked": (host, port), "commands": [line, ...], "auth": [line, ...],
    "mail_from": bytes, "rcpt_to": [bytes, ...], "data": bytes or None}; messages: those with data.
    Each command is served by the method smtp_<VERB>(channel, session, line), which returns True to end
    the session; a verb without one is answered 502. The reply at each step is answer(step, session,
    argument): a subclass changes what the server says there. extensions: the keywords the EHLO reply
    advertises after its first line, in order.
    """

    EXTENSIONS = ("8BITMIME", "AUTH PLAIN LOGIN")
    REPLIES = {"connect": "220 smsc-sandbox ESMTP", "helo": "250 smsc-sandbox",
               "auth": "235 2.7.0 Authentication successful", "mail": "250 OK", "rcpt": "250 OK",
               "data": "354 End data with <CR><LF>.<CR><LF>", "message": "250 OK queued"}

    def __init__(self, ssl_context=None, extensions=EXTENSIONS):
        LoopbackServer.__init__(self, ssl_context)
        self.sessions = []
        self.extensions = list(extensions)

    @property
    def messages(self):
        return [s for s in self.sessions if s.get("data") is not None]

    def clear(self):
        """Forget the sessions recorded so far."""
        with self._lock:
            del self.sessions[:]

    def answer(self, step, session, argument=None):
        """The reply at step: connect, ehlo, helo, auth, mail, rcpt (argument: "TO:<...>"), data, message.

        The server goes on only after 220 (connect) and reads the message only after 354 (data).
        """
        if step == "ehlo":
            lines = ["smsc-sandbox"] + self.extensions
            return "\r\n".join(["250-" + text for text in lines[:-1]] + ["250 " + lines[-1]])
        return self.REPLIES[step]

    def handle(self, conn, client_port, number):
        session = {"asked": None, "commands": [], "auth": [], "mail_from": None, "rcpt_to": [], "data": None}
        with self._lock:
            self.sessions.append(session)
        channel = _Channel(conn)
        greeting = self.answer("connect", session)
        channel.reply(greeting)
        ended = not greeting.startswith("220")
        while not ended:
            line = channel.read_until(b"\r\n")
            if line is None:
                return
            session["asked"] = session["asked"] or self.asked(client_port)
            session["commands"].append(line)
            verb = line.split(b" ", 1)[0].upper()
            command = getattr(self, "smtp_" + verb.decode("ascii"), None) if verb.isalpha() else None
            if command is None:
                channel.reply("502 Command not implemented")
            else:
                ended = command(channel, session, line)

    def smtp_EHLO(self, channel, session, line):
        channel.reply(self.answer("ehlo", session))

    def smtp_HELO(self, channel, session, line):
        channel.reply(self.answer("helo", session))

    def smtp_AUTH(self, channel, session, line):
        session["auth"].append(line)
        words = line.split()
        if line.upper().startswith(b"AUTH LOGIN") and len(words) < 4:
            # LOGIN: username and password follow on lines of their own
            for prompt in ("334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6")[len(words) - 2:]:
                channel.reply(prompt)
                answer = channel.read_until(b"\r\n")
                if answer is None:
                    return True
                session["auth"].append(answer)
        channel.reply(self.answer("auth", session))

    def smtp_MAIL(self, channel, session, line):
        session["mail_from"] = line[5:]
        channel.reply(self.answer("mail", session, line[5:]))

    def smtp_RCPT(self, channel, session, line):
        session["rcpt_to"].append(line[5:])
        channel.reply(self.answer("rcpt", session, line[5:]))

    def smtp_DATA(self, channel, session, line):
        reply = self.answer("data", session)
        channel.reply(reply)
        if not reply.startswith("354"):
            return None
        data = channel.read_until(b"\r\n.\r\n")
        if data is None:
            return True
        session["data"] = data + b"\r\n"
        channel.reply(self.answer("message", session))

    def smtp_RSET(self, channel, session, line):
        channel.reply("250 OK")

    smtp_NOOP = smtp_RSET

    def smtp_QUIT(self, channel, session, line):
        channel.reply("221 Bye")
        return True


class Intercept(object):
    """Send socket.create_connection((host, port)) to a loopback server chosen by port.

    routes: {port: server}. Each connection is recorded in `connections` as (host, port) (clear()
    forgets them); hosts in `refuse` get ECONNREFUSED without a connection. Use as a context manager.
    smsc_only=True: only the SMSC hosts (is_smsc_host) are redirected (or refused, on a port
    without a route); a connection to any other host goes to the real socket.create_connection
    unchanged and is not recorded (the application's database, other web services...).
    """

    def __init__(self, routes, refuse=(), smsc_only=False):
        self.routes = dict(routes)
        self.refuse = set(refuse)
        self.smsc_only = smsc_only
        self.connections = []
        self._lock = threading.Lock()

    def clear(self):
        """Forget the connections recorded so far."""
        with self._lock:
            del self.connections[:]

    def create_connection(self, address, *args, **kwargs):
        host, port = address[0], address[1]
        if self.smsc_only and not is_smsc_host(host):
            return self._real_create_connection(address, *args, **kwargs)
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


# The gateway: the SMSC HTTP API and SMTP gateway, answered from memory

# The charset parameter (the gateway's default is windows-1251) -> Python codec
_CHARSETS = {"utf-8": "utf-8", "utf8": "utf-8", "windows-1251": "cp1251", "cp1251": "cp1251",
             "koi8-r": "koi8-r", "koi8r": "koi8-r"}
_DEFAULT_CHARSET = "windows-1251"
_ERRORS = {1: "parameters error", 2: "wrong login or password", 3: "not enough money",
           7: "wrong phone number format", 9: "duplicate request within a minute"}
# The gateway's names of the statuses it gives here: not found, waiting, delivered
_STATUS_NAMES = {-3: u"Сообщение не найдено", -1: u"Ожидает отправки", 1: u"Доставлено"}
# all=2: country, operator, region (fixed placeholders, whatever the number)
_PLACE = (u"Россия", u"МТС", u"Москва")
_REASONS = {200: "OK", 404: "Not Found", 500: "Internal Server Error", 501: "Not Implemented"}
_COMMANDS = {b"/sys/send.php": "send", b"/sys/status.php": "status", b"/sys/balance.php": "balance"}
_HELP = (b"smsc_sandbox: a local SMSC gateway for tests (no SMS is ever sent).\n"
         b"API: /sys/send.php, /sys/status.php, /sys/balance.php on smscentre.com, smsc.ru, smsc.kz, smsc.ua;\n"
         b"mail to send@send.smscentre.com over SMTP.\n")


def _money(value):
    from decimal import Decimal, InvalidOperation
    try:
        amount = Decimal(repr(value) if isinstance(value, float) else value)
    except (InvalidOperation, TypeError, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise ValueError("not an amount of money: %r" % (value,))
    return amount


def _cents(amount):
    from decimal import Decimal, ROUND_HALF_UP
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _as_text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _write_line(stream, line):
    """Write a text line and flush; what the stream cannot encode is written backslash-escaped."""
    try:
        stream.write(line + u"\n")
    except UnicodeEncodeError:  # Python 2 pipes (ASCII unless told), Python 3 with an ASCII locale
        encoding = getattr(stream, "encoding", None) or ("utf-8" if _PY2 else "ascii")
        data = (line + u"\n").encode(encoding, "backslashreplace")
        stream.write(data if _PY2 else data.decode(encoding))
    stream.flush()


def _form(data):
    """application/x-www-form-urlencoded bytes -> {name: raw value bytes} (the last one wins, as PHP)."""
    params = {}
    for pair in data.split(b"&"):
        if pair:
            name, _, value = pair.partition(b"=")
            params[_unquote_bytes(name.replace(b"+", b" ")).decode("latin-1")] = \
                _unquote_bytes(value.replace(b"+", b" "))
    return params


class _Amount(object):
    """An attribute of the Gateway holding an amount of money (a Decimal), set with any amount."""

    def __init__(self, name, doc):
        self.key, self.__doc__ = "_" + name, doc

    def __get__(self, gateway, owner):
        return self if gateway is None else getattr(gateway, self.key)

    def __set__(self, gateway, value):
        setattr(gateway, self.key, _money(value))


class GatewayError(Exception):
    """An API error of the Gateway: replied as "<id>,-<code>" (id: 0, or the client's id for 3 and 7)."""

    def __init__(self, code, id=0):
        Exception.__init__(self, code, id)
        self.code, self.id = code, id


class _GatewaySMTP(LoopbackSMTPServer):
    """The SMTP side of a Gateway: mail to send@send.<domain> is an SMS."""

    def __init__(self, gateway):
        LoopbackSMTPServer.__init__(self)
        self.gateway = gateway

    def answer(self, step, session, argument=None):
        if step == "rcpt" and not self.gateway.recipient(argument):
            return "550 5.1.1 this gateway takes mail to send@send.smscentre.com (smsc.ru, smsc.kz, smsc.ua) only"
        if step == "message":
            return self.gateway.mail(session)
        return LoopbackSMTPServer.answer(self, step, session, argument)


class Gateway(object):
    """A local SMSC gateway: the HTTP API (send, status, balance; fmt=1 replies) and SMTP.

        gateway = Gateway(balance="10.00").start()       # HTTP and SMTP on free ports
        with gateway.intercept():                          # smscentre.com:80 and :25 go there
            smsc_api.SMSC().send_sms("79999999999", "hi")  # ['1', '1', '2.50', '7.50']
        gateway.messages  # [{"id": 1, "phones": ["79999999999"], "message": "hi", ...}]
        gateway.stop()
        gateway.check()   # the first error raised inside the gateway, if any

    login/password: None accepts any credentials; else psw (or apikey) must match. balance and
    price (per SMS) are amounts of money (Decimal, str, int or float). deliver_after: seconds
    from sending until the status is 1 (delivered). log: a file path, one JSON object a line per
    message. out: where each message is printed (None: sys.stdout at that moment); echo=False:
    nothing is printed. clock: the time function (time.time), which tests may replace.
    Every attribute may be changed while it runs; all state is behind one lock.
    `http` (a LoopbackHTTPServer with keep-alive, as real gateways) and `smtp` are the servers
    underneath: http.requests and smtp.sessions hold what they received.
    """

    def __init__(self, login=None, password=None, balance="100.00", price="2.50", deliver_after=2,
                 log=None, out=None, echo=True, clock=None):
        self.login, self.password = login, password
        self.balance, self.price = balance, price
        self.deliver_after = deliver_after
        self.log, self.out, self.echo = log, out, echo
        self.clock = clock or time.time
        self.messages = []  # what was sent, as logged
        self._sent = []     # the same, with what status.php needs
        self._recent = []   # (phones, message, sender, time) of the last minute's sends
        self._next_id = 1
        self._lock = threading.RLock()
        self.http = LoopbackHTTPServer(default=self.http_action, keepalive=True)
        self.smtp = _GatewaySMTP(self)

    balance = _Amount("balance", "The money left (a Decimal); set it with any amount (Decimal, str, int or float).")
    price = _Amount("price", "The price of one SMS (a Decimal); set it with any amount.")

    @property
    def requests(self):
        """Every raw HTTP request received (smsc_sandbox.Request), in order."""
        return self.http.requests

    def start(self, http_port=0, smtp_port=0):
        self.http.start(http_port)
        try:
            self.smtp.start(smtp_port)
        except Exception:
            self.http.stop()
            raise
        return self

    def stop(self):
        self.http.stop()
        self.smtp.stop()

    def check(self):
        """Raise the first error raised inside the gateway's servers (a bug of the sandbox)."""
        self.http.check()
        self.smtp.check()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def intercept(self, smsc_only=True):
        """An Intercept sending the SMSC hosts' ports 80 and 25 here (443 is refused: no HTTPS)."""
        return Intercept({80: self.http, 25: self.smtp}, smsc_only=smsc_only)

    def delivery_time(self, id):
        """When message id is (or was) delivered: its time of sending plus deliver_after; None if unknown."""
        with self._lock:
            sent = [time_sent for record, time_sent, each in self._sent if record["id"] == id]
            return sent[-1] + self.deliver_after if sent else None

    # What a client sends

    def _authorized(self, login, secret):
        if self.login is None and self.password is None:
            return True
        if login:
            return login == _as_text(self.login) and secret == _as_text(self.password)
        return secret == _as_text(self.password)  # an API key: the password

    def submit(self, login, secret, phones, message, sender=u"", id=u"0", cost=0, via="http", target=u""):
        """Send (or with cost=1 only price) an SMS as the gateway does; returns the reply fields.

        Raises GatewayError for an API error. All arguments are text as decoded.
        """
        with self._lock:
            if not self._authorized(login, secret):
                raise GatewayError(2)
            client_id = self._client_id(phones, message, id)
            valid = self._phones(phones, client_id)
            count = parts(message)
            cnt = count * len(valid)
            total = _cents(self.price * cnt)
            if cost == 1:
                return [str(total), str(cnt)]
            record = self._charge(valid, message, sender or u"", client_id, count, total, via, target)
            fields = [str(record["id"]), str(cnt)]
            if cost in (2, 3):
                fields.append(str(total))
            if cost == 3:
                fields.append(str(_cents(self.balance)))
            return fields

    @staticmethod
    def _client_id(phones, message, id):
        """The client's message id (0: none), once phones and message are there: else error 1."""
        if phones is None or message is None or len(message) > 1000:
            raise GatewayError(1)
        try:
            client_id = int(id or 0)
        except ValueError:
            raise GatewayError(1)
        if client_id < 0:
            raise GatewayError(1)
        return client_id

    @staticmethod
    def _phones(phones, client_id):
        """The valid phones of a "," or ";" list, each once, in order: error 7 when there is none."""
        valid = []
        for phone in re.split(u"[,;]", phones):
            phone = normalize_phone(phone)
            if phone and phone not in valid:
                valid.append(phone)
        if not valid:
            raise GatewayError(7, client_id)
        return valid

    def _charge(self, phones, message, sender, client_id, count, total, via, target):
        """Record a message and take its price: its record. Errors 9 (sent within a minute) and 3 (no money)."""
        now = self.clock()
        key = (tuple(phones), message, sender)
        self._recent = [entry for entry in self._recent if now - entry[1] < 60]
        if any(entry[0] == key for entry in self._recent):
            raise GatewayError(9)
        if total > self.balance:
            raise GatewayError(3, client_id)
        self.balance -= total
        if client_id:
            message_id = client_id
        else:
            message_id, self._next_id = self._next_id, self._next_id + 1
        self._recent.append((key, now))
        record = {"id": message_id, "phones": phones, "message": message, "sender": sender,
                  "parts": count, "cost": str(total), "time": round(now, 3), "via": via, "target": target}
        self.messages.append(record)
        self._sent.append((record, now, str(_cents(self.price * count))))
        self._announce(record)
        return record

    def status(self, id, phone, all=0):
        """The fields of status.php for message id to phone (text): -3 when not found."""
        with self._lock:
            phone = normalize_phone(phone) or phone
            found = [entry for entry in self._sent if entry[0]["id"] == id and phone in entry[0]["phones"]]
            if not found:
                return [u"-3", u"0", u"0"]
            record, sent, each = found[-1]
            due = sent + self.deliver_after
            code, changed = (1, int(due)) if self.clock() >= due else (-1, int(sent))
            fields = [_text(code), _text(changed), u"0"]
            if all in (1, 2):
                fields += [_text(int(sent)), phone, _text(each), record["sender"], _STATUS_NAMES[code]]
                fields += list(_PLACE) if all == 2 else []
                fields.append(record["message"])
            return fields

    def recipient(self, argument):
        """The address of an SMTP "TO:<address>" when it is send@send.<an SMSC domain>, else None."""
        match = re.search(br"<([^>]*)>", argument) or re.search(br":\s*(\S+)", argument)
        address = (match.group(1) if match else b"").decode("latin-1")
        local, _, domain = address.lower().partition(u"@")
        return address if local == u"send" and domain in [u"send." + host for host in HOSTS] else None

    def mail(self, session):
        """Act on a mail (an SMTP session with data): the SMTP reply line."""
        recipients = [r for r in map(self.recipient, session["rcpt_to"]) if r]
        if not recipients:
            return "554 5.5.1 no valid recipients"
        text = self._mail_text(session["data"])
        fields = text.split(u":", 6) if text is not None else []
        try:
            if len(fields) < 7:
                raise GatewayError(1)
            login, secret, id, _, options, phones, message = fields
            sender = (options.split(u",", 2) + [u"", u""])[2]
            fields = self.submit(login, secret, phones, message, sender, id, 0, "smtp", recipients[0])
        except GatewayError as refused:
            self._say(u"ERROR %d (%s) for mail to %s" % (refused.code, _ERRORS[refused.code], recipients[0]))
            return "554 5.7.1 SMSC error %d: %s" % (refused.code, _ERRORS[refused.code])
        return "250 OK queued as id %s" % fields[0]

    @staticmethod
    def _mail_text(data):
        import email
        data = re.sub(b"(?m)^\\.\\.", b".", data)  # the client dot-stuffed lines starting with "."
        if data.startswith(b"\r\n") or b"\r\n\r\n" not in data:  # no header
            payload, charset = data.lstrip(b"\r\n") if data.startswith(b"\r\n") else data, None
        else:
            message = email.message_from_string(data) if _PY2 else email.message_from_bytes(data)
            for message in message.walk():
                if not message.is_multipart():
                    break
            payload, charset = message.get_payload(decode=True) or b"", message.get_content_charset()
        codec = _CHARSETS.get((charset or _DEFAULT_CHARSET).lower())
        if codec is None:
            return None
        text = payload.decode(codec, "replace").replace(u"\r\n", u"\n")
        return text[:-1] if text.endswith(u"\n") else text

    # HTTP

    def http_action(self, conn, request, server):
        """Answer one HTTP request as the gateway: an action of a LoopbackHTTPServer (that of `http`)."""
        try:
            status, body, charset = self._answer(request)
        except Exception as exc:  # a bug of the sandbox: said, recorded, and answered as one
            server.errors.append(exc)
            self._say(u"sandbox error: %s: %s" % (type(exc).__name__, exc))
            status, body, charset = 500, b"smsc_sandbox internal error\n", "utf-8"
        request.reply = body
        data, keep = server.response(request, body, status, _REASONS[status],
                                     [("Content-Type", "text/plain; charset=" + charset)])
        conn.sendall(data)
        return keep

    def _answer(self, request):
        """(HTTP status, body, charset) for a request."""
        target = mask(request.target).decode("latin-1")
        absolute = re.match(br"(?i)https?://([^/?#]*)(.*)\Z", request.target, re.S)
        if absolute:
            host, rest = absolute.group(1).rpartition(b"@")[2], absolute.group(2)
        else:
            host, rest = request.header("Host") or (request.asked or (b"",))[0], request.target
        host = re.sub(u":[0-9]*\\Z", u"", host.decode("latin-1") if isinstance(host, bytes) else host)
        path, _, query = (rest if rest.startswith(b"/") else b"/" + rest).partition(b"?")
        method = request.method.decode("latin-1")
        if request.method not in (b"GET", b"POST"):
            self._say(u"ERROR HTTP 501 (only GET and POST) for %s %s" % (method, target))
            return 501, b"smsc_sandbox: only GET and POST\n", "utf-8"
        if path == b"/":
            return 200, _HELP, "utf-8"
        if not is_smsc_host(host) or path not in _COMMANDS:
            self._say(u"ERROR HTTP 404 (not an SMSC API address) for %s %s" % (method, target))
            return 404, b"smsc_sandbox: not an SMSC API address (see /)\n", "utf-8"
        return self._api(request, _COMMANDS[path], path, query, target)

    def _api(self, request, command, path, query, target):
        """(200, reply body, charset) of an API command: its fields, or its error."""
        raw = _form(query)
        content_type = (request.header("Content-Type") or b"application/x-www-form-urlencoded").lower()
        if request.method == b"POST" and content_type.startswith(b"application/x-www-form-urlencoded"):
            raw.update(_form(request.body))
        charset = raw.get("charset", _DEFAULT_CHARSET.encode("ascii")).decode("latin-1")
        codec = _CHARSETS.get(charset.lower())
        if codec is None:
            charset, fields = "utf-8", self._refuse(GatewayError(1), path)
        else:
            params = dict((name, value.decode(codec, "replace")) for name, value in raw.items())
            try:
                fields = getattr(self, "_api_" + command)(params, target)
            except GatewayError as refused:
                fields = self._refuse(refused, path)
        return 200, u",".join(fields).encode(codec or "utf-8", "replace"), charset

    def _refuse(self, refused, path):
        self._say(u"ERROR %d (%s) for %s" % (refused.code, _ERRORS[refused.code], path.decode("latin-1")))
        return [_text(refused.id), u"-%d" % refused.code]

    def _credentials(self, params):
        login = params.get("login")
        return (login, params.get("psw")) if login else (None, params.get("apikey", params.get("psw")))

    def _api_send(self, params, target):
        cost = params.get("cost", u"0")
        cost = int(cost) if cost in (u"0", u"1", u"2", u"3") else 0
        return self.submit(*self._credentials(params), phones=params.get("phones"), message=params.get("mes"),
                           sender=params.get("sender", u""), id=params.get("id", u"0"), cost=cost, target=target)

    def _api_status(self, params, target):
        if not self._authorized(*self._credentials(params)):
            raise GatewayError(2)
        try:
            id, all = int(params["id"]), int(params.get("all") or 0)
            phone = params["phone"]
        except (KeyError, ValueError):
            raise GatewayError(1)
        return self.status(id, phone, all)

    def _api_balance(self, params, target):
        if not self._authorized(*self._credentials(params)):
            raise GatewayError(2)
        with self._lock:
            return [_text(_cents(self.balance))]

    # Output

    def _say(self, line):
        if self.echo:
            with self._lock:
                _write_line(self.out or sys.stdout, line)

    def describe(self, record):
        """The line printed for a message."""
        phones = record["phones"]
        return u"SMS id=%d to %s%s: %s (%d part%s%s, %s%s)" % (
            record["id"], u",".join(phones), u" from " + record["sender"] if record["sender"] else u"",
            record["message"].replace(u"\r", u"\\r").replace(u"\n", u"\\n"),
            record["parts"], u"" if record["parts"] == 1 else u"s",
            u" x %d phones" % len(phones) if len(phones) > 1 else u"", record["cost"],
            u", by mail" if record["via"] == "smtp" else u"")

    def _announce(self, record):
        self._say(self.describe(record))
        if self.log:
            import io
            import json
            line = json.dumps(record, sort_keys=True, ensure_ascii=False)
            with io.open(self.log, "a", encoding="utf-8") as handle:
                handle.write(_as_text(line) + u"\n")


# python smsc_sandbox.py demo

class _Lines(object):
    """A stream that keeps the lines written to it."""

    def __init__(self):
        self.lines = []

    def write(self, text):
        self.lines.extend(text.splitlines())

    def flush(self):
        pass


def _shown(value):
    """A return value as the demo prints it: the same on Python 2 (byte strings) and 3."""
    if isinstance(value, list):
        return u"[" + u", ".join(_shown(item) for item in value) + u"]"
    if isinstance(value, (bytes, _text)):
        value = _as_text(value)
        return u"'" + value.replace(u"\\", u"\\\\").replace(u"'", u"\\'").replace(u"\n", u"\\n") + u"'"
    return _text(value)


def _smsc_api_as_2_0():
    """smsc_api from this file's directory, with 2.0's settings whatever SMSC_* variables the environment holds."""
    import os
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
    import smsc_api
    for name, value in (("SMSC_POST", False), ("SMSC_HTTPS", False), ("SMSC_CHARSET", "utf-8"),
                        ("SMSC_DEBUG", False), ("SMSC_TIMEOUT", 10), ("SMSC_HOST", "smscentre.com"),
                        ("SMTP_FROM", "api@smscentre.com"), ("SMTP_SERVER", "send.smscentre.com"),
                        ("SMTP_LOGIN", ""), ("SMTP_PASSWORD", "")):
        setattr(smsc_api, name, value)
    return smsc_api


class _Demo(object):
    """smsc_api against a gateway, call by call: the call, the wire, what the gateway said, the reply, the result."""

    PASSWORD = "demo-password"

    def __init__(self, smsc_api, gateway, said, out):
        self.smsc_api, self.gateway, self.said, self.out = smsc_api, gateway, said, out
        self.smsc = smsc_api.SMSC("demo", self.PASSWORD)
        self.seen = {"http": 0, "smtp": 0, "said": 0}  # what was shown of each record

    def say(self, line=u""):
        _write_line(self.out, line.replace(self.PASSWORD, u"***"))

    def run(self):
        gateway = self.gateway
        self.say(u"smsc_sandbox demo: smsc_api %s against a local SMSC gateway (no account, no network)"
                 % self.smsc_api.__version__)
        self.say(u"Gateway: HTTP on http://127.0.0.1:%d, SMTP on 127.0.0.1:%d; login demo, balance %s, %s per SMS,"
                 % (gateway.http.port, gateway.smtp.port, _cents(gateway.balance), _cents(gateway.price)))
        self.say(u"delivered 1 s after sending. smsc_api's connections to smscentre.com (ports 80, 25) go there.")
        self.say(u"Shown: each call, the request on the wire (password as ***), the reply, the return value.")
        self.say()
        self.say(u">>> from smsc_api import SMSC")
        self.say(u'>>> smsc = SMSC("demo", "***")')
        self.call(u"get_balance()", "get_balance")
        self.call(u'get_sms_cost("79999999999", "Вы успешно зарегистрированы!")', "get_sms_cost", "79999999999",
                  u"Вы успешно зарегистрированы!")
        sent = self.call(u'send_sms("79999999999", "Ваш пароль: 123", sender="sms")', "send_sms", "79999999999",
                         u"Ваш пароль: 123", sender="sms")
        self.call(u'get_status(%s, "79999999999", all=1)' % _as_text(sent[0]), "get_status", sent[0], "79999999999",
                  all=1)
        self.call(u'send_sms_mail("79999999999", "test2", format=1)', "send_sms_mail", "79999999999", "test2",
                  format=1)
        self.call(u'send_sms("12345", "test")', "send_sms", "12345", "test")
        due = gateway.delivery_time(int(sent[0]))
        time.sleep(max(0, min(due - time.time(), gateway.deliver_after)) + 0.05)
        self.say()
        self.say(u"(%s s after sending: delivered)" % gateway.deliver_after)
        self.call(u'get_status(%s, "79999999999")' % _as_text(sent[0]), "get_status", sent[0], "79999999999")
        self.call(u"get_balance()", "get_balance")
        self.say()
        self.say(u"Your own application, unchanged: run  python smsc_sandbox.py  and start the application with")
        self.say(u"http_proxy=http://127.0.0.1:8025 (and SMTP_SERVER=127.0.0.1:8026 for send_sms_mail).")

    def call(self, text, method, *args, **kwargs):
        """Call smsc.<method>(...) shown as text, then show what happened; its result."""
        self.say()
        self.say(u">>> smsc." + text)
        result = getattr(self.smsc, method)(*args, **kwargs)
        replies = self._show_requests()
        self._show_mail()
        for line in self.said.lines[self.seen["said"]:]:
            self.say(u"  gateway: " + line)
        for reply in replies:
            self.say(u"  reply:   " + reply.decode("utf-8"))
        self.say(u"  returns: " + _shown(result))
        self.seen.update(http=len(self.gateway.http.requests), smtp=len(self.gateway.smtp.messages),
                         said=len(self.said.lines))
        return result

    def _show_requests(self):
        """Show the HTTP requests not shown yet; their replies."""
        replies = []
        for request in self.gateway.http.requests[self.seen["http"]:]:
            self.say(u"  wire:    " + mask(request.request_line).decode("latin-1"))
            if request.body:
                self.say(u"           " + mask(request.body).decode("latin-1"))
            replies.append(request.reply)
        return replies

    def _show_mail(self):
        """Show the mail not shown yet, with the password in the message as ***."""
        for session in self.gateway.smtp.messages[self.seen["smtp"]:]:
            host, port = session["asked"]
            self.say(u"  wire:    SMTP %s:%d, mail to %s, DATA:"
                     % (host, port, self.gateway.recipient(session["rcpt_to"][0])))
            head, _, body = session["data"].decode("utf-8").partition(u"\r\n\r\n")
            body = re.sub(u"^([^:\r\n]*):[^:\r\n]*:", u"\\1:***:", body)
            for line in (head + u"\r\n\r\n" + body).splitlines():
                self.say(u"           " + line)


def demo(out=None):
    """Drive smsc_api (from this file's directory) through every call against a local gateway."""
    smsc_api = _smsc_api_as_2_0()
    no_proxy_for_smsc()
    said = _Lines()
    gateway = Gateway(login="demo", password=_Demo.PASSWORD, deliver_after=1, out=said).start()
    try:
        with gateway.intercept():
            _Demo(smsc_api, gateway, said, out or sys.stdout).run()
    finally:
        gateway.stop()
    gateway.check()
    return 0


# python smsc_sandbox.py [options]: the gateway until Ctrl-C

def _parser(prog=None):
    import argparse
    parser = argparse.ArgumentParser(
        prog=prog,  # None: named as started (smsc-sandbox, smsc_sandbox.py), argparse's default
        description="A local SMSC-compatible gateway on 127.0.0.1, HTTP and SMTP, until Ctrl-C: try smsc_api, "
                    "or test your own application, without an account. No SMS is ever sent.",
        epilog="Point an unmodified application at it with http_proxy=http://127.0.0.1:PORT (HTTP API; HTTPS is "
               "not served) and, for send_sms_mail, SMTP_SERVER=127.0.0.1:SMTP_PORT. Every message is printed, "
               "and with --log appended to FILE as one JSON object a line. 'demo' runs smsc_api against it "
               "in-process on free ports and shows each call, the request on the wire and the reply.")
    parser.add_argument("command", nargs="?", default="serve", choices=("serve", "demo"),
                        help="serve (the default) or demo")
    parser.add_argument("--port", type=int, default=8025, help="HTTP port (default 8025; 0: any free port)")
    parser.add_argument("--smtp-port", type=int, default=8026, help="SMTP port (default 8026; 0: any free port)")
    parser.add_argument("--log", metavar="FILE", help="append each message to FILE as a line of JSON")
    parser.add_argument("--login", help="accept only this login (with --password); default: any")
    parser.add_argument("--password", help="its password, also accepted as the API key (apikey=)")

    def amount(text):
        return _money(text)
    parser.add_argument("--balance", type=amount, default="100.00", help="starting balance (default 100.00)")
    parser.add_argument("--price", type=amount, default="2.50", help="price of one SMS (default 2.50)")
    parser.add_argument("--deliver-after", type=float, default=2, metavar="SECONDS",
                        help="status -1 (waiting) until this long after sending, then 1 (delivered); default 2")
    return parser


def main(argv=None):
    parser = _parser(None if argv is None else "smsc_sandbox.py")  # argv given (tests): the file's name
    args = parser.parse_args(argv)
    if (args.login is None) != (args.password is None):
        parser.error("--login and --password go together")
    if args.command == "demo":
        return demo()
    gateway = Gateway(login=args.login, password=args.password, balance=args.balance, price=args.price,
                      deliver_after=args.deliver_after, log=args.log)
    try:
        gateway.start(args.port, args.smtp_port)
    except socket.error as exc:
        parser.exit(2, "%s: cannot listen on 127.0.0.1 (ports %d, %d): %s\n"
                    % (parser.prog, args.port, args.smtp_port, exc))
    http, smtp = gateway.http.port, gateway.smtp.port
    _write_line(sys.stdout, u"HTTP on http://127.0.0.1:%d (use http_proxy=http://127.0.0.1:%d), SMTP on 127.0.0.1:%d "
                u"(use SMTP_SERVER=127.0.0.1:%d)" % (http, http, smtp, smtp))
    _write_line(sys.stdout, u"%s; balance %s, %s per SMS, delivered %g s after sending. Ctrl-C to stop." % (
        u"login %s only" % _as_text(args.login) if args.login is not None else u"any login",
        _cents(gateway.balance), _cents(gateway.price), args.deliver_after))
    _serve_until_stopped()
    gateway.stop()
    _write_line(sys.stdout, u"Stopped.")
    return 0


def _serve_until_stopped():
    """Return on Ctrl-C or SIGTERM."""
    import signal

    def terminate(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, terminate)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
