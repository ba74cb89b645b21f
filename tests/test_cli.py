# -*- coding: utf-8 -*-
"""The command line: python smsc_api.py balance | send | cost | status | mail (docs/cli.md).

Most tests call smsc_api._main(argv) in the test process against the loopback gateway; some run
`python smsc_api.py` as a program, reaching the gateway through http_proxy: where the environment is read at
import, and in any locale, as a shell runs it. It says "sent" only when the gateway said so (issue 10): exit 0
only for a reply of the gateway's shape for the command; anything else is exit 3 with what came back, cut short.
Bad usage is exit 2 before anything is sent: a bad --timeout, a bad setting or environment variable, no
credentials at all.
"""
import json
import os
import re
import subprocess
import sys

import pytest
import six

from helpers import (CLOSED, CREDENTIALS, HTTP_VERSION, MIRRORS, OVER_HTTP, ROOT, cli, configure, environment, program,
                     run_app)
from servers import Drop, Reply, Stall

BALANCE = b"GET /sys/balance.php?login=alice&psw=secret&fmt=1&charset=utf-8& " + HTTP_VERSION


def request_lines(loopback):
    return [request.request_line for request in loopback.requests]


def last_line(text):
    return text.strip().splitlines()[-1]


COMMANDS = {"send": ["send", "79999999999", "hi"], "cost": ["cost", "79999999999", "hi"],
            "status": ["status", "15", "79999999999"], "balance": ["balance"]}


# 1. Each command, its output and its exit status

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


def test_status_of_several_ids_prints_a_line_each(smsc, loopback, capsys):
    loopback.http.default = Reply(b"1,0,0\n-1,0,0")
    assert cli(smsc, capsys, "status", "101,102", "79999999999,79999999998", *OVER_HTTP) == (
        0, "status 1: delivered\nstatus -1: waiting to be sent\n", "")
    code, out, err = cli(smsc, capsys, "status", "101,102", "79999999999,79999999998", "--json", *OVER_HTTP)
    assert [record["status"] for record in json.loads(out)["statuses"]] == ["1", "-1"]


# 2. Every parameter of each method, no abbreviations, --verbose, --version, HTTPS by default (issue 18)

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


def test_help_names_the_variable_each_default_comes_from(smsc):
    # the constants' defaults come from SMSC_* variables: the help must not claim a number the environment changed
    out = " ".join(smsc._cli_parser().format_help().split())
    for option, variable in (("--login", "$SMSC_LOGIN"), ("--password", "$SMSC_PASSWORD"), ("--host", "$SMSC_HOST"),
                             ("--timeout", "$SMSC_TIMEOUT"), ("--connect-timeout", "$SMSC_CONNECT_TIMEOUT")):
        assert re.search(re.escape(option) + " [A-Z]+ [^$]*\\(default: " + re.escape(variable), out), option


def test_the_timeout_options_reach_the_settings(smsc):
    # (no --keepalive: one command is one call, there is no later call to keep a connection for)
    parser = smsc._cli_parser()
    argv = ["balance", "--connect-timeout", "2.5", "--timeout", "30"] + CREDENTIALS
    args = smsc._cli_parse(parser, argv)
    assert args.settings == {"login": "alice", "password": "secret", "connect_timeout": 2.5, "timeout": 30.0,
                             "https": True}  # HTTPS unless asked otherwise: the request carries the password
    args = smsc._cli_parse(parser, ["balance"] + OVER_HTTP)
    assert args.settings == {"login": "alice", "password": "secret", "https": False}  # the rest: the constants


# 3. Exit 0 only for a reply of the gateway's shape; anything else is exit 3 with what came back

