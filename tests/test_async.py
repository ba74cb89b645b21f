# -*- coding: utf-8 -*-
"""Issue 20: AsyncSMSC, SMSC for asyncio code, which never blocks the event loop.

Written as its users write it, with async and await: Python 3.7+ only (conftest.py leaves this file out of older
runs and says so; tests/test_async_import.py covers what every interpreter sees). Each test runs its coroutine
with asyncio.run, as an application does, against the loopback servers (fixtures loopback, keepalive_server:
conftest.py).

The loop's stalls are measured by the loop itself: a callback due every 10 ms records how late it ran.
"""
import asyncio
import contextvars
import gc
import logging
import os
import threading
import time

import pytest

from helpers import HEADER, Lateness, argspec, configure, exit_status
from servers import Drop, Late, Reply, Stall, fork_between_requests

OK = b"15,1,1.5,98.5"
CALL_TIMEOUT = 30  # seconds any test's coroutine may take before it fails as hung
MARGIN = 1.5       # seconds of slack on every duration bound (a loaded CI machine)


def run(coroutine):
    """asyncio.run(coroutine), failing (asyncio.TimeoutError) instead of hanging past CALL_TIMEOUT."""
    return asyncio.run(asyncio.wait_for(coroutine, CALL_TIMEOUT))


async def awaited(method, *args, **kwargs):
    """await method(*args, **kwargs), in a coroutine: run(awaited(client.get_balance))."""
    return await method(*args, **kwargs)


def answer_by_id(request):
    """A reply that tells the requests apart: the id sent, then the rest of a send's reply."""
    fields = dict(request.form()[0])
    return Reply(fields["id"] + b",1,1.5,98.5")


def threads_of_async_smsc(workers_only=False):
    """The threads of every AsyncSMSC that run: its workers (AsyncSMSC_0, ...) and the one that closes it."""
    return [thread for thread in threading.enumerate()
            if thread.name.startswith("AsyncSMSC_" if workers_only else "AsyncSMSC")]


def no_threads_left(timeout=10):
    """True once no thread of any AsyncSMSC runs (False if some still do after timeout seconds)."""
    deadline = time.time() + timeout
    while threads_of_async_smsc() and time.time() < deadline:
        time.sleep(0.01)
    return not threads_of_async_smsc()


@pytest.fixture(autouse=True)
def every_thread_ends():
    """Each test leaves no thread of an AsyncSMSC behind (closed, or dropped and collected)."""
    yield
    gc.collect()
    assert no_threads_left()


# 1. The loop never waits: 20 sends at once against a gateway that answers each after 1 s

def test_twenty_sends_at_once_never_stall_the_loop_and_give_what_smsc_gives(smsc, loopback):
    late = Late(answer_by_id, seconds=1)
    loopback.http.default = late
    calls = [("79999999999", "Message %d" % n, 0, "", n + 1) for n in range(20)]

    async def twenty_at_once():
        async with smsc.AsyncSMSC("alice", "secret", max_workers=20) as client:
            lateness = Lateness().start()
            started = time.time()
            results = await asyncio.gather(*[client.send_sms(*call) for call in calls])
            took = time.time() - started
            lateness.stop()
        return results, took, lateness.longest
    results, took, longest = run(twenty_at_once())
    sent = sorted(request.raw for request in loopback.requests)

    assert longest < 0.1  # the loop ran its callbacks all along (SMSC called in the loop: 20 s without one)
    assert 1 <= took < 1 + MARGIN * 2  # all 20 at once: about 1 s, not 20
    assert loopback.http.peak_connections == 20
    loopback.clear()
    late.released.set()  # SMSC's answers at once
    assert results == [configure(smsc).send_sms(*call) for call in calls]
    assert results[0] == ["1", "1", "1.5", "98.5"]
    assert sorted(request.raw for request in loopback.requests) == sent  # the same bytes on the wire


