# -*- coding: utf-8 -*-
"""Keep-alive (SMSC_KEEPALIVE, SMSC(keepalive=True)): connections reused across calls, the request line and body
unchanged but for the connection header; a connection the server closed replaced without a second send of what may
have been acted on; never shared between threads or with a forked child; closed by close(), with, the garbage
collector and the interpreter's exit.

The fixtures keepalive_server (a loopback server that keeps connections alive) and keepalive_client (our SMSC with
keepalive=True): conftest.py.
"""
import gc
import os
import subprocess
import sys
import threading
import time
import warnings as warnings_module

import pytest
import six

from helpers import GET, MARGIN, POST, ROOT, elapsed, environment, exit_status, run_together, whole_request
from servers import ConnectProxy, Drop, Reply, Slow, fork_between_requests, routed

BALANCE = b"/sys/balance.php?login=alice&psw=secret&fmt=1&charset=utf-8&"


# 1. One connection across calls, the request unchanged

def test_keepalive_reuses_one_connection_and_changes_only_the_connection_header(smsc, keepalive_client,
                                                                                keepalive_server):
    keepalive_server.default = Reply(b"42")
    smsc.SMSC_POST = False
    assert [keepalive_client.get_balance() for _ in range(3)] == ["42"] * 3
    smsc.SMSC_POST = True
    assert keepalive_client.get_balance() == "42"
    body = BALANCE.split(b"?")[1]
    assert [r.raw for r in keepalive_server.requests] == (
        [whole_request("smscentre.com", GET(BALANCE), keepalive=True)] * 3 +
        [whole_request("smscentre.com", POST(b"/sys/balance.php"), body, keepalive=True)])
    assert [r.connection for r in keepalive_server.requests] == [1, 1, 1, 1]


def test_without_keepalive_each_call_has_its_connection(client, keepalive_server):
    keepalive_server.default = Reply(b"42")
    client.get_balance(), client.get_balance()
    assert [r.raw for r in keepalive_server.requests] == [whole_request("smscentre.com", GET(BALANCE))] * 2
    assert [r.connection for r in keepalive_server.requests] == [1, 2]


def test_https_keepalive_makes_one_tls_handshake(smsc, loopback_https):
    server = loopback_https.keepalive()
    server.default = Reply(b"42")
    with smsc.SMSC(login="alice", password="secret", https=True, keepalive=True) as client:
        assert [client.get_balance() for _ in range(3)] == ["42"] * 3
    assert [r.connection for r in server.requests] == [1, 1, 1]
    assert server.connections == 1  # one TCP connection, so one TLS handshake
    assert [r.raw for r in server.requests] == [whole_request("smscentre.com", GET(BALANCE), keepalive=True)] * 3


def test_keepalive_through_an_http_proxy(keepalive_client, keepalive_server, loopback, monkeypatch):
    loopback.intercept.routes[3128] = keepalive_server
    monkeypatch.setenv("http_proxy", "http://proxy.example.org:3128")
    keepalive_server.default = Reply(b"42")
    assert [keepalive_client.get_balance() for _ in range(2)] == ["42"] * 2
    assert [r.request_line for r in keepalive_server.requests] == [GET(b"http://smscentre.com" + BALANCE)] * 2
    assert [r.connection for r in keepalive_server.requests] == [1, 1]


def test_keepalive_through_a_connect_proxy(smsc, loopback, loopback_https, monkeypatch):
    server = loopback_https.keepalive()
    server.default = Reply(b"42")
    with routed(loopback, 3128, ConnectProxy({443: server}).start()) as tunnel:
        monkeypatch.setenv("https_proxy", "http://proxy.example.org:3128")
        with smsc.SMSC(login="alice", password="secret", https=True, keepalive=True) as client:
            assert [client.get_balance() for _ in range(3)] == ["42"] * 3
    assert len(tunnel.connects) == 1 and [r.connection for r in server.requests] == [1, 1, 1]


def test_keepalive_makes_a_new_connection_once_the_cached_settings_are_forgotten(smsc, keepalive_client,
                                                                                 keepalive_server):
    # a connection made before _forget_cached() was made under other CAs or proxies (or before a sandbox)
    keepalive_server.default = Reply(b"42")
    assert keepalive_client.get_balance() == "42"
    smsc._forget_cached()
    assert [keepalive_client.get_balance() for _ in range(2)] == ["42"] * 2
    assert [r.connection for r in keepalive_server.requests] == [1, 2, 2]


