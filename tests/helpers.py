# -*- coding: utf-8 -*-
"""What the tests share besides fixtures (h11's way): paths, names, and the wire of the running Python.

Fixtures are in conftest.py, the loopback servers in servers.py.
"""
import base64
import inspect
import io
import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from collections import namedtuple

import six
from six.moves import http_client, queue

TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS)                  # smsc_api.py, smsc_sandbox.py, pytest_smsc.py
LEGACY = os.path.join(TESTS, "legacy")         # smsc_api_20.py: the official 2.0, unchanged

DOMAINS = ["smscentre.com", "smsc.ru", "smsc.kz", "smsc.ua"]
# The hosts tried in order: the domain, then www2 ... www5 (never www1)
MIRRORS = ["smscentre.com", "www2.smscentre.com", "www3.smscentre.com", "www4.smscentre.com",
           "www5.smscentre.com"]


def native(text):
    """A text literal as the native str 2.0 callers pass and get: UTF-8 bytes on Python 2."""
    return text.encode("utf-8") if six.PY2 else text


def printed(capsys):
    """What was printed to stdout since capsys was last read, as text (Python 2's str: UTF-8 bytes)."""
    out = capsys.readouterr().out
    return out.decode("utf-8") if isinstance(out, bytes) else out


def configure(module, **constants):
    """module.SMSC() once the module's constants are set: SMSC_LOGIN "alice", SMSC_PASSWORD "secret", then
    `constants` (which may give other credentials)."""
    module.SMSC_LOGIN, module.SMSC_PASSWORD = "alice", "secret"
    for name, value in constants.items():
        setattr(module, name, value)
    return module.SMSC()


def instance(module, **settings):
    """SMSC("alice", "secret", **settings): every setting an argument, the module constants left as they are."""
    return module.SMSC("alice", "secret", **settings)


def raised(call, *args, **kwargs):
    """(exception class, message) of call(*args, **kwargs), or ("returned", None)."""
    try:
        call(*args, **kwargs)
    except Exception as error:
        return type(error), str(error)
    return "returned", None


ID = "an int, or text of up to 40 Latin letters, digits, '.', '-' and '_'"  # what an id may be, as errors say


def argspec(function):
    """(args, varargs, varkw, defaults) on Python 2 and 3."""
    if six.PY2:
        spec = inspect.getargspec(function)
        return spec.args, spec.varargs, spec.keywords, spec.defaults
    spec = inspect.getfullargspec(function)
    return spec.args, spec.varargs, spec.varkw, spec.defaults


def characters_but_surrogates():
    """The hypothesis strategy of any code point but the surrogates (category Cs), which UTF-8 cannot encode.

    Python 3 only, as hypothesis: the property tests call it after their importorskip. Newer hypothesis names the
    argument exclude_categories; the last release for Python 3.6 only blacklist_categories.
    """
    from hypothesis import strategies
    exclude = ("exclude_categories" if "exclude_categories" in inspect.signature(strategies.characters).parameters
               else "blacklist_categories")
    return strategies.characters(**{exclude: ("Cs",)})


# Durations: a bound with a wide margin, which fails only when a deadline does not hold

MARGIN = 1.5  # seconds of slack on every duration bound (a loaded CI machine)


def elapsed(call):
    """(what call() returned, seconds it took)."""
    start = time.time()
    result = call()
    return result, time.time() - start


# What smsc_api logged (the logged fixture of conftest.py)

def logged_at(logged, level):
    """The messages logged at `level` (WARNING, ERROR)."""
    return [message for name, message in logged() if name == level]


# HTTP as urllib sends it: urllib.urlopen on Python 2, urllib.request on 3

HTTP_VERSION = b"HTTP/1.0" if six.PY2 else b"HTTP/1.1"


def GET(target):
    """The request line of a GET."""
    return b"GET " + target + b" " + HTTP_VERSION


def POST(path):
    """The request line of a POST."""
    return b"POST " + path + b" " + HTTP_VERSION


FORM = b"application/x-www-form-urlencoded"


