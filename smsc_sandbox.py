# -*- coding: utf-8 -*-
"""A local SMSC gateway on 127.0.0.1 (HTTP API, HTTPS and SMTP) to run and test against. No SMS is ever sent.

Standard library only, Python 2.7 and 3.6+ (HTTPS also needs trustme or the openssl command, to make
its certificate).

    python smsc_sandbox.py [--port 8025] [--smtp-port 8026] [--log FILE] [--login L --password P]
                           [--balance 100.00] [--price 2.50] [--deliver-after 2] [--ca-file PATH]
                           [--max-request-size BYTES] [--max-records N] [--max-connections N]
                           [--request-timeout SECONDS]
    python smsc_sandbox.py demo            # smsc_api against it, call by call

In Python:

    gateway = Gateway(balance="10.00").start()       # HTTP, HTTPS and SMTP on free ports
    with gateway.intercept():                          # smscentre.com:80, :443, :25 (and mirrors) go there
        smsc_api.SMSC().send_sms("79999999999", "hi")  # ['1', '1', '2.50', '7.50']
    gateway.messages                                   # [{"id": 1, "phones": ["79999999999"], ...}]
    gateway.stop()
    gateway.check()                                    # raises the first error raised inside the gateway

In a pytest suite: the `smsc_gateway` fixture of the plugin pytest_smsc (installed with the package).

Underneath, the loopback servers (LoopbackServer, LoopbackHTTPServer, LoopbackSMTPServer) record every
request byte for byte; Intercept redirects socket.create_connection to them by port (and the SMSC names that
socket.getaddrinfo and gethostbyname resolve, or that a socket connects to by name), so that a client keeps the
real host name (request line in origin form, real Host: header) and runs unchanged. smsc_api's own tests
build their recording and fault-injecting servers on these classes (tests/servers.py).

(PYTEST_DONT_REWRITE: pytest would rewrite this module as part of the package of the pytest_smsc plugin.)
"""
from __future__ import print_function

import errno
import os
import re
import socket
import sys
import threading
import time
from collections import OrderedDict, namedtuple

# Python 2 and 3
_PY2 = sys.version_info[0] == 2
if _PY2:
    _text = unicode  # noqa: F821 (Python 2 only)
    from urllib import quote_plus as _quote_plus, unquote as _unquote_bytes
    from urlparse import parse_qsl as _parse_qsl, urlsplit as _urlsplit
    _integers = (int, long)  # noqa: F821 (Python 2 only)
else:
    _text = str
    from urllib.parse import parse_qsl as _parse_qsl, quote_plus as _quote_plus, unquote_to_bytes as _unquote_bytes
    from urllib.parse import urlsplit as _urlsplit
    _integers = (int,)

__all__ = ["Gateway", "GatewayError", "Intercept", "Request", "File", "Record", "LoopbackServer",
           "LoopbackHTTPServer", "LoopbackSMTPServer", "make_certificate", "server_context", "trust_bundles", "HOSTS",
           "is_smsc_host", "mask", "parts", "normalize_phone", "no_proxy_for_smsc", "demo", "main"]


# The SMSC hosts, texts as the gateway reads them

HOSTS = ("smscentre.com", "smsc.ru", "smsc.kz", "smsc.ua")

