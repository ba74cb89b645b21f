# -*- coding: utf-8 -*-
"""The sandbox gateway (smsc_sandbox.Gateway): the HTTP API, SMTP, output, the command line and the demo (the
pytest fixture: test_plugin.py).

In-process tests use the `sandbox` fixture: the `smsc_gateway` fixture as users have it (tests/conftest.py loads
the plugin with pytest_plugins), on a stopped clock: statuses and duplicates move by setting the clock, never
by sleeping. Raw requests go over a real socket to the gateway's port; smsc_api reaches it
through the fixture's Intercept, unchanged. Replies, printed lines and log lines are asserted
whole; where a value varies by nature (ports, times of a subprocess) it is cut out and the rest
asserted exactly.
"""
import io
import json
import os
import re
import shlex
import smtplib
import stat
import threading
import time
from decimal import Decimal

import pytest
import six

import smsc_sandbox
from helpers import (DOMAINS, HEADER, HTTP_VERSION, NOW, ROOT, SandboxProcess, api, echoed, get_over_one_connection,
                     logged, native, program, raw_get, raw_post, response, run_app, run_together, send, send_raw)
from servers import Drop, HTTPServer
from smsc_sandbox import Intercept

WAITING, DELIVERED = u"Ожидает отправки", u"Доставлено"


def cost_of(sandbox, message, phones=b"79999999999"):
    return send(sandbox, b"cost=1&phones=" + phones + b"&mes=" + six.moves.urllib.parse.quote(message).encode("ascii"))


# 1. Request lines, hosts, methods

SMSC_HOSTS = [prefix + domain for domain in DOMAINS for prefix in ["", "www2.", "www3.", "www4.", "www5."]]


@pytest.mark.parametrize("host", SMSC_HOSTS)
def test_origin_and_absolute_request_lines_for_every_host_and_mirror(sandbox, host):
    host = host.encode("ascii")
    query = b"/sys/balance.php?login=a&psw=b&fmt=1&charset=utf-8"
    assert raw_get(sandbox, query, host) == response(b"100.00")
    assert raw_get(sandbox, b"http://" + host + query, host) == response(b"100.00")
    assert send_raw(sandbox, b"GET http://" + host.upper() + b":80" + query + b" HTTP/1.0\r\n\r\n") == response(
        b"100.00", connection=b"close")
    assert raw_get(sandbox, query, host + b":80") == response(b"100.00")
    assert echoed(sandbox) == []


NOT_FOUND = response(b"smsc_sandbox: not an SMSC API address (see /)\n", status=b"404 Not Found")


@pytest.mark.parametrize("request_line,host", [
    (b"GET /sys/balance.php?login=a&psw=b HTTP/1.1", b"example.com"),
    (b"GET http://example.com/sys/balance.php?login=a&psw=b HTTP/1.1", b"example.com"),
    (b"GET http://smscentre.com.example.com/sys/balance.php?login=a&psw=b HTTP/1.1", b"smscentre.com"),
    (b"GET /sys/jobs.php?login=a&psw=b HTTP/1.1", b"smscentre.com"),
    (b"GET /balance.php?login=a&psw=b HTTP/1.1", b"smscentre.com"),
])
def test_other_hosts_and_paths_are_not_found(sandbox, request_line, host):
    assert send_raw(sandbox, request_line + b"\r\nHost: " + host + b"\r\n\r\n") == NOT_FOUND
    target = request_line.split(b" ")[1].replace(b"psw=b", b"psw=***").decode("ascii")
    assert echoed(sandbox) == [u"ERROR HTTP 404 (not an SMSC API address) for GET " + target]


def test_the_root_page_and_other_methods(sandbox):
    assert raw_get(sandbox, b"/", b"127.0.0.1:8025") == response(
        b"smsc_sandbox: a local SMSC gateway for tests (no SMS is ever sent).\n"
        b"API: /sys/send.php, /sys/status.php, /sys/balance.php on smscentre.com, smsc.ru, smsc.kz, smsc.ua;\n"
        b"mail to send@send.smscentre.com over SMTP.\n")
    assert send_raw(sandbox, b"PUT /sys/send.php?psw=x HTTP/1.1\r\nHost: smscentre.com\r\n\r\n") == response(
        b"smsc_sandbox: only GET and POST\n", status=b"501 Not Implemented")
    assert echoed(sandbox) == [u"ERROR HTTP 501 (only GET and POST) for PUT /sys/send.php?psw=***"]


def test_post_form_body_with_the_rest_in_the_query(sandbox):
    body = b"login=alice&psw=secret&fmt=1&charset=utf-8&phones=79999999999&mes=Hello+world%21&cost=2"
    assert send_raw(sandbox, raw_post(b"/sys/send.php?sender=shop", body, host=b"smsc.ru")) == response(b"1,1,2.50")
    assert echoed(sandbox) == [u"SMS id=1 to 79999999999 from shop: Hello world! (1 part, 2.50)"]
    assert sandbox.requests[0].reply == b"1,1,2.50"


def test_post_and_get_through_smsc_api(smsc, sandbox):
    assert smsc.SMSC("alice", "secret", post=True).send_sms("79999999999", "by post") == ["1", "1", "2.50", "97.50"]
    assert smsc.SMSC("alice", "secret").send_sms("79999999999", "by get") == ["2", "1", "2.50", "95.00"]
    assert [r.method for r in sandbox.requests] == [b"POST", b"GET"]
    assert [m["message"] for m in sandbox.messages] == ["by post", "by get"]


# 2. Charsets

@pytest.mark.parametrize("charset", ["utf-8", "windows-1251", "koi8-r"])
def test_each_charset_decodes_the_request_and_encodes_the_reply(sandbox, charset):
    text = u"Привет, мир: тест"
    quoted = six.moves.urllib.parse.quote(text.encode(charset)).encode("ascii")
    name = charset.encode("ascii")
    assert api(sandbox, b"send", b"apikey=K&phones=79999999999&mes=" + quoted + b"&id=5", name) == b"5,1"
    assert sandbox.messages[0]["message"] == text
    assert api(sandbox, b"status", b"apikey=K&phone=79999999999&id=5&all=1", name) == (
        u"-1,1700000000,0,1700000000,79999999999,2.50,,%s,%s" % (WAITING, text)).encode(charset)


def test_without_charset_the_gateway_reads_windows_1251(sandbox):
    mes = six.moves.urllib.parse.quote(u"тест".encode("cp1251")).encode("ascii")
    answer = raw_get(sandbox, b"/sys/send.php?login=a&psw=b&fmt=1&phones=79999999999&mes=" + mes)
    assert answer == response(b"1,1", b"windows-1251")
    assert sandbox.messages[0]["message"] == u"тест"


def test_an_unknown_charset_is_error_1(sandbox):
    assert raw_get(sandbox, b"/sys/balance.php?login=a&psw=b&fmt=1&charset=latin-1") == response(b"0,-1")
    assert echoed(sandbox) == [u"ERROR 1 (parameters error) for /sys/balance.php"]


def test_plus_is_a_space_and_bytes_that_do_not_decode_are_replaced(sandbox):
    assert api(sandbox, b"send", b"apikey=K&phones=79999999999&mes=a+b%2Bc%FF") == b"1,1"
    assert sandbox.messages[0]["message"] == u"a b+c\ufffd"


