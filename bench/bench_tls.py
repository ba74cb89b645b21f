# -*- coding: utf-8 -*-
"""Per-call time of send_sms against 2.0's send_sms and a bare urlopen of the same URL, over HTTP and HTTPS.

    python bench/bench_tls.py [rounds]

One run: the loopback servers (tests/servers.py) in a process of their own, the module's real code
path (only socket.create_connection is redirected). The client trusts the system CA bundle
plus the test CA, as a real one would, so 2.0's way of building a context per call (loading
the bundle each time) costs what it costs in production. HTTP cases run first, then HTTPS
ones (whose bundle loading would disturb the HTTP timings), each in rounds whose order turns;
a ratio is the median over rounds of the two cases' ratio in the same round. Targets:

- HTTPS: send_sms (one reused TLS context) <= 1/4 of a bare urlopen with a fresh context;
- HTTP: send_sms <= 1.04 x 2.0's send_sms (what a user who copies the file over 2.0's sees). Shown
  beside it: a bare urlopen of the same URL (no quoting, no parsing, no deadline), and one with
  the same timeout (send_sms waits at most SMSC_TIMEOUT, 2.0 forever).
"""
from __future__ import print_function

import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))            # servers: the tests' loopback servers
sys.path.insert(0, os.path.join(ROOT, "tests", "legacy"))

import servers  # noqa: E402 (tests/: sys.path above)
import smsc_api  # noqa: E402 (from the checkout: sys.path above)
import smsc_api_20  # noqa: E402 (tests/legacy: sys.path above)
import smsc_sandbox  # noqa: E402 (from the checkout: sys.path above)

try:
    from urllib.request import urlopen
except ImportError:  # Python 2: 2.0's urllib.urlopen
    from urllib import urlopen

CALLS_PER_BATCH = 20
URL = ("/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999"
       "&mes=Hello%2C%20world&translit=0&id=0")
REPLY = b"15,1,1.5,98.5"
clock = getattr(time, "perf_counter", time.time)
PY2 = sys.version_info[0] == 2


def serve(directory):
    """The servers, in a process of their own (no GIL shared with the client): prints the ports."""
    cert, key = os.path.join(directory, "sandbox.pem"), os.path.join(directory, "sandbox.key")
    http = servers.HTTPServer(default=servers.Reply(REPLY)).start()
    https = servers.HTTPServer(ssl_context=smsc_sandbox.server_context(cert, key), default=servers.Reply(REPLY)).start()
    print(http.port, https.port)
    sys.stdout.flush()
    sys.stdin.read()  # until the client is done


class Remote(object):
    """What Intercept needs of a server: its address, and a no-op note of who asked."""

    def __init__(self, port):
        self.address = ("127.0.0.1", port)

    def note_asked(self, client_port, host, port):
        pass


def ca_bundle(directory, test_ca):
    """The system CA bundle with the test CA appended."""
    path = os.path.join(directory, "bundle.pem")
    system = ssl.get_default_verify_paths().openssl_cafile
    with open(path, "wb") as out:
        if system and os.path.exists(system):
            with open(system, "rb") as handle:
                out.write(handle.read())
        with open(test_ca, "rb") as handle:
            out.write(handle.read())
    return path, system


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def measure(cases, rounds, calls_per_batch=CALLS_PER_BATCH):
    """{name: [seconds per call, one per round]}, the order of the cases turning each round."""
    timings = dict((name, []) for name, _ in cases)
    for name, call in cases:  # warm up (the global opener, the module's context, a kept connection); check
        assert call() in (REPLY.decode("ascii").split(","), REPLY), name
    for round in range(rounds):
        for name, call in cases[round % len(cases):] + cases[:round % len(cases)]:
            start = clock()
            for _ in range(calls_per_batch):
                call()
            timings[name].append((clock() - start) / calls_per_batch)
    return timings


def ratio(timings, ours, theirs):
    return median([a / b for a, b in zip(timings[ours], timings[theirs])])


