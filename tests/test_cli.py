# -*- coding: utf-8 -*-
"""The command line: python smsc_api.py balance | send | cost | status | mail.

Most tests call smsc_api._main(argv) in the test process against the loopback gateway; a few
run `python smsc_api.py` as a program, reaching the gateway through http_proxy."""
import json

import pytest
import six

from helpers import CLOSED, CREDENTIALS, HTTP_VERSION, MIRRORS, OVER_HTTP, cli, configure, program, run_app
from servers import Drop, Reply, Stall

BALANCE = b"GET /sys/balance.php?login=alice&psw=secret&fmt=1&charset=utf-8& " + HTTP_VERSION


def request_lines(loopback):
    return [request.request_line for request in loopback.requests]


# Each command, its output and its exit status

def test_balance(smsc, loopback, capsys):
    loopback.http.script(Reply(b"100.50"))
    assert cli(smsc, capsys, "balance", *OVER_HTTP) == (0, "balance: 100.50\n", "")
    assert request_lines(loopback) == [BALANCE]


def test_options_before_or_after_the_command(smsc, loopback, capsys):
    loopback.http.default = Reply(b"100.50")
    assert cli(smsc, capsys, "--login", "alice", "--password", "secret", "--http", "balance")[0] == 0
    assert cli(smsc, capsys, "--login", "alice", "--http", "balance", "--password", "secret")[0] == 0
    assert request_lines(loopback) == [BALANCE, BALANCE]


def test_credentials_from_the_environment_constants(smsc, loopback, capsys):
    smsc.SMSC_LOGIN, smsc.SMSC_PASSWORD = "alice", "secret"  # as SMSC_LOGIN=... SMSC_PASSWORD=... set them
    loopback.http.script(Reply(b"7"))
    assert cli(smsc, capsys, "balance", "--http") == (0, "balance: 7\n", "")
    assert request_lines(loopback) == [BALANCE]


def test_send_with_every_option(smsc, loopback, capsys):
    loopback.http.script(Reply(b"15,2,3.40,96.60"))
    code, out, err = cli(smsc, capsys, "send", "79999999999,79999999998", "Hello, world", "--sender", "Shop",
                         "--format", "1", "--translit", "2", "--host", "smsc.kz", *OVER_HTTP)
    assert (code, out, err) == (0, "sent: id 15, sms 2, cost 3.40, balance 96.60\n", "")
    assert request_lines(loopback) == [
        b"GET /sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999%2C79999999998"
        b"&mes=Hello%2C%20world&translit=2&id=0&flash=1&sender=Shop " + HTTP_VERSION]
    assert loopback.hosts == ["smsc.kz"]


def test_send_as_json(smsc, loopback, capsys):
    loopback.http.script(Reply(b"15,2,3.40,96.60"))
    code, out, err = cli(smsc, capsys, "send", "79999999999", "hi", "--json", *OVER_HTTP)
    assert (code, err) == (0, "")
    assert json.loads(out) == {"ok": True, "exit": 0, "id": "15", "sms": "2", "cost": "3.40", "balance": "96.60"}
    loopback.http.script(Reply(b"2.50,1"), Reply(b"100.50"))
    assert json.loads(cli(smsc, capsys, "cost", "79999999999", "hi", "--json", *OVER_HTTP)[1]) == {
        "ok": True, "exit": 0, "cost": "2.50", "sms": "1"}
    assert json.loads(cli(smsc, capsys, "balance", "--json", *OVER_HTTP)[1]) == {
        "ok": True, "exit": 0, "balance": "100.50"}


def test_send_by_post(smsc, loopback, capsys):
    loopback.http.script(Reply(b"15,1,1.50,98.50"))
    assert cli(smsc, capsys, "send", "79999999999", "hi", "--post", *OVER_HTTP)[0] == 0
    assert loopback.requests[0].request_line == b"POST /sys/send.php " + HTTP_VERSION
    assert loopback.requests[0].body == (b"login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=hi"
                                         b"&translit=0&id=0")