# 3. Authentication

@pytest.mark.parametrize("credentials", [b"login=alice&psw=secret", b"login=bob&psw=anything", b"apikey=KEY",
                                         b"psw=x", b"login=&psw=x"])
def test_by_default_any_credentials_are_accepted(sandbox, credentials):
    assert api(sandbox, b"balance", credentials) == b"100.00"


@pytest.mark.parametrize("credentials", [b"apikey=", b"", b"login=&apikey=", b"login=bob&psw=", b"login=bob",
                                         b"login=bob&apikey=KEY"])
@pytest.mark.parametrize("command,query", [(b"balance", b""), (b"send", b"phones=79999999999&mes=hi"),
                                           (b"status", b"phone=79999999999&id=1")])
def test_by_default_no_key_or_an_empty_one_is_error_2_as_at_the_gateway(sandbox, credentials, command, query):
    """What smsc_api sends with SMSC_LOGIN and SMSC_PASSWORD left empty (apikey=) is refused, as the real gateway
    refuses it: a test run with credentials missing is not green."""
    assert api(sandbox, command, credentials + b"&" + query) == b"0,-2"
    assert echoed(sandbox) == [u"ERROR 2 (wrong login or password) for /sys/%s.php" % command.decode()]
    assert sandbox.messages == [] and sandbox.balance == 100


@pytest.mark.parametrize("credentials,accepted", [
    (b"login=alice&psw=secret", True),
    (b"apikey=secret", True),
    (b"login=alice&psw=wrong", False),
    (b"login=bob&psw=secret", False),
    (b"login=alice", False),
    (b"apikey=wrong", False),
    (b"apikey=", False),
    (b"", False),
])
@pytest.mark.parametrize("command,query,reply", [
    (b"balance", b"", b"100.00"),
    (b"send", b"phones=79999999999&mes=hi&id=4", b"4,1"),
    (b"send", b"phones=79999999999&mes=hi&cost=1", b"2.50,1"),
    (b"status", b"phone=79999999999&id=3", b"-3,0,0"),
])
def test_with_a_login_set_the_password_or_api_key_must_match(sandbox, credentials, accepted, command, query, reply):
    sandbox.login, sandbox.password = "alice", "secret"
    assert api(sandbox, command, credentials + b"&" + query) == (reply if accepted else b"0,-2")
    refused = u"ERROR 2 (wrong login or password) for /sys/%s.php" % command.decode()
    assert echoed(sandbox) == ([u"SMS id=4 to 79999999999: hi (1 part, 2.50)"] if accepted and reply == b"4,1" else
                               [] if accepted else [refused])
    assert sandbox.balance == (Decimal("97.50") if accepted and reply == b"4,1" else 100)


def test_smsc_api_with_and_without_the_right_password(smsc, sandbox):
    sandbox.login, sandbox.password = "alice", u"пароль"
    assert smsc.SMSC("alice", u"пароль", charset="koi8-r").get_balance() == "100.00"
    assert smsc.SMSC("", u"пароль").get_balance() == "100.00"  # the API key
    assert smsc.SMSC("alice", "wrong").send_sms("79999999999", "x") == ["0", "-2"]
    assert len(sandbox.requests) == 3


# 4. Phones, message, ids

@pytest.mark.parametrize("phones,valid", [
    (u"79999999999", [u"79999999999"]),
    (u"+7 (999) 999-99-99", [u"79999999999"]),
    (u"7999999999", [u"7999999999"]),                  # 10 digits
    (u"799999999999999", [u"799999999999999"]),        # 15 digits
    (u"79999999999,79999999998;+380 44 123 45 67", [u"79999999999", u"79999999998", u"380441234567"]),
    (u"79999999999, 12345 ,79999999998", [u"79999999999", u"79999999998"]),  # the invalid one is left out
    (u"79999999999,79999999999", [u"79999999999"]),
])
def test_valid_phones(sandbox, phones, valid):
    query = b"phones=" + six.moves.urllib.parse.quote(phones.encode("utf-8")).encode("ascii") + b"&mes=hi"
    assert send(sandbox, query) == b"1,%d" % len(valid)
    assert sandbox.messages[0]["phones"] == valid


@pytest.mark.parametrize("phones", [b"", b"799999999", b"7999999999999999", b"7999abc9999", b"%2B%2B79999999999",
                                    b"7999999999.9", b",;"])
@pytest.mark.parametrize("id,reply", [(b"", b"0,-7"), (b"&id=42", b"42,-7")])
def test_no_valid_phone_is_error_7_with_the_clients_id(sandbox, phones, id, reply):
    assert send(sandbox, b"phones=" + phones + b"&mes=hi" + id) == reply
    assert echoed(sandbox) == [u"ERROR 7 (wrong phone number format) for /sys/send.php"]
    assert sandbox.messages == [] and sandbox.balance == 100


@pytest.mark.parametrize("query", [b"mes=hi", b"phones=79999999999", b"phones=79999999999&mes=hi&id=a+b",
                                   b"phones=79999999999&mes=hi&id=" + b"a" * 41, b"phones=79999999999&mes=hi&id=%D0%B8",
                                   b"phones=79999999999&mes=" + b"a" * 1001])
def test_missing_or_malformed_parameters_are_error_1(sandbox, query):
    assert send(sandbox, query) == b"0,-1"
    assert echoed(sandbox) == [u"ERROR 1 (parameters error) for /sys/send.php"]


def test_an_empty_message_and_1000_characters_are_accepted(sandbox):
    assert send(sandbox, b"phones=79999999999&mes=&hlr=1") == b"1,1"
    assert send(sandbox, b"phones=79999999999&mes=" + b"a" * 1000) == b"2,7"


def test_ids_are_the_clients_or_counted_from_1(sandbox):
    replies = [send(sandbox, b"phones=79999999999&mes=m%d%s" % (n, id)) for n, id in
               enumerate([b"", b"&id=77", b"", b"&id=0", b"&id=2147483647"])]
    assert replies == [b"1,1", b"77,1", b"2,1", b"3,1", b"2147483647,1"]


# Files with a message (an MMS picture, e-mail attachments): multipart/form-data

PICTURE = b"\x89PNG\r\n\x1a\n\x00\x00--boundary?\r\n\xff"