def test_keepalive_without_poll_uses_select(keepalive_client, keepalive_server, monkeypatch):
    # Windows has no select.poll: an idle connection is checked with select()
    import select
    monkeypatch.delattr(select, "poll", raising=False)
    keepalive_server.default = Reply(b"42")
    assert [keepalive_client.get_balance(), keepalive_client.get_balance()] == ["42", "42"]
    keepalive_client.close()
    assert [r.connection for r in keepalive_server.requests] == [1, 1]


# 2. A kept connection the server closed, and the deadline

def test_a_connection_the_server_closed_while_idle_is_replaced_without_a_failed_attempt(keepalive_client,
                                                                                        keepalive_server, attempts):
    keepalive_server.idle_timeout = 0.1
    keepalive_server.default = Reply(b"42")
    assert keepalive_client.get_balance() == "42"
    assert keepalive_server.wait_served(1)  # the server closed the idle connection
    assert keepalive_client.send_sms("79999999999", "test") == ["42"]
    assert [r.connection for r in keepalive_server.requests] == [1, 2]  # each request sent once
    assert attempts() == []


@pytest.mark.parametrize("call,resent", [
    (lambda c: c.get_balance(), True),
    (lambda c: c.get_status(15, "79999999999"), True),
    (lambda c: c.get_sms_cost("79999999999", "test"), True),
    (lambda c: c.send_sms("79999999999", "test"), False),
    (lambda c: c.get_sms_cost("79999999999", "test", query="cost=3"), False),  # the gateway reads the last cost
    (lambda c: c._smsc_send_cmd("jobs", "add=1&name=Spring&phones=79999999999&mes=test"), False),  # a subclass's
], ids=["get_balance", "get_status", "get_sms_cost", "send_sms", "cost-then-send", "jobs"])
def test_a_kept_connection_closed_as_the_request_arrives(keepalive_client, keepalive_server, attempts, call, resent):
    # the server reads the request on the reused connection and closes it without a word: a status, balance or
    # cost is asked again on a new connection; anything else may have been acted on, so it is a failed attempt
    keepalive_server.script(Reply(b"1"), Drop(), Reply(b"42"))
    keepalive_client.get_balance()
    result = call(keepalive_client)
    assert [r.connection for r in keepalive_server.requests] == [1, 1, 2]
    if resent:
        assert (result == "42" or result == ["42"], attempts()) == (True, [])
        assert [r.asked[0] for r in keepalive_server.requests[1:]] == ["smscentre.com"] * 2
    else:
        assert result == ["42"]
        assert [(r.asked[0], r.connection) for r in keepalive_server.requests[1:]] == [("smscentre.com", 1),
                                                                                       ("www2.smscentre.com", 2)]
        assert [m.endswith("the message may have been sent") for m in attempts()] == [True]


def test_a_kept_connection_still_has_the_deadline(smsc, keepalive_client, keepalive_server, attempts):
    smsc.SMSC_TIMEOUT = 0.3
    keepalive_server.script(Reply(b"1"), Slow(Reply(b"42"), pieces=100, delay=0.05), Reply(b"43"))
    keepalive_client.get_balance()
    result, seconds = elapsed(keepalive_client.get_balance)
    assert result == "43"
    assert attempts(reasons=True) == ["timeout: no complete reply within 0.3 s"]
    assert seconds < 0.3 + MARGIN


# 3. Threads and forked processes

def test_one_instance_from_many_threads_never_shares_a_connection(keepalive_client, keepalive_server):
    started, busy, overlaps, guard = threading.Event(), set(), [], threading.Lock()

    def echo(request):
        with guard:
            overlaps.append(request.connection in busy)
            busy.add(request.connection)
        started.wait(5)
        time.sleep(0.01)
        with guard:
            busy.discard(request.connection)
        return Reply(request.query.split(b"&mes=")[1].split(b"&")[0] + b",1")
    keepalive_server.respond = echo
    results = {}

    def send(n):
        for round in range(3):
            results[n, round] = keepalive_client.send_sms("79999999999", "m%d-%d" % (n, round))
    run_together([threading.Thread(target=send, args=(n,)) for n in range(8)], started)
    assert results == dict(((n, r), ["m%d-%d" % (n, r), "1"]) for n in range(8) for r in range(3))
    assert len(keepalive_server.requests) == 24 and not any(overlaps)
    assert keepalive_server.connections < 24  # connections were reused