def test_cost(smsc, loopback, capsys):
    loopback.http.script(Reply(b"2.50,1"))
    assert cli(smsc, capsys, "cost", "79999999999", "hi", *OVER_HTTP) == (0, "cost: 2.50 for 1 SMS\n", "")
    assert request_lines(loopback) == [b"GET /sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=1"
                                       b"&phones=79999999999&mes=hi&translit=0 " + HTTP_VERSION]


def test_status(smsc, loopback, capsys):
    loopback.http.script(Reply(b"-1,0,0"), Reply(b"1,1561977123,0,1561977000,79999999999,2.50,sms,Delivered,hi"))
    assert cli(smsc, capsys, "status", "15", "79999999999", *OVER_HTTP) == (0, "status -1: waiting to be sent\n", "")
    code, out, err = cli(smsc, capsys, "status", "15", "79999999999", "--all", "1", "--json", *OVER_HTTP)
    assert (code, err) == (0, "")
    assert json.loads(out) == {"ok": True, "exit": 0, "status": "1", "name": "delivered", "reply": [
        "1", "1561977123", "0", "1561977000", "79999999999", "2.50", "sms", "Delivered", "hi"]}
    assert request_lines(loopback) == [
        b"GET /sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999&id=15&all=0 " + HTTP_VERSION,
        b"GET /sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999&id=15&all=1 " + HTTP_VERSION]


def test_status_change_time_is_printed_as_a_date(smsc, loopback, capsys):
    import datetime
    loopback.http.script(Reply(b"1,1561977123,0"))
    expected = "status 1: delivered, changed %s\n" % datetime.datetime.fromtimestamp(1561977123)
    assert cli(smsc, capsys, "status", "15", "79999999999", *OVER_HTTP) == (0, expected, "")


def test_mail(smsc, loopback, capsys):
    assert cli(smsc, capsys, "mail", "79999999999", "hi", *OVER_HTTP) == (0, "mail sent\n", "")
    assert loopback.smtp.messages[0]["data"] == (b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
                                                 b"alice:secret:0::0,0,:79999999999:hi\r\n")


# Exit status 1: the gateway answered an error, with its code and meaning

@pytest.mark.parametrize("argv,reply,err", [
    (["balance"], b"0,-2", "error 2: invalid login or password (or API key)\n"),
    (["send", "12", "hi"], b"0,-7", "error 7: wrong phone number format\n"),
    (["send", "79999999999", "hi"], b"15,-3", "error 3: not enough money\n"),
    (["cost", "79999999999", "hi"], b"0,-9", "error 9: duplicate request within a minute, or too many requests\n"),
    (["status", "1", "79999999999"], b"0,-4", "error 4: IP address temporarily blocked\n"),
])
def test_gateway_errors_exit_1_with_the_meaning(smsc, loopback, capsys, argv, reply, err):
    loopback.http.script(Reply(reply))
    assert cli(smsc, capsys, *(argv + OVER_HTTP)) == (1, "", err)


def test_gateway_error_as_json(smsc, loopback, capsys):
    loopback.http.script(Reply(b"0,-7"))
    code, out, err = cli(smsc, capsys, "send", "12", "hi", "--json", *OVER_HTTP)
    assert (code, err) == (1, "")
    assert json.loads(out) == {"ok": False, "exit": 1, "error": 7, "message": "wrong phone number format",
                               "reply": ["0", "-7"]}


def test_mail_refused_exits_1(smsc, loopback, capsys):
    loopback.smtp.fail["rcpt"] = "550 5.1.1 No such user"
    code, out, err = cli(smsc, capsys, "mail", "79999999999", "hi", *OVER_HTTP)
    assert (code, out) == (1, "")
    assert err == "error: the mail server answered 550 5.1.1 No such user\n"