def test_files_sent_with_a_message_are_recorded_printed_and_logged(smsc, sandbox, tmpdir):
    picture, note = tmpdir.join("cat.png"), tmpdir.join(u"заметка.txt")
    picture.write_binary(PICTURE)
    note.write_binary(u"Привет".encode("utf-8"))
    client = smsc.SMSC("alice", "secret")
    assert client.send_sms("79999999999", "Look", format=7, files=[str(picture), six.text_type(note)]) == [
        "1", "1", "2.50", "97.50"]
    files = [{"name": "cat.png", "type": "application/octet-stream", "size": 24},
             {"name": u"заметка.txt", "type": "application/octet-stream", "size": 12}]
    assert sandbox.messages == [{"id": 1, "phones": ["79999999999"], "message": "Look", "sender": "", "parts": 1,
                                 "cost": "2.50", "time": NOW, "via": "http", "target": "/sys/send.php",
                                 "files": files}]
    assert echoed(sandbox) == [u"SMS id=1 to 79999999999: Look (1 part, 2.50) with cat.png (application/octet-stream, "
                               u"24 bytes), заметка.txt (application/octet-stream, 12 bytes)"]
    assert [json.loads(line) for line in logged(sandbox)] == sandbox.messages
    assert not [line for line in echoed(sandbox) + logged(sandbox) if u"secret" in line or u"Привет" in line]
    fields, sent = sandbox.requests[0].form()  # what the fixture exposes: the fields and the files' bytes
    assert fields == [("login", b"alice"), ("psw", b"secret"), ("fmt", b"1"), ("charset", b"utf-8"), ("cost", b"3"),
                      ("phones", b"79999999999"), ("mes", b"Look"), ("translit", b"0"), ("id", b"0"), ("mms", b"1")]
    note_name, note_content = u"заметка.txt".encode("utf-8"), u"Привет".encode("utf-8")
    assert sent == [smsc_sandbox.File("file0", b"cat.png", b"application/octet-stream", PICTURE),
                    smsc_sandbox.File("file1", note_name, b"application/octet-stream", note_content)]


MULTIPART = b'multipart/form-data; boundary="XyZ"'


def part(name, value, head=b""):
    return b'--XyZ\r\nContent-Disposition: form-data; name="' + name + b'"' + head + b"\r\n\r\n" + value + b"\r\n"


def test_multipart_fields_are_the_usual_parameters(sandbox):
    body = (b"a preamble\r\n" + part(b"login", b"alice") + part(b"psw", b"secret") +
            b"--XyZ\r\nContent-Disposition: form-data; name=charset\r\n\r\nwindows-1251\r\n" +
            part(b"phones", b"79999999999") + part(b"mes", b"first") +
            part(b"mes", u"Вот --XyZ кот".encode("cp1251")) +  # the last of a name wins; no CRLF: not a boundary
            b"--XyZ\r\nContent-Type: text/plain\r\n\r\nno name: left out\r\n" +
            part(b"file0", b"\x00\x01", b'; filename="a%22b.bin"') + b"--XyZ--\r\nan epilogue")
    assert send_raw(sandbox, raw_post(b"/sys/send.php?sender=shop&fmt=1", body, MULTIPART)) == response(
        b"1,1", b"windows-1251")
    assert [(m["message"], m["sender"], m["files"]) for m in sandbox.messages] == [
        (u"Вот --XyZ кот", u"shop", [{"name": u"a%22b.bin", "type": u"", "size": 2}])]
    assert echoed(sandbox) == [u"SMS id=1 to 79999999999 from shop: Вот --XyZ кот (1 part, 2.50) with a%22b.bin "
                               u"(no type, 2 bytes)"]


@pytest.mark.parametrize("body,content_type", [
    (part(b"phones", b"79999999999") + part(b"mes", b"hi"), b"multipart/form-data; boundary=XyZ"),  # no closing
    (part(b"phones", b"79999999999") + b"--XyZ--\r\n", b"multipart/form-data; boundary=XyZ"),  # no mes
    (part(b"phones", b"79999999999") + part(b"mes", b"hi") + b"--XyZ--\r\n", b"multipart/form-data"),  # no boundary
    (part(b"phones", b"79999999999") + part(b"mes", b"hi") + b"--XyZ--\r\n", b"text/plain"),
], ids=["unclosed", "no-mes", "no-boundary", "not-a-form"])
def test_a_broken_or_foreign_body_gives_no_fields(sandbox, body, content_type):
    assert send_raw(sandbox, raw_post(b"/sys/send.php?fmt=1&charset=utf-8&apikey=K", body, content_type)) == \
        response(b"0,-1")
    assert sandbox.messages == []


# 5. Parts and cost

@pytest.mark.parametrize("message,cnt", [
    (u"a" * 160, 1), (u"a" * 161, 2), (u"a" * 306, 2), (u"a" * 307, 3),
    (u"я" * 70, 1), (u"я" * 71, 2), (u"я" * 134, 2), (u"я" * 135, 3),
    (u"a" * 159 + u"я", 3),                  # one Cyrillic letter: all counts as UCS-2
    (u"@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!¤%&ÄÖÑÜ§¿äöñüà\n" * 3 + u"a" * 7, 1),  # 160: the GSM alphabet
    (u"€" * 80, 1), (u"€" * 81, 2),          # the extension table: 2 septets each
    (u"😀" * 35, 1), (u"😀" * 36, 2),        # outside the BMP: 2 UTF-16 units each
    (u"", 1),
])
def test_parts_are_counted_as_the_gateway_counts_them(sandbox, message, cnt):
    assert smsc_sandbox.parts(message) == cnt
    assert cost_of(sandbox, message.encode("utf-8")) == b"%s,%d" % (str(Decimal("2.50") * cnt).encode("ascii"), cnt)


def test_cnt_and_cost_count_each_phone(sandbox):
    assert cost_of(sandbox, b"a" * 161, b"79999999999,79999999998,79999999997") == b"15.00,6"
    sandbox.price = "0.35"
    assert cost_of(sandbox, b"a" * 161, b"79999999999,79999999998,79999999997") == b"2.10,6"


@pytest.mark.parametrize("cost,reply", [(b"", b"1,2"), (b"&cost=0", b"1,2"), (b"&cost=2", b"1,2,5.00"),
                                        (b"&cost=3", b"1,2,5.00,95.00"), (b"&cost=9", b"1,2")])
def test_reply_shape_by_cost(sandbox, cost, reply):
    assert send(sandbox, b"phones=79999999999,79999999998&mes=hi" + cost) == reply
    assert sandbox.balance == Decimal("95.00") and len(sandbox.messages) == 1


def test_cost_1_only_prices(sandbox):
    assert send(sandbox, b"phones=79999999999&mes=hi&cost=1") == b"2.50,1"
    assert send(sandbox, b"phones=79999999999&mes=hi&cost=1") == b"2.50,1"  # not a duplicate: nothing was sent
    assert (sandbox.balance, sandbox.messages, echoed(sandbox), logged(sandbox)) == (100, [], [], [])


def test_the_balance_goes_down_and_balance_php_says_so(smsc, sandbox):
    client = smsc.SMSC("alice", "secret")
    assert client.get_balance() == "100.00"
    assert client.send_sms("79999999999", "one") == ["1", "1", "2.50", "97.50"]
    assert client.send_sms("79999999999,79999999998", "a" * 200) == ["2", "4", "10.00", "87.50"]
    assert client.get_balance() == "87.50"
    assert sandbox.balance == Decimal("87.50")
    sandbox.balance = 12.1
    assert client.get_balance() == "12.10"


def test_not_enough_money_is_error_3(sandbox):
    sandbox.balance = "2.49"
    assert send(sandbox, b"phones=79999999999&mes=hi&id=8") == b"8,-3"
    assert send(sandbox, b"phones=79999999999&mes=hi") == b"0,-3"
    assert echoed(sandbox) == [u"ERROR 3 (not enough money) for /sys/send.php"] * 2
    sandbox.balance = "2.50"  # exactly enough
    assert send(sandbox, b"phones=79999999999&mes=hi&cost=3") == b"1,1,2.50,0.00"
    assert send(sandbox, b"phones=79999999999&mes=other") == b"0,-3"