_PHONE = re.compile(u"\\+?[0-9]{10,15}\\Z")
_SECRET_NAMES = (b"psw", b"apikey")
# GSM 03.38: the basic alphabet (1 septet a character) and its extension table (2 septets)
_GSM_BASIC = frozenset(u"@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
                       u"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM_EXTENSION = frozenset(u"\f^{}\\[~]|€")


def is_smsc_host(host):
    """True for smscentre.com, smsc.ru, smsc.kz, smsc.ua and their subdomains (www2..., send...), however written:
    any case, a final dot, and any text that the socket module turns into such a name (IDNA: "smscentre\\u3002com",
    fullwidth letters, a soft hyphen); bytes as they are, or read as UTF-8 text (in case a resolver does so)."""
    names = [_dns_name(host)]
    if isinstance(host, (bytes, bytearray)):
        try:
            names.append(_dns_name(bytes(host).decode("utf-8")))
        except UnicodeDecodeError:
            pass
    return any(name and (name == domain or name.endswith("." + domain)) for name in names for domain in HOSTS)


def _dns_name(host):
    """A host name as the socket module hands it to the resolver, as text in lower case without a final dot: bytes
    as they are, text that is not ASCII through the "idna" codec (as socket.getaddrinfo, gethostbyname and connect
    encode it); None for no name, or text the codec rejects (the socket module refuses it too)."""
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("latin-1")
    elif not isinstance(host, (str, _text)):
        return None
    else:
        try:
            host.encode("ascii")
        except UnicodeError:
            try:
                host = host.encode("idna").decode("ascii")
            except UnicodeError:
                return None
    return host.lower().rstrip(".")


def _form_decoded(data):
    """A name or value of a form (bytes) as PHP reads it: "+" is a space, %XX a byte."""
    return _unquote_bytes(data.replace(b"+", b" "))


def _is_secret_name(name):
    """True for a form field name (bytes) that may carry the password or the API key, however it is written:
    percent-encoded (ps%77, %70sw), with + or spaces around it, in capitals, or as PHP's array psw[]."""
    name = _form_decoded(name).strip().lower()
    return name.split(b"[", 1)[0] in _SECRET_NAMES


def mask(data):
    """A request line, request target, query or form body with the value of every psw and apikey field
    replaced by ***, however the name is written (_is_secret_name) and however many times it comes."""
    line = re.match(br"([A-Za-z]+ )(\S*)( HTTP/[0-9.]+)\Z", data)
    if line:
        return line.group(1) + mask(line.group(2)) + line.group(3)
    if re.match(br"/|[A-Za-z][A-Za-z0-9+.-]*://", data):  # a target: its query is after the first "?"
        path, question, query = data.partition(b"?")
    else:  # a query or a body: "?" is a character of a value
        path, question, query = b"", b"", data
    fields = query.split(b"&")
    for n, field in enumerate(fields):
        name, equals, value = field.partition(b"=")
        if equals and _is_secret_name(name):
            fields[n] = name + b"=***"
    return path + question + b"&".join(fields)


def parts(text):
    """The SMS parts the gateway counts for a text: GSM 7-bit 160, then 153 a part; else 70, then 67."""
    if all(c in _GSM_BASIC or c in _GSM_EXTENSION for c in text):
        size, single, multi = sum(2 if c in _GSM_EXTENSION else 1 for c in text), 160, 153
    else:
        size, single, multi = len(text.encode("utf-16-le")) // 2, 70, 67
    return 1 if size <= single else -(-size // multi)


def message_id(id):
    """A message id as the gateway takes it: an int for a number, the text for up to 40 Latin letters, digits, ".",
    "-" and "_" (ids such as "order-17"); GatewayError 1 for anything else."""
    if isinstance(id, int) and not isinstance(id, bool):
        return id
    text = id.decode("latin-1") if isinstance(id, bytes) else _text(id)
    if re.match(u"[0-9]+\\Z", text):
        return int(text)
    if re.match(u"[A-Za-z0-9._-]{1,40}\\Z", text):
        return text
    raise GatewayError(1)


def normalize_phone(phone):
    """A phone as the gateway stores it (digits only), or None when it is not a valid number."""
    phone = re.sub(u"[ ()\\-]", u"", phone.strip())
    return phone.lstrip(u"+") if _PHONE.match(phone) else None


def no_proxy_for_smsc(setenv=None):
    """Let urllib reach the SMSC hosts directly (so Intercept sees them) even when *_proxy is set.

    Adds HOSTS to no_proxy and NO_PROXY through setenv(name, value): monkeypatch.setenv in a test,
    os.environ by default.
    """
    setenv = setenv or os.environ.__setitem__
    for name in ("no_proxy", "NO_PROXY"):
        setenv(name, ",".join([value for value in [os.environ.get(name)] if value] + list(HOSTS)))


# Certificates for a TLS server (the gateway serves HTTPS with them)

def make_certificate(directory, name="sandbox", hosts=HOSTS):
    """A new test CA and a certificate it signs for hosts and *.hosts, as PEM files in directory.

    Returns (ca_pem, cert_chain_pem, key_pem). Uses trustme where it is installed (Python 3),
    else the openssl command line; OSError when neither is there.
    """
    import warnings
    files = tuple(os.path.join(directory, name + suffix) for suffix in ("-ca.pem", ".pem", ".key"))
    names = [u"%s%s" % (prefix, host) for host in hosts for prefix in ("", "*.")]
    with warnings.catch_warnings():  # cryptography (under trustme) warns of the Python running it (3.6-3.8):
        warnings.simplefilter("ignore")  # not this program's concern, nor an error under -W error
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


_certificates = []  # the gateway's (ca_pem, cert_chain_pem, key_pem), made once per process
_certificates_lock = threading.Lock()


def _gateway_certificate():
    """The files of make_certificate for the SMSC hosts, made at the first call in a temporary directory that
    is removed when the process exits. OSError saying why when no certificate can be made."""
    import subprocess
    with _certificates_lock:
        if not _certificates:
            import atexit
            import shutil
            import tempfile
            directory = tempfile.mkdtemp(prefix="smsc-sandbox-")  # 0700: the CA's key stays private
            atexit.register(shutil.rmtree, directory, True)
            try:
                _certificates.append(make_certificate(directory))
            except (OSError, subprocess.CalledProcessError) as exc:
                missing = isinstance(exc, OSError) and exc.errno == errno.ENOENT
                raise OSError("no certificate could be made: " + ("neither trustme (pip install trustme) nor the "
                                                                  "openssl command is installed" if missing else
                                                                  "openssl: %s" % exc))
        return _certificates[0]


def trust_bundles(ca_file, directory, environ=None):
    """CA bundles that trust what a client trusted before and ca_file too: {variable: path} of files written in
    directory, for SSL_CERT_FILE (OpenSSL, and so urllib, http.client, asyncio, httpx, aiohttp) and
    REQUESTS_CA_BUNDLE (requests, which otherwise trusts certifi's CAs alone).

    What each trusted before (environ: os.environ by default) is the file the variable names (a directory: the
    certificates of its files); unset, for SSL_CERT_FILE the default store's CA file
    (ssl.get_default_verify_paths()), for REQUESTS_CA_BUNDLE the file of CURL_CA_BUNDLE, else certifi's when certifi
    is installed, else the default store's. A file that cannot be read adds nothing (it trusted nothing).
    """
    import ssl
    environ = os.environ if environ is None else environ
    default = ssl.get_default_verify_paths().openssl_cafile
    requests_default = environ.get("CURL_CA_BUNDLE")
    if not requests_default:
        try:
            import certifi
            requests_default = certifi.where()
        except ImportError:
            requests_default = default
    with open(ca_file, "rb") as handle:
        ca = handle.read()
    bundles = {}
    for name, unset in (("SSL_CERT_FILE", default), ("REQUESTS_CA_BUNDLE", requests_default)):
        bundles[name] = os.path.join(directory, name + ".pem")
        with open(bundles[name], "wb") as handle:
            for before in _certificate_files(environ.get(name) or unset):
                handle.write(before if before.endswith(b"\n") else before + b"\n")
            handle.write(ca)
    return bundles


def _certificate_files(path):
    """The contents of a CA file, or of the files of a CA directory that hold a certificate; none if unreadable."""
    if not path:
        return []
    try:
        paths = [os.path.join(path, name) for name in sorted(os.listdir(path))] if os.path.isdir(path) else [path]
    except OSError:  # a directory that cannot be listed
        return []
    contents = []
    for each in paths:
        try:
            with open(each, "rb") as handle:
                data = handle.read()
        except (IOError, OSError):
            continue
        if data and (each == path or b"-----BEGIN CERTIFICATE-----" in data):
            contents.append(data)
    return contents


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


class _TooLarge(Exception):
    """More bytes than a channel looks through for its marker (a request head, an SMTP line or message)."""


def _over(count, limit):
    """Whether count is past limit; a limit of None is no limit."""
    return limit is not None and count > limit


class _Channel(object):
    """A client connection read in pieces: what has arrived and is not read yet waits in `buffer`.

    Every wait is bounded twice: by the socket's timeout (each wait), and by `deadline` (time.time() by which
    what is being read must have arrived; None: no deadline), so that a client sending a byte at a time still
    has to send a whole request in time. read_until looks through at most `limit` bytes (None: no limit) for
    its marker.
    Bytes are gathered in a bytearray, which grows in place: reading n bytes takes time in proportion to n.
    """

    PIECE = 1 << 18  # the most bytes one recv asks for

    def __init__(self, conn, limit=1 << 20):
        self.conn, self.limit = conn, limit
        self.buffer = bytearray()
        self.deadline = None
        self.wait_limit = conn.gettimeout()

    def expect_within(self, seconds):
        """Start a deadline: what is read from now on must arrive within `seconds` (None: no deadline)."""
        self.deadline = None if seconds is None else time.time() + seconds

    def _recv(self, size):
        if self.deadline is not None:
            left = self.deadline - time.time()
            if left <= 0:
                raise socket.timeout("the deadline has passed")
            self.conn.settimeout(left if self.wait_limit is None else min(left, self.wait_limit))
        return self.conn.recv(size)

    def wait(self, seconds):
        """True once a byte is there to read; False if the client closed or sent nothing for `seconds`."""
        if self.buffer:
            return True
        self.conn.settimeout(seconds)
        try:
            chunk = self.conn.recv(self.PIECE)
        except socket.timeout:
            return False
        finally:
            self.conn.settimeout(self.wait_limit)
        self.buffer += chunk
        return bool(chunk)

    def read_until(self, marker):
        """The bytes before marker (marker consumed), or None if the client closed first; _TooLarge when
        `limit` bytes have come without it."""
        found = self.buffer.find(marker)
        while found < 0:
            if _over(len(self.buffer), self.limit):
                raise _TooLarge(self.limit)
            start = max(0, len(self.buffer) - len(marker) + 1)
            chunk = self._recv(self.PIECE)
            if not chunk:
                return None
            self.buffer += chunk
            found = self.buffer.find(marker, start)
        if _over(found, self.limit):
            raise _TooLarge(self.limit)
        data = bytes(self.buffer[:found])
        del self.buffer[:found + len(marker)]
        return data

    def read(self, count):
        """count bytes, or fewer if the client closed first. Gathered in one growing bytearray: the pieces
        received do not pile up in the allocator as a list of them would, and are copied once more at the end."""
        data = self.buffer[:count]
        del self.buffer[:count]
        while len(data) < count:
            chunk = self._recv(min(count - len(data), self.PIECE))
            if not chunk:
                break
            data += chunk
        return bytes(data)

    def skip(self, count):
        """Read count bytes and forget them (a refused body); fewer if the client closed first."""
        left = count - min(count, len(self.buffer))
        del self.buffer[:count]
        while left > 0:
            chunk = self._recv(min(left, self.PIECE))
            if not chunk:
                return
            left -= len(chunk)

    def reply(self, line):
        """Write one line of text (SMTP), CRLF added."""
        self.conn.sendall(line.encode("ascii") + b"\r\n")

    def linger(self, seconds=1):
        """After a last answer: end the writing side, then read and forget what the client still sends until it
        closes (within `seconds`), so that closing with unread bytes does not reset the connection before the
        client has read the answer."""
        try:
            self.conn.shutdown(socket.SHUT_WR)
            self.expect_within(seconds)
            while self._recv(self.PIECE):
                pass
        except socket.error:  # socket.timeout included: the client is still sending, or has gone
            pass


def _end_tls(conn):
    """Close a TLS connection with close_notify, as real servers do: Python 2's urllib reads to EOF, and
    OpenSSL 3 reports a bare TCP close as an error."""
    try:
        conn.unwrap()
    except Exception:  # the client has gone already
        pass
    try:
        conn.close()
    except socket.error:
        pass


class LoopbackServer(object):
    """A TCP server on 127.0.0.1 with a thread per connection. Life cycle: start(), clear(), stop(), check().

    errors: exceptions raised while serving that are bugs (of the server, of an action, of a test's
    function); check() raises the first one, so a fixture that calls it at teardown fails the test that
    caused it. disconnects: what clients caused (a reset, a broken pipe, a timeout, a refused TLS
    handshake), expected in fault tests and never raised. Both are kept until the server is dropped.

    At most max_connections connections are served at once (a thread each): further ones wait, accepted
    only when a thread is free (the kernel's listen queue holds them meanwhile). peak_connections: the
    most served at once so far.
    """

    timeout = 10           # seconds each wait for the client's next bytes may take
    request_timeout = 10   # seconds a whole request (HTTP) or command (SMTP) may take to arrive
    max_connections = 100  # connections served at once

    def __init__(self, ssl_context=None):
        self.ssl_context = ssl_context
        self.errors = []       # bugs, in the order they were raised
        self.disconnects = []  # what the clients caused
        self.connections = 0   # connections accepted so far (Request.connection numbers them from 1)
        self.served = 0        # connections ended (the client closed, or the server was done)
        self.peak_connections = 0
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
        self._sock.listen(1024)  # connections waiting for a free thread wait here (the kernel may cap it)
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
        with self._served:
            self._stopped.set()
            self._served.notify_all()  # an accept loop waiting for a free thread
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
        try:
            self._accept_until_stopped()
        except Exception as exc:  # a bug: nothing would be served again, and check() must say why
            self.errors.append(exc)

    def _accept_until_stopped(self):
        while True:
            with self._served:
                while _over(len(self._open) + 1, self.max_connections) and not self._stopped.is_set():
                    self._served.wait()  # until a connection ends
            conn, peer = self._sock.accept()
            if self._stopped.is_set():
                conn.close()
                return
            with self._lock:
                self.connections += 1
                self._open.add(conn)
                self.peak_connections = max(self.peak_connections, len(self._open))
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
            _end_tls(conn)
        # Python 2: the TLS socket shares the plain one's descriptor, which stays open (and
        # the client, reading to EOF, waits) until the plain socket object is closed too.
        try:
            plain.close()
        except socket.error:
            pass
        with self._served:
            self._open.discard(plain)
            self.served += 1
            self._served.notify_all()


class File(namedtuple("File", "field name type content")):
    """A file of a multipart/form-data body: its field (text: file0, ...), the file name and Content-Type as they
    were sent (bytes; the type None when not given) and its bytes."""
    __slots__ = ()

    def summary(self, codec):
        """{"name", "type", "size"} as the gateway records it: the name decoded from codec."""
        return {"name": self.name.decode(codec, "replace"), "type": (self.type or b"").decode("latin-1"),
                "size": len(self.content)}


def _form(data):
    """application/x-www-form-urlencoded bytes -> [(name (text), value (bytes))] in order, + and %XX decoded."""
    fields = []
    for pair in data.split(b"&"):
        if pair:
            name, _, value = pair.partition(b"=")
            fields.append((_form_decoded(name).decode("latin-1"), _form_decoded(value)))
    return fields


def _multipart(body, boundary):
    """The fields [(name, value)] and files [File] of a multipart/form-data body, each part copied once."""
    fields, files = [], []
    delimiter = b"\r\n--" + boundary
    start = body.find(delimiter[2:])  # the first delimiter: at the start, or after a preamble
    while start >= 0:
        start += len(delimiter) - 2
        end, blank = body.find(delimiter, start), body.find(b"\r\n\r\n", start)
        if body[start:start + 2] == b"--" or end < 0 or not 0 <= blank < end:  # the end, or a broken part
            break
        head = body[start:blank]
        disposition = re.search(br"(?im)^content-disposition:([^\r\n]*)", head)
        disposition = disposition.group(1) if disposition else b""
        name, filename = _parameter(disposition, b"name"), _parameter(disposition, b"filename")
        content_type = re.search(br"(?im)^content-type:[ \t]*([^\r\n]*)", head)
        if name is not None and filename is not None:
            files.append(File(name.decode("latin-1"), filename, content_type and content_type.group(1),
                              body[blank + 4:end]))
        elif name is not None:
            fields.append((name.decode("latin-1"), body[blank + 4:end]))
        start = end + 2
    return fields, files


def _parameter(header, key):
    """The value of key="..." (or key=token) in a header's parameters, or None."""
    found = re.search(br'(?i);\s*' + key + br'=(?:"([^"]*)"|([^\s;"]*))', header)
    return None if found is None else found.group(1) if found.group(1) is not None else found.group(2)


class Request(object):
    """One raw HTTP request as received, split but not interpreted (form() reads its fields and files).

    raw: every byte received, or with body given, the head alone (the bytes before the blank line).
    """

    reply = None      # the body of the answer (bytes), when the sandbox gateway answered or refused it
    start_tls = None  # an SSL context, set by an action that answered CONNECT with 200: the connection goes on in TLS

    def __init__(self, raw, asked, tls, connection=None, body=None):
        self.asked = asked            # (host, port) the client connected to, or None
        self.tls = tls
        self.connection = connection  # the number of the connection it came on: 1, 2, ... in each server
        self.keep_alive = False       # set by the server: the connection stays open after a complete answer
        if body is None:
            raw, _, body = raw.partition(b"\r\n\r\n")
        self.head, self.body = raw, body  # kept apart: a large body is held once
        lines = raw.split(b"\r\n")
        self.request_line = lines[0]
        self.header_lines = lines[1:]
        self.headers = [tuple(line.split(b": ", 1)) for line in lines[1:]]
        parts = self.request_line.split(b" ")
        self.method, self.target = parts[0], parts[1] if len(parts) > 1 else b""
        self.version = parts[2] if len(parts) > 2 else b"HTTP/0.9"

    @property
    def raw(self):
        """Every byte of the request: the head, a blank line, the body."""
        return self.head + b"\r\n\r\n" + self.body

    @property
    def size(self):
        return len(self.head) + 4 + len(self.body)

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

    def form(self):
        """(fields, files) as the gateway reads them. fields: [(name (text), value (bytes))] in order, those of
        the query, then those of a POST body (application/x-www-form-urlencoded, the default, or
        multipart/form-data), + and %XX decoded in the first; a name given twice comes twice (the last wins
        at the gateway, as in PHP). files: [File] of a multipart body."""
        fields, files = _form(self.target.partition(b"?")[2]), []
        if self.method == b"POST":
            content_type = self.header("Content-Type") or b"application/x-www-form-urlencoded"
            if re.match(br"(?i)\s*multipart/form-data\s*;", content_type):
                boundary = _parameter(content_type, b"boundary")
                body_fields, files = _multipart(self.body, boundary) if boundary else ([], [])
                fields += body_fields
            elif re.match(br"(?i)\s*application/x-www-form-urlencoded\b", content_type):
                fields += _form(self.body)
        return fields, files

    def wants_keep_alive(self):
        """HTTP/1.1 without "Connection: close", or HTTP/1.0 with "Connection: keep-alive"."""
        tokens = [token.strip().lower() for token in (self.header("Connection") or b"").split(b",")]
        if self.version == b"HTTP/1.1":
            return b"close" not in tokens
        return self.version == b"HTTP/1.0" and b"keep-alive" in tokens

    def __repr__(self):
        return "<Request %r from %r>" % (mask(self.request_line), self.asked)


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

    Limits, each answered by the server itself (then the connection is closed): a request whose body is
    over max_request_size bytes (Content-Length; None: no limit) is 413 (recorded without its body, which
    is read and forgotten); a head over max_head_size bytes is 431; a request that has not arrived whole
    within request_timeout seconds of its start is 408. refused(request, status, detail) is then called
    (request: None before its head has arrived), for a subclass to say so.

    CONNECT: an action that answers 200 and sets request.start_tls to an SSL context makes the server go on
    inside TLS on that connection (as a TLS-intercepting proxy does), serving the requests that come in it.
    """

    IDLE_TIMEOUT = 5
    max_request_size = None
    max_head_size = 1 << 20
    _REFUSALS = {408: "Request Timeout", 413: "Payload Too Large", 431: "Request Header Fields Too Large"}

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

    def refused(self, request, status, detail):
        """Called when the server has refused a request (408, 413, 431): a subclass may say so."""

    def handle(self, conn, client_port, number):
        channel, tunnel = _Channel(conn, self.max_head_size), None  # tunnel: (host, port) of a CONNECT
        try:
            while True:
                channel.expect_within(self.request_timeout)
                request = self._receive(channel, client_port, number, tunnel)
                if request is None:
                    return
                keep = self.respond(request)(channel.conn, request, self)
                if request.start_tls is not None:
                    host, _, port = request.target.rpartition(b":")
                    tunnel = host.decode("latin-1"), int(port) if port.isdigit() else None
                    channel = self._start_tls(channel, request.start_tls)
                elif not (keep and request.keep_alive and channel.wait(self.idle_timeout)):
                    return
        finally:
            if channel.conn is not conn:
                _end_tls(channel.conn)

    def _receive(self, channel, client_port, number, tunnel):
        """The next request, read whole and recorded; None when the connection is to end: the client closed,
        or the request was refused (answered here)."""
        try:
            head = channel.read_until(b"\r\n\r\n")
        except _TooLarge:
            return self._refuse(channel, None, 431, "a request head over %d bytes" % self.max_head_size)
        except socket.timeout:
            if channel.buffer:  # part of a request has come, not all of it
                self._refuse(channel, None, 408, "no whole request within %g s" % self.request_timeout)
            return None
        if head is None:
            return None
        tls = tunnel is not None or self.ssl_context is not None
        request = Request(head, tunnel or self.asked(client_port), tls, number, body=b"")
        length = re.search(br"\r\ncontent-length: *(\d+)", head, re.I)
        size = int(length.group(1)) if length else 0
        if _over(size, self.max_request_size):
            self._record(request)  # without its body
            self._refuse(channel, request, 413, "a body of %d bytes, over the limit of %d" % (
                size, self.max_request_size))
            channel.skip(size)  # read and forgotten: the client, still sending, then reads the answer
            channel.linger()
            return None
        if size and request.version == b"HTTP/1.1" and re.search(br"\r\nexpect: *100-continue", head, re.I):
            channel.conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        try:
            request.body = channel.read(size)
        except socket.timeout:
            self._record(request)
            return self._refuse(channel, request, 408, "no whole request within %g s" % self.request_timeout)
        request.keep_alive = self.keepalive and request.wants_keep_alive() and not self._stopped.is_set()
        self._record(request)
        return request

    def _record(self, request):
        with self._lock:
            self.requests.append(request)

    def _refuse(self, channel, request, status, detail):
        """Answer status with detail and "Connection: close"; call refused(). None."""
        body = ("smsc_sandbox: %s\n" % detail).encode("ascii")
        head = "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n" \
            "Connection: close\r\n\r\n" % (status, self._REFUSALS[status], len(body))
        if request is not None:
            request.reply = body
        channel.conn.sendall(head.encode("ascii") + body)
        self.refused(request, status, detail)
        if status != 413:  # 413: its body is read first
            channel.linger()
        return None

    def _start_tls(self, channel, context):
        """The channel of a TLS connection started, server side, on channel's connection (CONNECT answered)."""
        if channel.buffer:  # bytes sent before the answer to CONNECT: no TLS client would
            raise socket.error(errno.ECONNABORTED, "bytes before the TLS handshake in a CONNECT tunnel")
        channel.conn.settimeout(self.request_timeout)  # the handshake, within the time of a request
        conn = context.wrap_socket(channel.conn, server_side=True)
        conn.settimeout(self.timeout)
        return _Channel(conn, self.max_head_size)


class _Hangup(Exception):
    """Raised by LoopbackSMTPServer.reply_at to end the session without a reply."""


class LoopbackSMTPServer(LoopbackServer):
    """SMTP as smtplib speaks it: records each session's commands, AUTH, envelope and raw DATA.

    sessions: one dict a connection: {"asked": (host, port), "commands": [line, ...], "auth": [line, ...],
    "mail_from": bytes, "rcpt_to": [bytes, ...], "data": bytes or None}; messages: those with data.
    Each command is served by the method smtp_<VERB>(channel, session, line), which returns True to end
    the session; a verb without one is answered 502. The reply at each step is answer(step, session,
    argument): a subclass changes what the server says there (or, overriding reply_at, whether and when it
    says it). extensions: the keywords the EHLO reply advertises after its first line, in order.

    Limits: each command, and each message after DATA, must arrive within request_timeout seconds (else
    421 and the session ends); a line or a message over max_message_size bytes is refused with 552 and the
    session ends.
    """

    max_message_size = 1 << 20

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

    def reply_at(self, channel, session, step, argument=None):
        """Write the reply at step (answer()) and return it; raise _Hangup to end the session without one."""
        line = self.answer(step, session, argument)
        channel.reply(line)
        return line

    def handle(self, conn, client_port, number):
        session = {"asked": None, "commands": [], "auth": [], "mail_from": None, "rcpt_to": [], "data": None}
        with self._lock:
            self.sessions.append(session)
        channel = _Channel(conn, self.max_message_size)
        channel.client_port = client_port
        try:
            greeting = self.reply_at(channel, session, "connect")
            self._dialogue(channel, session, client_port, greeting.startswith("220"))
            return
        except _Hangup:
            return
        except socket.timeout:
            channel.reply("421 4.4.2 smsc-sandbox: no whole command within %g s" % self.request_timeout)
        except _TooLarge:
            channel.reply("552 5.3.4 smsc-sandbox: over %d bytes" % self.max_message_size)
        channel.linger()

    def _dialogue(self, channel, session, client_port, going):
        while going:
            channel.expect_within(self.request_timeout)
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
                going = not command(channel, session, line)

    def smtp_EHLO(self, channel, session, line):
        self.reply_at(channel, session, "ehlo")

    def smtp_HELO(self, channel, session, line):
        self.reply_at(channel, session, "helo")

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
        self.reply_at(channel, session, "auth")

    def smtp_MAIL(self, channel, session, line):
        session["mail_from"] = line[5:]
        self.reply_at(channel, session, "mail", line[5:])

    def smtp_RCPT(self, channel, session, line):
        session["rcpt_to"].append(line[5:])
        self.reply_at(channel, session, "rcpt", line[5:])

    def smtp_DATA(self, channel, session, line):
        reply = self.reply_at(channel, session, "data")
        if not reply.startswith("354"):
            return None
        channel.expect_within(self.request_timeout)
        data = channel.read_until(b"\r\n.\r\n")
        if data is None:
            return True
        session["data"] = data + b"\r\n"
        self.reply_at(channel, session, "message")

    def smtp_RSET(self, channel, session, line):
        channel.reply("250 OK")

    smtp_NOOP = smtp_RSET

    def smtp_QUIT(self, channel, session, line):
        channel.reply("221 Bye")
        return True


_PATCHED = ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex")
_CONNECTS = ("connect", "connect_ex")  # methods of socket.socket
# With an address, TCP Fast Open connects by them (Python 2's sendto is a slot of each socket: not replaceable)
_SENDS = () if _PY2 else tuple(name for name in ("sendto", "sendmsg") if hasattr(socket.socket, name))
_METHODS = _CONNECTS + _SENDS
_patching = threading.Lock()  # one Intercept at a time changes the socket module's functions
_stand_ins = [0]               # the stand-in addresses given out so far (Intercept._stand_in)


def _port_number(port):
    """The port of a getaddrinfo call as a number (a service name looked up in the local services file), or None."""
    if port is None or isinstance(port, _integers):
        return port
    text = port.decode("latin-1") if isinstance(port, bytes) else port
    if text.isdigit():
        return int(text)
    try:
        return socket.getservbyname(str(text), "tcp")
    except socket.error:
        raise socket.gaierror(socket.EAI_SERVICE, "smsc_sandbox: unknown service %r" % (text,))


class Intercept(object):
    """Send the connections a client makes to the SMSC hosts' ports to loopback servers chosen by port.

    routes: {port: server}. While active (a context manager), the socket module's functions are replaced:

    - socket.create_connection((host, port)) (urllib, http.client, smtplib, smsc_api) connects to the server
      routed for the port;
    - socket.getaddrinfo, gethostbyname and gethostbyname_ex of an SMSC host (is_smsc_host) give a stand-in
      address of its own in 127.83.0.0/16, and socket.socket.connect (and connect_ex) to a stand-in address
      connects to the server routed for the port: a client that resolves and connects by itself (requests and
      urllib3, asyncio and so httpx and aiohttp, a raw getaddrinfo and connect) reaches it too, whichever
      port it connects with. Each lookup is recorded in `lookups` as (host, port);
    - socket.socket.connect (and connect_ex) with an SMSC host's name, which the C library would resolve without
      socket.getaddrinfo, connects to the server routed for the port too (a TLS socket as well: ssl's connect is
      socket.socket's); an IPv6 or non-TCP socket is refused. socket.socket.sendto and sendmsg to an SMSC host's
      name (TCP Fast Open connects by them) are refused (Python 3; Python 2's sendto cannot be replaced).

    Each connection routed or refused is recorded in `connections` as (host, port), and the server learns the
    host asked for (note_asked). Fail closed: an SMSC host on a port without a route, or named in `refuse`, is
    refused (ECONNREFUSED) or not resolved (socket.gaierror), never passed on; so are IPv6-only and non-TCP
    lookups of it. Even a client that connects without socket.socket.connect (a C library) reaches only a
    loopback address with a stand-in.
    smsc_only=True: only the SMSC hosts are redirected; any other host (the application's database, other web
    services) goes to the functions there were before, unchanged and unrecorded. smsc_only=False (the tests
    of smsc_api): create_connection redirects every host by port.

    The replacement is process-wide, as the socket module is. Intercepts may be nested (the innermost routes
    first) and used from many threads; each exit puts back what its entry replaced, or, when something else
    has replaced the functions since, leaves them and its own functions pass every call through.
    """

    def __init__(self, routes, refuse=(), smsc_only=False):
        self.routes = dict(routes)
        self.refuse = set(refuse)
        self.smsc_only = smsc_only
        self.connections = []  # (host, port) of each connection routed or refused
        self.lookups = []      # (host, port) of each lookup of an SMSC host
        self._lock = threading.Lock()
        self._active = False
        self._hosts = {}       # stand-in address -> the SMSC host it stands for
        self._addresses = {}   # and back
        self._below = dict((name, getattr(socket, name)) for name in _PATCHED)  # replaced at each entry
        self._below_connects = {}
        self._connects = dict((name, self._connect_method(name)) for name in _CONNECTS)
        self._connects.update((name, self._send_method(name)) for name in _SENDS)

    def clear(self):
        """Forget the connections and lookups recorded so far."""
        with self._lock:
            del self.connections[:], self.lookups[:]

    def _route(self, host, port, servable=True):
        """The server routed for (host, port), recorded as a connection; ECONNREFUSED when there is none (or the
        connection cannot be served: servable False)."""
        with self._lock:
            self.connections.append((host, port))
        server = None if host in self.refuse or not servable else self.routes.get(port)
        if server is None:
            raise socket.error(errno.ECONNREFUSED, "Connection refused (sandbox: %s:%s)" % (host, port))
        return server

    def _stand_in(self, host):
        """The stand-in address of an SMSC host: one of its own, so that a connection to it names the host."""
        name = _host_name(host)
        with self._lock:
            if name not in self._addresses:
                with _stand_ins_lock:
                    _stand_ins[0] += 1
                    number = _stand_ins[0] % 65534 + 1
                address = "127.83.%d.%d" % (number >> 8, number & 255)
                self._addresses[name], self._hosts[address] = address, name
            return self._addresses[name]

    def create_connection(self, address, *args, **kwargs):
        host, port = address[0], address[1]
        if not self._active or (self.smsc_only and not is_smsc_host(host)):
            return self._below["create_connection"](address, *args, **kwargs)
        server = self._route(host, port)
        sock = self._below["create_connection"](server.address, *args, **kwargs)
        server.note_asked(sock.getsockname()[1], host, port)
        return sock

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        if not (self._active and is_smsc_host(host)):
            return self._below["getaddrinfo"](host, port, family, type, proto, flags)
        number = _port_number(port)
        with self._lock:
            self.lookups.append((host, number))
        if (number is not None and (host in self.refuse or number not in self.routes)) or \
                family not in (0, socket.AF_INET) or type not in (0, socket.SOCK_STREAM) or \
                proto not in (0, socket.IPPROTO_TCP):
            raise socket.gaierror(socket.EAI_NONAME, "smsc_sandbox: %s port %s is not served (family %s, type %s)"
                                  % (_as_text(host), port, family, type))
        name = _as_text(host) if flags & socket.AI_CANONNAME else ""
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, name, (self._stand_in(host), number or 0))]

    def gethostbyname(self, host):
        if self._active and is_smsc_host(host):
            return self._stand_in(host)
        return self._below["gethostbyname"](host)

    def gethostbyname_ex(self, host):
        if self._active and is_smsc_host(host):
            return _as_text(host), [], [self._stand_in(host)]
        return self._below["gethostbyname_ex"](host)

    def _smsc_host_of(self, address):
        """The SMSC host that an address given to a socket.socket method names, or None: a stand-in address, or
        the host's name itself (resolved by the C library, without socket.getaddrinfo)."""
        if not (self._active and isinstance(address, tuple) and len(address) >= 2):
            return None
        host = address[0]
        if isinstance(host, (str, _text)) and host in self._hosts:
            return self._hosts[host]
        return host if is_smsc_host(host) else None

    def _connect_method(self, name):
        """socket.socket.<name> (connect or connect_ex) while active: an SMSC host, by its stand-in address or by
        name, goes to its server (a TCP connection over IPv4: others are refused); any other address is passed on."""
        def connect(sock, address):
            host = self._smsc_host_of(address)
            if host is None:
                return self._below_connects[name](sock, address)
            try:
                server = self._route(host, address[1], _is_tcp_over_ipv4(sock))
            except socket.error as exc:
                if name == "connect_ex":
                    return exc.errno
                raise
            try:
                return self._below_connects[name](sock, server.address)
            finally:  # a non-blocking connect has its port already, and goes on
                try:
                    server.note_asked(sock.getsockname()[1], host, address[1])
                except socket.error:
                    pass
        return connect

    def _send_method(self, name):
        """socket.socket.<name> (sendto or sendmsg) while active: an SMSC host named as the address is refused (TCP
        Fast Open would connect to it by name); any other call is passed on."""
        def send(sock, *args):
            if len(args) == 4 if name == "sendmsg" else len(args) in (2, 3):  # an address given, last
                host = self._smsc_host_of(args[-1])
                if host is not None:
                    self._route(host, args[-1][1], servable=False)
            return self._below_connects[name](sock, *args)
        return send

    def __enter__(self):
        with _patching:
            if self._active:
                raise RuntimeError("this Intercept is active already")
            self._below = dict((name, getattr(socket, name)) for name in _PATCHED)
            self._below_connects = dict((name, getattr(socket.socket, name)) for name in _METHODS)
            self._own_connects = dict((name, socket.socket.__dict__.get(name)) for name in _METHODS)
            for name in _PATCHED:
                setattr(socket, name, getattr(self, name))
            for name in _METHODS:
                setattr(socket.socket, name, self._connects[name])
            self._active = True
        return self

    def __exit__(self, *exc):
        with _patching:
            self._active = False
            for name in _PATCHED:
                if getattr(socket, name) == getattr(self, name):  # still ours: put back what was there
                    setattr(socket, name, self._below[name])
            for name in _METHODS:
                if socket.socket.__dict__.get(name) is self._connects[name]:
                    if self._own_connects[name] is None:  # inherited (Python 3: from _socket.socket)
                        delattr(socket.socket, name)
                    else:
                        setattr(socket.socket, name, self._own_connects[name])


