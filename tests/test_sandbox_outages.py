# -*- coding: utf-8 -*-
"""Outages on demand: Gateway.fail() (the smsc_gateway fixture's), played against smsc_api's own failover.

smsc_api tries smscentre.com, then www2 ... www5, each attempt within its timeout (small here); what each host
saw is read from the gateway's requests and from `failures`, never from a timing.
"""
import logging
import smtplib

import pytest

import smsc_sandbox
from helpers import HTTP_VERSION, echoed

SEND = b"GET /sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=hi&translit=0" \
       b"&id=0 " + HTTP_VERSION


def hosts(sandbox):
    return [request.header("Host").decode("ascii") for request in sandbox.requests]


@pytest.fixture
def short_deadline_client(smsc):
    """SMSC("alice", "secret") with a deadline of 1 s an attempt."""
    return smsc.SMSC("alice", "secret", timeout=1)


def test_the_first_host_is_down_and_the_second_answers(short_deadline_client, sandbox):
    sandbox.fail(host="smscentre.com", drop=True)
    assert short_deadline_client.send_sms("79999999999", "hi") == ["1", "1", "2.50", "97.50"]
    assert hosts(sandbox) == ["smscentre.com", "www2.smscentre.com"]
    assert [request.request_line for request in sandbox.requests] == [SEND, SEND]
    assert sandbox.failures == [{"how": "drop", "value": True, "via": "http", "host": "smscentre.com",
                                 "command": "send"}]
    assert len(sandbox.messages) == 1 and sandbox.queued_failures == []
    assert echoed(sandbox) == [u"FAIL drop for HTTP send on smscentre.com",
                               u"SMS id=1 to 79999999999: hi (1 part, 2.50)"]


def test_the_gateway_is_slow_and_then_says_error_9(short_deadline_client, sandbox, caplog):
    """The first host acts on the send but answers after the client's deadline: the client tries www2, which has
    the same SMS within the minute. smsc_api logs that it was most likely sent."""
    sandbox.fail(host="smscentre.com", delay=3)
    with caplog.at_level(logging.WARNING, logger="smsc_api"):
        assert short_deadline_client.send_sms("79999999999", "hi") == ["0", "-9"]
    assert hosts(sandbox) == ["smscentre.com", "www2.smscentre.com"]
    assert len(sandbox.messages) == 1 and sandbox.balance == 97.5
    assert any(hasattr(record, "smsc_most_likely_sent") for record in caplog.records)


def test_a_hang_ends_at_the_clients_deadline_and_the_next_host_answers(short_deadline_client, sandbox):
    sandbox.fail(hang=True)
    assert short_deadline_client.get_balance() == "100.00"
    assert hosts(sandbox) == ["smscentre.com", "www2.smscentre.com"]
    assert sandbox.http.wait_served(1)  # the hung connection ended once the client hung up


@pytest.mark.parametrize("status", [500, 502, 503, 404])
def test_an_http_status_is_a_failed_attempt(short_deadline_client, sandbox, status):
    sandbox.fail(times=2, status=status)
    assert short_deadline_client.get_balance() == "100.00"
    assert hosts(sandbox) == ["smscentre.com", "www2.smscentre.com", "www3.smscentre.com"]
    assert [request.reply for request in sandbox.requests][:2] == [
        (u"smsc_sandbox: %d %s (Gateway.fail)\n" % (status, smsc_sandbox._reason(status))).encode("ascii")] * 2


@pytest.mark.parametrize("code,id,reply", [(8, 5, ["5", "-8"]), (8, 0, ["0", "-8"]), (6, 5, ["5", "-6"]),
                                           (4, 5, ["0", "-4"]), (5, 5, ["0", "-5"])])
def test_any_gateway_error_is_answered(short_deadline_client, sandbox, code, id, reply):
    sandbox.fail(error=code, command="send")
    assert short_deadline_client.send_sms("79999999999", "hi", id=id) == reply
    assert sandbox.messages == [] and sandbox.balance == 100  # not acted on
    assert echoed(sandbox)[-1] == u"ERROR %d (%s) for /sys/send.php" % (code, smsc_sandbox._ERRORS[code])