# Each reply: exit 0 only in the gateway's shape for the command (its line on stdout); anything else is
# exit 3 with what came back, cut to 60 characters and control characters escaped (on stderr, and in --json)
REPLIES = [
    ("send", b"15,1", 0, "sent: id 15, sms 1"),
    ("send", b"15,2,3.40,-96.60", 0, "sent: id 15, sms 2, cost 3.40, balance -96.60"),
    ("send", b"15,1,1.50", 0, "sent: id 15, sms 1, cost 1.50"),  # --query cost=2: the cost, no balance
    ("send", b"order-17,1,2.50,97.50", 0, "sent: id order-17, sms 1, cost 2.50, balance 97.50"),  # --id's text
    ("cost", b"0,1", 0, "cost: 0 for 1 SMS"),
    ("status", b"-3,0,0", 0, "status -3: not found"),
    ("status", b"25,0,255", 0, "status 25: unreachable number"),
    ("status", b"1,0,0,250013900000000,79000000000,7,1,Russia,MTS,,", 0, "status 1: delivered"),
    ("status", b"7,0,0", 0, "status 7: unknown status"),
    ("balance", b"-12.75", 0, "balance: -12.75"),
    ("balance", b"100\n", 0, "balance: 100"),
    ("send", b"<html><body>Welcome to the hotel Wi-Fi</body></html>", 3,
     "<html><body>Welcome to the hotel Wi-Fi</body></html>"),
    ("send", b"15,1,<b>1.50</b>,98.50", 3, "15,1,<b>1.50</b>,98.50"),
    ("send", b"15", 3, "15"),
    ("send", b"15,1,1.50,", 3, "15,1,1.50,"),
    ("send", b"15,0", 3, "15,0"),          # no SMS counted: not a send (2.0's debug: "Ошибка №0")
    ("cost", b"2.50,0", 3, "2.50,0"),
    ("send", b"id,cnt", 3, "id,cnt"),
    ("cost", b"<html>Bad Gateway</html>", 3, "<html>Bad Gateway</html>"),
    ("cost", b"2.50", 3, "2.50"),
    ("cost", b"2.50,one", 3, "2.50,one"),
    ("status", b"OK", 3, "OK"),
    ("status", b"1,yesterday,0", 3, "1,yesterday,0"),
    ("status", b"1,1561977123", 3, "1,1561977123"),
    ("balance", b"<!DOCTYPE html><html><head><title>Login required</title></head><body>" + b"x" * 200, 3,
     "<!DOCTYPE html><html><head><title>Login required</title></he..."),  # 60 characters, then ...
    ("balance", b"100.50 RUB", 3, "100.50 RUB"),
    ("balance", b"1,2,3", 3, "1,2,3"),
    ("balance", b"0,-x", 3, "0,-x"),
    ("balance", b"line one\nline\ttwo\x1b[31m", 3, "line one\\x0aline\\x09two\\x1b[31m"),
]


@pytest.mark.parametrize("command,reply,code,shown", REPLIES)
def test_exit_0_only_for_a_reply_of_the_gateways_shape(smsc, loopback, capsys, command, reply, code, shown):
    loopback.http.script(Reply(reply))
    if code == 0:
        assert cli(smsc, capsys, *(COMMANDS[command] + OVER_HTTP)) == (0, shown + "\n", "")
        return
    assert cli(smsc, capsys, *(COMMANDS[command] + OVER_HTTP)) == (3, "", "error: unexpected reply: %s\n" % shown)
    loopback.http.script(Reply(reply))
    code, out, err = cli(smsc, capsys, *(COMMANDS[command] + OVER_HTTP + ["--json"]))
    assert (code, json.loads(out), err) == (
        3, {"ok": False, "exit": 3, "error": "unexpected reply", "reply": shown}, "")


def test_an_error_page_with_status_500_exits_3(smsc, loopback, capsys):
    # every Python tries the next host after an HTTP error status; after a 5xx the message may have gone out
    loopback.http.default = Reply(b"<html>Internal Server Error</html>", status=500, reason="Internal Server Error")
    code, out, err = cli(smsc, capsys, "send", "79999999999", "hi", *OVER_HTTP)
    assert (code, out) == (3, "")
    assert err == ("error: no host answered (5 attempts; the last: _BadReply: HTTP 500 Internal Server Error); the "
                   "message may have been sent: http://smscentre.com/sys/send.php received the whole request, and no "
                   "complete reply came back\n")
    assert len(loopback.requests) == 5