def expected_headers(host, body=None, content_type=FORM, keepalive=False):
    """The headers urllib sends, in its order: urllib.urlopen on Python 2, urllib.request on 3.

    keepalive: as smsc_api sends them with SMSC_KEEPALIVE, where only the connection header differs:
    Python 2 adds "Connection: keep-alive" (the request stays HTTP/1.0), Python 3 leaves out "Connection: close".
    """
    host = host.encode("ascii")
    post = [] if body is None else [b"Content-Type: " + content_type, b"Content-Length: %d" % len(body)]
    if six.PY2:
        return post + [b"Host: " + host, b"User-Agent: Python-urllib/1.17", b"Accept: */*"] + (
            [b"Connection: keep-alive"] if keepalive else [])
    agent = ("Python-urllib/%d.%d" % sys.version_info[:2]).encode("ascii")
    return [b"Accept-Encoding: identity"] + post + [b"Host: " + host, b"User-Agent: " + agent] + (
        [] if keepalive else [b"Connection: close"])


def whole_request(host, line, body=None, content_type=FORM, keepalive=False):
    """Every byte urllib sends to host: the request line, the headers, a blank line, the body."""
    headers = expected_headers(host, body, content_type, keepalive)
    return line + b"\r\n" + b"".join(header + b"\r\n" for header in headers) + b"\r\n" + (body or b"")


# SMTP as smtplib speaks it

# 3.13 spells the envelope "mail from:" / "rcpt to:"; 2.7 and 3.6-3.12 "mail FROM:" / "rcpt TO:" (gh-65495)
MAIL_FROM = b"mail from:" if sys.version_info >= (3, 13) else b"mail FROM:"
RCPT_TO = b"rcpt to:" if sys.version_info >= (3, 13) else b"rcpt TO:"
# The name smtplib says EHLO with: computed by smtplib itself (FQDN or [address]).
EHLO = b"ehlo " + smtplib.SMTP().local_hostname.encode("ascii")
HELO = b"helo " + smtplib.SMTP().local_hostname.encode("ascii")
MAIL = MAIL_FROM + b"<api@smscentre.com>"
RCPT = RCPT_TO + b"<send@send.smscentre.com>"
HEADER = b"Content-Type: text/plain; charset=utf-8\r\n\r\n"  # how the DATA of send_sms_mail begins
AUTH_PLAIN = b"AUTH PLAIN " + base64.b64encode(b"\0mailer\0mailpass")  # SMTP_LOGIN mailer, SMTP_PASSWORD mailpass


def read_to_end(sock):
    """Every byte a socket receives until the other end closes the connection."""
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


def get_over_one_connection(port, targets, host=None):
    """GET each target over one http.client connection to 127.0.0.1:port: [(status, Connection, body)]."""
    client = http_client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        return get_over_connection(client, targets, host)
    finally:
        client.close()


def get_over_connection(client, targets, host=None):
    """GET each target in turn over client, an http.client connection (left open): [(status, Connection, body)].

    host: the Host header (default: http.client's, from the host the connection was made for)."""
    answers = []
    for target in targets:
        client.request("GET", target, headers={"Host": host} if host else {})
        response = client.getresponse()
        answers.append((response.status, response.getheader("Connection"), response.read()))
    return answers


# The sandbox gateway (the `sandbox` fixture of conftest.py)

NOW = 1700000000.25  # the gateway's stopped clock


class Clock(object):
    """A clock that moves only when a test sets `now`."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def echoed(gateway):
    """The lines the gateway printed."""
    return gateway.out.getvalue().splitlines()


def logged(gateway):
    """The lines of the gateway's log (--log)."""
    if not os.path.exists(gateway.log):
        return []
    with io.open(gateway.log, encoding="utf-8") as handle:
        return handle.read().splitlines()


def send_raw(gateway, data, address=None):
    """Send raw bytes to the gateway's HTTP port (or to `address`, e.g. gateway.smtp.address), then end the request
    stream; every byte of the answer."""
    sock = socket.create_connection(address or gateway.http.address, 5)  # 127.0.0.1: not intercepted
    try:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)  # a kept-alive connection is closed by the gateway once it has answered
        return read_to_end(sock)
    finally:
        sock.close()


def response(body, charset=b"utf-8", status=b"200 OK", connection=b"keep-alive"):
    """An answer of the gateway, every byte."""
    return (b"HTTP/1.1 " + status + b"\r\nContent-Type: text/plain; charset=" + charset +
            b"\r\nContent-Length: " + str(len(body)).encode("ascii") + b"\r\nConnection: " + connection +
            b"\r\n\r\n" + body)


def raw_get(gateway, target, host=b"smscentre.com"):
    """Every byte of the answer to GET target (Host: host)."""
    return send_raw(gateway, b"GET " + target + b" HTTP/1.1\r\nHost: " + host + b"\r\n\r\n")