def test_a_body_that_is_not_the_gateways(short_deadline_client, sandbox):
    sandbox.fail(command="balance", body=b"<html>captive portal</html>")
    assert short_deadline_client.get_balance() == "<html>captive portal</html>"
    assert sandbox.requests[0].reply == b"<html>captive portal</html>"


def test_failures_are_matched_in_order_by_host_and_command(short_deadline_client, sandbox):
    www2 = sandbox.fail(host="www2.smscentre.com", status=500)
    statuses = sandbox.fail(command="status", times=3, drop=True)
    first = sandbox.fail(host="SMSCENTRE.COM.", drop=True)
    assert short_deadline_client.send_sms("79999999999", "hi") == ["1", "1", "2.50", "97.50"]
    assert hosts(sandbox) == ["smscentre.com", "www2.smscentre.com", "www3.smscentre.com"]
    assert (first.left, www2.left, statuses.left) == (0, 0, 3)
    assert short_deadline_client.get_status(1, "79999999999") == ["-1", "1700000000", "0"]  # www4 answers
    assert hosts(sandbox)[3:] == ["smscentre.com", "www2.smscentre.com", "www3.smscentre.com", "www4.smscentre.com"]
    assert [played["host"] for played in statuses.played] == ["smscentre.com", "www2.smscentre.com",
                                                              "www3.smscentre.com"]
    assert sandbox.queued_failures == []


def test_every_host_down_gives_2_0s_empty_reply(short_deadline_client, sandbox):
    sandbox.fail(times=5, status=503)
    assert short_deadline_client.send_sms("79999999999", "hi") == ["", ""]
    assert len(sandbox.failures) == 5 and sandbox.messages == []


def test_https_requests_fail_too(smsc, sandbox):
    if sandbox.https is None:
        pytest.skip("HTTPS needs trustme or the openssl command here")
    sandbox.fail(host="smscentre.com", status=503)
    assert smsc.SMSC("alice", "secret", https=True, timeout=5).get_balance() == "100.00"
    assert [(request.tls, request.asked[0]) for request in sandbox.requests] == [
        (True, "smscentre.com"), (True, "www2.smscentre.com")]


# SMTP: a step refused, a connection dropped or hung, a gateway error for the mail

def test_smtp_a_step_refused(short_deadline_client, sandbox):
    sandbox.fail(command="rcpt", reply="550 5.1.1 no such mailbox")
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        short_deadline_client.send_sms_mail("79999999999", "hi")
    assert refused.value.recipients == {"send@send.smscentre.com": (550, b"5.1.1 no such mailbox")}
    short_deadline_client.send_sms_mail("79999999999", "hi")  # the next mail goes through
    assert len(sandbox.messages) == 1
    assert sandbox.failures == [{"how": "reply", "value": "550 5.1.1 no such mailbox", "via": "smtp",
                                 "host": "send.smscentre.com", "command": "rcpt"}]


def test_smtp_a_gateway_error_for_the_mail(short_deadline_client, sandbox):
    sandbox.fail(error=8)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        short_deadline_client.send_sms_mail("79999999999", "hi")
    assert (refused.value.smtp_code, refused.value.smtp_error) == (554, b"5.7.1 SMSC error 8: the message cannot be "
                                                                        b"delivered")
    assert sandbox.messages == []


@pytest.mark.parametrize("how,error", [({"drop": True}, smtplib.SMTPServerDisconnected),
                                       ({"hang": True}, (smtplib.SMTPServerDisconnected, IOError)),
                                       ({"reply": "421 4.3.2 going down"}, smtplib.SMTPConnectError)])
def test_smtp_at_connect(short_deadline_client, sandbox, how, error):
    sandbox.fail(host="send.smscentre.com", **how)
    with pytest.raises(error):
        short_deadline_client.send_sms_mail("79999999999", "hi")
    assert sandbox.messages == [] and sandbox.failures[0]["command"] == "connect"


