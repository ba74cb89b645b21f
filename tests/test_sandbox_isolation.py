# -*- coding: utf-8 -*-
"""Isolation: under the smsc_gateway fixture no client reaches the real gateway, whatever it is.

"The network" is played by a stand-in: a loopback server that the SMSC host names resolve to (socket.getaddrinfo
and gethostbyname replaced for the test, beneath the fixture, and socket.socket.connect and connect_ex for a name
that the C library resolves), as a real resolver would send them to the real gateway: every name that the socket
module hands the resolver as an SMSC host (resolved_as_smsc). Without the fixture every client reaches the stand-in
(the harness sees a leak); under it each client reaches the gateway or fails, and the stand-in accepts no
connection at all. Other hosts ("localhost", resolved for real) are left alone.
"""
import errno
import select
import smtplib
import socket
import ssl

import pytest
import six

import smsc_api
import smsc_sandbox
from helpers import read_to_end
from servers import HTTPServer, Reply, stop_and_check
from smsc_sandbox import Intercept

BALANCE = "/sys/balance.php?login=alice&psw=secret&fmt=1&charset=utf-8"
STAND_IN = b"STAND-IN: the real gateway"


def resolved_as_smsc(host):
    """Whether the resolver beneath the socket module would look up an SMSC host (or a subdomain) for this name:
    the socket module hands it text through the "idna" codec (a name the codec rejects is an error, no lookup),
    bytes as they are."""
    if isinstance(host, six.text_type):
        try:
            host = host.encode("idna")
        except UnicodeError:
            return False
    if not isinstance(host, bytes):
        return False
    name = host.lower().rstrip(b".")
    return any(name == domain or name.endswith(b"." + domain) for domain in
               (b"smscentre.com", b"smsc.ru", b"smsc.kz", b"smsc.ua"))


@pytest.fixture
def network(monkeypatch):
    """The stand-in of the real gateway: every SMSC host name resolves to it (any port), other names as usual."""
    standin = HTTPServer(default=Reply(STAND_IN)).start()
    resolve_smsc_hosts_to(standin, monkeypatch)
    yield standin
    stop_and_check([standin])


@pytest.fixture
def kept_alive_network(monkeypatch):
    """The stand-in of the real gateway, keeping connections alive as it does, answering a balance of 7.00."""
    standin = HTTPServer(default=Reply(b"7.00"), keepalive=True).start()
    resolve_smsc_hosts_to(standin, monkeypatch)
    yield standin
    stop_and_check([standin])


