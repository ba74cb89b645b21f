# -*- coding: utf-8 -*-
"""The command line says "sent" only when the gateway said so (issue 10).

Exit 0 only for a reply of the gateway's shape for the command; anything else is exit 3 with
what came back, cut short. Bad usage is exit 2 before anything is sent: a bad --timeout, a bad
setting or environment variable, no credentials at all. Run in this process (smsc_api._main)
against the loopback gateway, or as a program where the environment is read at import."""
import json
import subprocess
import sys

import pytest

from helpers import CREDENTIALS, OVER_HTTP, ROOT, cli, environment, program
from servers import Reply


def last_line(text):
    return text.strip().splitlines()[-1]


# Exit 0 only for the gateway's shape

COMMANDS = {"send": ["send", "79999999999", "hi"], "cost": ["cost", "79999999999", "hi"],
            "status": ["status", "15", "79999999999"], "balance": ["balance"]}


# Each reply: exit 0 only in the gateway's shape for the command (its line on stdout); anything else is
# exit 3 with what came back, cut to 60 characters and control characters escaped (on stderr, and in --json)
REPLIES = [
    ("send", b"15,1", 0, "sent: id 15, sms 1"),
    ("send", b"15,2,3.40,-96.60", 0, "sent: id 15, sms 2, cost 3.40, balance -96.60"),
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
    ("send", b"15,0", 3, "15,0"),          # no SMS counted: not a send (2.0's debug: "Ошибка №0")
    ("cost", b"2.50,0", 3, "2.50,0"),
    ("send", b"15,1,1.50", 3, "15,1,1.50"),
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


# Exit 2, nothing sent

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


def test_the_timeout_options_reach_the_settings(smsc):
    # (no --keepalive: one command is one call, there is no later call to keep a connection for)
    parser = smsc._cli_parser()
    argv = ["balance", "--connect-timeout", "2.5", "--timeout", "30"] + CREDENTIALS
    args = smsc._cli_parse(parser, argv)
    assert args.settings == {"login": "alice", "password": "secret", "connect_timeout": 2.5, "timeout": 30.0,
                             "https": True}  # HTTPS unless asked otherwise: the request carries the password
    args = smsc._cli_parse(parser, ["balance"] + OVER_HTTP)
    assert args.settings == {"login": "alice", "password": "secret", "https": False}  # the rest: the constants


def test_a_bad_parameter_exits_2_naming_it(smsc, loopback, capsys):
    code, out, err = cli(smsc, capsys, "status", "5&phone=70000000000", "79999999999", *OVER_HTTP)
    assert (code, out, last_line(err)) == (
        2, "", "smsc_api.py: error: id must be an int, or text of up to 40 Latin letters, digits, '.', '-' and '_' "
        "(ids separated by commas), not %r" % u"5&phone=70000000000")
    assert loopback.intercept.connections == []


# As a program: the environment is read when the module is imported

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


# What a hostile review found (each failed before its fix)

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


def test_status_of_several_ids_prints_a_line_each(smsc, loopback, capsys):
    loopback.http.default = Reply(b"1,0,0\n-1,0,0")
    assert cli(smsc, capsys, "status", "101,102", "79999999999,79999999998", *OVER_HTTP) == (
        0, "status 1: delivered\nstatus -1: waiting to be sent\n", "")
    code, out, err = cli(smsc, capsys, "status", "101,102", "79999999999,79999999998", "--json", *OVER_HTTP)
    assert [record["status"] for record in json.loads(out)["statuses"]] == ["1", "-1"]


@pytest.mark.parametrize("option", [["--format", u"\u0661"], ["--translit", " 1"], ["--format", "1.0"]])
def test_numbers_on_the_command_line_are_checked_as_the_module_checks_them(smsc, loopback, capsys, option):
    code, out, err = cli(smsc, capsys, "send", "79999999999", "hi", *(option + OVER_HTTP))
    assert (code, out) == (2, "") and loopback.intercept.connections == []


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