def test_smtp_a_delay_at_a_step_then_the_usual_reply(short_deadline_client, sandbox):
    sandbox.fail(command="ehlo", delay=0.2)
    short_deadline_client.send_sms_mail("79999999999", "hi")
    assert len(sandbox.messages) == 1 and sandbox.failures[0]["command"] == "ehlo"


def test_an_http_failure_is_not_played_on_mail_nor_an_smtp_one_on_http(short_deadline_client, sandbox):
    sandbox.fail(status=500)
    short_deadline_client.send_sms_mail("79999999999", "by mail")  # status= is for HTTP: the mail goes through
    assert short_deadline_client.get_balance() == "97.50" and hosts(sandbox) == ["smscentre.com", "www2.smscentre.com"]
    sandbox.fail(reply="554 5.3.2 no service")
    assert short_deadline_client.get_balance() == "97.50"          # reply= is for SMTP: not played on HTTP
    with pytest.raises(smtplib.SMTPConnectError):    # played at the next mail's connect
        short_deadline_client.send_sms_mail("79999999999", "by mail")
    assert [(played["via"], played["command"]) for played in sandbox.failures] == [
        ("http", "balance"), ("smtp", "connect")]


# Arguments

@pytest.mark.parametrize("kwargs,error,message", [
    ({}, TypeError, "fail() takes exactly one of drop=True, hang=True, status=, error=, delay=, body=, reply= "
                    "(given: none)"),
    ({"drop": True, "status": 500}, TypeError, "fail() takes exactly one of drop=True, hang=True, status=, error=, "
                                               "delay=, body=, reply= (given: drop, status)"),
    ({"refuse": True}, TypeError, "fail() got an unexpected keyword argument 'refuse'"),
    ({"drop": 1}, ValueError, "drop must be True, not 1"),
    ({"times": 0, "drop": True}, ValueError, "times must be a whole number from 1, not 0"),
    ({"times": True, "drop": True}, ValueError, "times must be a whole number from 1, not True"),
    ({"host": "example.com", "drop": True}, ValueError, "host must be the name of an SMSC host (smscentre.com, "
                                                        "www2.smscentre.com, smsc.ru, send.smscentre.com, ...), not "
                                                        "'example.com'"),
    ({"command": "sms", "drop": True}, ValueError, "command must be None, an HTTP command (send, status, balance) "
                                                   "or an SMTP step (connect, ehlo, auth, mail, rcpt, data, "
                                                   "message), not 'sms'"),
    ({"status": 99}, ValueError, "status must be an HTTP status from 200 to 599, not 99"),
    ({"status": "503"}, ValueError, "status must be an HTTP status from 200 to 599, not '503'"),
    ({"error": 10}, ValueError, "error must be a gateway error code from 1 to 9, not 10"),
    ({"delay": 0}, ValueError, "delay must be a positive number of seconds up to 600, not 0"),
    ({"delay": float("nan")}, ValueError, "delay must be a positive number of seconds up to 600, not nan"),
    ({"delay": 1e12}, ValueError, "delay must be a positive number of seconds up to 600, not 1000000000000.0"),
    ({"body": u"text"}, TypeError, "body must be bytes, not " + type(u"").__name__),
    ({"reply": "ok\r\nRSET"}, ValueError, "reply must be an SMTP reply line such as '554 5.7.1 refused', not "
                                          "'ok\\r\\nRSET'"),
    ({"command": "rcpt", "status": 500}, ValueError, "status= answers an HTTP request: command must be None or one "
                                                     "of send, status, balance, not 'rcpt'"),
    ({"command": "send", "reply": "554 no"}, ValueError, "reply= answers an SMTP step: command must be None or one "
                                                         "of connect, ehlo, auth, mail, rcpt, data, message, not "
                                                         "'send'"),
    ({"command": "rcpt", "error": 8}, ValueError, "error= answers a mail once its message has come: command must be "
                                                  "'message', not 'rcpt'"),
])
def test_bad_arguments_are_errors_naming_them(sandbox, kwargs, error, message):
    with pytest.raises(error) as raised:
        sandbox.fail(**kwargs)
    assert str(raised.value) == message
    assert sandbox.queued_failures == []