def resolve_smsc_hosts_to(standin, monkeypatch):
    """Make the SMSC host names resolve to the stand-in, beneath whatever replaces the socket module's functions."""
    real_getaddrinfo, real_gethostbyname = socket.getaddrinfo, socket.gethostbyname

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if resolved_as_smsc(host):
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", standin.port))]
        return real_getaddrinfo(host, port, family, type, proto, flags)

    def gethostbyname(host):
        return "127.0.0.1" if resolved_as_smsc(host) else real_gethostbyname(host)

    def resolving(connect):  # socket.socket.connect((name, port)): the C library resolves the name
        def method(sock, address):
            if isinstance(address, tuple) and resolved_as_smsc(address[0]):
                address = ("127.0.0.1", standin.port)
            return connect(sock, address)
        return method
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "gethostbyname", gethostbyname)
    for name in ("connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, resolving(getattr(socket.socket, name)))


@pytest.fixture
def isolated(network, request):
    """The smsc_gateway fixture, entered once the stand-in is there (beneath it, as the real resolver is)."""
    return request.getfixturevalue("smsc_gateway")


# The clients: each GETs a URL (or speaks SMTP) and returns the body it got

def with_urllib(url):
    return six.moves.urllib.request.urlopen(url, timeout=5).read()


def with_http_client(url):
    parts = six.moves.urllib.parse.urlsplit(url)
    kind = six.moves.http_client.HTTPSConnection if parts.scheme == "https" else six.moves.http_client.HTTPConnection
    connection = kind(parts.hostname, parts.port, timeout=5)
    try:
        connection.request("GET", parts.path + "?" + parts.query)
        return connection.getresponse().read()
    finally:
        connection.close()


def with_smsc_api(url):
    parts = six.moves.urllib.parse.urlsplit(url)
    balance = smsc_api.SMSC("alice", "secret", https=parts.scheme == "https", host=parts.netloc,
                            timeout=5).get_balance()
    return balance.encode("ascii") if isinstance(balance, six.text_type) else balance


def with_requests(url):
    requests = pytest.importorskip("requests")
    return requests.get(url, timeout=5).content


def with_raw_socket(url):
    """getaddrinfo, then connect to what it gave, as urllib3 and other clients do (TLS on top for https)."""
    parts = six.moves.urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    family, kind, proto, _, address = socket.getaddrinfo(parts.hostname, port, 0, socket.SOCK_STREAM)[0]
    return over_socket(socket.socket(family, kind, proto), address, parts)


def with_gethostbyname(url):
    """gethostbyname, then connect to that address and the port, as older code does."""
    parts = six.moves.urllib.parse.urlsplit(url)
    address = (socket.gethostbyname(parts.hostname), parts.port or (443 if parts.scheme == "https" else 80))
    return over_socket(socket.socket(socket.AF_INET, socket.SOCK_STREAM), address, parts)


def with_socket_by_name(url):
    """socket.socket().connect((name, port)), the name resolved by the C library (for https, the connect of a socket
    wrapped in TLS beforehand)."""
    parts = six.moves.urllib.parse.urlsplit(url)
    sock = socket.socket()
    if parts.scheme == "https":
        sock = ssl.create_default_context().wrap_socket(sock, server_hostname=parts.hostname)
    address = (parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    return over_socket(sock, address, parts, wrap=False)


def over_socket(sock, address, parts, wrap=True):
    """GET parts' path and query over sock, connected to address (TLS on top for https, if wrap): the body."""
    sock.settimeout(5)
    try:
        sock.connect(address)
        if parts.scheme == "https" and wrap:
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=parts.hostname)
        return http_get(sock, parts)
    finally:
        sock.close()


def http_get(sock, parts):
    """GET parts' path and query over a connected socket: the body."""
    sock.sendall(("GET %s?%s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
                  % (parts.path, parts.query, parts.hostname)).encode("ascii"))
    return read_to_end(sock).partition(b"\r\n\r\n")[2]


def with_asyncio(url):
    """asyncio.open_connection(host, port): the loop's getaddrinfo, as httpx and aiohttp connect."""
    if six.PY2:
        pytest.skip("asyncio: Python 3 only")
    import asyncio
    parts = six.moves.urllib.parse.urlsplit(url)
    return run_async(asyncio, _asyncio_get(parts, parts.scheme == "https"))


def run_async(asyncio, coroutine):
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(asyncio.wait_for(coroutine, 10))
    finally:
        loop.close()


def _asyncio_get(parts, tls):
    namespace = {}
    exec(ASYNC_GET, namespace)
    return namespace["get"](parts, tls, ssl)


ASYNC_GET = '''
import asyncio
async def get(parts, tls, ssl):
    reader, writer = await asyncio.open_connection(
        parts.hostname, parts.port or (443 if tls else 80), ssl=ssl.create_default_context() if tls else None)
    writer.write(("GET %s?%s HTTP/1.1\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n"
                  % (parts.path, parts.query, parts.hostname)).encode("ascii"))
    data = await reader.read()
    writer.close()
    return data.partition(b"\\r\\n\\r\\n")[2]
'''


def with_httpx(url):
    httpx = pytest.importorskip("httpx")
    return httpx.get(url, timeout=5).content


def with_httpx_async(url):
    httpx = pytest.importorskip("httpx")
    import asyncio
    namespace = {"httpx": httpx}
    exec("async def get(url):\n    async with httpx.AsyncClient(timeout=5) as client:\n"
         "        return (await client.get(url)).content\n", namespace)
    return run_async(asyncio, namespace["get"](url))


def with_aiohttp(url):
    """aiohttp builds its default TLS context once, when imported: a context made now trusts the gateway's CA."""
    aiohttp = pytest.importorskip("aiohttp")
    import asyncio
    namespace = {"aiohttp": aiohttp, "context": ssl.create_default_context()}
    exec("async def get(url):\n    async with aiohttp.ClientSession() as session:\n"
         "        async with session.get(url, ssl=context) as response:\n            return await response.read()\n",
         namespace)
    return run_async(asyncio, namespace["get"](url))


CLIENTS = [with_smsc_api, with_urllib, with_http_client, with_requests, with_raw_socket, with_gethostbyname,
           with_socket_by_name, with_asyncio, with_httpx, with_httpx_async, with_aiohttp]
NAMES = [client.__name__[5:] for client in CLIENTS]


def outcome(call, *args):
    """What a client got: its body, or the class of the error it raised."""
    try:
        return call(*args)
    except Exception as exc:  # noqa: B902 (any client's error: the test asserts where the connection went)
        if type(exc).__name__ in ("Skipped", "OutcomeException"):
            raise
        return type(exc)


# 1. Without the fixture the stand-in sees every client: the harness can see a leak

@pytest.mark.parametrize("client", CLIENTS, ids=NAMES)
def test_without_the_fixture_every_client_reaches_the_network(network, client, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE")  # httpx loads it even for http://: the system's CAs, not the empty test file
    if client in (with_gethostbyname, with_httpx_async):  # they connect to the address with the port asked for,
        assert socket.gethostbyname("smscentre.com") == "127.0.0.1"  # 80, where nothing listens: the address
        return                                                        # given is what stands for the network
    assert outcome(client, "http://smscentre.com" + BALANCE) == STAND_IN
    assert network.connections >= 1


# 2. Under the fixture: the gateway, never the network

@pytest.mark.parametrize("host", ["smscentre.com", "www2.smscentre.com", "SMSC.RU", "smsc.kz", "www5.smsc.ua"])
@pytest.mark.parametrize("client", CLIENTS, ids=NAMES)
def test_under_the_fixture_every_client_reaches_the_gateway(isolated, network, client, host):
    assert outcome(client, "http://%s%s" % (host, BALANCE)) == b"100.00"
    assert network.connections == 0
    assert [request.header("Host").lower() for request in isolated.requests] == [host.lower().encode("ascii")]
    asked, = [request.asked for request in isolated.requests]  # the gateway learns the host however it came
    assert (asked[0].lower(), asked[1]) == (host.lower(), 80)


@pytest.mark.parametrize("client", CLIENTS, ids=NAMES)
def test_under_the_fixture_https_reaches_the_gateway_with_its_certificate(isolated, network, client):
    if isolated.https is None:
        pytest.skip("HTTPS needs trustme or the openssl command here")
    assert outcome(client, "https://smscentre.com" + BALANCE) == b"100.00"
    assert network.connections == 0
    assert [(request.tls, request.header("Host")) for request in isolated.requests] == [(True, b"smscentre.com")]


@pytest.mark.parametrize("connect", [
    lambda: smtplib.SMTP("send.smscentre.com", 25, timeout=5),
    lambda: smtplib.SMTP(socket.gethostbyname("send.smscentre.com"), 25, timeout=5),
], ids=["smtplib", "gethostbyname"])
def test_under_the_fixture_smtp_reaches_the_gateway(isolated, network, connect):
    server = connect()
    try:
        assert server.ehlo()[0] == 250
    finally:
        server.close()
    assert network.connections == 0
    assert isolated.smtp.sessions[0]["asked"] == ("send.smscentre.com", 25)


@pytest.mark.parametrize("client", CLIENTS, ids=NAMES)
def test_any_other_port_of_an_smsc_host_fails(isolated, network, client):
    got = outcome(client, "http://smscentre.com:8080" + BALANCE)
    assert got is False if client is with_smsc_api else isinstance(got, type)  # refused: an error
    assert network.connections == 0 and isolated.requests == []


@pytest.mark.parametrize("call", [
    lambda: socket.getaddrinfo("smscentre.com", 8080),
    lambda: socket.getaddrinfo("smscentre.com", 80, socket.AF_INET6),
    lambda: socket.getaddrinfo("smscentre.com", 80, 0, socket.SOCK_DGRAM),
    lambda: socket.getaddrinfo("smscentre.com", "gopher-not-a-service"),
], ids=["port-8080", "ipv6", "udp", "unknown-service"])
def test_what_cannot_be_routed_is_not_resolved(isolated, network, call):
    with pytest.raises(socket.gaierror):
        call()


def test_stand_in_addresses_name_their_host_and_refuse_other_ports(isolated, network):
    www2, = [entry[4] for entry in socket.getaddrinfo(b"www2.smscentre.com", "http", 0, 0, 0, socket.AI_CANONNAME)]
    assert socket.getaddrinfo("WWW2.smscentre.com.", None)[0][4] == (www2[0], 0)
    assert socket.gethostbyname("www2.smscentre.com") == www2[0] != socket.gethostbyname("smscentre.com")
    assert socket.gethostbyname_ex("www2.smscentre.com") == ("www2.smscentre.com", [], [www2[0]])
    assert www2[0].startswith("127.83.") and www2[1] == 80
    for port in (8080, 22):
        with pytest.raises(socket.error) as refused:
            socket.create_connection(("smscentre.com", port), 5)
        assert refused.value.errno == errno.ECONNREFUSED
        sock = socket.socket()
        try:
            assert sock.connect_ex((www2[0], port)) == errno.ECONNREFUSED
        finally:
            sock.close()
    assert network.connections == 0
    assert isolated_intercept(isolated).connections == [("smscentre.com", 8080), ("www2.smscentre.com", 8080),
                                                        ("smscentre.com", 22), ("www2.smscentre.com", 22)]


def test_a_socket_connected_by_name_reaches_the_gateway_or_is_refused(isolated, network):
    """connect_ex too, non-blocking too; another port, an IPv6 or a UDP socket: refused, never passed on."""
    sock = socket.socket()
    try:
        assert sock.connect_ex(("send.smscentre.com", 25)) == 0
        assert sock.recv(4) == b"220 "  # the gateway's SMTP greeting
    finally:
        sock.close()
    sock = socket.socket()
    try:
        sock.setblocking(False)
        assert sock.connect_ex((u"www2.smsc.ru", 80)) in (0, errno.EINPROGRESS, errno.EWOULDBLOCK)
        assert select.select([], [sock], [], 5)[1] == [sock]
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
        sock.settimeout(5)
        assert http_get(sock, six.moves.urllib.parse.urlsplit("http://www2.smsc.ru" + BALANCE)) == b"100.00"
    finally:
        sock.close()
    refused = []
    for family, kind, address in [(socket.AF_INET, socket.SOCK_STREAM, (b"smscentre.com", 8080)),
                                  (socket.AF_INET, socket.SOCK_DGRAM, ("smscentre.com", 80)),
                                  (getattr(socket, "AF_INET6", None), socket.SOCK_STREAM, ("smsc.kz", 80, 0, 0))]:
        try:
            sock = socket.socket(family, kind)
        except (socket.error, TypeError):  # no IPv6 here
            continue
        try:
            assert sock.connect_ex(address) == errno.ECONNREFUSED
            with pytest.raises(socket.error) as error:
                sock.connect(address)
            refused.append((error.value.errno, address[0]))
        finally:
            sock.close()
    assert refused[:2] == [(errno.ECONNREFUSED, b"smscentre.com"), (errno.ECONNREFUSED, "smscentre.com")]
    assert refused[2:] in ([], [(errno.ECONNREFUSED, "smsc.kz")])
    assert network.connections == 0
    assert [request.header("Host") for request in isolated.requests] == [b"www2.smsc.ru"]
    assert isolated_intercept(isolated).connections[:2] == [("send.smscentre.com", 25), (u"www2.smsc.ru", 80)]


@pytest.mark.skipif(six.PY2 or not hasattr(socket.socket, "sendmsg"),
                    reason="Python 2's socket.sendto is each socket's slot: not replaced (docs/sandbox.md); no sendmsg")
def test_tcp_fast_open_to_an_smsc_host_by_name_is_refused(network, request, monkeypatch):
    """sendto and sendmsg with MSG_FASTOPEN connect by the name given: an SMSC host's is refused, others pass on."""
    given = []

    def stand_in(name):  # the network beneath: records the address, sends nothing
        def method(sock, *args):
            given.append((name, args[-1]))
            raise socket.error(errno.ENETUNREACH, "the stand-in of the network")
        return method
    for name in ("sendto", "sendmsg"):
        monkeypatch.setattr(socket.socket, name, stand_in(name))
    fast_open = getattr(socket, "MSG_FASTOPEN", 0x20000000)
    data = b"GET " + BALANCE.encode("ascii") + b" HTTP/1.0\r\n\r\n"
    calls = [lambda sock, address: sock.sendto(data, fast_open, address),
             lambda sock, address: sock.sendto(data, address),
             lambda sock, address: sock.sendmsg([data], [], fast_open, address)]

    def errors(address):
        found = []
        for call in calls:
            sock = socket.socket()
            try:
                with pytest.raises(socket.error) as error:
                    call(sock, address)
                found.append(error.value.errno)
            finally:
                sock.close()
        return found
    assert errors(("smscentre.com", 80)) == [errno.ENETUNREACH] * 3  # without the fixture: the network
    assert given == [("sendto", ("smscentre.com", 80))] * 2 + [("sendmsg", ("smscentre.com", 80))]
    del given[:]
    gateway = request.getfixturevalue("smsc_gateway")
    for address in [("smscentre.com", 80), ("SMSC.RU", 443), (u"smscentre\u3002com", 25), (b"send.smsc.kz", 25)]:
        assert errors(address) == [errno.ECONNREFUSED] * 3
    assert given == [] and network.connections == 0 and gateway.requests == []
    assert errors(("localhost", 9)) == [errno.ENETUNREACH] * 3  # another host: passed on
    assert given == [("sendto", ("localhost", 9))] * 2 + [("sendmsg", ("localhost", 9))]


def test_a_connection_kept_alive_from_before_the_fixture_is_not_used_under_it(kept_alive_network, request):
    """An SMSC(keepalive=True) used before the fixture (kept at module level, or by the application's start-up): under
    the fixture it connects anew, to the gateway (smsc_api reuses no connection made before _forget_cached(), which
    the fixture calls on entry). Other clients' connections are not covered (docs/sandbox.md)."""
    with smsc_api.SMSC("alice", "secret", keepalive=True, timeout=5) as smsc:
        assert smsc.get_balance() == "7.00"  # before the fixture: the network, the connection kept
        gateway = request.getfixturevalue("smsc_gateway")
        assert smsc.get_balance() == "100.00"
        assert smsc.send_sms("79999999999", "paid SMS") == ["1", "1", "2.50", "97.50"]
    assert (len(kept_alive_network.requests), kept_alive_network.connections) == (1, 1)
    assert [request.path for request in gateway.requests] == [b"/sys/balance.php", b"/sys/send.php"]
    assert [message["message"] for message in gateway.messages] == ["paid SMS"]


# Names that the socket module turns into an SMSC host's (IDNA: other full stops, fullwidth letters, a soft hyphen)

IDN_NAMES = [u"smscentre\u3002com", u"smscentre\uff0ecom", u"www2.smscentre\uff61com", u"SMSCENTRE\u3002COM",
             u"\uff53\uff4d\uff53\uff43\uff45\uff4e\uff54\uff52\uff45.com", u"sms\u00adcentre.com",
             u"send.smsc\u200b.ru"]


def idn_get(connect, host):
    """GET the balance over a socket connected to host's port 80 by connect(host, port), Host: as IDNA gives it."""
    sock = connect(host, 80)
    try:
        sock.settimeout(5)
        sock.sendall(b"GET " + BALANCE.encode("ascii") + b" HTTP/1.1\r\nHost: " + host.encode("idna") +
                     b"\r\nConnection: close\r\n\r\n")
        return read_to_end(sock).partition(b"\r\n\r\n")[2]
    finally:
        sock.close()


def by_getaddrinfo(host, port):
    family, kind, proto, _, address = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.connect(address)
    return sock


def by_gethostbyname(host, port):
    sock = socket.socket()
    sock.connect((socket.gethostbyname(host), port))
    return sock


IDN_CONNECTS = [lambda host, port: socket.create_connection((host, port), 5), by_getaddrinfo, by_gethostbyname]
IDN_CONNECT_NAMES = ["create_connection", "getaddrinfo", "gethostbyname"]


@pytest.mark.parametrize("host", IDN_NAMES, ids=repr)
def test_names_the_socket_module_encodes_into_an_smsc_host_are_smsc_hosts(host):
    assert smsc_sandbox.is_smsc_host(host) is True
    assert resolved_as_smsc(host) is True  # so the stand-in of the network takes them


@pytest.mark.parametrize("connect", IDN_CONNECTS, ids=IDN_CONNECT_NAMES)
@pytest.mark.parametrize("host", IDN_NAMES, ids=repr)
def test_without_the_fixture_idn_names_reach_the_network(network, connect, host):
    if connect is not by_getaddrinfo:  # they connect to the address with the port asked for (80: nothing there)
        assert socket.getaddrinfo(host, 80)[0][4] == ("127.0.0.1", network.port)
        return
    assert idn_get(connect, host) == STAND_IN


@pytest.mark.parametrize("connect", IDN_CONNECTS, ids=IDN_CONNECT_NAMES)
@pytest.mark.parametrize("host", IDN_NAMES, ids=repr)
def test_under_the_fixture_idn_names_reach_the_gateway(isolated, network, connect, host):
    assert idn_get(connect, host) == b"100.00"
    assert network.connections == 0
    assert [request.header("Host") for request in isolated.requests] == [host.encode("idna")]


@pytest.mark.parametrize("host", [u"www\u2028.smsc.ru", u"www\ufffd.smscentre.com", u"a" * 64 + u"\u3002smsc.ru"],
                         ids=repr)
def test_a_name_the_codec_rejects_is_not_an_smsc_host_and_connects_nowhere(isolated, network, host):
    assert smsc_sandbox.is_smsc_host(host) is False
    for call in (lambda: socket.getaddrinfo(host, 80), lambda: socket.create_connection((host, 80), 5),
                 lambda: socket.gethostbyname(host)):
        with pytest.raises(UnicodeError):  # the socket module refuses it: no lookup, no connection
            call()
    assert network.connections == 0 and isolated.requests == []


# 3. Every other host is left alone: it goes to the functions that were there before, unrecorded

@pytest.mark.parametrize("client", CLIENTS[1:], ids=NAMES[1:])
def test_other_hosts_are_untouched(isolated, network, client):
    with HTTPServer(default=Reply(b"the application's own service")) as own:
        assert outcome(client, "http://localhost:%d/path?x=1" % own.port) == b"the application's own service"
        assert [request.request_line.split(b" ")[1] for request in own.requests] == [b"/path?x=1"]
    assert network.connections == 0 and isolated.requests == []
    intercept = isolated_intercept(isolated)
    assert intercept.connections == [] and intercept.lookups == []


def isolated_intercept(gateway):
    """The Intercept the fixture entered: the one whose getaddrinfo is the socket module's now."""
    return socket.getaddrinfo.__self__


# 4. Entering and leaving

def test_exit_puts_back_exactly_what_was_there(network):
    before = [getattr(socket, name) for name in smsc_sandbox._PATCHED] + [
        socket.socket.__dict__.get(name) for name in smsc_sandbox._METHODS]
    with HTTPServer() as server:
        with Intercept({80: server}, smsc_only=True) as intercept:
            assert socket.create_connection(("smscentre.com", 80)).getpeername() == server.address
            with pytest.raises(RuntimeError):
                intercept.__enter__()
        assert [getattr(socket, name) for name in smsc_sandbox._PATCHED] + [
            socket.socket.__dict__.get(name) for name in smsc_sandbox._METHODS] == before
        assert socket.getaddrinfo("smscentre.com", 80)[0][4] == ("127.0.0.1", network.port)


def test_intercepts_nest_and_may_end_in_any_order(network):
    with HTTPServer() as outer_server, HTTPServer() as inner_server:
        outer = Intercept({80: outer_server}, smsc_only=True).__enter__()
        inner = Intercept({80: inner_server}, smsc_only=True).__enter__()
        assert with_raw_socket("http://smscentre.com/") == b""
        outer.__exit__(None, None, None)  # not the last entered: its functions pass every call through
        assert with_raw_socket("http://smscentre.com/") == b""
        inner.__exit__(None, None, None)
        assert with_raw_socket("http://smscentre.com/") == STAND_IN
        assert outer.lookups == [] and inner.lookups == [("smscentre.com", 80)] * 2
        assert (len(inner_server.requests), len(outer_server.requests), network.connections) == (2, 0, 1)


# 5. Intercept(smsc_only=True) on its own: the SMSC hosts (smsc_sandbox.is_smsc_host) are redirected, nothing else

def test_smsc_only_redirects_the_smsc_hosts_and_nothing_else():
    real = socket.create_connection
    with HTTPServer() as target, HTTPServer() as other:  # stopped, then checked, after the block
        with Intercept({80: target}, smsc_only=True) as intercept:
            for host in ["smscentre.com", "WWW3.SMSC.RU", "send.smsc.kz.", "smsc.ua"]:
                socket.create_connection((host, 80)).close()
            with pytest.raises(socket.error):
                socket.create_connection(("smsc.ua", 443))
            socket.create_connection(("127.0.0.1", other.port)).close()
            socket.create_connection(("localhost", other.port)).close()
            with pytest.raises(socket.error):  # not an SMSC host: resolved for real, and refused
                socket.create_connection(("smsc.ua.invalid", 80), 2)
        assert socket.create_connection is real
        assert intercept.connections == [("smscentre.com", 80), ("WWW3.SMSC.RU", 80), ("send.smsc.kz.", 80),
                                         ("smsc.ua", 80), ("smsc.ua", 443)]
        assert target.wait_served(4) and other.wait_served(2)


@pytest.mark.parametrize("host,smsc", [("smscentre.com", True), ("www5.smsc.kz", True), ("smsc.ua.", True),
                                       (b"SMSC.RU", True), ("notsmsc.ru", False), ("smsc.ru.evil.org", False),
                                       ("", False), (None, False),
                                       # as the socket module hands them to the resolver: text through IDNA,
                                       (u"smscentre\u3002com", True), (u"SMSC\uff0eKZ", True),
                                       (u"\uff53\uff4d\uff53\uff43.ua", True), (u"sms\u00adcentre.com", True),
                                       (u"www\u2028.smsc.ru", False),  # (the codec refuses it: so does the socket)
                                       (u"sm\u0455c.ru", False),        # (a Cyrillic letter: xn--smc-ghd.ru)
                                       # bytes as they are (or read as UTF-8)
                                       (bytearray(b"send.smsc.ru"), True), (b"\xff.smsc.ru", True),
                                       (u"smscentre\u3002com".encode("utf-8"), True), (b"smsc\xff.ru", False)])
def test_is_smsc_host(host, smsc):
    assert smsc_sandbox.is_smsc_host(host) is smsc