def test_the_same_message_within_a_minute_is_error_9(sandbox):
    assert send(sandbox, b"phones=79999999999&mes=hi&sender=a") == b"1,1"
    sandbox.clock.now += 59.9
    assert send(sandbox, b"phones=79999999999&mes=hi&sender=a&id=5") == b"0,-9"
    assert send(sandbox, b"phones=+7(999)9999999&mes=hi&sender=a") == b"0,-9"  # the same phone
    assert send(sandbox, b"phones=79999999999&mes=hi&sender=b") == b"2,1"
    assert send(sandbox, b"phones=79999999999&mes=hi%21&sender=a") == b"3,1"
    assert send(sandbox, b"phones=79999999998&mes=hi&sender=a") == b"4,1"
    sandbox.clock.now += 0.1  # 60 s after the first
    assert send(sandbox, b"phones=79999999999&mes=hi&sender=a") == b"5,1"
    assert sandbox.balance == Decimal("87.50")
    assert echoed(sandbox)[1:3] == [u"ERROR 9 (duplicate request within a minute) for /sys/send.php"] * 2


def test_many_threads_at_once(smsc, sandbox):
    client = smsc.SMSC("alice", "secret")
    results = []
    run_together([threading.Thread(target=lambda n=n: results.append(client.send_sms("79999999999", "m%d" % n)))
                  for n in range(16)])
    assert sorted(int(r[0]) for r in results) == list(range(1, 17))
    assert sorted(r[3] for r in results) == sorted("%.2f" % (100 - 2.5 * n) for n in range(1, 17))
    assert sandbox.balance == 60


# 6. Statuses

def test_status_waits_then_is_delivered(sandbox):
    def status():
        return api(sandbox, b"status", b"login=a&psw=b&phone=79999999999&id=1")
    sandbox.deliver_after = 1000
    assert send(sandbox, b"phones=79999999999&mes=hi") == b"1,1"
    assert status() == b"-1,1700000000,0"
    sandbox.clock.now = NOW + 999.99
    assert status() == b"-1,1700000000,0"
    sandbox.clock.now = NOW + 1000
    assert status() == b"1,1700001000,0"
    sandbox.deliver_after = 0
    assert status() == b"1,1700000000,0"


def test_deliver_after_0_is_delivered_at_once(smsc, sandbox):
    sandbox.deliver_after = 0
    client = smsc.SMSC("alice", "secret")
    assert client.send_sms("79999999999", "hi", id=12) == ["12", "1", "2.50", "97.50"]
    assert client.get_status(12, "79999999999") == ["1", "1700000000", "0"]


@pytest.mark.parametrize("query", [b"phone=79999999999&id=2", b"phone=79999999998&id=1", b"phone=x&id=1"])
def test_an_unknown_message_is_status_minus_3(sandbox, query):
    send(sandbox, b"phones=79999999999&mes=hi")
    assert api(sandbox, b"status", b"login=a&psw=b&" + query) == b"-3,0,0"
    assert api(sandbox, b"status", b"login=a&psw=b&all=1&" + query) == b"-3,0,0"


@pytest.mark.parametrize("query", [b"phone=79999999999", b"id=1", b"phone=79999999999&id=a+b",
                                   b"phone=79999999999&id=1&all=x"])
def test_status_without_phone_or_id_is_error_1(sandbox, query):
    assert api(sandbox, b"status", b"login=a&psw=b&" + query) == b"0,-1"


def test_all_1_and_all_2_fields(smsc, sandbox):
    sandbox.deliver_after = 5
    client = smsc.SMSC("alice", "secret")
    message = u"Код: 1, 2, 3, 4, 5, 6"  # five commas: the 14-field reply 2.0 could not split
    assert client.send_sms("79999999999,79999999998", message, sender="shop") == ["1", "2", "5.00", "95.00"]
    assert api(sandbox, b"status", b"login=a&psw=b&phone=79999999998&id=1&all=1") == (
        u"-1,1700000000,0,1700000000,79999999998,2.50,shop,%s,%s" % (WAITING, message)).encode("utf-8")
    sandbox.clock.now += 5
    assert api(sandbox, b"status", b"login=a&psw=b&phone=79999999999&id=1&all=2") == (
        u"1,1700000005,0,1700000000,79999999999,2.50,shop,%s,Россия,МТС,Москва,%s" % (DELIVERED, message)
    ).encode("utf-8")
    assert client.get_status(1, "79999999999", all=1) == [native(field) for field in [
        u"1", u"1700000005", u"0", u"1700000000", u"79999999999", u"2.50", u"shop", DELIVERED, message]]
    assert client.get_status(1, "79999999999", all=2) == [native(field) for field in [
        u"1", u"1700000005", u"0", u"1700000000", u"79999999999", u"2.50", u"shop", DELIVERED,
        u"Россия", u"МТС", u"Москва", message]]


def test_several_ids_are_answered_a_line_each(sandbox):
    def statuses(query):
        return api(sandbox, b"status", b"login=a&psw=b&" + query)
    assert send(sandbox, b"phones=79999999999&mes=one") == b"1,1"
    assert send(sandbox, b"phones=79999999998&mes=two%2C+three") == b"2,1"
    sandbox.clock.now += sandbox.deliver_after  # both delivered
    # the i-th id with the i-th phone
    assert statuses(b"phone=79999999999%2C79999999998&id=1,2") == b"1,1700000002,0\n1,1700000002,0"
    assert statuses(b"phone=79999999998,79999999999&id=1,2") == b"-3,0,0\n-3,0,0"
    # one phone with every id
    assert statuses(b"phone=79999999999&id=1,2,1") == b"1,1700000002,0\n-3,0,0\n1,1700000002,0"
    assert statuses(b"phone=79999999999,79999999998&id=1,2&all=1") == (
        u"1,1700000002,0,1700000000,79999999999,2.50,,%s,one\n"
        u"1,1700000002,0,1700000000,79999999998,2.50,,%s,two, three" % (DELIVERED, DELIVERED)).encode("utf-8")


@pytest.mark.parametrize("query", [b"phone=79999999999,79999999998,79999999997&id=1,2",
                                   b"phone=79999999999,79999999998&id=1,2,3", b"phone=79999999999&id=1,,2",
                                   b"phone=79999999999&id=1,a+b", b"phone=79999999999&id=1,"])
def test_several_ids_with_another_number_of_phones_or_a_bad_id_are_error_1(sandbox, query):
    assert api(sandbox, b"status", b"login=a&psw=b&" + query) == b"0,-1"


@pytest.mark.parametrize("id", [b"order-17", b"-1", b"a" * 40, b"v1.2_x"])
def test_a_text_id_is_the_messages_id_as_the_gateway_documents(sandbox, id):
    # "a 32-bit number from 1 to 2147483647, or a text of up to 40 characters of Latin letters, digits and ., -, _"
    assert send(sandbox, b"phones=79999999999&mes=hi&id=" + id) == id + b",1"
    assert api(sandbox, b"status", b"login=a&psw=b&phone=79999999999&id=" + id) == b"-1,1700000000,0"
    assert api(sandbox, b"status", b"login=a&psw=b&phone=79999999999&id=1," + id) == b"-3,0,0\n-1,1700000000,0"
    assert [m["id"] for m in sandbox.messages] == [id.decode("ascii")]
    assert sandbox.status(id.decode("ascii"), u"79999999999") == [u"-1", u"1700000000", u"0"]
    assert send(sandbox, b"phones=7999&mes=hi&id=" + id) == id + b",-7"  # the client's id in the error


