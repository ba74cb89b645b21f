# -*- coding: utf-8 -*-
"""N sends at once from asyncio code: AsyncSMSC, SMSC on a thread pool, httpx.AsyncClient (Python 3.7+).

    python bench/bench_async.py [N] [rounds]        (N: 20, rounds: 15)

One run, on loopback, the servers in a process of their own. Two parts:

1. What a blocking call costs an event loop. A gateway that answers each request after 1 s; a callback due
   every 10 ms measures how long the loop could not run anything (bench's and tests' helpers.Lateness). Three
   SMSC.send_sms called in the loop, as in the issue's aiogram handlers, then N AsyncSMSC.send_sms at once
   (max_workers=N): their total time and the loop's longest stall.

2. N sends at once over a 20 ms round trip. The suite's keep-alive HTTP server behind a relay
   (bench/delay_relay.py) that delays every chunk 10 ms each way, and a new connection's first bytes one round
   trip more (the TCP handshake). A case awaits N send_sms at once from one event loop; a round runs each case
   once, in an order that turns; a ratio is the median over rounds of the two cases' ratio in the same round.
   - AsyncSMSC(keepalive=True, max_workers=N);
   - AsyncSMSC as made by default (8 threads, a new connection per call);
   - SMSC(keepalive=True) through loop.run_in_executor on a ThreadPoolExecutor of N threads, as a user writes
     it by hand: what AsyncSMSC adds to it;
   - httpx.AsyncClient, when httpx is installed: the same GET from a native asyncio client with a pool of N
     connections, no thread per call.
   Target: AsyncSMSC within 10% of the thread pool of the same size (the work is the same; AsyncSMSC only
   hands it over). Shown beside it: the defaults' cost (no keep-alive, 8 threads), and httpx's.
"""
from __future__ import print_function

import sys
import time
from concurrent.futures import ThreadPoolExecutor

import asyncio

from bench_tls import REPLY, URL, Remote, median, spawned  # beside this script: sys.path[0]
from delay_relay import DelayRelay

# on sys.path once bench_tls is imported: the checkout and tests/
import smsc_api
import smsc_sandbox
from helpers import Lateness

DELAY = 0.010  # seconds, each way
SLOW = 1.0     # seconds the slow gateway of part 1 takes to answer
EXPECTED = REPLY.decode("ascii").split(",")
clock = time.perf_counter


def serve():
    """The slow gateway (part 1) and the keep-alive server behind its relay (part 2): prints both ports."""
    from servers import HTTPServer, Late, Reply
    slow = HTTPServer(default=Late(Reply(REPLY), seconds=SLOW)).start()
    kept = HTTPServer(default=Reply(REPLY), keepalive=True, idle_timeout=60).start()
    relay = DelayRelay(kept.address, DELAY, handshake=True)
    print(slow.port, relay.port)
    sys.stdout.flush()
    DelayRelay.spawn(relay.serve_forever)
    sys.stdin.read()  # until the client is done


def send(client):
    return client.send_sms("79999999999", "Hello, world")


async def blocking_costs(n):
    """Part 1: (seconds and longest stall of 3 blocking SMSC calls in the loop, the same of n AsyncSMSC calls)."""
    lateness, started = Lateness().start(), clock()
    await asyncio.sleep(0.02)
    for _ in range(3):
        assert send(smsc_api.SMSC("alice", "secret")) == EXPECTED
    await asyncio.sleep(0.02)
    blocking = clock() - started, lateness.stop().longest
    async with smsc_api.AsyncSMSC("alice", "secret", max_workers=n) as client:
        lateness, started = Lateness().start(), clock()
        assert await asyncio.gather(*[send(client) for _ in range(n)]) == [EXPECTED] * n
        return blocking, (clock() - started, lateness.stop().longest)


def httpx_case(port, n):
    """The httpx.AsyncClient case, or None without httpx."""
    try:
        import httpx
    except ImportError:
        return None, None
    client = httpx.AsyncClient(base_url="http://127.0.0.1:%d" % port, headers={"Host": "smscentre.com"},
                               limits=httpx.Limits(max_connections=n, max_keepalive_connections=n))

    async def get():
        return (await client.get(URL)).text.split(",")
    return get, client