def raw_post(target, body, content_type=FORM, host=b"smscentre.com"):
    """Every byte of a POST of body to target (Host: host, Content-Type: content_type, Content-Length), to send
    with send_raw or by hand."""
    return (b"POST " + target + b" HTTP/1.1\r\nHost: " + host + b"\r\nContent-Type: " + content_type +
            b"\r\nContent-Length: " + str(len(body)).encode("ascii") + b"\r\n\r\n" + body)


def api(gateway, command, query, charset=b"utf-8"):
    """The reply body of GET /sys/<command>.php?<query>&fmt=1&charset=<charset>."""
    answer = raw_get(gateway, b"/sys/" + command + b".php?" + query + b"&fmt=1&charset=" + charset)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert answer == response(body, charset)
    return body


def send(gateway, query):
    """The reply body of send.php with login alice, password secret and query."""
    return api(gateway, b"send", b"login=alice&psw=secret&" + query)


# Files sent with an SMS (the pictures fixture of conftest.py)

PICTURE = b"\x89PNG\r\n\x1a\n\x00\x00--boundary?\r\n\xff"


# Runs

def scrubbed(name):
    """True for the environment variables no test inherits: *_proxy and the SMSC_*, SMTP_* settings."""
    return name.lower().endswith("_proxy") or name.startswith(("SMSC_", "SMTP_"))


def environment(proxy_to=None, encoding_from_locale=False, **variables):
    """The environment of every subprocess a test starts: os.environ scrubbed, output in UTF-8, then `variables`.

    proxy_to: a loopback server (loopback.http) that http_proxy points at, as an application is started to reach it
    over plain HTTP (SMSC_HTTPS=0).
    encoding_from_locale: as a shell starts a program, the output encoding left to the locale: none of the test
    run's LC_* and PYTHON* variables (PYTHONIOENCODING included), only those in `variables`.
    """
    def kept(name):
        return not scrubbed(name) and not (encoding_from_locale and name.startswith(("LC_", "PYTHON")))
    env = dict((name, value) for name, value in os.environ.items() if kept(name))
    if not encoding_from_locale:
        env["PYTHONIOENCODING"] = "utf-8"
    if proxy_to is not None:  # plain HTTP (SMSC_HTTPS=0: the command line's default is HTTPS) through it
        env["http_proxy"], env["SMSC_HTTPS"] = "http://127.0.0.1:%d" % proxy_to.port, "0"
    env.update(variables)
    return env


Outcome = namedtuple("Outcome", "result requests connections sessions output")


def outcome(module, loopback, capsys, call, replies):
    """call(module.SMSC()) with loopback's HTTP server answering `replies` in order, after it is cleared: its
    result, the raw requests, the connections asked for, the SMTP sessions and the captured output."""
    loopback.clear()
    loopback.http.script(*replies)
    capsys.readouterr()
    result = call(module.SMSC())
    return Outcome(result, [request.raw for request in loopback.requests], list(loopback.intercept.connections),
                   list(loopback.smtp.sessions), capsys.readouterr())


def exit_status(pid, seconds=5):
    """The exit status of a forked child; a child still running after `seconds` is killed and fails the test."""
    import pytest
    for _ in range(int(seconds * 10)):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.1)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    pytest.fail("the child hung")


class Lateness(object):
    """While it runs (start() in a coroutine, stop()): how late the running asyncio loop calls a callback due every
    `interval` seconds. `longest`: the longest delay, the longest time the loop could not run anything (Python 3.7+;
    tests/test_async.py, bench/bench_async.py)."""

    def __init__(self, interval=0.01):
        self.interval, self.delays, self._handle = interval, [], None

    def start(self):
        import asyncio
        loop = asyncio.get_running_loop()
        self._due = loop.time() + self.interval
        self._handle = loop.call_at(self._due, self._tick, loop)
        return self

    def _tick(self, loop):
        now = loop.time()
        self.delays.append(now - self._due)
        self._due = now + self.interval
        self._handle = loop.call_at(self._due, self._tick, loop)

    def stop(self):
        self._handle.cancel()
        return self

    @property
    def longest(self):
        return max(self.delays or [0])


def run_together(threads, started=None, timeout=30):
    """Start every thread, then set `started` (the event their work waits for, if any), then wait for all of them."""
    for thread in threads:
        thread.start()
    if started is not None:
        started.set()
    for thread in threads:
        thread.join(timeout)


# The command line of smsc_api

# Why an attempt failed when the server closed the connection without a word, as the log says it
CLOSED = ("BadStatusLine: No status line received - the server has closed the connection" if six.PY2
          else "RemoteDisconnected: Remote end closed connection without response")