def test_a_numeric_id_is_a_number_however_it_is_written(smsc, sandbox):
    assert send(sandbox, b"phones=79999999999&mes=hi&id=007") == b"7,1"
    assert sandbox.status("7", u"79999999999") == sandbox.status(7, u"79999999999") == [u"-1", u"1700000000", u"0"]
    assert smsc.SMSC("alice", "secret").get_status("7", "79999999999") == ["-1", "1700000000", "0"]


def test_several_statuses_through_smsc_api(smsc, sandbox):
    client = smsc.SMSC("alice", "secret")
    client.send_sms("79999999999", "one")
    client.send_sms("79999999998", "two")
    assert client.get_status([1, 2], "79999999999,79999999998") == [["-1", "1700000000", "0"],
                                                                    ["-1", "1700000000", "0"]]
    first = [u"-1", u"1700000000", u"0", u"1700000000", u"79999999999", u"2.50", u"", WAITING, u"one"]
    assert client.get_status([2, 1], "79999999999", all=1) == [["-3", "0", "0"], [native(field) for field in first]]
    assert sandbox.requests[-1].request_line == (
        b"GET /sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999&id=2,1&all=1 " +
        HTTP_VERSION)


# 7. SMTP

def test_send_sms_mail_is_a_message(smsc, sandbox):
    client = smsc.SMSC("alice", "secret")
    message = u"Ваш пароль: 123\n.second line: with colons"
    assert client.send_sms_mail("79999999999;+7 999 999-99-98", message, id=7, sender="shop") is None
    session, = sandbox.smtp.sessions
    assert session["data"] == (HEADER + u"alice:secret:7::0,0,shop:79999999999;+7 999 999-99-98:Ваш пароль: "
                               u"123\r\n..second line: with colons\r\n".encode("utf-8"))  # dot-stuffed by smtplib
    assert sandbox.messages == [{"id": 7, "phones": ["79999999999", "79999999998"], "message": message,
                                 "sender": "shop", "parts": 1, "cost": "5.00", "time": NOW, "via": "smtp",
                                 "target": "send@send.smscentre.com"}]
    assert echoed(sandbox) == [u"SMS id=7 to 79999999999,79999999998 from shop: Ваш пароль: 123\\n.second line: "
                               u"with colons (1 part x 2 phones, 5.00, by mail)"]
    assert sandbox.balance == 95
    assert client.get_status(7, "79999999998") == ["-1", "1700000000", "0"]


@pytest.mark.parametrize("domain", DOMAINS)
def test_mail_to_each_domain_in_its_charset(smsc, sandbox, domain):
    client = smsc.SMSC("alice", "secret", host=domain, charset="koi8-r")
    client.send_sms_mail("79999999999", u"Привет")
    assert sandbox.smtp.sessions[0]["asked"] == ("send." + domain, 25)
    assert (sandbox.messages[0]["message"], sandbox.messages[0]["target"]) == (u"Привет", "send@send." + domain)


def mail(sandbox, data, recipient="send@send.smscentre.com"):
    server = smtplib.SMTP("send.smscentre.com", 25, timeout=5)  # intercepted
    try:
        return server.sendmail("me@example.org", recipient, data)
    finally:
        server.close()


@pytest.mark.parametrize("data,code,error", [
    (HEADER + b"alice:wrong:0::0,0,:79999999999:hi", 2, "wrong login or password"),
    (HEADER + b"bob:secret:0::0,0,:79999999999:hi", 2, "wrong login or password"),
    (HEADER + b"alice:secret:0::0,0,:12345:hi", 7, "wrong phone number format"),
    (HEADER + b"alice:secret:0::0,0,:79999999999", 1, "parameters error"),
    (b"Content-Type: text/plain; charset=latin-1\r\n\r\nalice:secret:0::0,0,:79999999999:hi", 1, "parameters error"),
])
def test_a_refused_mail_is_554(sandbox, data, code, error):
    sandbox.login, sandbox.password = "alice", "secret"
    with pytest.raises(smtplib.SMTPDataError) as refused:
        mail(sandbox, data)
    assert (refused.value.smtp_code, refused.value.smtp_error) == (554, b"5.7.1 SMSC error %d: %s" % (
        code, error.encode("ascii")))
    assert echoed(sandbox) == [u"ERROR %d (%s) for mail to send@send.smscentre.com" % (code, error)]
    assert sandbox.messages == []


def test_mail_with_the_api_key_without_headers_and_in_base64(sandbox):
    sandbox.login, sandbox.password = "alice", "secret"
    assert mail(sandbox, b":secret:0::0,0,:79999999999:no header") == {}
    assert mail(sandbox, b"Subject: x\r\nContent-Type: text/plain; charset=windows-1251\r\n"
                         b"Content-Transfer-Encoding: base64\r\n\r\n" +
                b"YWxpY2U6c2VjcmV0OjA6OjAsMCw6Nzk5OTk5OTk5OTk6" + b"8uXx8g==\r\n") == {}
    assert [m["message"] for m in sandbox.messages] == [u"no header", u"тест"]


def test_the_reply_to_an_accepted_mail_names_the_id(sandbox):
    server = smtplib.SMTP("send.smsc.ru", 25, timeout=5)
    try:
        assert server.ehlo()[0] == 250
        assert server.mail("me@example.org") == (250, b"OK")
        assert server.rcpt("SEND@Send.SMSC.RU") == (250, b"OK")
        assert server.data(HEADER + b"alice:secret:31::0,0,:79999999999:hi") == (250, b"OK queued as id 31")
        assert server.data(HEADER + b"alice:secret:0::0,0,:79999999999:hi") == (
            554, b"5.7.1 SMSC error 9: duplicate request within a minute")
        assert server.data(HEADER + b"alice:secret:0::0,0,:79999999999:again") == (250, b"OK queued as id 1")
    finally:
        server.close()


def test_mail_to_another_address_is_refused(sandbox):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        mail(sandbox, HEADER + b"alice:secret:0::0,0,:79999999999:hi", "send@smscentre.com")
    assert refused.value.recipients == {"send@smscentre.com": (
        550, b"5.1.1 this gateway takes mail to send@send.smscentre.com (smsc.ru, smsc.kz, smsc.ua) only")}
    server = smtplib.SMTP("send.smscentre.com", 25, timeout=5)
    try:  # DATA all the same
        server.ehlo()
        server.mail("me@example.org")
        assert server.rcpt("send@send.example.org")[0] == 550
        assert server.data(HEADER + b"alice:secret:0::0,0,:79999999999:hi") == (554, b"5.5.1 no valid recipients")
    finally:
        server.close()
    assert sandbox.messages == []


# 8. What is printed and logged

