# -*- coding: utf-8 -*-
"""The sandbox gateway's HTTPS: port 443 of the smsc_gateway fixture, CONNECT on the HTTP port (what an
application started with https_proxy=http://127.0.0.1:8025 does), and HTTP alone where no certificate can be
made (neither trustme nor the openssl command).

The client always verifies the certificate: it trusts the sandbox's CA through SSL_CERT_FILE (the fixture points
it at a bundle of what was trusted before and that CA) or a context made from that CA file, never by turning
verification off; what the application trusted before (its own services) stays trusted under the fixture. The
command line over HTTPS, as a program, is in test_sandbox.py.
"""
import errno
import io
import os
import re
import socket
import ssl
import sys

import pytest
from six.moves import http_client
from six.moves.urllib.request import urlopen

import smsc_sandbox
from helpers import HTTP_VERSION, SandboxProcess, echoed, get_over_connection, raw_get, response, run_app, send_raw
from servers import HTTPServer, Reply

CONNECT_REFUSED = b"smsc_sandbox: CONNECT only to port 443 of smscentre.com, smsc.ru, smsc.kz, smsc.ua and their " \
                  b"subdomains\n"
NO_CERTIFICATE = u"no certificate could be made: neither trustme (pip install trustme) nor the openssl command is " \
                 u"installed"


@pytest.fixture
def tls_sandbox(sandbox):
    """The sandbox fixture where it serves HTTPS (a certificate could be made here)."""
    if sandbox.https is None:
        pytest.skip("HTTPS needs trustme (Python 3) or the openssl command here: %s" % sandbox.https_error)
    return sandbox


def read(path):
    with open(path, "rb") as handle:
        return handle.read()


def test_the_fixture_serves_port_443_with_a_certificate_trusted_for_the_test(smsc, tls_sandbox):
    # before, the test trusted no CA (conftest's empty SSL_CERT_FILE): now the gateway's alone
    assert read(os.environ["SSL_CERT_FILE"]) == read(tls_sandbox.ca_file)
    with smsc.SMSC("alice", "secret", https=True, keepalive=True) as client:
        assert client.send_sms("79999999999", "over TLS") == ["1", "1", "2.50", "97.50"]
        assert client.get_balance() == "97.50"
    assert [(r.request_line, r.tls, r.asked, r.connection) for r in tls_sandbox.requests] == [
        (b"GET /sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=over%20TLS"
         b"&translit=0&id=0 " + HTTP_VERSION, True, ("smscentre.com", 443), 1),
        (b"GET /sys/balance.php?login=alice&psw=secret&fmt=1&charset=utf-8& " + HTTP_VERSION, True,
         ("smscentre.com", 443), 1)]
    assert echoed(tls_sandbox) == [u"SMS id=1 to 79999999999: over TLS (1 part, 2.50)"]


# What the application trusted before stays trusted: its own HTTPS services

BALANCE = "/sys/balance.php?login=a&psw=b&fmt=1&charset=utf-8"
CA_VARIABLES = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


@pytest.fixture(scope="module")
def own_ca(tmpdir_factory):
    """The CA of the application's own HTTPS service and its certificate for localhost: (ca_pem, chain_pem, key_pem)."""
    try:
        return smsc_sandbox.make_certificate(str(tmpdir_factory.mktemp("own")), "own", hosts=("localhost",))
    except OSError:
        pytest.skip("HTTPS needs trustme or the openssl command here")


@pytest.fixture
def own_service(own_ca):
    """The application's own HTTPS service on localhost: its URL."""
    with HTTPServer(ssl_context=smsc_sandbox.server_context(*own_ca[1:]), default=Reply(b"own service")) as server:
        yield "https://localhost:%d/" % server.port


def with_urllib(url):
    """urllib with OpenSSL's default CAs (SSL_CERT_FILE)."""
    return urlopen(url, timeout=5, context=ssl.create_default_context()).read()


