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

Gateway: a local SMSC-compatible gateway built on these servers (send, status, balance; SMTP):

    python smsc_sandbox.py [--port 8025] [--smtp-port 8026] [--log FILE] [--login L --password P]
                           [--balance 100.00] [--price 2.50] [--deliver-after 2]
    python smsc_sandbox.py demo            # smsc_api against it, call by call

    # in a test suite: pytest_plugins = ["smsc_sandbox"] in conftest.py, then
    def test_signup(smsc_gateway):         # the SMSC hosts' ports 80 and 25 go to a Gateway
        app.signup("79999999999")          # any code that uses smsc_api (or urllib) unchanged
        assert smsc_gateway.messages[0]["message"] == "Your code: 1234"

(PYTEST_DONT_REWRITE: pytest may load this module as a plugin after a conftest imported it.)
"""
from __future__ import print_function

import errno
import re
import socket
import sys
import threading
import time

__all__ = ["HTTPServer", "SMTPServer", "Intercept", "Request", "make_certificate", "server_context",
           "Reply", "Drop", "Reset", "Stall", "Slow", "Raw", "Gateway", "GatewayError", "HOSTS", "is_smsc_host"]


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

    reply = None  # the body the sandbox gateway answered with (bytes), when it answered

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

    def rcpt_reply(self, session, argument):
        """The reply to "RCPT <argument>" (a subclass may check the address)."""
        return self.fail.get("rcpt", "250 OK")

    def message_reply(self, session):
        """The reply once session["data"] holds a message (a subclass may act on it)."""
        return self.fail.get("message", "250 OK queued")

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
                reply(self.rcpt_reply(session, line[5:]))
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
                reply(self.message_reply(session))
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


def is_smsc_host(host):
    """True for smscentre.com, smsc.ru, smsc.kz, smsc.ua and their subdomains (www2..., send...)."""
    if isinstance(host, bytes):
        host = host.decode("latin-1")
    host = (host or "").lower().rstrip(".")
    return any(host == domain or host.endswith("." + domain) for domain in HOSTS)


class Intercept(object):
    """Send socket.create_connection((host, port)) to a loopback server chosen by port.

    routes: {port: server}. Each connection is recorded in `connections` as (host, port);
    hosts in `refuse` get ECONNREFUSED without a connection. Use as a context manager.
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


# The sandbox gateway: the SMSC HTTP API and SMTP gateway, answered from memory

_PY2 = sys.version_info[0] == 2
_text = unicode if _PY2 else str  # noqa: F821

if _PY2:
    from urllib import unquote as _unquote_bytes
else:
    from urllib.parse import unquote_to_bytes as _unquote_bytes

# The charset parameter (the gateway's default is windows-1251) -> Python codec
_CHARSETS = {"utf-8": "utf-8", "utf8": "utf-8", "windows-1251": "cp1251", "cp1251": "cp1251",
             "koi8-r": "koi8-r", "koi8r": "koi8-r"}
_DEFAULT_CHARSET = "windows-1251"

