# -*- coding: utf-8 -*-
"""What the tests share besides fixtures (h11's way): paths, names, and the wire of the running Python.

Fixtures are in conftest.py, the loopback servers in servers.py.
"""
import base64
import inspect
import os
import smtplib
import sys
from collections import namedtuple

import six
from six.moves import http_client

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


def argspec(function):
    """(args, varargs, varkw, defaults) on Python 2 and 3."""
    if six.PY2:
        spec = inspect.getargspec(function)
        return spec.args, spec.varargs, spec.keywords, spec.defaults
    spec = inspect.getfullargspec(function)
    return spec.args, spec.varargs, spec.varkw, spec.defaults


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
HEADER = b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
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
    answers = []
    try:
        for target in targets:
            client.request("GET", target, headers={"Host": host} if host else {})
            response = client.getresponse()
            answers.append((response.status, response.getheader("Connection"), response.read()))
    finally:
        client.close()
    return answers


# Runs

def scrubbed(name):
    """True for the environment variables no test inherits: *_proxy and the SMSC_*, SMTP_* settings."""
    return name.lower().endswith("_proxy") or name.startswith(("SMSC_", "SMTP_"))


def environment(**variables):
    """The environment of a subprocess: os.environ scrubbed, output in UTF-8, plus variables."""
    env = dict((name, value) for name, value in os.environ.items() if not scrubbed(name))
    env.update(PYTHONIOENCODING="utf-8", **variables)
    return env


Outcome = namedtuple("Outcome", "result requests connections sessions output")


def outcome(module, gw, capsys, call, replies):
    """call(module.SMSC()) with gw's HTTP server answering `replies` in order, after gw is cleared: its
    result, the raw requests, the connections asked for, the SMTP sessions and the captured output."""
    gw.clear()
    gw.http.script(*replies)
    capsys.readouterr()
    result = call(module.SMSC())
    return Outcome(result, [request.raw for request in gw.requests], list(gw.intercept.connections),
                   list(gw.smtp.sessions), capsys.readouterr())


def run_together(threads, started, timeout=30):
    """Start every thread, then set `started` (the event their work waits for), then wait for all of them."""
    for thread in threads:
        thread.start()
    started.set()
    for thread in threads:
        thread.join(timeout)