def test_mail_refused_as_json(smsc, loopback, capsys):
    loopback.smtp.fail["auth"] = "535 5.7.8 Bad credentials"
    smsc.SMTP_LOGIN, smsc.SMTP_PASSWORD = "mailer", "mailpass"
    code, out, err = cli(smsc, capsys, "mail", "79999999999", "hi", "--json", *OVER_HTTP)
    assert (code, json.loads(out), err) == (
        1, {"ok": False, "exit": 1, "error": 535, "message": "5.7.8 Bad credentials"}, "")


# Exit status 3: no host answered

def test_no_host_answered_exits_3(smsc, loopback, capsys):
    loopback.http.default = Drop()
    closed = CLOSED
    assert cli(smsc, capsys, "balance", *OVER_HTTP) == (
        3, "", "error: no host answered (5 attempts; the last: %s)\n" % closed)
    assert len(loopback.hosts) == 5
    code, out, err = cli(smsc, capsys, "send", "79999999999", "hi", "--json", *OVER_HTTP)
    # each host closed the connection after the whole request: the first may have sent the message
    assert (code, json.loads(out), err) == (3, {"ok": False, "exit": 3, "error": "unreachable", "attempts": 5,
                                                "reason": closed,
                                                "possibly_sent": "http://smscentre.com/sys/send.php"}, "")


def test_no_mail_server_exits_3(smsc, loopback, capsys):
    loopback.intercept.refuse.add("send.smscentre.com")
    code, out, err = cli(smsc, capsys, "mail", "79999999999", "hi", *OVER_HTTP)
    assert (code, out) == (3, "")
    assert err.startswith("error: no mail server answered (") and "Connection refused" in err


def test_timeout_option(smsc, loopback, capsys):
    loopback.http.script(Stall(10), Reply(b"42"))
    assert cli(smsc, capsys, "balance", "--timeout", "0.3", *OVER_HTTP) == (0, "balance: 42\n", "")
    assert loopback.hosts == ["smscentre.com", "www2.smscentre.com"]


# Exit status 2: bad usage, before anything is sent

@pytest.mark.parametrize("argv", [[], ["fly"], ["send", "79999999999"], ["send", "7999", "hi", "--format", "x"],
                                  ["status", "1"], ["balance", "--timeout", "soon"]])
def test_argparse_usage_errors_exit_2(smsc, loopback, capsys, argv):
    code, out, err = cli(smsc, capsys, *argv)
    assert (code, out) == (2, "")
    assert err.startswith("usage: smsc_api.py") and "error:" in err
    assert loopback.intercept.connections == []


def test_bad_values_named_by_the_module_exit_2(smsc, loopback, capsys):
    code, out, err = cli(smsc, capsys, "send", "79999999999", "hi", "--format", "14", *OVER_HTTP)
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == "smsc_api.py: error: format must be from 0 to 13, not 14"
    assert loopback.intercept.connections == []


# As a program

def test_program_with_credentials_from_the_environment_through_a_proxy(loopback):
    loopback.http.script(Reply(b"42.00"))
    code, out, err = program(["balance"], proxy_to=loopback.http, SMSC_LOGIN="alice", SMSC_PASSWORD="secret",
                             SMSC_HTTPS="0")  # plain HTTP, asked for in the environment
    assert (code, out, err) == (0, "balance: 42.00\n", "")
    assert loopback.requests[0].request_line == (b"GET http://smscentre.com/sys/balance.php?login=alice&psw=secret"
                                                 b"&fmt=1&charset=utf-8& " + HTTP_VERSION)


def test_program_usage_error_exits_2():
    code, out, err = program(["send"])
    assert (code, out) == (2, "")
    assert err.startswith("usage: smsc_api.py send")


def test_import_does_not_load_the_command_line():
    code = ("import sys; before = set(sys.modules); import smsc_api; "
            "print(sorted(m for m in ('argparse', 'json', 'logging') if m in set(sys.modules) - before))")
    assert run_app(code) == (0, "[]\n", "")