def test_printed_and_logged_lines(smsc, sandbox):
    smsc.SMSC("alice", "secret").send_sms("79999999999", u"Привет,\r\nмир", sender="shop")
    sandbox.clock.now += 1.5
    smsc.SMSC("", "KEY").send_sms("79999999999,79999999998", "x" * 200)
    smsc.SMSC("alice", "secret").send_sms_mail("79999999999", "by mail")
    assert echoed(sandbox) == [u"SMS id=1 to 79999999999 from shop: Привет,\\r\\nмир (1 part, 2.50)",
                               u"SMS id=2 to 79999999999,79999999998: " + u"x" * 200 + u" (2 parts x 2 phones, 10.00)",
                               u"SMS id=3 to 79999999999: by mail (1 part, 2.50, by mail)"]
    assert logged(sandbox) == [
        u'{"cost": "2.50", "id": 1, "message": "Привет,\\r\\nмир", "parts": 1, "phones": ["79999999999"], '
        u'"sender": "shop", "target": "/sys/send.php?login=alice&psw=***&fmt=1&charset=utf-8&cost=3&phones='
        u'79999999999&mes=%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82%2C%0D%0A%D0%BC%D0%B8%D1%80&translit=0&id=0&'
        u'sender=shop", "time": 1700000000.25, "via": "http"}',
        u'{"cost": "10.00", "id": 2, "message": "' + u"x" * 200 + u'", "parts": 2, "phones": ["79999999999", '
        u'"79999999998"], "sender": "", "target": "/sys/send.php?apikey=***&fmt=1&charset=utf-8&cost=3&phones='
        u'79999999999%2C79999999998&mes=' + u"x" * 200 + u'&translit=0&id=0", "time": 1700000001.75, "via": "http"}',
        u'{"cost": "2.50", "id": 3, "message": "by mail", "parts": 1, "phones": ["79999999999"], "sender": "", '
        u'"target": "send@send.smscentre.com", "time": 1700000001.75, "via": "smtp"}']
    assert [json.loads(line) for line in logged(sandbox)] == sandbox.messages
    assert not [line for line in echoed(sandbox) + logged(sandbox) if "secret" in line or "KEY" in line]


def test_echo_off_and_output_to_stdout(smsc, sandbox, capsys):
    sandbox.out = None
    smsc.SMSC("alice", "secret").send_sms("79999999999", u"на экран")
    sandbox.echo = False
    smsc.SMSC("alice", "secret").send_sms("79999999999", "quiet")
    assert capsys.readouterr() == (u"SMS id=1 to 79999999999: на экран (1 part, 2.50)\n", "")


def test_mask():
    assert smsc_sandbox.mask(b"/sys/send.php?login=a&psw=p%20w&x=psw=1&apikey=K") == \
        b"/sys/send.php?login=a&psw=***&x=psw=1&apikey=***"
    assert smsc_sandbox.mask(b"psw=&apikey") == b"psw=***&apikey"


# 9. The recording servers under the gateway, and its connections kept alive

def test_scripts_still_come_first(smsc, sandbox):
    with HTTPServer(default=sandbox.http_action, keepalive=True) as scripted:  # answering as the gateway
        scripted.script(Drop())
        with Intercept({80: scripted}):
            assert smsc.SMSC("alice", "secret").send_sms("79999999999", "hi") == ["1", "1", "2.50", "97.50"]
    assert [r.asked for r in scripted.requests] == [("smscentre.com", 80), ("www2.smscentre.com", 80)]
    assert [r.reply for r in scripted.requests] == [None, b"1,1,2.50,97.50"]


def test_the_gateway_keeps_connections_alive(sandbox):
    answers = get_over_one_connection(sandbox.http.port, [
        "/sys/send.php?login=a&psw=b&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=hi",
        "/sys/balance.php?login=a&psw=b&fmt=1&charset=utf-8"], host="smscentre.com")
    assert answers == [(200, "keep-alive", b"1,1,2.50,97.50"), (200, "keep-alive", b"97.50")]
    assert [request.connection for request in sandbox.requests] == [1, 1]


# 10. The command line and the demo

@pytest.fixture(scope="module")
def certificates_here():
    """True where the sandbox can make its certificate (trustme, or the openssl command): a Gateway serves HTTPS."""
    gateway = smsc_sandbox.Gateway(echo=False).start()
    gateway.stop()
    gateway.check()
    return gateway.https is not None


def read_started(sandbox, served, ca_file=None):
    """Read the two lines the command line prints first, where the application is pointed: (HTTP port, SMTP port,
    the variables to start it with, as a dict), each line asserted whole.

    served: whether HTTPS can be served here (the certificates_here fixture); ca_file: the one asked for."""
    first, second = sandbox.line(), sandbox.line()
    if served:
        match = re.match(r"HTTP on http://127\.0\.0\.1:(\d+) \(HTTPS through it: CONNECT\) and SMTP on "
                         r"127\.0\.0\.1:(\d+)\. Start your application, or python smsc_api\.py, with:\Z", first)
    else:
        match = re.match(r"HTTP on http://127\.0\.0\.1:(\d+) and SMTP on 127\.0\.0\.1:(\d+); HTTPS unavailable \(no "
                         r"certificate could be made: [^\n]+\)\. Start your application, or python smsc_api\.py, "
                         r"with:\Z", first)
    assert match, first
    http, smtp = match.groups()
    words = shlex.split(second if six.PY3 else second.encode("utf-8"))
    variables = [tuple(word.split("=", 1)) for word in words]
    proxy = "http://127.0.0.1:" + http
    if served:
        assert [name for name, _ in variables] == ["http_proxy", "https_proxy", "SSL_CERT_FILE", "SMSC_SMTP_SERVER"], \
            second
        assert ca_file in (None, variables[2][1]) and os.path.isfile(variables[2][1]), second
    else:
        assert variables[0] == ("SMSC_HTTPS", "0"), second
        del variables[0]
    assert variables[:2] == [("http_proxy", proxy), ("https_proxy", proxy)], second
    assert variables[-1] == ("SMSC_SMTP_SERVER", "127.0.0.1:" + smtp), second
    return http, smtp, dict(word.split("=", 1) for word in words)


# `python smsc_api.py` run as the sandbox's printed line says, on a machine where the network is refused (and
# any attempt to reach it said on stderr): what reaches the sandbox, and only it
GUARDED_PROGRAM = """
import errno, runpy, socket, sys

def loopback(host):
    return host in (None, "127.0.0.1", "localhost", b"127.0.0.1", b"localhost")

def getaddrinfo(host, port, *args, **kwargs):
    if not loopback(host):
        sys.stderr.write("the network: lookup of %%s:%%s\\n" %% (host, port))
        raise socket.gaierror(socket.EAI_NONAME, "no network here")
    return below_getaddrinfo(host, port, *args, **kwargs)

def connect(sock, address):
    if isinstance(address, tuple) and not loopback(address[0]):
        sys.stderr.write("the network: connection to %%s:%%s\\n" %% address[:2])
        raise socket.error(errno.ENETUNREACH, "no network here")
    return below_connect(sock, address)

below_getaddrinfo, below_connect = socket.getaddrinfo, socket.socket.connect
socket.getaddrinfo, socket.socket.connect = getaddrinfo, connect
sys.argv = [%(script)r] + %(argv)r
runpy.run_path(%(script)r, run_name="__main__")
"""


def smsc_api_program(argv, **variables):
    """(exit status, stdout, stderr) of python smsc_api.py argv, where no connection reaches the network."""
    return run_app(GUARDED_PROGRAM % {"script": os.path.join(ROOT, "smsc_api.py"), "argv": list(argv)}, **variables)