async def far_rounds(port, n, rounds):
    """Part 2: {case: [seconds for n sends at once, a round each]}."""
    kept = smsc_api.AsyncSMSC("alice", "secret", keepalive=True, max_workers=n)
    default = smsc_api.AsyncSMSC("alice", "secret")
    threads, smsc = ThreadPoolExecutor(n), smsc_api.SMSC("alice", "secret", keepalive=True)
    loop = asyncio.get_running_loop()
    get, httpx_client = httpx_case(port, n)
    cases = [("AsyncSMSC, keep-alive, %d threads" % n, lambda: send(kept)),
             ("AsyncSMSC, defaults (8 threads)", lambda: send(default)),
             ("SMSC on a thread pool, keep-alive, %d threads" % n, lambda: loop.run_in_executor(threads, send, smsc))]
    cases += [("httpx.AsyncClient, %d connections" % n, get)] if get else []
    timings = dict((name, []) for name, _ in cases)
    try:
        for round in range(rounds + 1):  # the first round opens the connections: not counted
            for name, call in cases[round % len(cases):] + cases[:round % len(cases)]:
                started = clock()
                assert await asyncio.gather(*[call() for _ in range(n)]) == [EXPECTED] * n, name
                if round:
                    timings[name].append(clock() - started)
    finally:
        await kept.close()
        await default.close()
        threads.shutdown()
        smsc.close()
        if httpx_client is not None:
            await httpx_client.aclose()
    return [name for name, _ in cases], timings


def ratio(timings, ours, theirs):
    return median([a / b for a, b in zip(timings[ours], timings[theirs])])


def main(n, rounds):
    server, (slow_port, relay_port) = spawned(__file__)
    try:
        with smsc_sandbox.Intercept({80: Remote(slow_port)}):
            blocking, at_once = asyncio.run(blocking_costs(n))
        with smsc_sandbox.Intercept({80: Remote(relay_port)}):
            names, timings = asyncio.run(far_rounds(relay_port, n, rounds))
    finally:
        server.stdin.close()
        server.wait()

    print("Python %s" % sys.version.split()[0])
    print("1. A gateway that answers after %.0f s: the loop's longest stall" % SLOW)
    print("   3 SMSC.send_sms in the loop:        %6.2f s in all, the loop stalled %6.0f ms" % (
        blocking[0], blocking[1] * 1000))
    print("   %2d AsyncSMSC.send_sms at once:      %6.2f s in all, the loop stalled %6.0f ms" % (
        n, at_once[0], at_once[1] * 1000))
    print("2. %d sends at once at a %.0f ms round trip, %d rounds (median of a batch):" % (n, 2 * DELAY * 1000, rounds))
    for name in names:
        print("   %-45s %7.1f ms" % (name, median(timings[name]) * 1000))
    async_smsc, pool = names[0], names[2]
    overhead = ratio(timings, async_smsc, pool)
    print("   AsyncSMSC / SMSC on a thread pool          = %.2f  (target <= 1.10)  %s" % (
        overhead, "ok" if overhead <= 1.10 else "OVER"))
    print("   AsyncSMSC defaults / AsyncSMSC keep-alive   = %.2f  (a new connection per call, %d call%s at a time)" % (
        ratio(timings, names[1], async_smsc), min(n, 8), "s" if n > 1 else ""))
    if len(names) > 3:
        print("   AsyncSMSC / httpx.AsyncClient              = %.2f  (httpx keeps %d connections alive, SMSC at most 4 "
              "idle per host)" % (ratio(timings, async_smsc, names[3]), n))
    else:
        print("   httpx.AsyncClient: not installed (pip install httpx), not compared")
    return 0 if overhead <= 1.10 and at_once[1] < 0.1 else 1


if __name__ == "__main__":
    if sys.version_info < (3, 7):
        sys.exit("bench_async.py needs Python 3.7 or later (asyncio.run, AsyncSMSC)")
    if sys.argv[1:2] == ["--serve"]:
        serve()
    else:
        sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20, int(sys.argv[2]) if len(sys.argv) > 2 else 15))