def with_requests(url):
    """requests: REQUESTS_CA_BUNDLE, else CURL_CA_BUNDLE, else certifi's CAs."""
    return pytest.importorskip("requests").get(url, timeout=5).content


@pytest.mark.parametrize("variable,get", [("SSL_CERT_FILE", with_urllib), ("REQUESTS_CA_BUNDLE", with_requests),
                                          ("CURL_CA_BUNDLE", with_requests)], ids=["urllib", "requests", "curl-ca"])
def test_what_the_application_trusted_stays_trusted_under_the_fixture(own_ca, own_service, variable, get, request,
                                                                      monkeypatch):
    for name in CA_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, own_ca[0])  # how the application's tests trust its own service
    assert get(own_service) == b"own service"
    gateway = request.getfixturevalue("smsc_gateway")
    if gateway.https is None:
        pytest.skip("HTTPS needs trustme or the openssl command here: %s" % gateway.https_error)
    assert get(own_service) == b"own service"
    assert get("https://smscentre.com" + BALANCE) == b"100.00"
    assert [(r.tls, r.header("Host")) for r in gateway.requests] == [(True, b"smscentre.com")]


def test_unset_the_bundles_hold_the_default_cas_and_the_gateways(request, monkeypatch):
    """SSL_CERT_FILE: the default store's CA file; REQUESTS_CA_BUNDLE: certifi's, as requests trusts without it."""
    for name in CA_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    default = ssl.get_default_verify_paths().openssl_cafile
    try:
        import certifi
        requests_default = certifi.where()
    except ImportError:
        requests_default = default
    gateway = request.getfixturevalue("smsc_gateway")
    if gateway.https is None:
        pytest.skip("HTTPS needs trustme or the openssl command here: %s" % gateway.https_error)
    for name, before in (("SSL_CERT_FILE", default), ("REQUESTS_CA_BUNDLE", requests_default)):
        trusted = read(before).rstrip(b"\n") + b"\n" if os.path.isfile(before) else b""
        assert read(os.environ[name]) == trusted + read(gateway.ca_file), name


def test_a_bundle_adds_the_ca_to_a_file_a_directory_or_nothing(tmpdir, own_ca, tls_files):
    """A directory gives the certificates of its files; a file that cannot be read, nothing (it trusted nothing)."""
    ca, own = read(tls_files["trusted"][0]), read(own_ca[0])
    directory = tmpdir.mkdir("cas")
    directory.join("own.pem").write_binary(own)
    directory.join("README").write_binary(b"not a certificate\n")
    no_newline = tmpdir.join("no-newline.pem")
    no_newline.write_binary(own.rstrip(b"\n"))
    for number, (environ, expected) in enumerate([
            ({"SSL_CERT_FILE": str(no_newline), "REQUESTS_CA_BUNDLE": str(directory)}, (own + ca, own + ca)),
            ({"SSL_CERT_FILE": str(tmpdir.join("missing.pem")), "REQUESTS_CA_BUNDLE": "",
              "CURL_CA_BUNDLE": str(no_newline)}, (ca, own + ca))]):
        bundles = smsc_sandbox.trust_bundles(tls_files["trusted"][0], str(tmpdir.mkdir("out%d" % number)), environ)
        assert sorted(bundles) == ["REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"]
        assert (read(bundles["SSL_CERT_FILE"]), read(bundles["REQUESTS_CA_BUNDLE"])) == expected


@pytest.fixture
def gone_after_the_test():
    """Paths that must be gone once the test's other fixtures are torn down."""
    paths = []
    yield paths
    assert [path for path in paths if os.path.exists(path)] == []


def test_the_bundles_are_the_tests_alone(gone_after_the_test, tls_sandbox):
    directory = os.path.dirname(os.environ["SSL_CERT_FILE"])
    assert os.path.dirname(os.environ["REQUESTS_CA_BUNDLE"]) == directory != os.path.dirname(tls_sandbox.ca_file)
    assert sorted(os.listdir(directory)) == ["REQUESTS_CA_BUNDLE.pem", "SSL_CERT_FILE.pem"]
    gone_after_the_test.append(directory)


