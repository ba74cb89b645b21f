# -*- coding: utf-8 -*-
"""python smsc_api.py in any locale, and with its output closed early (issue 10).

Run as a program, as a shell runs it, through http_proxy to the loopback gateway. Under the C
locale Python 2 gets argv as bytes, Python 3.6 (and 3.7+ with PYTHONUTF8=0) as text with
surrogates for what ASCII cannot decode; arguments are read as the terminal's encoding (UTF-8
under the C locale), and what the output stream cannot encode is written backslash-escaped."""
import json
import os
import subprocess
import sys

import pytest
import six

from helpers import HTTP_VERSION, ROOT, environment
from servers import Reply

SCRIPT = os.path.join(ROOT, "smsc_api.py")
HELLO = u"Привет"
HELLO_SENT = b"%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82"
LOCALES = {"C": {"LANG": "C", "LC_ALL": "C"}, "C-without-utf8-mode": {"LC_ALL": "C", "PYTHONUTF8": "0"}}


def from_a_shell(loopback, **variables):
    """The environment of alice's application started from a shell (helpers.environment, the output encoding left
    to the locale), reaching loopback through http_proxy; plus variables."""
    return environment(proxy_to=loopback.http, encoding_from_locale=True, SMSC_LOGIN="alice", SMSC_PASSWORD="secret",
                       **variables)