def test_the_command_line_serves_an_unmodified_app_through_http_proxy(tmpdir, certificates_here):
    log = str(tmpdir.join("log.jsonl"))
    started = time.time()
    sandbox = SandboxProcess("--port", "0", "--smtp-port", "0", "--log", log, "--login", "alice",
                             "--password", "secret", "--balance", "10", "--price", "1.5", "--deliver-after", "0")
    try:
        http, smtp, variables = read_started(sandbox, certificates_here)
        assert sandbox.line() == "login alice only; balance 10.00, 1.50 per SMS, delivered 0 s after sending. " \
                                 "Ctrl-C to stop."
        credentials = dict(variables, SMSC_LOGIN="alice", SMSC_PASSWORD="secret")  # started as it says
        assert run_app("import smsc_api; print(smsc_api.SMSC().send_sms('79999999999', 'hi'))",
                       **credentials) == (0, "['1', '1', '1.50', '8.50']\n", "")
        assert sandbox.line() == "SMS id=1 to 79999999999: hi (1 part, 1.50)"
        assert run_app("import smsc_api; c = smsc_api.SMSC(); "
                       "c.send_sms_mail('79999999999', u'\\u043f\\u043e\\u0447\\u0442\\u0430: \\u0434\\u0430'); "
                       "print(c.get_status(2, '79999999999')[0] + ' ' + c.get_balance())",
                       **credentials) == (0, "1 7.00\n", "")
        assert sandbox.line() == u"SMS id=2 to 79999999999: почта: да (1 part, 1.50, by mail)"
        assert run_app("import smsc_api; print(smsc_api.SMSC().get_balance())",
                       **dict(credentials, SMSC_PASSWORD="wrong")) == (0, "False\n", "")
        assert sandbox.line() == "ERROR 2 (wrong login or password) for /sys/balance.php"
    finally:
        rest, code = sandbox.stop()
    stopped = time.time()
    assert (rest, code) == (["Stopped."], 0)
    if os.name == "posix":
        assert stat.S_IMODE(os.stat(log).st_mode) == 0o600  # made readable by its owner only
    with io.open(log, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    records = [json.loads(line) for line in lines]
    assert lines == [json.dumps(record, sort_keys=True, ensure_ascii=False) for record in records]
    assert [started <= record.pop("time") <= stopped for record in records] == [True, True]  # the real clock
    assert records == [
        {"cost": "1.50", "id": 1, "message": "hi", "parts": 1, "phones": ["79999999999"], "sender": "",
         "target": "http://smscentre.com/sys/send.php?login=alice&psw=***&fmt=1&charset=utf-8&cost=3"
                   "&phones=79999999999&mes=hi&translit=0&id=0", "via": "http"},
        {"cost": "1.50", "id": 2, "message": u"почта: да", "parts": 1, "phones": ["79999999999"], "sender": "",
         "target": "send@send.smscentre.com", "via": "smtp"}]


def test_the_command_line_serves_an_unmodified_app_over_https_through_https_proxy(tmpdir, empty_ca_file,
                                                                                  certificates_here):
    if not certificates_here:
        pytest.skip("HTTPS needs trustme or the openssl command here")
    ca_file = str(tmpdir.join("sandbox-ca.pem"))
    sandbox = SandboxProcess("--port", "0", "--smtp-port", "0", "--ca-file", ca_file, "--deliver-after", "0")
    try:
        http = read_started(sandbox, certificates_here, ca_file)[0]
        assert sandbox.line().startswith("any login; ")
        app = dict(SMSC_HTTPS="1", SMSC_KEEPALIVE="1", SMSC_LOGIN="alice", SMSC_PASSWORD="secret",
                   https_proxy="http://127.0.0.1:" + http)
        assert run_app("import smsc_api; c = smsc_api.SMSC(); print(c.send_sms('79999999999', 'tls')); "
                       "print(c.get_status(1, '79999999999')[0]); print(c.get_balance())",
                       SSL_CERT_FILE=ca_file, **app) == (0, "['1', '1', '2.50', '97.50']\n1\n97.50\n", "")
        assert sandbox.line() == "SMS id=1 to 79999999999: tls (1 part, 2.50)"
        # the certificate is checked: trusting other CAs, the client sends nothing
        assert run_app("import smsc_api; print(smsc_api.SMSC().get_balance())", SSL_CERT_FILE=empty_ca_file,
                       **app) == (0, "False\n", "")
    finally:
        rest, code = sandbox.stop()
    assert (rest, code) == (["Stopped."], 0)


@pytest.mark.parametrize("certificate", [True, False], ids=["https", "no-certificate"])
def test_python_smsc_api_py_started_as_the_sandbox_says_reaches_it_and_never_the_network(tmpdir, certificates_here,
                                                                                         certificate):
    """The command line (HTTPS by default: the password is in the request) started with the variables the sandbox
    prints: over HTTPS through CONNECT where the sandbox serves it, else over HTTP (SMSC_HTTPS=0), and HTTPS asked
    for all the same (--https) is refused by the sandbox (501); never a connection to the network."""
    if certificate and not certificates_here:
        pytest.skip("HTTPS needs trustme or the openssl command here")
    hidden = {}
    if not certificate:  # no trustme to import, no openssl on PATH
        tmpdir.join("trustme.py").write("raise ImportError('trustme is not installed here')\n")
        hidden = dict(PATH=str(tmpdir), PYTHONPATH=str(tmpdir))
    sandbox = SandboxProcess("--port", "0", "--smtp-port", "0", "--deliver-after", "0", **hidden)
    try:
        http, smtp, variables = read_started(sandbox, certificate)
        assert sandbox.line().startswith("any login; ")
        app = dict(variables, SMSC_LOGIN="alice", SMSC_PASSWORD="secret")
        assert smsc_api_program(["send", "79999999999", "hi"], **app) == (
            0, "sent: id 1, sms 1, cost 2.50, balance 97.50\n", "")
        assert sandbox.line() == "SMS id=1 to 79999999999: hi (1 part, 2.50)"
        assert smsc_api_program(["mail", "79999999999", "by mail"], **app) == (0, "mail sent\n", "")
        assert sandbox.line() == "SMS id=2 to 79999999999: by mail (1 part, 2.50, by mail)"
        if certificate:
            assert smsc_api_program(["balance", "--http"], **app) == (0, "balance: 95.00\n", "")
        else:
            code, out, err = smsc_api_program(["balance", "--https", "--timeout", "5"], **app)
            assert (code, out, "the network" in err) == (3, "", False), err
            assert [sandbox.line() for _ in range(5)] == [  # each host in turn
                "ERROR HTTP 501 (HTTPS unavailable: no certificate could be made: neither trustme (pip install "
                "trustme) nor the openssl command is installed) for CONNECT %s:443" % host for host in SMSC_HOSTS[:5]]
    finally:
        rest, code = sandbox.stop()
    assert (rest, code) == (["Stopped."], 0)


@pytest.mark.parametrize("args,error", [
    (["--login", "alice"], "smsc_sandbox.py: error: --login and --password go together"),
    (["--balance", "lots"], "smsc_sandbox.py: error: argument --balance: invalid amount value: 'lots'"),
    (["serve", "now"], "smsc_sandbox.py: error: unrecognized arguments: now"),
])
def test_command_line_errors(args, error):
    code, out, err = program(args, script="smsc_sandbox.py")
    assert (code, out, err.splitlines()[-1]) == (2, "", error)


def test_a_port_in_use_is_a_clear_error():
    with HTTPServer() as busy:  # stopped, then checked, after the block
        code, out, err = program(["--port", str(busy.port)], script="smsc_sandbox.py")
    assert (code, out) == (2, "")
    assert err.startswith("smsc_sandbox.py: cannot listen on 127.0.0.1 (ports %d, 8026): " % busy.port)


DEMO = u'''\
smsc_sandbox demo: smsc_api {version} against a local SMSC gateway (no account, no network)
Gateway: HTTP on http://127.0.0.1:PORT, SMTP on 127.0.0.1:PORT; login demo, balance 100.00, 2.50 per SMS,
delivered 1 s after sending. smsc_api's connections to smscentre.com (ports 80, 25) go there.
Shown: each call, the request on the wire (password as ***), the reply, the return value.

>>> from smsc_api import SMSC
>>> smsc = SMSC("demo", "***")

>>> smsc.get_balance()
  wire:    GET /sys/balance.php?login=demo&psw=***&fmt=1&charset=utf-8& {http}
  reply:   100.00
  returns: '100.00'

>>> smsc.get_sms_cost("79999999999", "Вы успешно зарегистрированы!")
  wire:    GET /sys/send.php?login=demo&psw=***&fmt=1&charset=utf-8&cost=1&phones=79999999999&mes=%D0%92%D1%8B%20\
%D1%83%D1%81%D0%BF%D0%B5%D1%88%D0%BD%D0%BE%20%D0%B7%D0%B0%D1%80%D0%B5%D0%B3%D0%B8%D1%81%D1%82%D1%80%D0%B8%D1%80%D0%BE\
%D0%B2%D0%B0%D0%BD%D1%8B%21&translit=0 {http}
  reply:   2.50,1
  returns: ['2.50', '1']

>>> smsc.send_sms("79999999999", "Ваш пароль: 123", sender="sms")
  wire:    GET /sys/send.php?login=demo&psw=***&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=%D0%92%D0%B0%D1%88\
%20%D0%BF%D0%B0%D1%80%D0%BE%D0%BB%D1%8C%3A%20123&translit=0&id=0&sender=sms {http}
  gateway: SMS id=1 to 79999999999 from sms: Ваш пароль: 123 (1 part, 2.50)
  reply:   1,1,2.50,97.50
  returns: ['1', '1', '2.50', '97.50']

>>> smsc.get_status(1, "79999999999", all=1)
  wire:    GET /sys/status.php?login=demo&psw=***&fmt=1&charset=utf-8&phone=79999999999&id=1&all=1 {http}
  reply:   -1,SENT,0,SENT,79999999999,2.50,sms,Ожидает отправки,Ваш пароль: 123
  returns: ['-1', 'SENT', '0', 'SENT', '79999999999', '2.50', 'sms', 'Ожидает отправки', 'Ваш пароль: 123']

>>> smsc.send_sms_mail("79999999999", "test2", format=1)
  wire:    SMTP send.smscentre.com:25, mail to send@send.smscentre.com, DATA:
           Content-Type: text/plain; charset=utf-8
{blank_line_of_data}
           demo:***:0::0,1,:79999999999:test2
  gateway: SMS id=2 to 79999999999: test2 (1 part, 2.50, by mail)
  returns: None

>>> smsc.send_sms("12345", "test")
  wire:    GET /sys/send.php?login=demo&psw=***&fmt=1&charset=utf-8&cost=3&phones=12345&mes=test&translit=0&id=0 {http}
  gateway: ERROR 7 (wrong phone number format) for /sys/send.php
  reply:   0,-7
  returns: ['0', '-7']

(1 s after sending: delivered)

>>> smsc.get_status(1, "79999999999")
  wire:    GET /sys/status.php?login=demo&psw=***&fmt=1&charset=utf-8&phone=79999999999&id=1&all=0 {http}
  reply:   1,DELIVERED,0
  returns: ['1', 'DELIVERED', '0']

>>> smsc.get_balance()
  wire:    GET /sys/balance.php?login=demo&psw=***&fmt=1&charset=utf-8& {http}
  reply:   95.00
  returns: '95.00'

>>> picture = "TMP/picture.png"   # a PNG of 1 x 1 pixel, 69 bytes

>>> smsc.send_sms("79999999998", "Ваш билет", format=7, files=[picture])
  wire:    POST /sys/send.php {http}
           multipart/form-data, the fields: login=demo, psw=***, fmt=1, charset=utf-8, cost=3, phones=79999999998, \
mes=Ваш билет, translit=0, id=0, mms=1
           file0: picture.png (application/octet-stream, 69 bytes)
  gateway: SMS id=3 to 79999999998: Ваш билет (1 part, 2.50) with picture.png (application/octet-stream, 69 bytes)
  reply:   3,1,2.50,92.50
  returns: ['3', '1', '2.50', '92.50']

>>> smsc.get_status([1, 3], ["79999999999", "79999999998"])
  wire:    GET /sys/status.php?login=demo&psw=***&fmt=1&charset=utf-8&phone=79999999999%2C79999999998&id=1,3&all=0 \
{http}
  reply:   1,DELIVERED,0
           -1,MMS_SENT,0
  returns: [['1', 'DELIVERED', '0'], ['-1', 'MMS_SENT', '0']]

Your own application (or python smsc_api.py), unchanged: run  python smsc_sandbox.py  and start it
with the variables it prints: http_proxy=http://127.0.0.1:8025 https_proxy=http://127.0.0.1:8025
SSL_CERT_FILE=<its CA file> SMSC_SMTP_SERVER=127.0.0.1:8026 (where it can make no certificate,
SMSC_HTTPS=0 in place of SSL_CERT_FILE). Both proxies: with http_proxy alone, HTTPS (the default of
python smsc_api.py) would reach the real gateway.
'''


def test_the_demo():
    import smsc_api
    code, text, err = program(["demo"], script="smsc_sandbox.py", SMSC_HTTPS="1", SMSC_LOGIN="x",
                              http_proxy="http://proxy.invalid:1")
    assert (code, err) == (0, "")
    assert "demo-password" not in text and "demo%2Dpassword" not in text
    assert "IHDR" not in text  # the picture is summarised, never shown
    sent = re.search(r"reply:   -1,(\d+),", text).group(1)
    delivered = str(int(sent) + 1)  # the second the status changed: 1 s after sending
    normalized = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text, count=2)
    normalized = re.sub(r'(>>> picture = ")[^"]*(picture\.png")', r"\1TMP/\2", normalized)
    normalized = re.sub(r"(\n {11}-1,)\d+(,0\n)", r"\1MMS_SENT\2", normalized)  # the MMS: its own time
    normalized = re.sub(r"(\['-1', ')\d+(', '0'\]\])", r"\1MMS_SENT\2", normalized)
    normalized = normalized.replace(sent, "SENT").replace(delivered, "DELIVERED")
    assert normalized.splitlines() == DEMO.format(version=smsc_api.__version__, http=HTTP_VERSION.decode("ascii"),
                                                  blank_line_of_data=" " * 11).splitlines()