_stand_ins_lock = threading.Lock()


def _is_tcp_over_ipv4(sock):
    """Whether a socket is a TCP socket of IPv4 (SOCK_STREAM, as the kernel says, whatever flags it was made with)."""
    try:
        return sock.family == socket.AF_INET and sock.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE) == \
            socket.SOCK_STREAM
    except socket.error:
        return False


# The gateway: the SMSC HTTP API and SMTP gateway, answered from memory

# The charset parameter (the gateway's default is windows-1251) -> Python codec
_CHARSETS = {"utf-8": "utf-8", "utf8": "utf-8", "windows-1251": "cp1251", "cp1251": "cp1251",
             "koi8-r": "koi8-r", "koi8r": "koi8-r"}
_DEFAULT_CHARSET = "windows-1251"
_ERRORS = {1: "parameters error", 2: "wrong login or password", 3: "not enough money", 4: "IP address blocked",
           5: "wrong date format", 6: "message forbidden", 7: "wrong phone number format",
           8: "the message cannot be delivered", 9: "duplicate request within a minute"}
# The gateway's names of the statuses it gives here: not found, waiting, delivered
_STATUS_NAMES = {-3: u"Сообщение не найдено", -1: u"Ожидает отправки", 1: u"Доставлено",
                 20: u"Невозможно доставить", 22: u"Неверный номер", 23: u"Запрещено", 24: u"Недостаточно средств",
                 25: u"Недоступный номер"}