def test_an_https_proxy_tunnels_to_the_gateway_with_connect(smsc, tls_sandbox, monkeypatch):
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:%d" % tls_sandbox.http.port)
    for name in ("no_proxy", "NO_PROXY"):  # the fixture lets the SMSC hosts bypass proxies: not here
        monkeypatch.delenv(name, raising=False)
    with smsc.SMSC("alice", "secret", https=True, keepalive=True) as client:
        assert client.get_balance() == "100.00"
        assert client.send_sms("79999999999", "tunnelled") == ["1", "1", "2.50", "97.50"]
    connect, balance, sent = tls_sandbox.requests
    assert connect.request_line == b"CONNECT smscentre.com:443 " + (
        b"HTTP/1.1" if sys.version_info >= (3, 12) else b"HTTP/1.0")
    assert (connect.tls, connect.asked, connect.reply) == (False, None, b"")
    assert [(r.path, r.tls, r.asked, r.connection) for r in (balance, sent)] == [
        (b"/sys/balance.php", True, ("smscentre.com", 443), 1), (b"/sys/send.php", True, ("smscentre.com", 443), 1)]
    assert echoed(tls_sandbox) == [u"SMS id=1 to 79999999999: tunnelled (1 part, 2.50)"]


def tunnel(sandbox, host, ca_file):
    """A TLS connection to host:443 through the gateway's CONNECT, trusting ca_file only."""
    sock = socket.create_connection(sandbox.http.address, 5)  # 127.0.0.1: not intercepted
    sock.sendall(b"CONNECT " + host.encode("ascii") + b":443 HTTP/1.0\r\n\r\n")
    answer = b""
    while not answer.endswith(b"\r\n\r\n"):
        answer += sock.recv(1)
    assert answer == b"HTTP/1.1 200 Connection established\r\n\r\n"
    return ssl.create_default_context(cafile=ca_file).wrap_socket(sock, server_hostname=host)


@pytest.mark.parametrize("host", ["smscentre.com", "www2.smsc.ru", "SMSC.KZ", "www5.smsc.ua"])
def test_inside_the_tunnel_each_host_and_mirror_is_served_kept_alive(tls_sandbox, host):
    client = http_client.HTTPConnection(host)
    client.sock = tunnel(tls_sandbox, host, tls_sandbox.ca_file)
    try:
        answers = get_over_connection(client, [
            "/sys/balance.php?login=a&psw=b&fmt=1&charset=utf-8",
            "/sys/send.php?login=a&psw=b&fmt=1&charset=utf-8&phones=79999999999&mes=hi"])
    finally:
        client.close()
    assert answers == [(200, "keep-alive", b"100.00"), (200, "keep-alive", b"1,1")]
    assert [(r.method, r.asked, r.connection) for r in tls_sandbox.requests] == [
        (b"CONNECT", None, 1), (b"GET", (host, 443), 1), (b"GET", (host, 443), 1)]


def test_a_client_that_trusts_other_cas_refuses_the_certificate_and_sends_nothing(tls_sandbox, tls_files):
    with pytest.raises(ssl.SSLError):
        tunnel(tls_sandbox, "smscentre.com", tls_files["untrusted"][0])
    assert tls_sandbox.http.wait_served(1)
    assert [r.method for r in tls_sandbox.requests] == [b"CONNECT"]


@pytest.mark.parametrize("target", [b"example.com:443", b"smscentre.com:80", b"smscentre.com.example.com:443",
                                    b"127.0.0.1:443", b"smscentre.com"])
def test_connect_goes_only_to_port_443_of_the_smsc_hosts(sandbox, target):
    assert send_raw(sandbox, b"CONNECT " + target + b" HTTP/1.1\r\nHost: " + target + b"\r\n\r\n") == response(
        CONNECT_REFUSED, status=b"403 Forbidden", connection=b"close")
    reason = CONNECT_REFUSED[len(b"smsc_sandbox: "):-1].decode("ascii")
    assert echoed(sandbox) == [u"ERROR HTTP 403 (%s) for CONNECT %s" % (reason, target.decode("ascii"))]