# Issue 18: every parameter of each method, no abbreviations, --verbose, --version, HTTPS by default

def test_version(smsc, capsys):
    assert cli(smsc, capsys, "--version") == (0, "smsc_api %s\n" % smsc.__version__, "") or (
        six.PY2 and cli(smsc, capsys, "--version") == (0, "", "smsc_api %s\n" % smsc.__version__))


def test_send_takes_every_parameter_of_send_sms(smsc, loopback, capsys, tmpdir):
    picture, note = tmpdir.join("cat.png"), tmpdir.join("note.txt")
    picture.write_binary(b"\x89PNG")
    note.write_binary(b"hello")
    loopback.http.script(Reply(b"15,1"), Reply(b"16,1"))
    assert cli(smsc, capsys, "send", "79999999999", "hi", "--time", "0", "--id", "order-17", "--query", "maxsms=3",
               "--sender", "Shop", *OVER_HTTP) == (0, "sent: id 15, sms 1\n", "")
    assert request_lines(loopback) == [
        b"GET /sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=hi&translit=0"
        b"&id=order-17&sender=Shop&time=0&maxsms=3 " + HTTP_VERSION]  # --time 0 is the time, not --timeout
    assert cli(smsc, capsys, "send", "79999999999", "", "--format", "7", "--file", str(picture), "--file", str(note),
               *OVER_HTTP) == (0, "sent: id 16, sms 1\n", "")
    fields, files = loopback.requests[1].form()
    assert [(f.field, f.name, f.content) for f in files] == [
        ("file0", b"cat.png", b"\x89PNG"), ("file1", b"note.txt", b"hello")]


def test_cost_and_mail_take_their_methods_parameters(smsc, loopback, capsys):
    loopback.http.script(Reply(b"2.50,1"))
    assert cli(smsc, capsys, "cost", "79999999999", "hi", "--sender", "Shop", "--format", "1", "--translit", "1",
               "--query", "maxsms=3", *OVER_HTTP) == (0, "cost: 2.50 for 1 SMS\n", "")
    assert request_lines(loopback) == [
        b"GET /sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=1&phones=79999999999&mes=hi&sender=Shop"
        b"&translit=1&flash=1&maxsms=3 " + HTTP_VERSION]
    assert cli(smsc, capsys, "mail", "79999999999", "hi", "--id", "order-17", "--time", "+5", "--sender", "Shop",
               *OVER_HTTP) == (0, "mail sent\n", "")
    assert loopback.smtp.messages[0]["data"].endswith(b"alice:secret:order-17:+5:0,0,Shop:79999999999:hi\r\n")


@pytest.mark.parametrize("argv", [["send", "79999999999", "hi", "--tim", "0"], ["balance", "--htt"],
                                  ["balance", "--time", "5"], ["status", "1", "7999", "--id", "2"],
                                  ["balance", "--http", "--https"]])
def test_no_abbreviations_and_only_a_commands_own_options(smsc, loopback, capsys, argv):
    code, out, err = cli(smsc, capsys, *(argv + CREDENTIALS))
    assert (code, out) == (2, "") and "error" in err
    assert loopback.intercept.connections == []


def test_verbose_prints_why_each_attempt_failed(smsc, loopback, capsys):
    loopback.intercept.refuse.add("smscentre.com")
    loopback.http.script(Reply(b"42"), Reply(b"42"))
    code, out, err = cli(smsc, capsys, "balance", "-v", *OVER_HTTP)
    assert (code, out) == (0, "balance: 42\n")
    assert err.startswith("smsc_api: info: attempt 1 of 5 failed: http://smscentre.com/sys/balance.php: ")
    assert err.endswith("Connection refused (sandbox: smscentre.com:80)\n") and err.count("\n") == 1
    assert cli(smsc, capsys, "balance", *OVER_HTTP) == (0, "balance: 42\n", "")  # without -v: nothing