_FAILED_STATUSES = (20, 22, 23, 24, 25)  # what Gateway.undeliverable may give a number
# all=2: country, operator, region (fixed placeholders, whatever the number)
_PLACE = (u"Россия", u"МТС", u"Москва")
_REASONS = {200: "OK", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error", 501: "Not Implemented"}
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


class _Fields(object):
    """The fields of a request (bytes) as text in its charset, each decoded when it is read: a large field the
    API does not read is never decoded."""

    def __init__(self, raw, codec):
        self.raw, self.codec = raw, codec

    def get(self, name, default=None):
        return self[name] if name in self.raw else default

    def __getitem__(self, name):
        return self.raw[name].decode(self.codec, "replace")


class _Amount(object):
    """An attribute of the Gateway holding an amount of money (a Decimal), set with any amount."""

    def __init__(self, name, doc):
        self.key, self.__doc__ = "_" + name, doc

    def __get__(self, gateway, owner):
        return self if gateway is None else getattr(gateway, self.key)

    def __set__(self, gateway, value):
        setattr(gateway, self.key, _money(value))


class GatewayError(Exception):
    """An API error of the Gateway: replied as "<id>,-<code>" (id: 0, or the client's id, a number or text, for 3
    and 7)."""

    def __init__(self, code, id=0):
        Exception.__init__(self, code, id)
        self.code, self.id = code, id


class Record(list):
    """A list that keeps only its last items: at most `count` of them and, by their sizes (size_of(item); None:
    items have no size), at most `size` in all; the newest is kept whatever its size. None: no bound. append()
    is safe from many threads; items are removed with del (del record[:] forgets them all)."""

    def __init__(self, count=None, size=None, size_of=None):
        list.__init__(self)
        self.count, self.size, self.size_of = count, size, size_of
        self._total = 0  # the sizes of the items kept
        self._lock = threading.Lock()

    def append(self, item):
        with self._lock:
            list.append(self, item)
            self._total += self._size(item)
            while len(self) > 1 and ((self.count is not None and len(self) > self.count) or
                                     (self.size is not None and self._total > self.size)):
                self._total -= self._size(list.pop(self, 0))

    def _size(self, item):
        return 0 if self.size_of is None else self.size_of(item)

    def __delitem__(self, index):
        with self._lock:
            list.__delitem__(self, index)
            self._total = sum(self._size(item) for item in self)

    def __delslice__(self, start, end):  # Python 2: del record[i:j]
        self.__delitem__(slice(start, end))


def _reason(status):
    """The reason phrase of an HTTP status."""
    try:
        from http.client import responses
    except ImportError:  # Python 2
        from httplib import responses
    return _REASONS.get(status) or responses.get(status, "Unknown")


# Outages on demand: Gateway.fail()

_HTTP_COMMANDS = ("send", "status", "balance")
_SMTP_STEPS = ("connect", "ehlo", "auth", "mail", "rcpt", "data", "message")
_HOWS = ("drop", "hang", "status", "error", "delay", "body", "reply")
_HTTP_ONLY, _SMTP_ONLY = ("status", "body"), ("reply",)


def _whole(value):
    return isinstance(value, _integers) and not isinstance(value, bool)


def _host_name(host):
    """A host name as compared: text, lower case, without a final dot, as the resolver gets it (_dns_name); None
    stays None."""
    return None if host is None else _dns_name(host) or _as_text(host).lower().rstrip(u".")


class Failure(object):
    """An outage queued by Gateway.fail(): the next `times` requests (or SMTP steps) it matches fail with `how`
    (drop, hang, status, error, delay, body or reply) and its `value`.

    host, command: what it matches (None: any). left: how many more it will fail. played: what it failed, in
    order (dicts, as in Gateway.failures). For SMTP, command is the step it fails at; without one, "message"
    for error= and "connect" for the others.
    """

    HANG_LIMIT = 600  # seconds a hang holds a connection at most, should neither the client nor the gateway end it

    def __init__(self, times, host, command, how):
        if not _whole(times) or times < 1:
            raise ValueError("times must be a whole number from 1, not %r" % (times,))
        if host is not None and not (isinstance(host, (str, _text)) and is_smsc_host(host)):
            raise ValueError("host must be the name of an SMSC host (smscentre.com, www2.smscentre.com, smsc.ru, "
                             "send.smscentre.com, ...), not %r" % (host,))
        if command is not None and command not in _HTTP_COMMANDS + _SMTP_STEPS:
            raise ValueError("command must be None, an HTTP command (%s) or an SMTP step (%s), not %r"
                             % (", ".join(_HTTP_COMMANDS), ", ".join(_SMTP_STEPS), command))
        unknown = sorted(set(how) - set(_HOWS))
        if unknown:
            raise TypeError("fail() got an unexpected keyword argument %r" % (unknown[0],))
        if len(how) != 1:
            raise TypeError("fail() takes exactly one of drop=True, hang=True, status=, error=, delay=, body=, "
                            "reply= (given: %s)" % (", ".join(sorted(how)) or "none"))
        (name, value), = how.items()
        self._check(name, value, command)
        self.times = self.left = times
        self.host, self.command, self.how, self.value = _host_name(host), command, name, value
        self.played = []

    @staticmethod
    def _check(name, value, command):
        if name in ("drop", "hang") and value is not True:
            raise ValueError("%s must be True, not %r" % (name, value))
        if name == "status" and not (_whole(value) and 200 <= value <= 599):
            raise ValueError("status must be an HTTP status from 200 to 599, not %r" % (value,))
        if name == "error" and not (_whole(value) and 1 <= value <= 9):
            raise ValueError("error must be a gateway error code from 1 to 9, not %r" % (value,))
        if name == "delay" and not (isinstance(value, _integers + (float,)) and not isinstance(value, bool) and
                                    0 < value <= Failure.HANG_LIMIT):
            raise ValueError("delay must be a positive number of seconds up to %d, not %r"
                             % (Failure.HANG_LIMIT, value))
        if name == "body" and not isinstance(value, bytes):
            raise TypeError("body must be bytes, not %s" % type(value).__name__)
        if name == "reply" and not (isinstance(value, (str, _text)) and
                                    re.match(u"[2-5][0-9][0-9]([ -][^\\r\\n]*)?\\Z", _as_text(value))):
            raise ValueError("reply must be an SMTP reply line such as '554 5.7.1 refused', not %r" % (value,))
        if name in _HTTP_ONLY and command in _SMTP_STEPS:
            raise ValueError("%s= answers an HTTP request: command must be None or one of %s, not %r"
                             % (name, ", ".join(_HTTP_COMMANDS), command))
        if name in _SMTP_ONLY and command in _HTTP_COMMANDS:
            raise ValueError("reply= answers an SMTP step: command must be None or one of %s, not %r"
                             % (", ".join(_SMTP_STEPS), command))
        if name == "error" and command in _SMTP_STEPS and command != "message":
            raise ValueError("error= answers a mail once its message has come: command must be 'message', not %r"
                             % (command,))

    def matches(self, via, host, command):
        """Whether it fails this HTTP request (via "http", command send, status or balance) or SMTP step (via "smtp",
        command the step) for host (the name asked for, or None when unknown)."""
        if via == "http":
            if self.how in _SMTP_ONLY or self.command in _SMTP_STEPS or self.command not in (None, command):
                return False
        elif self.how in _HTTP_ONLY or (self.command or ("message" if self.how == "error" else "connect")) != command:
            return False
        return self.host is None or self.host == _host_name(host)

    def shown(self):
        """How it fails, as printed: drop, hang, status 503, error 8, delay 2.5 s, body of 12 bytes, reply '...'."""
        if self.how in ("drop", "hang"):
            return _text(self.how)
        if self.how == "body":
            return u"body of %d bytes" % len(self.value)
        if self.how == "reply":
            return u"reply '%s'" % _as_text(self.value)
        return u"%s %s%s" % (self.how, self.value, u" s" if self.how == "delay" else u"")

    def __repr__(self):
        return "<Failure %s=%r host=%r command=%r left=%d of %d>" % (self.how, self.value, self.host, self.command,
                                                                     self.left, self.times)


def _timed_out(exc):
    ssl = sys.modules.get("ssl")
    return isinstance(exc, socket.timeout) or (ssl is not None and isinstance(exc, ssl.SSLError) and
                                               "timed out" in str(exc))


def _hang(conn, server, limit=Failure.HANG_LIMIT):
    """Hold a connection without a word until the client hangs up or the server stops, `limit` seconds at most."""
    deadline = time.time() + limit
    conn.settimeout(0.05)
    while time.time() < deadline and not server.wait_stopped(0):
        try:
            if not conn.recv(1 << 16):
                return
        except socket.error as exc:
            if not _timed_out(exc):
                return


# Delivery callbacks: what the gateway posts to the application's URL (Gateway.callback_url)

_SOCKET = dict((name, getattr(socket, name)) for name in _PATCHED)  # the socket functions no Intercept changed
_CALLBACK_ANSWER_KEPT = 1 << 16  # bytes kept of what the application answers a callback


class _BadAnswer(Exception):
    """What an application answered a callback is not an HTTP answer."""


def _checked_callback_url(url):
    if url is None:
        return None
    if not isinstance(url, (str, _text)):
        raise TypeError("callback_url must be text (http://... or https://...), not %s" % type(url).__name__)
    try:
        parts = _urlsplit(url)
        parts.port  # a port that is not a number: ValueError
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or \
            re.search(u"[\\s\\x00-\\x1f]", _as_text(url)):
        raise ValueError("callback_url must be an http:// or https:// URL with a host, not %r" % (url,))
    if is_smsc_host(parts.hostname):
        raise ValueError("callback_url must be the application's URL, not an SMSC host's (%s)" % parts.hostname)
    return url


def _callback_codec(url):
    """The codec of the fields posted to url: its charset parameter (utf-8, koi8-r, windows-1251), as the gateway
    reads it in the handler's address; windows-1251 without one."""
    for name, value in _parse_qsl(_urlsplit(url).query):
        if name == "charset":
            return _CHARSETS.get(value.lower(), _CHARSETS[_DEFAULT_CHARSET])
    return _CHARSETS[_DEFAULT_CHARSET]


def _signed_form(fields, signed, secret, codec):
    """The form body of fields [(name, text)] and the fields as posted: with md5, the MD5 hex of the values of
    the `signed` names joined with ":", then ":" and the secret, when there is a secret."""
    import hashlib
    encoded = [(name, value.encode(codec, "replace")) for name, value in fields]
    if secret is not None:
        values = dict(encoded)
        key = secret if isinstance(secret, bytes) else secret.encode(codec, "replace")
        digest = hashlib.md5(b":".join(values[name] for name in signed) + b":" + key).hexdigest()
        encoded.append(("md5", digest.encode("ascii")))
    body = "&".join("%s=%s" % (name, _quote_plus(value)) for name, value in encoded).encode("ascii")
    return body, [(name, value.decode(codec)) for name, value in encoded]


def _url_shown(url):
    """A URL as printed: scheme, host, port and path; never its query or user:password."""
    parts = _urlsplit(url)
    netloc = parts.hostname + (":%d" % parts.port if parts.port else "")
    return u"%s://%s%s" % (parts.scheme, _as_text(netloc), _as_text(parts.path))


def _left(deadline):
    left = deadline - time.time()
    if left <= 0:
        raise socket.timeout("timed out")
    return left


def _connect(host, port, deadline):
    """A socket connected to host:port by the socket functions as they were before any Intercept."""
    error = None
    for family, kind, proto, _, address in _SOCKET["getaddrinfo"](host, port, 0, socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(_left(deadline))
            sock.connect(address)
            return sock
        except socket.error as exc:
            sock.close()
            error = exc
    raise error or socket.error("no address for %s" % host)


def _post_form(url, body, seconds, track):
    """POST a form to url, all within `seconds`: (HTTP status, the answer's body, its first 64 KB).

    track(sock) is told the socket (for stop() to shut it down). socket.error (socket.timeout, ssl.SSLError),
    _TooLarge or _BadAnswer when no whole HTTP answer comes.
    """
    parts = _urlsplit(url)
    tls = parts.scheme == "https"
    deadline = time.time() + seconds
    sock = _connect(parts.hostname, parts.port or (443 if tls else 80), deadline)
    track(sock)
    try:
        if tls:
            import ssl
            sock.settimeout(_left(deadline))
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=parts.hostname)
            track(sock)
        target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        netloc = parts.netloc.rpartition("@")[2]
        head = ("POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: smsc_sandbox\r\nContent-Type: "
                "application/x-www-form-urlencoded\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                % (target, netloc, len(body)))
        sock.settimeout(_left(deadline))
        sock.sendall(head.encode("latin-1") + body)
        channel = _Channel(sock, _CALLBACK_ANSWER_KEPT)
        channel.expect_within(_left(deadline))
        return _answer_of(channel)
    finally:
        try:
            sock.close()
        except socket.error:
            pass


def _answer_of(channel):
    """(status, body) of the HTTP answer read from channel."""
    head = channel.read_until(b"\r\n\r\n")
    status = re.match(br"HTTP/1\.[01] ([0-9]{3})[ \r]", (head or b"") + b"\r")
    if status is None:
        raise _BadAnswer("closed without an answer" if not head else "not an HTTP answer")
    length = re.search(br"(?im)^content-length:[ \t]*([0-9]+)[ \t]*$", head)
    if re.search(br"(?im)^transfer-encoding:.*chunked", head):
        body = b""
        while len(body) < _CALLBACK_ANSWER_KEPT:
            size = re.match(br"[ \t]*([0-9A-Fa-f]+)", channel.read_until(b"\r\n") or b"")
            if size is None:
                raise _BadAnswer("a broken chunked body")
            count = int(size.group(1), 16)
            if not count:
                break
            body += channel.read(min(count, _CALLBACK_ANSWER_KEPT - len(body)))
            if len(body) < _CALLBACK_ANSWER_KEPT:
                channel.read_until(b"\r\n")
    else:
        body = channel.read(min(int(length.group(1)), _CALLBACK_ANSWER_KEPT) if length else _CALLBACK_ANSWER_KEPT)
    return int(status.group(1)), body


def _request_size(request):
    return request.size


class _GatewayLimits(object):
    """The limits of a Gateway's server, read from the gateway at each use: they may change while it runs."""

    @property
    def max_connections(self):
        return self.gateway.max_connections

    @property
    def request_timeout(self):
        return self.gateway.request_timeout


class _GatewayHTTP(_GatewayLimits, LoopbackHTTPServer):
    """The HTTP side of a Gateway (HTTPS with an SSL context): kept alive, as the real gateway; every request is
    answered by gateway.http_action and recorded in gateway.requests."""

    def __init__(self, gateway, ssl_context=None):
        LoopbackHTTPServer.__init__(self, ssl_context, gateway.http_action, keepalive=True)
        self.gateway = gateway
        self.requests = gateway.requests

    @property
    def max_request_size(self):
        return self.gateway.max_request_size

    def refused(self, request, status, detail):
        self.gateway.http_refused(request, status, detail)


class _GatewaySMTP(_GatewayLimits, LoopbackSMTPServer):
    """The SMTP side of a Gateway: mail to send@send.<domain> is an SMS."""

    def __init__(self, gateway):
        LoopbackSMTPServer.__init__(self)
        self.gateway = gateway

    @property
    def max_message_size(self):
        return self.gateway.max_request_size

    def reply_at(self, channel, session, step, argument=None):
        """The reply at step, or the failure Gateway.fail() queued for it."""
        failure = self.gateway.failure_for("smtp", self._host(channel, session, step),
                                           "ehlo" if step == "helo" else step)
        if failure is None:
            return LoopbackSMTPServer.reply_at(self, channel, session, step, argument)
        if failure.how == "hang":
            _hang(channel.conn, self)
        if failure.how in ("drop", "hang") or (failure.how == "delay" and self.wait_stopped(failure.value)):
            raise _Hangup()
        if failure.how == "delay":
            return LoopbackSMTPServer.reply_at(self, channel, session, step, argument)
        line = failure.value if failure.how == "reply" else self.gateway.mail_refused(failure.value)
        channel.reply(line)
        return line

    def _host(self, channel, session, step):
        """The host the client asked for: at connect, noted by its Intercept just after connecting (waited for, a
        second at most, when a failure is queued for a host)."""
        if session["asked"] is None and step == "connect" and self.gateway.failures_for_a_host():
            for _ in range(100):
                session["asked"] = self.asked(channel.client_port)
                if session["asked"] is not None or self.wait_stopped(0.01):
                    break
        return (session["asked"] or (None,))[0]

    def answer(self, step, session, argument=None):
        if step == "rcpt" and not self.gateway.recipient(argument):
            return "550 5.1.1 this gateway takes mail to send@send.smscentre.com (smsc.ru, smsc.kz, smsc.ua) only"
        if step == "message":
            return self.gateway.mail(session)
        return LoopbackSMTPServer.answer(self, step, session, argument)


class Gateway(object):
    """A local SMSC gateway: the HTTP API (send, status, balance; fmt=1 replies) over HTTP and HTTPS, and SMTP.

        gateway = Gateway(balance="10.00").start()       # HTTP, HTTPS and SMTP on free ports
        with gateway.intercept():                          # smscentre.com:80, :443 and :25 go there
            smsc_api.SMSC().send_sms("79999999999", "hi")  # ['1', '1', '2.50', '7.50']
        gateway.messages  # [{"id": 1, "phones": ["79999999999"], "message": "hi", ...}]
        gateway.stop()
        gateway.check()   # the first error raised inside the gateway, if any

    login/password: None accepts any credentials; else psw (or apikey) must match. balance and
    price (per SMS) are amounts of money (Decimal, str, int or float). deliver_after: seconds
    from sending until the status is 1 (delivered). log: a file path, one JSON object a line per
    message (created readable by its owner only). out: where each message is printed (None: sys.stdout at
    that moment); echo=False: nothing is printed. clock: the time function (time.time), which tests may
    replace. Every attribute may be changed while it runs; all state is behind one lock.

    HTTPS (https=True): at start() a certificate for the SMSC hosts is made (make_certificate, once per
    process) and its CA written to ca_file (default: a file in a temporary directory); `ca_file` then names
    it. The HTTP port answers CONNECT <an SMSC host>:443 (an https_proxy) with 200 and serves the API inside
    TLS; `https` is a TLS server of its own, where intercept() sends port 443. When no certificate can be
    made, `https` is None and `https_error` says why; HTTP is served all the same.

    Limits: a request body over max_request_size bytes is answered 413 (SMTP: a message, 552); a request
    must arrive whole within request_timeout seconds (else 408); at most max_connections connections are
    served at once on each port (further ones wait); `requests` keeps the last max_records requests and of
    their bytes at most max_record_bytes, `messages` the last max_records messages (a status of a forgotten
    one is -3). None: no limit.

    `http`, `https` and `smtp` are the servers underneath (LoopbackHTTPServer with keep-alive, as real
    gateways, and LoopbackSMTPServer): smtp.sessions holds what the SMTP server received.

    Outages: fail(times=1, host=None, command=None, **how) makes the next matching requests fail (see fail);
    `failures` records each failure played. Credentials: login/password None accept any that are not empty.

    Delivery callbacks: with callback_url set, each message sent is followed, deliver_after seconds later, by a
    form POSTed there from a thread of the gateway, as the gateway posts a status change (id, phone, status,
    err, time, ts, and md5 signed with callback_secret when one is set); undeliverable numbers ({phone: status}
    or {phone: (status, err)}, status 20, 22, 23, 24 or 25; a list of phones: 20) fail instead of being
    delivered. incoming() posts an incoming message. `callbacks` records each post and what the application
    answered; a post that fails (refused, timed out after callback_timeout seconds, not HTTP) is recorded there,
    never raised.
    """

    MAX_REQUEST_SIZE = 10 << 20
    MAX_RECORDS = 1000
    MAX_RECORD_BYTES = 100 << 20
    MAX_CONNECTIONS = 100
    REQUEST_TIMEOUT = 10
    CALLBACK_TIMEOUT = 10

    def __init__(self, login=None, password=None, balance="100.00", price="2.50", deliver_after=2,
                 log=None, out=None, echo=True, clock=None, https=True, ca_file=None,
                 max_request_size=MAX_REQUEST_SIZE, max_records=MAX_RECORDS, max_record_bytes=MAX_RECORD_BYTES,
                 max_connections=MAX_CONNECTIONS, request_timeout=REQUEST_TIMEOUT, callback_url=None,
                 callback_secret=None, callback_timeout=CALLBACK_TIMEOUT, undeliverable=None):
        self.login, self.password = login, password
        self.balance, self.price = balance, price
        self.deliver_after = deliver_after
        self.log, self.out, self.echo = log, out, echo
        self.clock = clock or time.time
        self.max_request_size, self.max_connections, self.request_timeout = (max_request_size, max_connections,
                                                                             request_timeout)
        self._requests = Record(max_records, max_record_bytes, _request_size)
        self.messages = Record(max_records)  # what was sent, as logged
        self._sent = Record(max_records)     # the same, with what status.php needs
        self._recent = OrderedDict()         # (phones, message, sender) -> time, of the last minute's sends
        self._next_id = 1
        self._lock = threading.RLock()
        self.http = _GatewayHTTP(self)
        self.smtp = _GatewaySMTP(self)
        self.https, self.ca_file = None, ca_file
        self.https_error = None if https else u"HTTPS is off (https=False)"
        self._failures = []                  # queued by fail(), in order
        self.failures = Record(max_records)  # each failure played: {"how", "value", "via", "host", "command"}
        self.callback_url, self.callback_secret, self.callback_timeout = callback_url, callback_secret, \
            callback_timeout
        self.undeliverable = undeliverable or {}
        self.callbacks = Record(max_records)  # each callback posted, and what the application answered
        self._pending = Record(max_records)   # callbacks to post: (kind, time, what), in order
        self._wake = threading.Condition(self._lock)
        self._posted = threading.Condition(self._lock)
        self._dispatcher, self._stopping, self._in_flight = None, False, None

    balance = _Amount("balance", "The money left (a Decimal); set it with any amount (Decimal, str, int or float).")
    price = _Amount("price", "The price of one SMS (a Decimal); set it with any amount.")

    @property
    def requests(self):
        """The raw HTTP and HTTPS requests received (smsc_sandbox.Request), in order: the last max_records."""
        return self._requests

    @property
    def max_records(self):
        return self._requests.count

    @max_records.setter
    def max_records(self, count):
        for record in (self._requests, self.messages, self._sent, self.failures, self.callbacks, self._pending):
            record.count = count

    @property
    def max_record_bytes(self):
        return self._requests.size

    @max_record_bytes.setter
    def max_record_bytes(self, size):
        self._requests.size = size

    def start(self, http_port=0, smtp_port=0, https_port=0):
        """Listen on 127.0.0.1 (port 0: any free port): HTTP, SMTP, and HTTPS when a certificate can be made."""
        started = []
        try:
            for server, port in [(self.http, http_port), (self.smtp, smtp_port)]:
                server.start(port)
                started.append(server)
            if self._prepare_https():  # once HTTP and SMTP listen: a port in use fails before a certificate is made
                self.https.start(https_port)
                started.append(self.https)
        except Exception:
            for server in started:
                server.stop()
            raise
        self._dispatcher = threading.Thread(target=self._dispatch)
        self._dispatcher.daemon = True
        self._dispatcher.start()
        return self

    def _prepare_https(self):
        """Make (or reuse) the certificate, write the CA to ca_file and build the HTTPS server: True if done,
        else False with https_error saying why."""
        if self.https_error is not None or self.https is not None:
            return self.https is not None
        try:
            ca, chain, key = _gateway_certificate()
        except OSError as exc:
            self.https_error = _text(exc)
            return False
        if self.ca_file is None:
            self.ca_file = ca
        elif self.ca_file != ca:
            import shutil
            try:
                shutil.copyfile(ca, self.ca_file)
            except (IOError, OSError) as exc:
                self.https_error = u"cannot write the CA file %s: %s" % (_as_text(self.ca_file), exc.strerror)
                return False
        self.https = _GatewayHTTP(self, server_context(chain, key))
        return True

    def _servers(self):
        return [server for server in (self.http, self.https, self.smtp) if server is not None]

    def stop(self):
        with self._lock:
            self._stopping = True
            self._wake.notify_all()
            in_flight = self._in_flight
        if in_flight is not None:  # a callback being posted ends now, recorded as failed
            try:
                in_flight.shutdown(socket.SHUT_RDWR)
            except socket.error:
                pass
        if self._dispatcher is not None:
            self._dispatcher.join(5)
        for server in self._servers():
            server.stop()

    def check(self):
        """Raise the first error raised inside the gateway's servers (a bug of the sandbox)."""
        for server in self._servers():
            server.check()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def intercept(self, smsc_only=True):
        """An Intercept sending the SMSC hosts' ports 80 and 25 here, and 443 when HTTPS is served, whatever the
        client (see Intercept); other ports of the SMSC hosts are refused."""
        routes = {80: self.http, 25: self.smtp}
        if self.https is not None:
            routes[443] = self.https
        return Intercept(routes, smsc_only=smsc_only)

    def delivery_time(self, id):
        """When message id is (or was) delivered: its time of sending plus deliver_after; None if unknown."""
        with self._lock:
            sent = [time_sent for record, time_sent, each in self._sent if record["id"] == self._known_id(id)]
            return sent[-1] + self.deliver_after if sent else None

    # Delivery callbacks

    @property
    def callback_url(self):
        """Where status changes and incoming messages are posted (http:// or https://, the application's own
        address; its charset parameter, as in the account's settings, chooses the charset of the fields:
        utf-8, koi8-r, windows-1251 by default); None: nothing is posted."""
        return self._callback_url

    @callback_url.setter
    def callback_url(self, url):
        self._callback_url = _checked_callback_url(url)

    @property
    def callback_secret(self):
        """The account's secret that signs each callback (md5); None: callbacks go without md5. Never printed."""
        return self._callback_secret

    @callback_secret.setter
    def callback_secret(self, secret):
        if secret is not None and not isinstance(secret, (str, _text, bytes)):
            raise TypeError("callback_secret must be text or bytes, not %s" % type(secret).__name__)
        self._callback_secret = secret

    @property
    def callback_timeout(self):
        """Seconds a callback may take, connecting, posting and reading the whole answer (10 by default)."""
        return self._callback_timeout

    @callback_timeout.setter
    def callback_timeout(self, seconds):
        if not (isinstance(seconds, _integers + (float,)) and not isinstance(seconds, bool) and
                0 < seconds < float("inf")):
            raise ValueError("callback_timeout must be a positive number of seconds, not %r" % (seconds,))
        self._callback_timeout = seconds

    @property
    def undeliverable(self):
        """{phone: status} or {phone: (status, err)} of the numbers a message fails to reach, deliver_after seconds
        after sending: status 20 (undeliverable), 22, 23, 24 or 25; a list or set of phones gives status 20."""
        return self._undeliverable

    @undeliverable.setter
    def undeliverable(self, numbers):
        numbers = dict(numbers) if isinstance(numbers, dict) else dict.fromkeys(numbers, 20)
        for phone, outcome in numbers.items():
            self._failed_as(phone, outcome)
        self._undeliverable = numbers

    @staticmethod
    def _failed_as(phone, outcome):
        """(status, err) of an entry of undeliverable, checked: ValueError naming it when it is not one."""
        status, err = outcome if isinstance(outcome, tuple) and len(outcome) == 2 else (outcome, 0)
        if not (isinstance(phone, (str, _text)) and normalize_phone(phone)) or status not in _FAILED_STATUSES or \
                not _whole(status) or not _whole(err) or err < 0:
            raise ValueError("undeliverable[%r] must be a status (20, 22, 23, 24, 25) or (status, err) for a valid "
                             "phone, not %r" % (phone, outcome))
        return status, err

    def _outcome(self, phone):
        """(status, err) of a message to phone once deliver_after has passed: (1, 0) unless undeliverable."""
        for number, outcome in list(self._undeliverable.items()):
            if normalize_phone(number) == phone:
                return self._failed_as(number, outcome)
        return 1, 0

    def incoming(self, phone, message, to):
        """Post an incoming message from phone to the number `to` to callback_url (phone, mes, to, time, ts, md5 of
        phone:mes:to:secret), as the gateway does when one arrives."""
        for name, value in (("phone", phone), ("message", message), ("to", to)):
            if not isinstance(value, (str, _text)):
                raise TypeError("%s must be text, not %s" % (name, type(value).__name__))
        if self.callback_url is None:
            raise ValueError("incoming() posts to callback_url, which is not set")
        with self._lock:
            self._pending.append(("incoming", self.clock(), (_as_text(phone), _as_text(message), _as_text(to))))
            self._wake.notify()

    def wait_callbacks(self, count=1, timeout=10):
        """Wait until `count` callbacks have been posted (and answered, or failed), `timeout` seconds at most;
        whether they have."""
        deadline = time.time() + timeout
        with self._lock:
            while len(self.callbacks) < count and time.time() < deadline:
                self._posted.wait(min(0.5, max(0, deadline - time.time())))
            return len(self.callbacks) >= count

    def _dispatch(self):
        """The callbacks' thread: post each when its time comes (polled every 50 ms: the clock may be a test's)."""
        try:
            while True:
                with self._lock:
                    if self._stopping:
                        return
                    now, due = self.clock(), []
                    for event in list(self._pending):
                        if now >= event[1] + (self.deliver_after if event[0] == "status" else 0):
                            due.append(event)
                            self._pending.remove(event)
                    if not due:
                        self._wake.wait(0.05 if self._pending else None)
                        continue
                for event in due:
                    self._post_callback(event)
        except Exception as exc:  # a bug of the sandbox: check() raises it
            self.http.errors.append(exc)

    def _callback_fields(self, event):
        """(fields [(name, text)], the names signed) of a callback."""
        kind, sent, what = event
        if kind == "incoming":
            phone, message, to = what
            changed = int(sent)
            fields, signed = [("phone", phone), ("mes", message), ("to", to)], ("phone", "mes", "to")
        else:
            record, phone = what
            changed = int(sent + self.deliver_after)
            status, err = self._outcome(phone)
            fields = [("id", _text(record["id"])), ("phone", phone), ("status", _text(status)), ("err", _text(err))]
            signed = ("id", "phone", "status")
        when = _text(time.strftime("%d.%m.%Y %H:%M:%S", time.localtime(changed)))
        return fields + [("time", when), ("ts", _text(changed))], signed

    def _post_callback(self, event):
        """POST one callback to callback_url (when still set) and record it with the answer, or why it failed."""
        url, secret = self.callback_url, self.callback_secret
        if url is None:
            return
        fields, signed = self._callback_fields(event)
        body, posted = _signed_form(fields, signed, secret, _callback_codec(url))
        record = {"url": url, "fields": posted, "body": body, "status": None, "reply": None, "error": None,
                  "time": self.clock()}

        def track(sock):
            with self._lock:
                self._in_flight = sock
                if self._stopping:
                    raise socket.error(errno.ECONNABORTED, "the gateway stopped")
        try:
            record["status"], record["reply"] = _post_form(url, body, self.callback_timeout, track)
            outcome = u"HTTP %d" % record["status"]
        except (socket.error, _BadAnswer, _TooLarge) as exc:
            record["error"] = (u"an answer over 64 KB" if isinstance(exc, _TooLarge) else u"timed out after %g s"
                               % self.callback_timeout if _timed_out(exc) else _text(exc))
            outcome = u"failed (%s)" % (record["error"] or type(exc).__name__)
        finally:
            with self._lock:
                self._in_flight = None
        what = dict(posted)
        self._say(u"CALLBACK %s, posted to %s: %s" % (
            u"status %s of SMS id=%s to %s" % (what["status"], what["id"], what["phone"]) if event[0] == "status" else
            u"incoming SMS from %s to %s" % (what["phone"], what["to"]), _url_shown(url), outcome))
        with self._lock:
            self.callbacks.append(record)
            self._posted.notify_all()

    # What a client sends

    def _authorized(self, login, secret):
        if self.login is None and self.password is None:  # any credentials, but some: an empty key or password
            return bool(secret)                              # is error 2 at the real gateway
        if login:
            return login == _as_text(self.login) and secret == _as_text(self.password)
        return secret == _as_text(self.password)  # an API key: the password

    def submit(self, login, secret, phones, message, sender=u"", id=u"0", cost=0, via="http", target=u"",
               files=()):
        """Send (or with cost=1 only price) an SMS as the gateway does; returns the reply fields.

        Raises GatewayError for an API error. All arguments are text as decoded; files: [{"name": text,
        "type": text, "size": bytes}] of the files sent with it (an MMS, an e-mail's attachments).
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
            record = self._charge(valid, message, sender or u"", client_id, count, total, via, target, files)
            fields = [str(record["id"]), str(cnt)]
            if cost in (2, 3):
                fields.append(str(total))
            if cost == 3:
                fields.append(str(_cents(self.balance)))
            return fields

    @staticmethod
    def _client_id(phones, message, id):
        """The client's message id (0: none; a number or text, see message_id), once phones and message are there:
        else error 1."""
        if phones is None or message is None or len(message) > 1000:
            raise GatewayError(1)
        return message_id(id or u"0")

    @staticmethod
    def _phones(phones, client_id):
        """The valid phones of a "," or ";" list, each once, in order: error 7 when there is none."""
        valid, seen = [], set()
        for phone in re.split(u"[,;]", phones):
            phone = normalize_phone(phone)
            if phone and phone not in seen:
                valid.append(phone)
                seen.add(phone)
        if not valid:
            raise GatewayError(7, client_id)
        return valid

    def _charge(self, phones, message, sender, client_id, count, total, via, target, files):
        """Record a message and take its price: its record. Errors 9 (sent within a minute) and 3 (no money)."""
        now = self.clock()
        key = (tuple(phones), message, sender)
        while self._recent and now - next(iter(self._recent.values())) >= 60:  # the oldest first
            self._recent.popitem(last=False)
        if now - self._recent.get(key, now - 60) < 60:
            raise GatewayError(9)
        if total > self.balance:
            raise GatewayError(3, client_id)
        self.balance -= total
        if client_id:
            message_id = client_id
        else:
            message_id, self._next_id = self._next_id, self._next_id + 1
        self._recent.pop(key, None)
        self._recent[key] = now
        record = {"id": message_id, "phones": phones, "message": message, "sender": sender,
                  "parts": count, "cost": str(total), "time": round(now, 3), "via": via, "target": target}
        if files:
            record["files"] = list(files)
        self.messages.append(record)
        self._sent.append((record, now, str(_cents(self.price * count))))
        self._announce(record)
        if self.callback_url is not None:
            for phone in phones:
                self._pending.append(("status", now, (record, phone)))
            self._wake.notify()
        return record

    def status(self, id, phone, all=0):
        """The fields of status.php for message id to phone (text): -3 when not found."""
        return self.statuses([(id, phone)], all)[0]

    def statuses(self, pairs, all=0):
        """The fields of status.php for each (id, phone) of pairs, in order (see status)."""
        with self._lock:
            sent = {}
            for entry in self._sent:
                sent.setdefault(entry[0]["id"], []).append(entry)
            return [self._status(sent.get(self._known_id(id), ()), phone, all) for id, phone in pairs]

    @staticmethod
    def _known_id(id):
        try:
            return message_id(id)  # "17" is message 17
        except (GatewayError, TypeError, AttributeError):
            return id

    def _status(self, entries, phone, all):
        phone = normalize_phone(phone) or phone
        found = [entry for entry in entries if phone in entry[0]["phones"]]
        if not found:
            return [u"-3", u"0", u"0"]
        record, sent, each = found[-1]
        due = sent + self.deliver_after
        (code, err), changed = (self._outcome(phone), int(due)) if self.clock() >= due else ((-1, 0), int(sent))
        fields = [_text(code), _text(changed), _text(err)]
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
            return self.mail_refused(refused.code)
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
        failure = None
        try:
            if request.method == b"CONNECT":
                return self._tunnel(conn, request, server)
            host, path = self._addressed(request)
            if request.method in (b"GET", b"POST") and is_smsc_host(host) and path in _COMMANDS:
                failure = self.failure_for("http", host, _COMMANDS[path])
            if failure is not None and failure.how != "delay":
                return self._play(conn, request, server, failure, path)
            status, body, charset = self._answer(request)
        except Exception as exc:  # a bug of the sandbox: said, recorded, and answered as one
            server.errors.append(exc)
            self._say(u"sandbox error: %s: %s" % (type(exc).__name__, exc))
            status, body, charset = 500, b"smsc_sandbox internal error\n", "utf-8"
        if failure is not None and server.wait_stopped(failure.value):  # delay: acted on now, answered later
            return False
        return self._send(conn, request, server, status, body, charset)

    def _play(self, conn, request, server, failure, path):
        """Answer a request as failure says (all but delay); the request is not acted on."""
        if failure.how == "hang":
            _hang(conn, server)
        if failure.how in ("drop", "hang"):
            return False
        if failure.how == "status":
            body = (u"smsc_sandbox: %d %s (Gateway.fail)\n" % (failure.value, _reason(failure.value))).encode("ascii")
            return self._send(conn, request, server, failure.value, body)
        charset = dict(request.form()[0]).get("charset", _DEFAULT_CHARSET.encode("ascii")).decode("latin-1")
        if failure.how == "body":
            return self._send(conn, request, server, 200, failure.value, charset)
        id = dict(request.form()[0]).get("id", b"0") if failure.value in (3, 6, 7, 8) and path == b"/sys/send.php" \
            else b"0"
        reply = self._refuse(GatewayError(failure.value, self._known_id(id) if re.match(b"[A-Za-z0-9._-]{1,40}\\Z", id)
                                          else 0), path)
        return self._send(conn, request, server, 200, reply.encode("ascii"), charset)

    def fail(self, times=1, host=None, command=None, **how):
        """Make the next `times` requests that match host and command fail with one `how`; returns the Failure.

        host: the SMSC host asked for ("smscentre.com", "www2.smscentre.com", "send.smscentre.com"); None: any.
        command: "send", "status", "balance" (an HTTP request of /sys/<command>.php), or an SMTP step: "connect",
        "ehlo", "auth", "mail", "rcpt", "data", "message" (the message once sent); None: any HTTP request, and in a
        mail session its connect (its message for error=).
        how, exactly one of:
          drop=True   close the connection without answering
          hang=True   answer nothing until the client hangs up or the gateway stops (Failure.HANG_LIMIT at most)
          status=503  answer that HTTP status (HTTP only)
          error=8     answer that gateway error: "0,-8" ("<id>,-8" of a send for 3, 6, 7, 8); SMTP: 554 at message
          delay=2.5   act on the request at once and answer that many seconds later (a send is sent)
          body=b"..." answer 200 with these bytes as the body (HTTP only)
          reply="554 5.7.1 no"  answer this SMTP reply at the step (SMTP only)
        Except with delay the request is not acted on: nothing is sent or charged. Failures are queued in the order
        of the calls: a request is failed by the first one queued that matches it, and each is used `times` times.
        Every failure played is printed and recorded in `failures`; bad arguments are a ValueError or TypeError
        naming them.
        """
        failure = Failure(times, host, command, how)
        with self._lock:
            self._failures.append(failure)
        return failure

    def failure_for(self, via, host, command):
        """The failure queued for this HTTP request or SMTP step, counted as played, or None (see fail)."""
        with self._lock:
            for failure in self._failures:
                if failure.matches(via, host, command):
                    failure.left -= 1
                    if not failure.left:
                        self._failures.remove(failure)
                    played = {"how": failure.how, "value": failure.value, "via": via, "host": _host_name(host),
                              "command": command}
                    failure.played.append(played)
                    self.failures.append(played)
                    self._say(u"FAIL %s for %s %s%s" % (failure.shown(), u"HTTP" if via == "http" else u"SMTP",
                                                        command, u" on " + _host_name(host) if host else u""))
                    return failure
        return None

    def failures_for_a_host(self):
        """Whether a failure queued names a host."""
        with self._lock:
            return any(failure.host for failure in self._failures)

    @property
    def queued_failures(self):
        """The failures queued by fail() not played to the end yet, in order."""
        with self._lock:
            return list(self._failures)

    def mail_refused(self, code):
        """The SMTP reply refusing a mail with gateway error code."""
        return "554 5.7.1 SMSC error %d: %s" % (code, _ERRORS[code])

    @staticmethod
    def _send(conn, request, server, status, body, charset="utf-8", close=False):
        request.reply = body
        data, keep = server.response(request, body, status, _reason(status),
                                     [("Content-Type", "text/plain; charset=" + charset)], close=close)
        conn.sendall(data)
        return keep

    def _tunnel(self, conn, request, server):
        """CONNECT <an SMSC host>:443: 200, then the server goes on inside TLS with the gateway's certificate."""
        target = mask(request.target).decode("latin-1")
        host, _, port = target.rpartition(u":")
        if not (is_smsc_host(host) and port == u"443"):
            status, reason = 403, u"CONNECT only to port 443 of smscentre.com, smsc.ru, smsc.kz, smsc.ua and their " \
                                  u"subdomains"
        elif self.https is None:
            status, reason = 501, u"HTTPS unavailable: " + (self.https_error or u"not started")
        else:
            request.reply, request.start_tls = b"", self.https.ssl_context
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            return True
        self._say(u"ERROR HTTP %d (%s) for CONNECT %s" % (status, reason, target))
        return self._send(conn, request, server, status, (u"smsc_sandbox: %s\n" % reason).encode("utf-8"),
                          close=True)

    def http_refused(self, request, status, detail):
        """Say that the gateway's server refused a request (408, 413, 431; request None: its head never came)."""
        if request is None:
            self._say(u"ERROR HTTP %d (%s)" % (status, detail))
        else:
            target = mask(request.target).decode("latin-1")
            self._say(u"ERROR HTTP %d (%s) for %s %s" % (status, detail, request.method.decode("latin-1"), target))

    @staticmethod
    def _addressed(request):
        """(the host a request is for (text), its path (bytes)): from an absolute target, else Host, else the host
        its client connected to."""
        absolute = re.match(br"(?i)https?://([^/?#]*)(.*)\Z", request.target, re.S)
        if absolute:
            host, rest = absolute.group(1).rpartition(b"@")[2], absolute.group(2)
        else:
            host, rest = request.header("Host") or (request.asked or (b"",))[0], request.target
        host = re.sub(u":[0-9]*\\Z", u"", host.decode("latin-1") if isinstance(host, bytes) else host)
        return host, (rest if rest.startswith(b"/") else b"/" + rest).partition(b"?")[0]

    def _answer(self, request):
        """(HTTP status, body, charset) for a request."""
        target = mask(request.target).decode("latin-1")
        host, path = self._addressed(request)
        method = request.method.decode("latin-1")
        if request.method not in (b"GET", b"POST"):
            self._say(u"ERROR HTTP 501 (only GET and POST) for %s %s" % (method, target))
            return 501, b"smsc_sandbox: only GET and POST\n", "utf-8"
        if path == b"/":
            return 200, _HELP, "utf-8"
        if not is_smsc_host(host) or path not in _COMMANDS:
            self._say(u"ERROR HTTP 404 (not an SMSC API address) for %s %s" % (method, target))
            return 404, b"smsc_sandbox: not an SMSC API address (see /)\n", "utf-8"
        return self._api(request, _COMMANDS[path], path, target)

    def _api(self, request, command, path, target):
        """(200, reply body, charset) of an API command: its reply, or its error."""
        fields, files = request.form()
        raw = dict(fields)  # the last of a name wins, as in PHP
        charset = raw.get("charset", _DEFAULT_CHARSET.encode("ascii")).decode("latin-1")
        codec = _CHARSETS.get(charset.lower())
        if codec is None:
            charset, reply = "utf-8", self._refuse(GatewayError(1), path)
        else:
            params = _Fields(raw, codec)
            files = [file.summary(codec) for file in files]
            try:
                reply = getattr(self, "_api_" + command)(params, target, files)
            except GatewayError as refused:
                reply = self._refuse(refused, path)
        return 200, reply.encode(codec or "utf-8", "replace"), charset

    def _refuse(self, refused, path):
        self._say(u"ERROR %d (%s) for %s" % (refused.code, _ERRORS[refused.code], path.decode("latin-1")))
        return u"%s,-%d" % (refused.id, refused.code)

    def _credentials(self, params):
        login = params.get("login")
        return (login, params.get("psw")) if login else (None, params.get("apikey", params.get("psw")))

    def _api_send(self, params, target, files):
        cost = params.get("cost", u"0")
        cost = int(cost) if cost in (u"0", u"1", u"2", u"3") else 0
        return u",".join(self.submit(*self._credentials(params), phones=params.get("phones"),
                                     message=params.get("mes"), sender=params.get("sender", u""),
                                     id=params.get("id", u"0"), cost=cost, target=target, files=files))

    def _api_status(self, params, target, files):
        """One line a message: the i-th id with the i-th phone, or one phone with every id."""
        if not self._authorized(*self._credentials(params)):
            raise GatewayError(2)
        try:
            ids, all = [message_id(id.strip()) for id in params["id"].split(u",")], int(params.get("all") or 0)
            phones = params["phone"].split(u",")
        except (KeyError, ValueError):
            raise GatewayError(1)
        if len(phones) not in (1, len(ids)):
            raise GatewayError(1)
        pairs = zip(ids, phones if len(phones) == len(ids) else phones * len(ids))
        return u"\n".join(u",".join(fields) for fields in self.statuses(pairs, all))

    def _api_balance(self, params, target, files):
        if not self._authorized(*self._credentials(params)):
            raise GatewayError(2)
        with self._lock:
            return _text(_cents(self.balance))

    # Output

    def _say(self, line):
        if self.echo:
            with self._lock:
                _write_line(self.out or sys.stdout, line)

    def describe(self, record):
        """The line printed for a message: its files by name, type and size (never their bytes)."""
        phones = record["phones"]
        return u"SMS id=%s to %s%s: %s (%d part%s%s, %s%s)%s" % (
            record["id"], u",".join(phones), u" from " + record["sender"] if record["sender"] else u"",
            _escaped(record["message"]), record["parts"], u"" if record["parts"] == 1 else u"s",
            u" x %d phones" % len(phones) if len(phones) > 1 else u"", record["cost"],
            u", by mail" if record["via"] == "smtp" else u"",
            u" with " + u", ".join(_file_shown(file) for file in record["files"]) if record.get("files") else u"")

    def _announce(self, record):
        self._say(self.describe(record))
        if self.log:
            import io
            import json
            line = json.dumps(record, sort_keys=True, ensure_ascii=False)
            # created readable by its owner only (the messages are the application's data); an existing
            # file keeps its mode
            descriptor = os.open(self.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with io.open(descriptor, "a", encoding="utf-8") as handle:
                handle.write(_as_text(line) + u"\n")


def _escaped(text, most=None):
    """text on one line (CR and LF as \\r, \\n), cut to `most` characters with an ellipsis."""
    if most is not None and len(text) > most:
        text = text[:most - 1] + u"\u2026"
    return text.replace(u"\r", u"\\r").replace(u"\n", u"\\n")


def _file_shown(file):
    """A file as the gateway prints it: name (type, size)."""
    return u"%s (%s, %d bytes)" % (_escaped(file["name"], 80), _escaped(file["type"], 80) or u"no type",
                                   file["size"])


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


# A picture for the demo's MMS: a PNG of 1 x 1 transparent pixel
_PIXEL = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
          b"\x00\x00\x00\x0bIDATx\xdacd`\x00\x02\x00\x00\x05\x00\x01\xe9\xfa\xdc\xd8\x00\x00\x00\x00IEND\xaeB`\x82")


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
        self.mms_and_statuses(sent[0])
        self.say()
        self.say(u"Your own application (or python smsc_api.py), unchanged: run  python smsc_sandbox.py  and start it")
        self.say(u"with the variables it prints: http_proxy=http://127.0.0.1:8025 https_proxy=http://127.0.0.1:8025")
        self.say(u"SSL_CERT_FILE=<its CA file> SMSC_SMTP_SERVER=127.0.0.1:8026 (where it can make no certificate,")
        self.say(u"SMSC_HTTPS=0 in place of SSL_CERT_FILE). Both proxies: with http_proxy alone, HTTPS (the default of")
        self.say(u"python smsc_api.py) would reach the real gateway.")

    def mms_and_statuses(self, first):
        """An MMS with a picture (a file written for it), then the statuses of two messages in one call."""
        import shutil
        import tempfile
        directory = tempfile.mkdtemp(prefix="smsc-demo-")
        try:
            picture = os.path.join(directory, "picture.png")
            with open(picture, "wb") as handle:
                handle.write(_PIXEL)
            self.say()
            self.say(u'>>> picture = "%s"   # a PNG of 1 x 1 pixel, %d bytes' % (_as_text(picture), len(_PIXEL)))
            mms = self.call(u'send_sms("79999999998", "Ваш билет", format=7, files=[picture])', "send_sms",
                            "79999999998", u"Ваш билет", format=7, files=[picture])
        finally:
            shutil.rmtree(directory, True)
        ids = [int(first), int(mms[0])]
        self.call(u'get_status([%d, %d], ["79999999999", "79999999998"])' % tuple(ids), "get_status", ids,
                  ["79999999999", "79999999998"])

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
            self.say(u"  reply:   " + u"\n           ".join(reply.decode("utf-8").split(u"\n")))
        self.say(u"  returns: " + _shown(result))
        self.seen.update(http=len(self.gateway.requests), smtp=len(self.gateway.smtp.messages),
                         said=len(self.said.lines))
        return result

    def _show_requests(self):
        """Show the HTTP requests not shown yet; their replies."""
        replies = []
        for request in self.gateway.requests[self.seen["http"]:]:
            self.say(u"  wire:    " + mask(request.request_line).decode("latin-1"))
            fields, files = request.form()
            if files:  # multipart/form-data: summarised
                self.say(u"           multipart/form-data, the fields: " + u", ".join(
                    u"%s=%s" % (name, u"***" if _is_secret_name(name.encode("latin-1")) else
                                _escaped(value.decode("utf-8", "replace"), 40)) for name, value in fields))
                for file in files:
                    self.say(u"           %s: %s" % (file.field, _file_shown(file.summary("utf-8"))))
            elif request.body:
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
    gateway = Gateway(login="demo", password=_Demo.PASSWORD, deliver_after=1, out=said, https=False).start()
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
        description="A local SMSC-compatible gateway on 127.0.0.1, HTTP, HTTPS and SMTP, until Ctrl-C: try "
                    "smsc_api, or test your own application, without an account. No SMS is ever sent.",
        epilog="Start an unmodified application (or python smsc_api.py) with the variables printed at start: "
               "http_proxy=http://127.0.0.1:PORT and https_proxy=http://127.0.0.1:PORT, both (with http_proxy "
               "alone, HTTPS, python smsc_api.py's default, would reach the real gateway), SSL_CERT_FILE=<the CA "
               "file printed at start> (HTTPS: CONNECT on the same port; the certificate is made with trustme or "
               "the openssl command; without either, SMSC_HTTPS=0 asks for HTTP) and, for send_sms_mail, "
               "SMSC_SMTP_SERVER=127.0.0.1:SMTP_PORT. Every message is printed, and with --log "
               "appended to FILE as one JSON object a line. 'demo' runs smsc_api against it in-process on free "
               "ports and shows each call, the request on the wire and the reply.")
    parser.add_argument("command", nargs="?", default="serve", choices=("serve", "demo"),
                        help="serve (the default) or demo")
    parser.add_argument("--port", type=int, default=8025, help="HTTP port (default 8025; 0: any free port)")
    parser.add_argument("--smtp-port", type=int, default=8026, help="SMTP port (default 8026; 0: any free port)")
    parser.add_argument("--log", metavar="FILE", help="append each message to FILE as a line of JSON (a new FILE "
                                                      "is made readable by its owner only)")
    parser.add_argument("--login", help="accept only this login (with --password); default: any")
    parser.add_argument("--password", help="its password, also accepted as the API key (apikey=)")

    def amount(text):
        return _money(text)
    parser.add_argument("--balance", type=amount, default="100.00", help="starting balance (default 100.00)")
    parser.add_argument("--price", type=amount, default="2.50", help="price of one SMS (default 2.50)")
    parser.add_argument("--deliver-after", type=float, default=2, metavar="SECONDS",
                        help="status -1 (waiting) until this long after sending, then 1 (delivered); default 2")
    parser.add_argument("--callback-url", metavar="URL", help="post each status change (and incoming message) "
                                                              "there, as the gateway posts them to the URL set in "
                                                              "the account")
    parser.add_argument("--callback-secret", metavar="S", help="sign each callback (md5) with this secret, as the "
                                                               "account's secret does (never printed)")
    _limit_arguments(parser)
    return parser


def _limit_arguments(parser):
    import argparse

    def checked(convert, least, what):
        def check(text):
            try:
                value = convert(text)
            except ValueError:
                value = None
            if value is None or not value >= least:  # not: nan
                raise argparse.ArgumentTypeError("%r is not %s" % (text, what))
            return value
        return check

    def size(text):  # bytes, or with K, M or G (1024-based)
        match = re.match(r"([0-9]+)([KMG]?)B?\Z", text.strip().upper())
        return int(match.group(1)) << {"": 0, "K": 10, "M": 20, "G": 30}[match.group(2)] if match else None
    parser.add_argument("--ca-file", metavar="PATH", help="write the CA of the HTTPS certificate to PATH (default: "
                                                          "a file in a temporary directory); both are printed")
    parser.add_argument("--max-request-size", type=checked(size, 0, "a size (bytes, or 10M, 512K)"),
                        default=Gateway.MAX_REQUEST_SIZE, metavar="BYTES",
                        help="answer 413 to a request whose body is larger (default 10M)")
    parser.add_argument("--max-records", type=checked(int, 0, "a whole number"), default=Gateway.MAX_RECORDS,
                        metavar="N", help="requests and messages kept in memory (default %d; a status of a "
                                          "message no longer kept is -3)" % Gateway.MAX_RECORDS)
    parser.add_argument("--max-connections", type=checked(int, 1, "a whole number from 1"),
                        default=Gateway.MAX_CONNECTIONS, metavar="N",
                        help="connections served at once on each port, a thread each; more wait (default %d)"
                             % Gateway.MAX_CONNECTIONS)
    parser.add_argument("--request-timeout", type=checked(float, 0.001, "a number of seconds"),
                        default=Gateway.REQUEST_TIMEOUT, metavar="SECONDS",
                        help="answer 408 to a request that has not arrived whole in this time (default %g)"
                             % Gateway.REQUEST_TIMEOUT)


def main(argv=None):
    parser = _parser(None if argv is None else "smsc_sandbox.py")  # argv given (tests): the file's name
    args = parser.parse_args(argv)
    if (args.login is None) != (args.password is None):
        parser.error("--login and --password go together")
    try:
        _checked_callback_url(args.callback_url)
    except ValueError as exc:
        parser.error("argument --callback-url: %s" % exc)
    if args.command == "demo":
        return demo()
    gateway = Gateway(login=args.login, password=args.password, balance=args.balance, price=args.price,
                      deliver_after=args.deliver_after, log=args.log, ca_file=args.ca_file,
                      max_request_size=args.max_request_size, max_records=args.max_records,
                      max_connections=args.max_connections, request_timeout=args.request_timeout,
                      callback_url=args.callback_url, callback_secret=args.callback_secret)
    try:
        gateway.start(args.port, args.smtp_port)
    except socket.error as exc:
        parser.exit(2, "%s: cannot listen on 127.0.0.1 (ports %d, %d): %s\n"
                    % (parser.prog, args.port, args.smtp_port, exc))
    for line in _started(gateway):
        _write_line(sys.stdout, line)
    _serve_until_stopped()
    gateway.stop()
    _write_line(sys.stdout, u"Stopped.")
    return 0


def _started(gateway):
    """The lines printed once the gateway listens: where to point an application (the variables to start it with,
    on a line of their own), and how the gateway is set.

    Both proxies, always: HTTPS (python smsc_api.py's default) with http_proxy alone would go to the real gateway;
    where HTTPS is unavailable, SMSC_HTTPS=0 asks for HTTP, and https_proxy makes HTTPS fail (CONNECT: 501)."""
    http, smtp = gateway.http.port, gateway.smtp.port
    proxy = u"http://127.0.0.1:%d" % http
    variables = [u"http_proxy=" + proxy, u"https_proxy=" + proxy]
    if gateway.https is not None:
        yield u"HTTP on %s (HTTPS through it: CONNECT) and SMTP on 127.0.0.1:%d. Start your application, or " \
              u"python smsc_api.py, with:" % (proxy, smtp)
        variables.append(u"SSL_CERT_FILE=" + _shell_word(_as_text(gateway.ca_file)))
    else:
        yield u"HTTP on %s and SMTP on 127.0.0.1:%d; HTTPS unavailable (%s). Start your application, or python " \
              u"smsc_api.py, with:" % (proxy, smtp, gateway.https_error)
        variables.insert(0, u"SMSC_HTTPS=0")
    yield u" ".join(variables + [u"SMSC_SMTP_SERVER=127.0.0.1:%d" % smtp])
    yield u"%s; balance %s, %s per SMS, delivered %g s after sending. Ctrl-C to stop." % (
        u"login %s only" % _as_text(gateway.login) if gateway.login is not None else u"any login",
        _cents(gateway.balance), _cents(gateway.price), gateway.deliver_after)
    if gateway.callback_url is not None:
        yield u"Callbacks to %s, %s." % (_url_shown(gateway.callback_url), u"signed (md5) with the secret given" if
                                         gateway.callback_secret is not None else u"unsigned (no --callback-secret)")


def _shell_word(text):
    """text as one word of a POSIX shell (quoted when it holds anything else than [A-Za-z0-9@%+=:,./_-])."""
    if re.match(u"[A-Za-z0-9@%+=:,./_-]+\\Z", text):
        return text
    return u"'" + text.replace(u"'", u"'\"'\"'") + u"'"


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