def test_the_measure_sees_a_blocking_call_stall_the_loop(smsc, loopback):
    loopback.http.default = Late(Reply(OK), seconds=0.5)

    async def blocking():
        lateness = Lateness().start()
        await asyncio.sleep(0.02)
        result = configure(smsc).send_sms("79999999999", "test")  # what the issue saw in aiogram handlers
        await asyncio.sleep(0.02)
        lateness.stop()
        return result, lateness.longest
    result, longest = run(blocking())
    assert result == ["15", "1", "1.5", "98.5"]
    assert longest >= 0.45


def test_at_most_max_workers_calls_run_at_once_8_by_default(smsc, loopback):
    late = Late(answer_by_id, seconds=10)
    loopback.http.default = late

    async def twelve(client):
        calls = [client.send_sms("79999999999", "test", id=n) for n in range(1, 13)]
        assert late.wait_arrived(8) and not late.wait_arrived(9, timeout=0.3)
        late.released.set()
        return await asyncio.gather(*calls)
    client = smsc.AsyncSMSC("alice", "secret")  # max_workers: 8
    results = run(twelve(client))
    run(awaited(client.close))
    assert results == [[str(n), "1", "1.5", "98.5"] for n in range(1, 13)]
    assert len(loopback.requests) == 12


# 2. Every method: what SMSC's gives, the same requests, the same errors

METHODS = [
    ("send_sms", ("79999999999", u"Ваш пароль: 123"), {"sender": "sms", "format": 1}, [Reply(OK)]),
    ("send_sms", ("79999999999", "test"), {"files": []}, [Drop()] * 5),
    ("get_sms_cost", (["79999999999", 79999999998], "test"), {"translit": "1"}, [Reply(b"3.00,2")]),
    ("get_status", (12345, "79999999999"), {"all": 1}, [Reply(b"1,1561977123,0,1561977000,79999999999,2.50,sms,"
                                                              b"Delivered,Hello, world, and more")]),
    ("get_status", ("101,102", "79999999999,79999999998"), {}, [Reply(b"1,1561977123,0\n-1,1561977000,0")]),
    ("get_balance", (), {}, [Reply(b"100.50")]),
    ("get_balance", (), {}, [Reply(b"0,-2")]),
    ("get_balance", (), {}, [Drop()] * 5),
]


@pytest.mark.parametrize("name,args,kwargs,replies", METHODS)
def test_each_method_gives_what_smsc_gives_with_the_same_requests(smsc, loopback, name, args, kwargs, replies):
    client = smsc.AsyncSMSC("alice", "secret")
    loopback.http.script(*replies)
    result = run(awaited(getattr(client, name), *args, **kwargs))
    run(awaited(client.close))
    requests, hosts = [r.raw for r in loopback.requests], list(loopback.intercept.connections)
    loopback.clear()
    loopback.http.script(*replies)
    assert result == getattr(smsc.SMSC("alice", "secret"), name)(*args, **kwargs)
    assert ([r.raw for r in loopback.requests], list(loopback.intercept.connections)) == (requests, hosts)


def test_send_sms_mail_sends_what_smsc_sends(smsc, loopback):
    async def mail():
        async with smsc.AsyncSMSC("alice", "secret") as client:
            return await client.send_sms_mail("79999999999", u"Ваш пароль: 123", sender="sms")
    assert run(mail()) is None
    sessions = list(loopback.smtp.sessions)
    loopback.clear()
    smsc.SMSC("alice", "secret").send_sms_mail("79999999999", u"Ваш пароль: 123", sender="sms")
    assert [session["data"] for session in sessions] == [session["data"] for session in loopback.smtp.sessions]
    assert sessions[0]["data"] == HEADER + u"alice:secret:0::0,0,sms:79999999999:Ваш пароль: 123\r\n".encode("utf-8")