def run(argv, env):
    """(exit status, stdout bytes, stderr bytes); argv items as UTF-8 bytes, as a terminal passes them."""
    argv = [a.encode("utf-8") if isinstance(a, six.text_type) else a for a in argv]
    process = subprocess.Popen([sys.executable.encode("utf-8") if six.PY2 else sys.executable, SCRIPT] + argv,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = process.communicate()
    return process.returncode, out, err


def stream_encodes_utf_8(locale):
    """Whether the output streams of this Python take UTF-8 under that locale (else: ASCII, escaped)."""
    if six.PY2:  # a pipe has no encoding: the terminal's, and under the C locale UTF-8, as arguments
        return True
    return sys.version_info >= (3, 7) and locale == "C"  # PEP 540: the UTF-8 mode under the C locale


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_cyrillic_arguments_are_sent_as_utf_8(loopback, locale):
    loopback.http.script(Reply(b"15,1,2.50,97.50"))
    code, out, err = run(["send", "79999999999", HELLO, "--sender", u"Магазин"],
                         from_a_shell(loopback, **LOCALES[locale]))
    assert (code, out, err) == (0, b"sent: id 15, sms 1, cost 2.50, balance 97.50\n", b"")
    assert loopback.requests[0].request_line == (
        b"GET http://smscentre.com/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999"
        b"&mes=" + HELLO_SENT + b"&translit=0&id=0&sender=%D0%9C%D0%B0%D0%B3%D0%B0%D0%B7%D0%B8%D0%BD " + HTTP_VERSION)


def test_cyrillic_arguments_in_a_windows_1251_charset(loopback):
    loopback.http.script(Reply(b"2.50,1"))
    code, out, err = run(["cost", "79999999999", HELLO],
                         from_a_shell(loopback, SMSC_CHARSET="windows-1251", **LOCALES["C"]))
    assert (code, out, err) == (0, b"cost: 2.50 for 1 SMS\n", b"")
    assert b"&mes=%CF%F0%E8%E2%E5%F2&" in loopback.requests[0].request_line


def test_an_argument_the_terminal_encoding_cannot_read_exits_2(loopback):
    code, out, err = run(["send", "79999999999", b"\xff\xfe"], from_a_shell(loopback, **LOCALES["C"]))
    assert (code, out) == (2, b"")
    assert err.splitlines()[-1] == b"smsc_api.py: error: argument 3 is not text in the terminal's encoding utf-8"
    assert loopback.requests == []


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_a_cyrillic_reply_is_printed_or_escaped_never_a_crash(loopback, locale):
    loopback.http.script(Reply(u"Сервис недоступен".encode("utf-8")))
    code, out, err = run(["balance"], from_a_shell(loopback, **LOCALES[locale]))
    assert (code, out) == (3, b"")
    if stream_encodes_utf_8(locale):
        assert err == u"error: unexpected reply: Сервис недоступен\n".encode("utf-8")
    else:
        assert err == (b"error: unexpected reply: \\u0421\\u0435\\u0440\\u0432\\u0438\\u0441 "
                       b"\\u043d\\u0435\\u0434\\u043e\\u0441\\u0442\\u0443\\u043f\\u0435\\u043d\n")


@pytest.mark.parametrize("charset", ["utf-8", "windows-1251"])
def test_a_cyrillic_status_as_json(loopback, charset):
    reply = u"1,1561977123,0,1561977000,79999999999,2.50,Магазин,Доставлено,Привет, мир"
    loopback.http.script(Reply(reply.encode(charset)))
    code, out, err = run(["status", "15", "79999999999", "--all", "1", "--json"],
                         from_a_shell(loopback, SMSC_CHARSET=charset, **LOCALES["C"]))
    assert (code, err) == (0, b"")
    assert json.loads(out.decode("ascii")) == {"ok": True, "exit": 0, "status": "1", "name": "delivered",
                                               "reply": reply.split(",", 8)}


# A closed pipe or a closed descriptor ends quietly: the outcome's exit status, no traceback

def run_with_a_closed_pipe(argv, env, closed):
    """(exit status, stdout bytes, stderr bytes) of python smsc_api.py argv whose `closed` stream ("stdout" or
    "stderr") is a pipe whose reader is gone (writing gets EPIPE): b"" for that one."""
    read, write = os.pipe()
    os.close(read)
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    streams[closed] = write
    try:
        process = subprocess.Popen([sys.executable, SCRIPT] + argv, env=env, **streams)
    finally:
        os.close(write)
    out, err = process.communicate()
    return process.returncode, out or b"", err or b""


@pytest.mark.parametrize("reply,code,stream", [(b"100.50", 0, "stdout"), (b"<html>", 3, "stderr")])
def test_a_closed_pipe_ends_quietly(loopback, reply, code, stream):
    loopback.http.script(Reply(reply))
    assert run_with_a_closed_pipe(["balance"], from_a_shell(loopback), stream) == (code, b"", b"")


@pytest.mark.parametrize("argv,reply,code", [(["balance"], b"100.50", 0), (["balance"], b"0,-2", 1),
                                             (["balance", "--json"], b"100.50", 0)])
def test_a_closed_stdout_ends_quietly(loopback, argv, reply, code):
    loopback.http.script(Reply(reply))
    process = subprocess.Popen(["sh", "-c", 'exec "$0" "$@" >&-', sys.executable, SCRIPT] + argv,
                               env=from_a_shell(loopback), stderr=subprocess.PIPE)
    err = process.communicate()[1]
    refused = b"error 2: invalid login or password (or API key)\n"
    assert (process.returncode, err) == (code, b"" if code == 0 else refused)
    assert len(loopback.requests) == 1


@pytest.mark.parametrize("reader,out", [("true", b""), ("head -c0", b""), ("head -c1", b"b")])
def test_a_reader_that_stops_early(loopback, reader, out):
    # true and head -c0 exit before python has started: its one write finds the pipe closed
    loopback.http.default = Reply(b"100.50")
    process = subprocess.Popen(["sh", "-c", '"$0" "$1" balance | ' + reader, sys.executable, SCRIPT],
                               env=from_a_shell(loopback), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.communicate() == (out, b"")
    assert process.returncode == 0


# SMSC_DEBUG: the module's debug lines go to stderr; after a request has gone out nothing turns into an error

def test_debug_lines_go_to_stderr_and_json_stays_one_object(loopback):
    loopback.http.script(Reply(b"15,1,2.50,97.50"))
    code, out, err = run(["send", "79999999999", "hi", "--json"], from_a_shell(loopback, SMSC_DEBUG="1"))
    assert (code, json.loads(out.decode("utf-8"))) == (
        0, {"ok": True, "exit": 0, "id": "15", "sms": "1", "cost": "2.50", "balance": "97.50"})
    debug = u"Сообщение отправлено успешно. ID: 15, всего SMS: 1, стоимость: 2.50, баланс: 97.50\n"
    assert err.decode("utf-8") == debug


def test_a_debug_line_the_terminal_cannot_encode_never_makes_a_sent_message_an_error(loopback):
    loopback.http.script(Reply(b"15,1,2.50,97.50"))
    code, out, err = run(["send", "79999999999", "hi"],
                         from_a_shell(loopback, SMSC_DEBUG="1", PYTHONIOENCODING="ascii"))
    assert (code, out) == (0, b"sent: id 15, sms 1, cost 2.50, balance 97.50\n")
    assert err.startswith(b"\\u0421\\u043e\\u043e")  # escaped, as the rest of the output
    assert len(loopback.requests) == 1


@pytest.mark.parametrize("closed", ["stdout", "stderr"])
def test_a_closed_pipe_with_debug_lines_ends_quietly(loopback, closed):
    loopback.http.default = Reply(b"15,1,2.50,97.50")
    env = from_a_shell(loopback, SMSC_DEBUG="1", PYTHONIOENCODING="utf-8")
    debug = u"Сообщение отправлено успешно. ID: 15, всего SMS: 1, стоимость: 2.50, баланс: 97.50\n".encode("utf-8")
    expected = {"stdout": (b"", debug), "stderr": (b"sent: id 15, sms 1, cost 2.50, balance 97.50\n", b"")}
    assert run_with_a_closed_pipe(["send", "79999999999", "hi"], env, closed) == (0,) + expected[closed]