@pytest.mark.parametrize("login,password,echo", [
    ("alice", "s3cr3t", b"<html>Error for GET /sys/balance.php?login=alice&psw=s3cr3t&fmt=1</html>"),
    ("", "my-api-key", b"<html>Error for GET /sys/balance.php?apikey=my-api-key&fmt=1</html>"),
])
def test_a_reply_that_echoes_the_request_never_shows_the_password(smsc, loopback, capsys, login, password, echo):
    loopback.http.default = Reply(echo)
    code, out, err = cli(smsc, capsys, "balance", "--login", login, "--password", password, "--http")
    assert (code, out) == (3, "") and password not in err and "***" in err
    code, out, err = cli(smsc, capsys, "balance", "--login", login, "--password", password, "--http", "--json")
    assert code == 3 and password not in out and json.loads(out)["reply"].count("***") == 1


@pytest.mark.parametrize("argv,reply,code,shown", [
    (["status", "1", "79999999999", "--all", "1"],
     b"1,1700000000,0,1700000000,7999,2.5,sms,delivered,Hi, S3cretPassw0rd", 0,
     ["1", "1700000000", "0", "1700000000", "7999", "2.5", "sms", "delivered", "Hi, ***"]),  # the message whole
    (["send", "79999999999", "hi"], b"S3cretPassw0rd,-7", 3, "***,-7"),
    (["send", "79999999999", "hi"], b"S3cretPassw0rd,1,2.50,97.50", 3, "***,1,2.50,97.50"),
], ids=["status", "refused", "sent"])
def test_a_reply_of_any_outcome_never_shows_the_password(smsc, loopback, capsys, argv, reply, code, shown):
    loopback.http.script(Reply(reply))
    got, out, err = cli(smsc, capsys, *(argv + ["--login", "alice", "--password", "S3cretPassw0rd", "--http",
                                                "--json"]))
    assert (got, json.loads(out)["reply"], err) == (code, shown, "")


def test_a_mistyped_option_is_named_without_its_value(smsc, capsys):
    # --pasword (a typo): its value is a password, and argparse would repeat the whole rest of the line
    code, out, err = cli(smsc, capsys, "balance", "--pasword", "S3cretPassw0rd", "--timeout=5", "--pin=4321", "extra")
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == "smsc_api.py: error: unrecognized arguments: --pasword ... --pin ..."
    assert "S3cret" not in err and "4321" not in err


def test_what_a_server_says_is_shown_with_its_control_characters_escaped(smsc, loopback, capsys):
    loopback.http.default = Reply(b"", status=500, reason="\x1b]0;pwned\x07\x1b[2J oops")
    code, out, err = cli(smsc, capsys, "balance", *OVER_HTTP)
    assert (code, out) == (3, "")
    assert err == ("error: no host answered (5 attempts; the last: _BadReply: HTTP 500 \\x1b]0;pwned\\x07\\x1b[2J "
                   "oops)\n")


# 4. Exit status 1: the gateway answered an error, with its code and meaning

