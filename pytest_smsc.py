# -*- coding: utf-8 -*-
"""The pytest plugin of smsc_sandbox: the `smsc_gateway` fixture.

Installed with the package (`pip install smsc_api`: entry point pytest11 "pytest_smsc"), it is loaded in
every pytest run. With copied files, load it from the top-level conftest.py:

    pytest_plugins = ["pytest_smsc"]     # or run: pytest -p pytest_smsc

(the same name as the entry point: with the package installed too, it is loaded once).

    def test_signup(smsc_gateway):         # the SMSC hosts' ports 80, 443 and 25 go to a Gateway
        app.signup("79999999999")          # any code that uses smsc_api (or urllib, requests...) unchanged
        assert smsc_gateway.messages[0]["message"] == "Your code: 1234"

    def test_failover(smsc_gateway):
        smsc_gateway.fail(host="smscentre.com", drop=True)   # the first host is down
        app.signup("79999999999")                             # www2.smscentre.com answers
"""
import shutil
import sys
import tempfile

import pytest

import smsc_sandbox


@pytest.fixture
def smsc_gateway(monkeypatch):
    """A smsc_sandbox.Gateway on free ports; connections to the SMSC hosts (ports 80, 443 and 25) go to it.

    The SMSC hosts are matched by name, whatever the client (smsc_sandbox.Intercept): one that calls
    socket.create_connection (urllib, http.client, smtplib), resolves with socket.getaddrinfo or gethostbyname
    (requests and urllib3, asyncio, httpx, aiohttp) or connects a socket by name reaches the gateway; any other
    port of an SMSC host fails: nothing reaches the real gateway (what is not covered: docs/sandbox.md, "What is
    isolated"). Other hosts are not touched, and *_proxy variables do not apply to the SMSC hosts.
    HTTPS is served with a certificate from the sandbox's own CA, which the client trusts for the test alone,
    besides what it trusted before: SSL_CERT_FILE and REQUESTS_CA_BUNDLE (requests otherwise trusts certifi's CAs
    only) name bundles made for the test (smsc_sandbox.trust_bundles) in a temporary directory removed after it;
    where no certificate can be made (neither trustme nor the openssl command), port 443 is refused. The gateway
    keeps every request and message of the test (no max_records).
    After the test the gateway stops, and an error raised inside it (a bug of the sandbox) fails the test.
    """
    smsc_sandbox.no_proxy_for_smsc(monkeypatch.setenv)
    gateway = smsc_sandbox.Gateway(max_records=None, max_record_bytes=None).start()
    bundles = None
    try:
        if gateway.https is not None:
            bundles = tempfile.mkdtemp(prefix="smsc-gateway-")
            for name, path in sorted(smsc_sandbox.trust_bundles(gateway.ca_file, bundles).items()):
                monkeypatch.setenv(name, path)
        _forget_cached()
        with gateway.intercept():
            yield gateway
    finally:
        gateway.stop()
        _forget_cached()
        if bundles is not None:
            shutil.rmtree(bundles, True)
    gateway.check()


def _forget_cached():
    """smsc_api (this project's module) keeps the TLS context it builds at its first HTTPS call, with the CAs of
    that moment, and the proxies of the environment: forgotten before the test, to trust the gateway's CA, and after
    it, to trust the usual ones (an older copy of the module, 2.0's, keeps nothing)."""
    forget = getattr(sys.modules.get("smsc_api"), "_forget_cached", None)
    if forget is not None:
        forget()


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    """Leave smsc_api as it is written: pytest does not rewrite its asserts.

    pytest rewrites every module of an installed distribution that provides a plugin: smsc_api would
    gain pytest's names (`from smsc_api import *` would bring @py_builtins and @pytest_ar), and it has no
    docstring to carry PYTEST_DONT_REWRITE (2.0 has none). Called only for the installed plugin, before
    any conftest.py imports smsc_api. _must_rewrite is pytest's (4.6 to 8); should it change, pytest
    rewrites smsc_api as it rewrites any plugin's module.
    """
    marked = getattr(getattr(early_config.pluginmanager, "rewrite_hook", None), "_must_rewrite", None)
    if isinstance(marked, set):
        marked.discard("smsc_api")