CREDENTIALS = ["--login", "alice", "--password", "secret"]  # its options for alice's login and password
OVER_HTTP = CREDENTIALS + ["--http"]  # and plain HTTP (HTTPS is its default), to the loopback gateway's port 80


def cli(smsc, capsys, *argv):
    """(exit status, stdout, stderr) of the command line smsc._main(argv), run in this process."""
    capsys.readouterr()
    try:
        code = smsc._main(list(argv))
    except SystemExit as exit:  # argparse's own usage errors
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


def program(argv, script="smsc_api.py", **variables):
    """(exit status, stdout, stderr) of python smsc_api.py argv as a program, in environment(**variables).

    script: another program of the checkout (smsc_sandbox.py)."""
    process = subprocess.Popen([sys.executable, os.path.join(ROOT, script)] + argv, env=environment(**variables),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = process.communicate()
    return process.returncode, out.decode("utf-8"), err.decode("utf-8")


# The command line of the sandbox

class SandboxProcess(object):
    """python smsc_sandbox.py ... as a subprocess (environment(**variables)); its output lines, read with bounded
    waits."""

    def __init__(self, *args, **variables):
        self.process = subprocess.Popen([sys.executable, os.path.join(ROOT, "smsc_sandbox.py")] + list(args),
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        env=environment(**variables))
        self._lines = queue.Queue()
        reader = threading.Thread(target=self._read)
        reader.daemon = True
        reader.start()

    def _read(self):
        for line in iter(self.process.stdout.readline, b""):
            self._lines.put(line.decode("utf-8").rstrip("\n"))
        self._lines.put(None)  # end of output

    def line(self):
        """The next line of output (None: the output has ended)."""
        return self._lines.get(timeout=10)

    def stop(self):
        """SIGTERM; the rest of the output and the exit code (None if it had to be killed)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        rest = []
        for line in iter(self.line, None):
            rest.append(line)
        for _ in range(100):
            if self.process.poll() is not None:
                return rest, self.process.returncode
            threading.Event().wait(0.1)
        self.process.kill()
        return rest, None


def run_app(code, **variables):
    """python -c code with the checkout's modules and environment(**variables): (exit status, out, err)."""
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=environment(PYTHONPATH=ROOT, **variables))
    out, err = process.communicate()
    return process.returncode, out.decode("utf-8"), err.decode("utf-8")


# The 50-second edge of the duplicate window on a real clock (test_at_most_once): two runs of about 50 s, started in
# the background when the test is collected (conftest.py), so that the suite does not wait for them

REAL_CLOCK_EDGE = """
import json, logging, sys, time
sys.path[:0] = [%(root)r, %(tests)r]
import smsc_api, smsc_sandbox
from servers import HTTPServer, Reply, Stall

class Kept(logging.Handler):
    def emit(self, record):
        logged.append((record.levelname, record.getMessage()))
logged = []
logging.getLogger("smsc_api").addHandler(Kept())
logging.getLogger("smsc_api").setLevel(logging.INFO)
http = HTTPServer().start()
http.script(Stall(120), Reply(b"0,-9"))  # the first host takes the request and stalls; the next says error 9
with smsc_sandbox.Intercept({80: http}) as intercept:
    smsc_api.SMSC_TIMEOUT = float(sys.argv[1])
    started = time.time()
    result = smsc_api.SMSC("alice", "secret").send_sms("79999999999", "test")
    seconds = time.time() - started
http.stop()
http.check()
print(json.dumps({"result": result, "hosts": [host for host, port in intercept.connections], "seconds": seconds,
                  "logged": logged}))
"""


class RealClockEdge(object):
    """send_sms with SMSC_TIMEOUT 49 s and 51 s, the first host stalled, each in a process of its own, started now."""

    TIMEOUTS = (49, 51)

    def __init__(self):
        code = REAL_CLOCK_EDGE % dict(root=ROOT, tests=TESTS)
        self.processes = [subprocess.Popen([sys.executable, "-c", code, str(timeout)], stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE, env=environment()) for timeout in self.TIMEOUTS]

    def results(self, timeout=120):
        """What each run printed (a dict), once both have ended."""
        results = []
        for process in self.processes:
            deadline = time.time() + timeout
            while process.poll() is None and time.time() < deadline:
                time.sleep(0.2)
            if process.poll() is None:
                process.kill()
            out, err = process.communicate()
            assert process.returncode == 0, err.decode("utf-8")
            results.append(json.loads(out.decode("utf-8")))
        return results

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.communicate()