def test_verbose_says_the_gateways_error_with_its_meaning_and_masks_the_password(smsc, loopback, capsys):
    loopback.http.script(Reply(b"0,-2"))
    code, out, err = cli(smsc, capsys, "balance", "--verbose", *OVER_HTTP)
    assert (code, out, err) == (1, "", "smsc_api: warning: balance: the gateway answered error 2: invalid login or "
                                       "password (or API key)\nerror 2: invalid login or password (or API key)\n")


def test_https_is_the_default(smsc, loopback, loopback_https, capsys):
    loopback_https.http.script(Reply(b"42"))
    assert cli(smsc, capsys, "balance", *CREDENTIALS) == (0, "balance: 42\n", "")
    assert loopback.intercept.connections == [("smscentre.com", 443)] and loopback.requests == []


def test_smsc_https_0_in_the_environment_asks_for_http(loopback):
    loopback.http.script(Reply(b"42"))
    assert program(["balance"] + CREDENTIALS, proxy_to=loopback.http) == (0, "balance: 42\n", "")  # SMSC_HTTPS=0
    assert loopback.requests[0].request_line.startswith(b"GET http://smscentre.com/sys/balance.php?")


def test_help_of_send_names_every_option():
    code, out, err = program(["send", "--help"])
    assert code == 0 and err == ""
    for option in ("--time", "--id", "--query", "--file", "--sender", "--format", "--translit", "--http", "--https",
                   "--verbose", "--timeout", "--connect-timeout", "--json", "--post", "--host", "--login",
                   "--password"):
        assert option in out, option


# A send that may have gone out

@pytest.mark.parametrize("as_json", [False, True])
def test_the_command_line_says_a_send_may_have_gone_out(smsc, loopback, capsys, as_json):
    configure(smsc)
    loopback.http.script(Stall(5), *[Drop()] * 4)
    code, out, err = cli(smsc, capsys, "send", "79999999999", "test", "--timeout", "0.3", "--http",
                         *(["--json"] if as_json else []))
    assert code == 3
    closed = CLOSED
    if as_json:
        assert json.loads(out) == {"error": "unreachable", "exit": 3, "ok": False, "attempts": 5, "reason": closed,
                                   "possibly_sent": "http://smscentre.com/sys/send.php"}
    else:
        assert (out, err) == ("", "error: no host answered (5 attempts; the last: %s); the message may have been "
                                  "sent: http://smscentre.com/sys/send.php received the whole request, and no "
                                  "complete reply came back\n" % closed)


@pytest.mark.parametrize("as_json", [False, True])
def test_the_command_line_says_error_9_most_likely_means_sent(smsc, loopback, capsys, as_json):
    configure(smsc)
    loopback.http.script(Stall(5), Reply(b"0,-9"))
    code, out, err = cli(smsc, capsys, "send", "79999999999", "test", "--timeout", "0.3", "--http",
                         *(["--json"] if as_json else []))
    assert code == 1
    url = "http://smscentre.com/sys/send.php"
    if as_json:
        assert json.loads(out) == {
            "error": 9, "exit": 1, "ok": False, "message": "duplicate request within a minute, or too many requests",
            "reply": ["0", "-9"], "possibly_sent": url, "most_likely_sent": url}
    else:
        assert (out, err) == ("", "error 9: duplicate request within a minute, or too many requests; the message was "
                                  "most likely sent: %s received the whole request, and no complete reply came "
                                  "back\n" % url)


def test_the_command_line_without_a_possible_send_says_nothing_more(smsc, loopback, capsys):
    configure(smsc)
    loopback.intercept.refuse.update(MIRRORS)
    code, out, err = cli(smsc, capsys, "send", "79999999999", "test", "--json", "--http")
    assert code == 3
    assert json.loads(out) == {"error": "unreachable", "exit": 3, "ok": False, "attempts": 5,
                               "reason": json.loads(out)["reason"]}
    assert json.loads(out)["reason"].endswith("Connection refused (sandbox: www5.smscentre.com:80)")