def test_at_most_four_idle_connections_are_kept_per_destination(keepalive_client, keepalive_server):
    started = threading.Event()

    def held(request):
        started.wait(5)
        return Reply(b"42")
    keepalive_server.respond = held
    results = []
    run_together([threading.Thread(target=lambda: results.append(keepalive_client.get_balance())) for _ in range(6)],
                 started)
    assert results == ["42"] * 6 and keepalive_server.connections == 6
    # two of the six closed at once (the server's own idle limit is 5 s)
    assert keepalive_server.wait_served(2, timeout=2)
    assert keepalive_server.served == 2  # four kept for the next calls
    keepalive_server.respond = lambda request: Reply(b"42")
    for _ in range(4):
        keepalive_client.get_balance()
    assert keepalive_server.connections == 6


# The fork tests fork a process with threads (the servers') on purpose: that is what gunicorn and Celery do
# with a module-level SMSC; Python 3.12+ warns about any such fork.
FORK_WITH_THREADS = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")


@FORK_WITH_THREADS
@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork: POSIX only")
def test_after_fork_the_child_never_touches_its_parents_connection(keepalive_client, keepalive_server, loopback):
    keepalive_server.default = Reply(b"42")
    assert keepalive_client.get_balance() == "42"
    pid = fork_between_requests(keepalive_server, loopback.intercept)
    if pid == 0:  # the child: its own connection, the parent's left alone
        try:
            code = 0 if keepalive_client.get_balance() == "42" else 1
        except BaseException:
            code = 2
        os._exit(code)
    assert exit_status(pid) == 0
    assert keepalive_client.get_balance() == "42"
    assert [r.connection for r in keepalive_server.requests] == [1, 2, 1]


@FORK_WITH_THREADS
@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork: POSIX only")
def test_after_fork_close_never_waits_for_a_lock_held_in_the_parent(smsc, keepalive_client, keepalive_server, loopback):
    # a thread of the parent held the pool's lock at the fork: in the child nobody ever releases it
    keepalive_server.default = Reply(b"42")
    keepalive_client.get_balance()
    pool = smsc._pool(keepalive_client)
    pool._lock.acquire()
    try:
        pid = fork_between_requests(keepalive_server, loopback.intercept)
        if pid == 0:
            try:
                keepalive_client.close()
                code = 0
            except BaseException:
                code = 2
            os._exit(code)
        status = exit_status(pid)
    finally:
        pool._lock.release()
    assert status == 0


# 4. Closing, copying

def test_close_and_the_context_manager_close_the_connections(smsc, keepalive_server):
    keepalive_server.default = Reply(b"42")
    with smsc.SMSC(login="alice", password="secret", keepalive=True) as client:
        client.get_balance()
        assert keepalive_server.served == 0
    assert keepalive_server.wait_served(1)
    client.get_balance()  # still usable: a new connection
    client.close()
    assert keepalive_server.wait_served(2) and [r.connection for r in keepalive_server.requests] == [1, 2]


def test_a_collected_instance_closes_its_connections(smsc, keepalive_server):
    keepalive_server.default = Reply(b"42")
    client = smsc.SMSC(login="alice", password="secret", keepalive=True)
    client.get_balance()
    with warnings_module.catch_warnings(record=True) as caught:
        warnings_module.simplefilter("always")
        del client
        gc.collect()
    assert keepalive_server.wait_served(1)
    assert [str(w.message) for w in caught] == []  # closed by the instance, not left to the socket ("unclosed")


def test_connections_close_at_interpreter_exit_without_noise(keepalive_server):
    keepalive_server.default = Reply(b"42")
    code = ("import smsc_api; c = smsc_api.SMSC(login='alice', password='secret', keepalive=True); "
            "print(c.get_balance())")
    env = environment(proxy_to=keepalive_server, PYTHONPATH=ROOT)
    flags = ["-W", "error"] + ([] if six.PY2 else ["-X", "dev"])  # unclosed sockets would be ResourceWarnings
    process = subprocess.Popen([sys.executable] + flags + ["-c", code], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = process.communicate()
    assert (process.returncode, out.strip(), err) == (0, b"42", b"")
    assert keepalive_server.wait_served(1)


def test_an_instance_with_open_connections_can_be_pickled_and_copied(keepalive_client, keepalive_server):
    import copy
    import pickle
    keepalive_server.default = Reply(b"42")
    keepalive_client.get_balance()
    for twin in (pickle.loads(pickle.dumps(keepalive_client)), copy.deepcopy(keepalive_client),
                 copy.copy(keepalive_client)):
        assert twin.get_balance() == "42"
        twin.close()
    # pickle and deepcopy open their own; copy.copy shares what the original has, as it shares every attribute
    assert [r.connection for r in keepalive_server.requests] == [1, 2, 3, 1]
