# -*- coding: utf-8 -*-
"""Fixtures: the module with its constants reset, 2.0 beside it, and loopback servers.

Only socket.create_connection is redirected (smsc_sandbox.Intercept), so urllib and smtplib
run unchanged: the request line stays in origin form and Host: keeps the real name.
Every fixture that starts a server stops it after the test and raises the first error raised
inside it (a bug of the server, of an action, of a test's function): that test fails.
"""
import io
import os
import smtplib
import sys
import time

import pytest
import six

from helpers import LEGACY, NOW, ROOT, Clock, RealClockEdge, configure, scrubbed

sys.path.insert(0, ROOT)    # smsc_api, smsc_sandbox, pytest_smsc from the checkout
sys.path.insert(0, LEGACY)  # smsc_api_20: the official 2.0, unchanged

import smsc_api  # noqa: E402 (from the checkout: sys.path above)
import smsc_api_20  # noqa: E402 (tests/legacy: sys.path above)
import smsc_sandbox  # noqa: E402 (from the checkout: sys.path above)
from servers import HTTPServer, SMTPServer, stop_and_check  # noqa: E402 (imports smsc_sandbox: sys.path above)

# The smsc_gateway fixture, loaded as users with copied files load it (installed, the entry point has
# loaded it already under the same name: then this loads nothing)
pytest_plugins = ["pytest_smsc"]

# test_async.py is written with async and await, as AsyncSMSC's users write it: Python 3.7+ (AsyncSMSC's own
# minimum), left out before and said so at the end of the run; test_async_import.py checks what older Pythons are told
collect_ignore = [] if sys.version_info >= (3, 7) else ["test_async.py"]


def pytest_terminal_summary(terminalreporter):
    if collect_ignore:
        terminalreporter.write_line("tests/test_async.py left out: AsyncSMSC and async/await need Python 3.7, this is "
                                    "%d.%d" % sys.version_info[:2])


def _reset_urllib():
    if six.PY2:
        import urllib
        urllib._urlopener = None
    else:
        import urllib.request
        urllib.request.install_opener(None)


@pytest.fixture(scope="session")
def empty_ca_file(tmpdir_factory):
    path = tmpdir_factory.mktemp("no-ca").join("empty.pem")
    path.write("")
    return str(path)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, empty_ca_file):
    """No proxy, no SMSC_*/SMTP_* variables, a fresh urllib opener, and no CA trusted.

    No test reaches a real server. Python 3.12+ loads the CA bundle whenever urllib builds its
    opener (once per test, as it is reset), about 20 ms; an empty file is free. The https
    fixture points SSL_CERT_FILE at its test CA after this."""
    for name in list(os.environ):
        if scrubbed(name):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SSL_CERT_FILE", empty_ca_file)
    _reset_urllib()
    smsc_api._forget_cached()  # the TLS context built again from this test's SSL_CERT_FILE, the proxies read again
    yield
    _reset_urllib()


def _constants_fixture(module):
    saved = dict((name, getattr(module, name)) for name in dir(module) if name.isupper())
    yield module
    for name, value in saved.items():
        setattr(module, name, value)


@pytest.fixture
def smsc():
    """The smsc_api module; constants set by a test are restored after it."""
    for module in _constants_fixture(smsc_api):
        yield module


@pytest.fixture
def client(smsc):
    """SMSC() with SMSC_LOGIN alice, SMSC_PASSWORD secret."""
    return configure(smsc)


@pytest.fixture
def legacy():
    """The official smsc_api.py 2.0, for side-by-side comparison."""
    for module in _constants_fixture(smsc_api_20):
        yield module


@pytest.fixture(params=["2.1", "2.0"])
def api(request):
    """Our module, then the official 2.0, each with its constants restored after the test."""
    return request.getfixturevalue("smsc" if request.param == "2.1" else "legacy")


@pytest.fixture
def fixed(api):
    """True for our module: where 2.0 has a defect (docs/differences.md), ours does not."""
    return api.__name__ == "smsc_api"


class Loopback(object):
    """Recording HTTP (port 80) and SMTP (port 25) servers behind an Intercept."""

    def __init__(self):
        self.http = HTTPServer().start()
        self.smtp = SMTPServer().start()
        self.intercept = smsc_sandbox.Intercept({80: self.http, 25: self.smtp})

    @property
    def requests(self):
        return self.http.requests

    @property
    def hosts(self):
        return [host for host, port in self.intercept.connections]

    def clear(self):
        """Forget the requests, sessions, scripts and connections recorded so far."""
        self.http.clear()
        self.smtp.clear()
        self.intercept.clear()


@pytest.fixture
def gw():
    """Loopback servers for the test; an error raised inside one fails the test at teardown."""
    loopback = Loopback()
    with loopback.intercept:
        yield loopback
    stop_and_check([loopback.http, loopback.smtp])


# Keep-alive: a server that keeps connections alive, and a client that does

@pytest.fixture
def kept(gw):
    """A server that keeps connections alive, routed as port 80 (gw.http stays for other ports)."""
    server = HTTPServer(keepalive=True).start()
    gw.intercept.routes[80] = server
    yield server
    stop_and_check([server])