@pytest.mark.parametrize("argv,reply,err", [
    (["balance"], b"0,-2", "error 2: invalid login or password (or API key)\n"),
    (["send", "12", "hi"], b"0,-7", "error 7: wrong phone number format\n"),
    (["send", "79999999999", "hi"], b"15,-3", "error 3: not enough money\n"),
    (["send", "12", "hi", "--id", "order_17.b"], b"order_17.b,-7", "error 7: wrong phone number format\n"),
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


@pytest.mark.parametrize("reply,code", [(b"15,-3", 3), (b"0,-99", 99)])  # 0,-7: test_cli.test_gateway_error_as_json
def test_an_error_reply_exits_1(smsc, loopback, capsys, reply, code):
    loopback.http.script(Reply(reply))
    code_, out, err = cli(smsc, capsys, "send", "79999999999", "hi", "--json", *OVER_HTTP)
    assert (code_, err) == (1, "")
    assert json.loads(out)["error"] == code and json.loads(out)["ok"] is False


@pytest.mark.parametrize("command,reply,message", [
    ("status", b"0,-2", "invalid login or password (or API key)"),
    ("status", b"0,-3", "unknown error"),   # 3, 6, 7, 8 are a send's errors: not "not enough money" here
    ("balance", b"0,-9", "duplicate request within a minute, or too many requests"),
    ("cost", b"0,-3", "not enough money"),
])
def test_an_error_is_named_only_with_the_commands_own_meaning(smsc, loopback, capsys, command, reply, message):
    loopback.http.script(Reply(reply))
    code, out, err = cli(smsc, capsys, *(COMMANDS[command] + OVER_HTTP))
    assert (code, out, err) == (1, "", "error %s: %s\n" % (reply.split(b"-")[1].decode("ascii"), message))


# 5. Exit status 3: no host answered, and whether a send may have gone out

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


# 6. Exit status 2: bad usage, before anything is sent

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


@pytest.mark.parametrize("option", ["--timeout", "--connect-timeout"])
@pytest.mark.parametrize("value", ["-1", "0", "nan", "inf", "-inf", "soon", "1e400"])
def test_a_bad_timeout_option_exits_2_before_anything_is_sent(smsc, loopback, capsys, option, value):
    code, out, err = cli(smsc, capsys, "balance", option + "=" + value, *OVER_HTTP)
    assert (code, out) == (2, "")
    assert last_line(err) == "smsc_api.py balance: error: argument %s: expected a positive number of seconds, " \
                             "not '%s'" % (option, value)
    assert loopback.intercept.connections == []


@pytest.mark.parametrize("constant,value,message", [
    ("SMSC_TIMEOUT", -1, "SMSC_TIMEOUT must be a positive, finite number of seconds or None, not -1"),
    ("SMSC_CONNECT_TIMEOUT", "5", "SMSC_CONNECT_TIMEOUT must be a number of seconds or None, not '5'"),
    ("SMSC_KEEPALIVE", "yes", "SMSC_KEEPALIVE must be True or False (or 1 or 0), not 'yes'"),
    ("SMSC_POST", "false", "SMSC_POST must be True or False (or 1 or 0), not 'false'"),
    ("SMSC_CHARSET", "utf-8&phones=70000000000",
     "SMSC_CHARSET must be the name of a charset, such as 'utf-8', not 'utf-8&phones=70000000000'"),
])
def test_a_bad_setting_exits_2_naming_it(smsc, loopback, capsys, constant, value, message):
    setattr(smsc, constant, value)
    for argv in (["balance"], ["send", "79999999999", "hi"], ["status", "1", "79999999999"]):
        code, out, err = cli(smsc, capsys, *(argv + OVER_HTTP))
        assert (code, out, last_line(err)) == (2, "", "smsc_api.py: error: " + message)
    assert loopback.intercept.connections == []


@pytest.mark.parametrize("argv", [["balance"], ["send", "79999999999", "hi"], ["cost", "79999999999", "hi"],
                                  ["status", "1", "79999999999"], ["mail", "79999999999", "hi"],
                                  ["balance", "--login", ""], ["balance", "--password", ""]])
def test_no_credentials_at_all_exits_2_before_anything_is_sent(smsc, loopback, capsys, argv):
    code, out, err = cli(smsc, capsys, *argv)
    assert (code, out) == (2, "")
    assert last_line(err) == ("smsc_api.py: error: no credentials: set SMSC_LOGIN and SMSC_PASSWORD "
                              "(or SMSC_PASSWORD alone, an API key), or give --login and --password")
    assert loopback.intercept.connections == []


@pytest.mark.parametrize("argv,constants,line", [
    (["--password", "KEY"], {}, b"GET /sys/balance.php?apikey=KEY&fmt=1&charset=utf-8& "),
    ([], {"SMSC_PASSWORD": "KEY"}, b"GET /sys/balance.php?apikey=KEY&fmt=1&charset=utf-8& "),
    (["--login", "alice"], {}, b"GET /sys/balance.php?login=alice&psw=&fmt=1&charset=utf-8& "),
])
def test_a_login_or_an_api_key_alone_is_sent(smsc, loopback, capsys, argv, constants, line):
    for name, value in constants.items():
        setattr(smsc, name, value)
    loopback.http.script(Reply(b"5"))
    assert cli(smsc, capsys, *(["balance", "--http"] + argv)) == (0, "balance: 5\n", "")
    assert loopback.requests[0].request_line.startswith(line)


def test_a_bad_parameter_exits_2_naming_it(smsc, loopback, capsys):
    code, out, err = cli(smsc, capsys, "status", "5&phone=70000000000", "79999999999", *OVER_HTTP)
    assert (code, out, last_line(err)) == (
        2, "", "smsc_api.py: error: id must be an int, or text of up to 40 Latin letters, digits, '.', '-' and '_' "
        "(ids separated by commas), not %r" % u"5&phone=70000000000")
    assert loopback.intercept.connections == []


@pytest.mark.parametrize("option", [["--format", u"\u0661"], ["--translit", " 1"], ["--format", "1.0"]])
def test_numbers_on_the_command_line_are_checked_as_the_module_checks_them(smsc, loopback, capsys, option):
    code, out, err = cli(smsc, capsys, "send", "79999999999", "hi", *(option + OVER_HTTP))
    assert (code, out) == (2, "") and loopback.intercept.connections == []


# 7. As a program: the environment is read when the module is imported

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


@pytest.mark.parametrize("variable,value,message", [
    ("SMSC_TIMEOUT", "abc", "environment variable SMSC_TIMEOUT: expected a number of seconds or none, not 'abc'"),
    ("SMSC_CONNECT_TIMEOUT", "-1", "environment variable SMSC_CONNECT_TIMEOUT must be a positive, finite number "
                                   "of seconds or None, not -1.0"),
    ("SMSC_POST", "maybe", "environment variable SMSC_POST: expected 1/true/yes/on or 0/false/no/off, not 'maybe'"),
    ("SMSC_CHARSET", "klingon", "environment variable SMSC_CHARSET must be the name of a charset, such as "
                                "'utf-8', not 'klingon'"),
])
def test_a_bad_environment_variable_exits_2_naming_it(loopback, variable, value, message):
    code, out, err = program(["balance"], proxy_to=loopback.http, SMSC_LOGIN="alice", SMSC_PASSWORD="secret",
                             **{variable: value})
    assert (code, out) == (2, "")
    assert err.startswith("usage: smsc_api.py") and "Traceback" not in err
    assert last_line(err) == "smsc_api.py: error: " + message
    assert loopback.requests == []


def test_the_installed_command_names_a_bad_environment_variable_without_a_traceback(tmpdir):
    # the console script imports smsc_api as a module, then calls _main: as "python smsc_api.py", exit 2
    script = tmpdir.join("smsc-api")
    script.write("import sys\nsys.path.insert(0, %r)\nfrom smsc_api import _main\nsys.exit(_main())\n" % ROOT)
    env = environment(SMSC_TIMEOUT="abc", SMSC_LOGIN="alice", SMSC_PASSWORD="secret")
    process = subprocess.Popen([sys.executable, str(script), "balance"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    out, err = process.communicate()
    assert (process.returncode, out) == (2, b"")
    assert err.decode("utf-8").splitlines()[-1] == (
        "smsc-api: error: environment variable SMSC_TIMEOUT: expected a number of seconds or none, not 'abc'")


# 8. In any locale, and with its output closed early (issue 10)
#
# Run as a program, as a shell runs it, through http_proxy to the loopback gateway. Under the C locale Python 2 gets
# argv as bytes, Python 3.6 (and 3.7+ with PYTHONUTF8=0) as text with surrogates for what ASCII cannot decode;
# arguments are read as the terminal's encoding (UTF-8 under the C locale), and what the output stream cannot encode
# is written backslash-escaped.

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