BAD_INPUT = [
    ("send_sms", ("79999999999", "test"), {"format": 14}),
    ("send_sms", ("79999999999", "test"), {"id": "order#17"}),
    ("send_sms", ([], "test"), {}),
    ("send_sms", ("79999999999", "test"), {"files": ["/no/such/file.png"]}),
    ("send_sms_mail", ("79999999999", "test"), {"sender": "shop:70000000000"}),
    ("get_sms_cost", ("79999999999", None), {}),
    ("get_status", ("101&phone=7000", "79999999999"), {}),
]


def failure(call):
    """(exception class, its args) that call() raises."""
    with pytest.raises(Exception) as error:
        call()
    return type(error.value), error.value.args


@pytest.mark.parametrize("name,args,kwargs", BAD_INPUT)
def test_bad_input_is_smscs_error_raised_by_the_await_before_any_connection(smsc, loopback, name, args, kwargs):
    client = smsc.AsyncSMSC("alice", "secret")
    raised = failure(lambda: run(awaited(getattr(client, name), *args, **kwargs)))
    run(awaited(client.close))
    assert loopback.intercept.connections == [] and loopback.smtp.sessions == []
    assert raised == failure(lambda: getattr(smsc.SMSC("alice", "secret"), name)(*args, **kwargs))


def test_what_the_mail_server_refuses_is_raised_by_the_await(smsc, loopback):
    loopback.smtp.fail = {"rcpt": "550 no such user"}
    client = smsc.AsyncSMSC("alice", "secret")
    raised = failure(lambda: run(awaited(client.send_sms_mail, "79999999999", "test")))
    run(awaited(client.close))
    assert raised == failure(lambda: smsc.SMSC("alice", "secret").send_sms_mail("79999999999", "test"))
    assert raised[0].__name__ == "SMTPRecipientsRefused"


def test_a_method_called_with_no_running_loop_raises_and_sends_nothing(smsc, loopback):
    client = smsc.AsyncSMSC("alice", "secret")
    with pytest.raises(RuntimeError) as error:
        client.get_balance()
    run(awaited(client.close))
    assert str(error.value) == ("AsyncSMSC.get_balance needs a running event loop: call it in a coroutine "
                                "(await smsc.get_balance(...))")
    assert loopback.intercept.connections == []


def test_the_signatures_are_smscs(smsc):
    for name in ("send_sms", "send_sms_mail", "get_sms_cost", "get_status", "get_balance"):
        assert argspec(getattr(smsc.AsyncSMSC, name)) == argspec(getattr(smsc.SMSC, name)), name
    args, varargs, varkw, defaults = argspec(smsc.AsyncSMSC.__init__)
    assert (args[-1], defaults[-1]) == ("max_workers", 8)
    assert args[1:-1] == [name for name, constant, kind in smsc._SETTINGS]  # SMSC(...)'s, in its order
    assert [repr(default) for default in defaults[:-1]] == ["<module constant>"] * (len(args) - 2)


def test_settings_not_given_are_read_from_the_module_at_each_call(smsc, loopback):
    loopback.http.default = Reply(b"100.00")

    async def twice(client):
        await client.get_balance()
        smsc.SMSC_LOGIN = "bob"
        return await client.get_balance()
    smsc.SMSC_LOGIN, smsc.SMSC_PASSWORD = "alice", "secret"
    client = smsc.AsyncSMSC()
    assert run(twice(client)) == "100.00"
    run(awaited(client.close))
    assert [r.request_line.split(b"&")[0] for r in loopback.requests] == [b"GET /sys/balance.php?login=alice",
                                                                          b"GET /sys/balance.php?login=bob"]