# GSM 03.38: the basic alphabet (1 septet a character) and its extension table (2 septets)
_GSM_BASIC = frozenset(u"@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
                       u"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM_EXTENSION = frozenset(u"\f^{}\\[~]|€")

_ERRORS = {1: "parameters error", 2: "wrong login or password", 3: "not enough money",
           7: "wrong phone number format", 9: "duplicate request within a minute"}
# The gateway's names of the statuses it gives here: not found, waiting, delivered
_STATUS_NAMES = {-3: u"Сообщение не найдено", -1: u"Ожидает отправки", 1: u"Доставлено"}
# all=2: country, operator, region (fixed placeholders, whatever the number)
_PLACE = (u"Россия", u"МТС", u"Москва")
_PHONE = re.compile(u"\\+?[0-9]{10,15}\\Z")
_SECRET = re.compile(br"((?:^|[?&])(?:psw|apikey)=)[^&]*")
_HELP = (b"smsc_sandbox: a local SMSC gateway for tests (no SMS is ever sent).\n"
         b"API: /sys/send.php, /sys/status.php, /sys/balance.php on smscentre.com, smsc.ru, smsc.kz, smsc.ua;\n"
         b"mail to send@send.smscentre.com over SMTP.\n")


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


def mask(data):
    """The request target or query with the psw= and apikey= values replaced by ***."""
    return _SECRET.sub(br"\1***", data)


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


class GatewayError(Exception):
    """An API error of the Gateway: replied as "<id>,-<code>" (id: 0, or the client's id for 3 and 7)."""

    def __init__(self, code, id=0):
        Exception.__init__(self, code, id)
        self.code, self.id = code, id


class _GatewaySMTP(SMTPServer):
    """The SMTP side of a Gateway: mail to send@send.<domain> is an SMS."""

    def __init__(self, gateway):
        SMTPServer.__init__(self)
        self.gateway = gateway

    def rcpt_reply(self, session, argument):
        if "rcpt" in self.fail or self.gateway.recipient(argument):
            return SMTPServer.rcpt_reply(self, session, argument)
        return "550 5.1.1 this gateway takes mail to send@send.smscentre.com (smsc.ru, smsc.kz, smsc.ua) only"

    def message_reply(self, session):
        if "message" in self.fail:
            return SMTPServer.message_reply(self, session)
        return self.gateway.mail(session)


class Gateway(object):
    """A local SMSC gateway: the HTTP API (send, status, balance; fmt=1 replies) and SMTP.

        gateway = Gateway(balance="10.00").start()       # HTTP and SMTP on free ports
        with gateway.intercept():                          # smscentre.com:80 and :25 go there
            smsc_api.SMSC().send_sms("79999999999", "hi")  # ['1', '1', '2.50', '7.50']
        gateway.messages  # [{"id": 1, "phones": ["79999999999"], "message": "hi", ...}]
        gateway.stop()

    login/password: None accepts any credentials; else psw (or apikey) must match. balance and
    price (per SMS) are amounts of money (Decimal, str, int or float). deliver_after: seconds
    from sending until the status is 1 (delivered). log: a file path, one JSON object a line per
    message. out: where each message is printed (None: sys.stdout at that moment); echo=False:
    nothing is printed. clock: the time function (time.time), which tests may replace.
    Every attribute may be changed while it runs; all state is behind one lock.
    `http` and `smtp` are the recording servers (http.requests, smtp.sessions; scripts work).
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
        self.http = HTTPServer(default=self._http_action)
        self.smtp = _GatewaySMTP(self)

    @property
    def balance(self):
        """The money left (a Decimal); set it with any amount."""
        return self._balance

    @balance.setter
    def balance(self, value):
        self._balance = _money(value)

    @property
    def price(self):
        """The price of one SMS (a Decimal); set it with any amount."""
        return self._price

    @price.setter
    def price(self, value):
        self._price = _money(value)

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

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def intercept(self, smsc_only=True):
        """An Intercept sending the SMSC hosts' ports 80 and 25 here (443 is refused: no HTTPS)."""
        return Intercept({80: self.http, 25: self.smtp}, smsc_only=smsc_only)

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
            if phones is None or message is None or len(message) > 1000:
                raise GatewayError(1)
            try:
                client_id = int(id or 0)
            except ValueError:
                raise GatewayError(1)
            if client_id < 0:
                raise GatewayError(1)
            valid = []
            for phone in re.split(u"[,;]", phones):
                phone = normalize_phone(phone)
                if phone and phone not in valid:
                    valid.append(phone)
            if not valid:
                raise GatewayError(7, client_id)
            count = parts(message)
            cnt = count * len(valid)
            each, total = _cents(self.price * count), _cents(self.price * cnt)
            if cost == 1:
                return [str(total), str(cnt)]
            now = self.clock()
            key = (tuple(valid), message, sender or u"")
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
            record = {"id": message_id, "phones": valid, "message": message, "sender": sender or u"",
                      "parts": count, "cost": str(total), "time": round(now, 3), "via": via, "target": target}
            self.messages.append(record)
            self._sent.append((record, now, str(each)))
            self._announce(record)
            fields = [str(message_id), str(cnt)]
            if cost in (2, 3):
                fields.append(str(total))
            if cost == 3:
                fields.append(str(_cents(self.balance)))
            return fields

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

    def _http_action(self, conn, request, server):
        try:
            status, body, charset = self._answer(request)
        except Exception as exc:  # a bug of the sandbox: said, recorded, and answered as one
            server.errors.append(exc)
            self._say(u"sandbox error: %s: %s" % (type(exc).__name__, exc))
            status, body, charset = 500, b"smsc_sandbox internal error\n", "utf-8"
        request.reply = body
        reasons = {200: "OK", 404: "Not Found", 500: "Internal Server Error", 501: "Not Implemented"}
        Reply(body, status, reasons[status], [("Content-Type", "text/plain; charset=" + charset)])(conn, request, server)

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
        if request.method not in (b"GET", b"POST"):
            self._say(u"ERROR HTTP 501 (only GET and POST) for %s %s" % (request.method.decode("latin-1"), target))
            return 501, b"smsc_sandbox: only GET and POST\n", "utf-8"
        if path == b"/":
            return 200, _HELP, "utf-8"
        command = {b"/sys/send.php": "send", b"/sys/status.php": "status", b"/sys/balance.php": "balance"}.get(path)
        if not is_smsc_host(host) or command is None:
            self._say(u"ERROR HTTP 404 (not an SMSC API address) for %s %s" % (request.method.decode("latin-1"), target))
            return 404, b"smsc_sandbox: not an SMSC API address (see /)\n", "utf-8"
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


# The pytest fixture: pytest_plugins = ["smsc_sandbox"] in a conftest.py (or pytest -p smsc_sandbox)

def _no_proxy_for_smsc(setenv):
    """Let urllib reach the SMSC hosts directly (so Intercept sees them) even when *_proxy is set."""
    import os
    for name in ("no_proxy", "NO_PROXY"):
        setenv(name, ",".join([value for value in [os.environ.get(name)] if value] + list(HOSTS)))


def _define_fixture():
    import pytest

    @pytest.fixture
    def smsc_gateway(monkeypatch):
        """A Gateway on free ports; connections to the SMSC hosts (ports 80 and 25) go to it.

        Other hosts are not touched. HTTPS (port 443) to the SMSC hosts is refused.
        """
        _no_proxy_for_smsc(monkeypatch.setenv)
        gateway = Gateway().start()
        try:
            with gateway.intercept():
                yield gateway
        finally:
            gateway.stop()
    return smsc_gateway


if "pytest" in sys.modules:  # imported by pytest (as a plugin, or by a conftest): define the fixture
    smsc_gateway = _define_fixture()


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


def demo(out=None):
    """Drive smsc_api (from this file's directory) through every call against a local gateway."""
    import os
    out = out or sys.stdout
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
    import smsc_api
    # 2.0's settings, whatever SMSC_* variables the environment holds
    for name, value in (("SMSC_POST", False), ("SMSC_HTTPS", False), ("SMSC_CHARSET", "utf-8"),
                        ("SMSC_DEBUG", False), ("SMSC_TIMEOUT", 10), ("SMSC_HOST", "smscentre.com"),
                        ("SMTP_FROM", "api@smscentre.com"), ("SMTP_SERVER", "send.smscentre.com"),
                        ("SMTP_LOGIN", ""), ("SMTP_PASSWORD", "")):
        setattr(smsc_api, name, value)
    _no_proxy_for_smsc(lambda name, value: os.environ.__setitem__(name, value))
    password = "demo-password"

    def say(line=u""):
        _write_line(out, line.replace(password, u"***"))

    said = _Lines()
    gateway = Gateway(login="demo", password=password, deliver_after=1, out=said).start()
    try:
        with gateway.intercept():
            say(u"smsc_sandbox demo: smsc_api %s against a local SMSC gateway (no account, no network)"
                % smsc_api.__version__)
            say(u"Gateway: HTTP on http://127.0.0.1:%d, SMTP on 127.0.0.1:%d; login demo, balance %s, %s per SMS,"
                % (gateway.http.port, gateway.smtp.port, _cents(gateway.balance), _cents(gateway.price)))
            say(u"delivered 1 s after sending. smsc_api's connections to smscentre.com (ports 80, 25) go there.")
            say(u"Shown: each call, the request on the wire (password as ***), the reply, the return value.")
            say()
            say(u">>> from smsc_api import SMSC")
            say(u'>>> smsc = SMSC("demo", "***")')
            smsc = smsc_api.SMSC("demo", password)
            seen = {"http": 0, "smtp": 0, "said": 0}

            def call(text, method, *args, **kwargs):
                say()
                say(u">>> smsc." + text)
                result = getattr(smsc, method)(*args, **kwargs)
                replies = []
                for request in gateway.http.requests[seen["http"]:]:
                    say(u"  wire:    " + mask(request.request_line).decode("latin-1"))
                    if request.body:
                        say(u"           " + mask(request.body).decode("latin-1"))
                    replies.append(request.reply)
                for session in gateway.smtp.messages[seen["smtp"]:]:
                    host, port = session["asked"]
                    say(u"  wire:    SMTP %s:%d, mail to %s, DATA:" % (host, port, gateway.recipient(session["rcpt_to"][0])))
                    head, _, body = session["data"].decode("utf-8").partition(u"\r\n\r\n")
                    body = re.sub(u"^([^:\r\n]*):[^:\r\n]*:", u"\\1:***:", body)
                    for line in (head + u"\r\n\r\n" + body).splitlines():
                        say(u"           " + line)
                for line in said.lines[seen["said"]:]:
                    say(u"  gateway: " + line)
                for reply in replies:
                    say(u"  reply:   " + reply.decode("utf-8"))
                say(u"  returns: " + _shown(result))
                seen.update(http=len(gateway.http.requests), smtp=len(gateway.smtp.messages), said=len(said.lines))
                return result

            call(u"get_balance()", "get_balance")
            call(u'get_sms_cost("79999999999", "Вы успешно зарегистрированы!")', "get_sms_cost", "79999999999",
                 u"Вы успешно зарегистрированы!")
            sent = call(u'send_sms("79999999999", "Ваш пароль: 123", sender="sms")', "send_sms", "79999999999",
                        u"Ваш пароль: 123", sender="sms")
            call(u'get_status(%s, "79999999999", all=1)' % _as_text(sent[0]), "get_status", sent[0], "79999999999", all=1)
            call(u'send_sms_mail("79999999999", "test2", format=1)', "send_sms_mail", "79999999999", "test2", format=1)
            call(u'send_sms("12345", "test")', "send_sms", "12345", "test")
            with gateway._lock:
                due = gateway._sent[0][1] + gateway.deliver_after
            time.sleep(max(0, min(due - time.time(), gateway.deliver_after)) + 0.05)
            say()
            say(u"(%s s after sending: delivered)" % gateway.deliver_after)
            call(u'get_status(%s, "79999999999")' % _as_text(sent[0]), "get_status", sent[0], "79999999999")
            call(u"get_balance()", "get_balance")
            say()
            say(u"Your own application, unchanged: run  python smsc_sandbox.py  and start the application with")
            say(u"http_proxy=http://127.0.0.1:8025 (and SMTP_SERVER=127.0.0.1:8026 for send_sms_mail).")
    finally:
        gateway.stop()
    return 0


# python smsc_sandbox.py [options]: the gateway until Ctrl-C

def main(argv=None):
    import argparse
    parser = argparse.ArgumentParser(
        prog="smsc_sandbox.py",
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
        parser.exit(2, "smsc_sandbox.py: cannot listen on 127.0.0.1 (ports %d, %d): %s\n"
                    % (args.port, args.smtp_port, exc))
    http, smtp = gateway.http.port, gateway.smtp.port
    _write_line(sys.stdout, u"HTTP on http://127.0.0.1:%d (use http_proxy=http://127.0.0.1:%d), SMTP on 127.0.0.1:%d "
                u"(use SMTP_SERVER=127.0.0.1:%d)" % (http, http, smtp, smtp))
    _write_line(sys.stdout, u"%s; balance %s, %s per SMS, delivered %g s after sending. Ctrl-C to stop." % (
        u"login %s only" % _as_text(args.login) if args.login is not None else u"any login",
        _cents(gateway.balance), _cents(gateway.price), args.deliver_after))
    import signal

    def terminate(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, terminate)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    gateway.stop()
    _write_line(sys.stdout, u"Stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