def spawned(script, *args):
    """The script's `--serve args` process, which prints its ports and serves until its stdin closes: (process,
    the ports)."""
    server = subprocess.Popen([sys.executable, os.path.abspath(script), "--serve"] + list(args),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    return server, [int(port) for port in server.stdout.readline().split()]


def serving(script, directory):
    """A test certificate in directory, the system CA bundle plus its CA trusted (SSL_CERT_FILE), and the
    script's --serve process in directory: (process, the ports it printed, the system bundle's path)."""
    ca, cert, key = smsc_sandbox.make_certificate(directory)
    bundle, system = ca_bundle(directory, ca)
    os.environ["SSL_CERT_FILE"] = bundle
    return spawned(script, directory) + (system,)


def main(rounds):
    directory = tempfile.mkdtemp(prefix="smsc-bench-")
    try:
        server, ports, system = serving(__file__, directory)
        http, https = [Remote(port) for port in ports]
        smsc_api_20.SMSC_LOGIN, smsc_api_20.SMSC_PASSWORD = "alice", "secret"
        ours, theirs = smsc_api.SMSC(login="alice", password="secret"), smsc_api_20.SMSC()
        ours_tls = smsc_api.SMSC(login="alice", password="secret", https=True)
        timeout = smsc_api.SMSC_TIMEOUT
        try:
            with smsc_sandbox.Intercept({80: http, 443: https}):
                plain = measure([
                    ("HTTP  send_sms", lambda: ours.send_sms("79999999999", "Hello, world")),
                    ("HTTP  bare urlopen", lambda: urlopen("http://smscentre.com" + URL).read()),
                    ("HTTP  send_sms of 2.0", lambda: theirs.send_sms("79999999999", "Hello, world")),
                ] + ([] if PY2 else [  # Python 2's urllib.urlopen takes no timeout
                    ("HTTP  bare urlopen, timeout %ss" % timeout,
                     lambda: urlopen("http://smscentre.com" + URL, None, timeout).read()),
                ]), rounds)
                tls = measure([
                    ("HTTPS send_sms", lambda: ours_tls.send_sms("79999999999", "Hello, world")),
                    ("HTTPS bare urlopen, fresh context per call (2.0)",
                     lambda: urlopen("https://smscentre.com" + URL, context=ssl.create_default_context()).read()),
                ], rounds)
        finally:
            server.stdin.close()
            server.wait()
    finally:
        shutil.rmtree(directory)

    print("Python %s, %d rounds of %d calls per case, CA bundle: %s + the test CA" % (
        sys.version.split()[0], rounds, CALLS_PER_BATCH, system or "none"))
    for timings in (plain, tls):
        for name in sorted(timings):
            print("  %-50s %8.3f ms per call (median)" % (name, median(timings[name]) * 1000))
    http_ratio = ratio(plain, "HTTP  send_sms", "HTTP  send_sms of 2.0")
    https_ratio = ratio(tls, "HTTPS send_sms", "HTTPS bare urlopen, fresh context per call (2.0)")
    print("HTTP : send_sms / send_sms of 2.0               = %.3f  (target <= 1.04)  %s" % (
        http_ratio, "ok" if http_ratio <= 1.04 else "OVER"))
    print("HTTP : send_sms / bare urlopen                  = %.3f" % ratio(
        plain, "HTTP  send_sms", "HTTP  bare urlopen"))
    if not PY2:
        print("HTTP : send_sms / bare urlopen, same timeout    = %.3f" % ratio(
            plain, "HTTP  send_sms", "HTTP  bare urlopen, timeout %ss" % timeout))
    print("HTTPS: send_sms / bare urlopen, fresh context   = %.3f  (target <= 0.25)  %s" % (
        https_ratio, "ok" if https_ratio <= 0.25 else "OVER"))
    return 0 if http_ratio <= 1.04 and https_ratio <= 0.25 else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2])
    else:
        sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 31))