@pytest.fixture
def no_certificate(monkeypatch):
    """Neither trustme nor the openssl command, as make_certificate finds it."""
    def unavailable(directory, name="sandbox", hosts=smsc_sandbox.HOSTS):
        raise OSError(errno.ENOENT, "No such file or directory: 'openssl'")
    monkeypatch.setattr(smsc_sandbox, "make_certificate", unavailable)
    monkeypatch.setattr(smsc_sandbox, "_certificates", [])  # the process's certificate, if made, forgotten


def test_without_a_certificate_the_gateway_serves_http_and_says_why(no_certificate):
    gateway = smsc_sandbox.Gateway(out=io.StringIO()).start()
    try:
        assert (gateway.https, gateway.ca_file, gateway.https_error) == (None, None, NO_CERTIFICATE)
        assert sorted(gateway.intercept().routes) == [25, 80]  # 443 refused
        assert send_raw(gateway, b"CONNECT smscentre.com:443 HTTP/1.0\r\n\r\n") == response(
            b"smsc_sandbox: HTTPS unavailable: " + NO_CERTIFICATE.encode("ascii") + b"\n",
            status=b"501 Not Implemented", connection=b"close")
        assert raw_get(gateway, b"/sys/balance.php?login=a&psw=b&fmt=1&charset=utf-8") == response(b"100.00")
    finally:
        gateway.stop()
    gateway.check()
    assert echoed(gateway) == [u"ERROR HTTP 501 (HTTPS unavailable: %s) for CONNECT smscentre.com:443" % NO_CERTIFICATE]


def test_https_off():
    gateway = smsc_sandbox.Gateway(https=False).start()
    gateway.stop()
    gateway.check()
    assert (gateway.https, gateway.ca_file, gateway.https_error) == (None, None, u"HTTPS is off (https=False)")
    assert sorted(gateway.intercept().routes) == [25, 80]


def test_a_ca_file_that_cannot_be_written_leaves_http_alone(tls_sandbox, tmpdir):
    path = str(tmpdir.join("missing", "ca.pem"))
    gateway = smsc_sandbox.Gateway(ca_file=path).start()
    gateway.stop()
    gateway.check()
    assert (gateway.https, gateway.https_error) == (None, u"cannot write the CA file %s: No such file or directory"
                                                    % path)


def test_the_command_line_without_a_certificate_says_so_and_serves_http(tmpdir):
    """No trustme to import, no openssl on PATH: one clear line, no traceback, and HTTP served."""
    tmpdir.join("trustme.py").write("raise ImportError('trustme is not installed here')\n")
    sandbox = SandboxProcess("--port", "0", "--smtp-port", "0", PATH=str(tmpdir), PYTHONPATH=str(tmpdir))
    try:
        first = sandbox.line()
        http, smtp = re.match(r"HTTP on http://127\.0\.0\.1:(\d+) and SMTP on 127\.0\.0\.1:(\d+);", first).groups()
        assert first == u"HTTP on http://127.0.0.1:%s and SMTP on 127.0.0.1:%s; HTTPS unavailable (%s). Start your " \
                        u"application, or python smsc_api.py, with:" % (http, smtp, NO_CERTIFICATE)
        assert sandbox.line() == u"SMSC_HTTPS=0 http_proxy=http://127.0.0.1:%s https_proxy=http://127.0.0.1:%s " \
                                 u"SMSC_SMTP_SERVER=127.0.0.1:%s" % (http, http, smtp)
        assert sandbox.line().startswith(u"any login; ")
        assert run_app("import smsc_api; print(smsc_api.SMSC().get_balance())", SMSC_LOGIN="a", SMSC_PASSWORD="b",
                       http_proxy="http://127.0.0.1:" + http) == (0, "100.00\n", "")
    finally:
        rest, code = sandbox.stop()
    assert (rest, code) == (["Stopped."], 0)
