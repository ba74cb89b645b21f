# -*- coding: utf-8 -*-
"""Fixtures: the module with its constants reset, 2.0 beside it, and loopback servers.

Only socket.create_connection is redirected (smsc_sandbox.Intercept), so urllib and smtplib
run unchanged: the request line stays in origin form and Host: keeps the real name.
"""
import os
import sys

import pytest
import six

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))           # smsc_api, smsc_sandbox from the checkout
sys.path.insert(0, os.path.join(HERE, "legacy"))    # smsc_api_20: the official 2.0, unchanged

import smsc_api  # noqa: E402
import smsc_api_20  # noqa: E402
import smsc_sandbox  # noqa: E402

HTTP_VERSION = b"HTTP/1.0" if six.PY2 else b"HTTP/1.1"
CONSTANTS = [name for name in dir(smsc_api_20) if name.isupper()]


def expected_headers(host, body=None):
    """The headers urllib sends, in its order: urllib.urlopen on Python 2, urllib.request on 3."""
    host = host.encode("ascii")
    post = [] if body is None else [b"Content-Type: application/x-www-form-urlencoded",
                                    b"Content-Length: %d" % len(body)]
    if six.PY2:
        return post + [b"Host: " + host, b"User-Agent: Python-urllib/1.17", b"Accept: */*"]
    agent = ("Python-urllib/%d.%d" % sys.version_info[:2]).encode("ascii")
    return [b"Accept-Encoding: identity"] + post + [b"Host: " + host, b"User-Agent: " + agent,
                                                    b"Connection: close"]


def _reset_urllib():
    if six.PY2:
        import urllib
        urllib._urlopener = None
    else:
        import urllib.request
        urllib.request.install_opener(None)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in list(os.environ):
        if name.lower().endswith("_proxy") or name.startswith("SMSC_") or name.startswith("SMTP_"):
            monkeypatch.delenv(name)
    _reset_urllib()
    yield
    _reset_urllib()


def _constants_fixture(module):
    saved = dict((name, getattr(module, name)) for name in CONSTANTS)
    yield module
    for name, value in saved.items():
        setattr(module, name, value)


@pytest.fixture
def smsc():
    """The smsc_api module; constants set by a test are restored after it."""
    for module in _constants_fixture(smsc_api):
        yield module


@pytest.fixture
def legacy():
    """The official smsc_api.py 2.0, for side-by-side comparison."""
    for module in _constants_fixture(smsc_api_20):
        yield module


class Gateway(object):
    """Loopback HTTP (port 80) and SMTP (port 25) servers behind an Intercept."""

    def __init__(self):
        self.http = smsc_sandbox.HTTPServer().start()
        self.smtp = smsc_sandbox.SMTPServer().start()
        self.intercept = smsc_sandbox.Intercept({80: self.http, 25: self.smtp})

    @property
    def requests(self):
        return self.http.requests

    @property
    def hosts(self):
        return [host for host, port in self.intercept.connections]

    def stop(self):
        self.http.stop()
        self.smtp.stop()


@pytest.fixture
def gw():
    gateway = Gateway()
    with gateway.intercept:
        yield gateway
    gateway.stop()