def test_the_call_sees_the_callers_context_variables_as_asyncio_to_thread(smsc, loopback, caplog):
    update = contextvars.ContextVar("update", default=None)

    class TagUpdate(logging.Filter):  # as an application tags its log records with the update being handled
        def filter(self, record):
            record.update = update.get()
            return True
    tag = TagUpdate()
    caplog.set_level(logging.INFO, logger="smsc_api")
    logging.getLogger("smsc_api").addFilter(tag)
    loopback.http.default = Drop()

    async def handle(client, number):
        update.set(number)
        return await client.get_balance()
    try:
        client = smsc.AsyncSMSC("alice", "secret")
        assert run(handle(client, 17)) is False
        run(awaited(client.close))
    finally:
        logging.getLogger("smsc_api").removeFilter(tag)
    assert [record.update for record in caplog.records if record.name == "smsc_api"] == [17] * 6  # 5 attempts


# 3. Cancelling: a call not started never runs, a call started is never made again

def test_a_call_cancelled_before_it_started_never_runs(smsc, loopback):
    late = Late(Reply(b"100.00"))
    loopback.http.default = late

    async def cancel_the_second(client):
        first = asyncio.ensure_future(client.get_balance())
        second = asyncio.ensure_future(client.get_balance())  # waits: one thread, busy with the first
        assert late.wait_arrived(1)
        await asyncio.sleep(0.05)
        second.cancel()
        await asyncio.sleep(0.05)
        late.released.set()
        return await first, second
    client = smsc.AsyncSMSC("alice", "secret", max_workers=1)
    first, second = run(cancel_the_second(client))
    run(awaited(client.close))
    assert first == "100.00" and second.cancelled()
    assert len(loopback.requests) == 1 and not late.wait_arrived(2, timeout=0.2)


def test_a_call_cancelled_after_it_started_ends_in_its_thread_and_is_never_repeated(smsc, loopback):
    late = Late(Reply(OK))
    loopback.http.default = late

    async def cancel_while_sending(client):
        handler = asyncio.ensure_future(client.send_sms("79999999999", "test"))
        while not late.arrived:
            await asyncio.sleep(0.01)
        handler.cancel()
        try:
            await handler
        except asyncio.CancelledError:
            pass
        late.released.set()
        lateness = Lateness().start()
        await client.close()  # waits for the call in its thread, without stalling the loop
        lateness.stop()
        return handler, lateness.longest
    handler, longest = run(cancel_while_sending(smsc.AsyncSMSC("alice", "secret")))
    assert handler.cancelled() and longest < 0.1
    assert len(loopback.requests) == 1 and loopback.http.disconnects == []  # answered, read whole, once


def test_after_cancelling_a_call_to_a_stalled_server_close_ends_within_its_deadlines(smsc, loopback):
    loopback.http.default = Stall()

    async def cancel_then_close(client):
        handler = asyncio.ensure_future(client.get_balance())
        await asyncio.sleep(0.1)
        handler.cancel()
        lateness = Lateness().start()
        started = time.time()
        await client.close()
        lateness.stop()
        return time.time() - started, lateness.longest
    took, longest = run(cancel_then_close(smsc.AsyncSMSC("alice", "secret", timeout=0.2)))
    assert took < 5 * 0.2 + MARGIN and longest < 0.1
    assert len(loopback.requests) == 5  # SMSC's five attempts, each cut at its deadline; none added by the cancel


def test_wait_for_gives_up_on_the_await_not_on_the_request(smsc, loopback):
    late = Late(Reply(b"100.00"), seconds=0.5)
    loopback.http.default = late

    async def impatient(client):
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.get_balance(), 0.1)
        await client.close()
    run(impatient(smsc.AsyncSMSC("alice", "secret")))
    assert len(loopback.requests) == 1 and loopback.http.disconnects == []


# 4. close() and async with

def test_async_with_ends_the_threads_and_closes_kept_connections(smsc, keepalive_server):
    keepalive_server.default = Reply(b"100.00")

    async def sequential():
        async with smsc.AsyncSMSC("alice", "secret", keepalive=True) as client:
            results = [await client.get_balance() for _ in range(3)]
            assert threads_of_async_smsc()
            return results
    assert run(sequential()) == ["100.00"] * 3
    assert [r.connection for r in keepalive_server.requests] == [1, 1, 1]  # one connection, reused across the awaits
    assert threads_of_async_smsc(workers_only=True) == []
    # the connection closed by the client, not by the idle timeout (5 s)
    assert keepalive_server.wait_served(1, timeout=1)