@pytest.fixture
def alive(smsc):
    """SMSC(login="alice", password="secret", keepalive=True), closed after the test."""
    client = smsc.SMSC(login="alice", password="secret", keepalive=True)
    yield client
    client.close()


# The sandbox gateway as users have it (the smsc_gateway fixture), on a stopped clock

@pytest.fixture
def gateway(smsc_gateway, tmpdir):
    """The user fixture (a smsc_sandbox.Gateway) on a stopped clock, its output and log kept for the test."""
    smsc_gateway.clock = Clock(NOW)
    smsc_gateway.out = io.StringIO()
    smsc_gateway.log = str(tmpdir.join("messages.jsonl"))
    yield smsc_gateway  # the plugin's fixture stops it, then raises the first error raised inside it


# HTTPS: a TLS server on port 443 with a certificate for smscentre.com and *.smscentre.com

@pytest.fixture(scope="session")
def tls_files(tmpdir_factory):
    """{"trusted"|"untrusted": (ca_pem, cert_chain_pem, key_pem)}: two unrelated test CAs."""
    directory = str(tmpdir_factory.mktemp("tls"))
    try:
        return dict((name, smsc_sandbox.make_certificate(directory, name)) for name in ("trusted", "untrusted"))
    except OSError:  # neither trustme nor the openssl program
        pytest.skip("HTTPS tests need trustme (Python 3) or the openssl command line to make certificates")


class TLSLoopback(object):
    """A TLS HTTP server routed as port 443 of gw.intercept; untrusted() swaps in a rogue one."""

    def __init__(self, gw, tls_files):
        self._gw, self._files, self.servers = gw, tls_files, []
        self.http = self._start("trusted")

    def context(self, name="trusted"):
        """A server-side TLS context with the certificate of the "trusted" (or "untrusted") CA."""
        return smsc_sandbox.server_context(*self._files[name][1:])

    def _start(self, name, **options):
        server = HTTPServer(ssl_context=self.context(name), **options).start()
        self.servers.append(server)
        self._gw.intercept.routes[443] = server
        return server

    def untrusted(self):
        """Route port 443 to a server whose certificate comes from a CA the client does not trust."""
        self.http = self._start("untrusted")
        return self.http

    def keepalive(self, idle_timeout=5):
        """Route port 443 to a trusted server that keeps connections alive."""
        self.http = self._start("trusted", keepalive=True, idle_timeout=idle_timeout)
        return self.http

    @property
    def requests(self):
        return self.http.requests


@pytest.fixture
def https(gw, tls_files, monkeypatch):
    """gw plus port 443; the client trusts only the test CA (SSL_CERT_FILE, read by OpenSSL)."""
    monkeypatch.setenv("SSL_CERT_FILE", tls_files["trusted"][0])
    tls = TLSLoopback(gw, tls_files)
    yield tls
    stop_and_check(tls.servers)


# SMSC_DEBUG and the SMTP dialogue

@pytest.fixture
def debug_run(gw, capfd, monkeypatch):
    """run(module, debug, message="hi\n.x", **constants): one send_sms_mail("7999", message) with SMSC_DEBUG =
    debug, SMTP_LOGIN "mailer", SMTP_PASSWORD "mailpass", then the module's `constants` set (SMTP_PASSWORD=...
    overrides the default); returns capfd's (out, err).

    3.x smtplib prints to sys.stderr as it is at call time. 2.7 smtplib did `from sys import
    stderr` when it was imported (under pytest: into pytest's own capture, not capfd), so it is
    pointed at the sys.stderr of the running test, as in a program where that is the real stderr.
    """
    def run(module, debug, message="hi\n.x", **constants):
        if six.PY2:
            monkeypatch.setattr(smtplib, "stderr", sys.stderr)  # capfd's, once the test runs
        else:
            assert not hasattr(smtplib, "stderr")
        module.SMSC_DEBUG = debug
        module.SMTP_LOGIN, module.SMTP_PASSWORD = "mailer", "mailpass"
        for name, value in constants.items():
            setattr(module, name, value)
        capfd.readouterr()
        module.SMSC().send_sms_mail("7999", message)
        return capfd.readouterr()
    return run


@pytest.fixture
def utc():
    """datetime.fromtimestamp in UTC, for the debug line of get_status."""
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is needed to print get_status times in UTC on this platform")
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if saved is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = saved
    time.tzset()


# The 50-second edge on a real clock (test_at_most_once): started as soon as the test is collected, and the test
# moved last, so that its two runs of about 50 s go on in the background of the others

def pytest_collection_modifyitems(session, config, items):
    edge = [item for item in items if item.name == "test_the_50_second_edge_on_a_real_clock"]
    if edge:
        config._smsc_real_clock_edge = RealClockEdge()
        items[:] = [item for item in items if item not in edge] + edge  # last: the others run meanwhile


def pytest_unconfigure(config):
    edge = getattr(config, "_smsc_real_clock_edge", None)
    if edge is not None:
        edge.stop()


@pytest.fixture
def real_clock_edge(request):
    """results(): what the two runs of RealClockEdge printed, once they have ended."""
    return request.config._smsc_real_clock_edge.results