def test_close_lets_calls_already_made_finish_then_refuses_new_ones(smsc, loopback):
    late = Late(answer_by_id)
    loopback.http.default = late

    async def close_while_sending(client):
        calls = [client.send_sms("79999999999", "test", id=n) for n in (1, 2, 3)]
        assert late.wait_arrived(1)
        closing = client.close()
        with pytest.raises(RuntimeError) as error:
            client.get_balance()
        late.released.set()
        await closing
        assert threads_of_async_smsc(workers_only=True) == []
        return await asyncio.gather(*calls), str(error.value)
    results, refused = run(close_while_sending(smsc.AsyncSMSC("alice", "secret", max_workers=1)))
    assert results == [[str(n), "1", "1.5", "98.5"] for n in (1, 2, 3)]
    assert [dict(r.form()[0])["id"] for r in loopback.requests] == [b"1", b"2", b"3"]  # one thread: in the order made
    assert refused == "AsyncSMSC.get_balance: the instance is closed (close() was called)"


def test_close_not_awaited_and_with_no_loop_still_closes(smsc, keepalive_server):
    keepalive_server.default = Reply(b"100.00")
    client = smsc.AsyncSMSC("alice", "secret", keepalive=True)

    assert run(awaited(client.get_balance)) == "100.00"
    closed = client.close()  # no loop runs here
    assert no_threads_left() and keepalive_server.wait_served(1, timeout=1)
    assert client.close() is not None
    assert run(asyncio.wait_for(closed, 1)) is None  # awaited later, in another loop

    async def enter_again():
        async with client:
            pass
    with pytest.raises(RuntimeError) as error:
        run(enter_again())
    assert str(error.value) == "AsyncSMSC.__aenter__: the instance is closed (close() was called)"


def test_the_await_of_close_may_be_cancelled_and_the_closing_goes_on(smsc, loopback):
    late = Late(Reply(b"100.00"))
    loopback.http.default = late
    client = smsc.AsyncSMSC("alice", "secret")

    async def cancel_the_close():
        call = client.get_balance()
        assert late.wait_arrived(1)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.close(), 0.05)
        late.released.set()
        await client.close()
        return await call
    assert run(cancel_the_close()) == "100.00"


def test_dropped_instances_leave_no_threads(smsc, loopback):
    loopback.http.default = Reply(b"100.00")

    async def use_and_drop():
        for _ in range(20):
            assert await smsc.AsyncSMSC("alice", "secret", max_workers=2).get_balance() == "100.00"
    run(use_and_drop())
    gc.collect()
    assert no_threads_left()  # each executor was collected with its instance, and its threads ended


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork: POSIX only")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")  # on purpose, as gunicorn
def test_after_fork_the_child_calls_on_threads_of_its_own(smsc, loopback):
    loopback.http.default = Reply(b"100.00")
    client = smsc.AsyncSMSC("alice", "secret", max_workers=1)
    assert run(awaited(client.get_balance)) == "100.00"  # the parent's one thread is there, idle
    pid = fork_between_requests(loopback.http, loopback.intercept)
    if pid == 0:  # the child: the parent's thread is not here (its executor would wait for it for ever)
        try:
            code = 0 if run(asyncio.wait_for(awaited(client.get_balance), 3)) == "100.00" else 1
            run(awaited(client.close))
        except BaseException:
            code = 2
        os._exit(code)
    assert exit_status(pid) == 0
    assert run(awaited(client.get_balance)) == "100.00"
    run(awaited(client.close))
    assert len(loopback.requests) == 3
