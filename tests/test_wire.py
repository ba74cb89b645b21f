# -*- coding: utf-8 -*-
"""The wire: every byte each method sends, every reply shape it reads, every line it prints.

Each test that talks to the gateway runs twice, against our module ("2.1") and the official
2.0 ("2.0"), so the literal bytes below are checked against the reference on every
interpreter. Requests are compared whole: request line, the headers of the running Python
(helpers.expected_headers) and body. Where Python 2's urllib.urlopen and Python 3's
urllib.request differ, each version's outcome is spelled out. Where 2.0 has a defect (docs/differences.md, rows
2-4 and 9-11), 2.0 runs beside ours (fixture `legacy`) and each one's outcome is asserted; what 2.0 cannot do
(files with a message, several ids as a list) runs on ours.
"""
import io
import os
import re
import sys

import pytest
import six

from helpers import (GET, HTTP_VERSION, MIRRORS, PICTURE, POST, configure, expected_headers, native, printed,
                     whole_request)
from servers import Drop, Raw, Reply, Reset

# Python 2: urllib.urlopen reads an HTTP/0.9 answer, error pages and cut bodies as replies;
# urllib.quote and Python 3.6 escape "~", Python 3.7+ do not.
QUOTES_TILDE = sys.version_info < (3, 7)


@pytest.fixture
def module_client(module):
    """SMSC() of `module` (ours, then 2.0) with SMSC_LOGIN alice and SMSC_PASSWORD secret."""
    return configure(module)


def assert_sent(server, expected, port=80):
    """expected: [(host, request_line, body or None)], exactly the requests server got, in order."""
    assert [request.raw for request in server.requests] == [whole_request(*e) for e in expected]
    assert [request.asked for request in server.requests] == [(e[0], port) for e in expected]


def assert_strs(result):
    assert type(result) is list
    for value in result:
        assert type(value) is str


# 1. Every method and argument, GET

SEND = b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=test&translit=0&id=0"
COST = b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=1&phones=79999999999&mes=test&translit=0"
FORMAT_FLAGS = [b"", b"&flash=1", b"&push=1", b"&hlr=1", b"&bin=1", b"&bin=2", b"&ping=1", b"&mms=1",
                b"&mail=1", b"&call=1", b"&viber=1", b"&soc=1", b"&", b"&tg=1"]


@pytest.mark.parametrize("format", range(14))
def test_send_sms_format_flag(module_client, loopback, format):
    loopback.http.script(Reply(b"15,1,1.5,98.5"))
    assert module_client.send_sms("79999999999", "test", format=format) == ["15", "1", "1.5", "98.5"]
    assert_sent(loopback.http, [("smscentre.com", GET(SEND + FORMAT_FLAGS[format]), None)])


@pytest.mark.parametrize("format", range(14))
def test_get_sms_cost_format_flag(module_client, loopback, format):
    loopback.http.script(Reply(b"1.5,1"))
    assert module_client.get_sms_cost("79999999999", "test", format=format) == ["1.5", "1"]
    assert_sent(loopback.http, [("smscentre.com", GET(COST + FORMAT_FLAGS[format]), None)])


TO_TEST = b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=test"
SEND_SMS_CALLS = [  # (args, kwargs, the request target)
    (("79999999999", "test"), {}, TO_TEST + b"&translit=0&id=0"),
    (("79999999999", "test"), {"translit": 0}, TO_TEST + b"&translit=0&id=0"),
    (("79999999999", "test"), {"translit": 1}, TO_TEST + b"&translit=1&id=0"),
    (("79999999999", "test"), {"translit": 2}, TO_TEST + b"&translit=2&id=0"),
    (("79999999999", "test"), {"time": "0101251200"}, TO_TEST + b"&translit=0&id=0&time=0101251200"),
    (("79999999999", "test"), {"time": "h1-h2"}, TO_TEST + b"&translit=0&id=0&time=h1-h2"),
    (("79999999999", "test"), {"time": "9-18"}, TO_TEST + b"&translit=0&id=0&time=9-18"),
    (("79999999999", "test"), {"time": "0ts"}, TO_TEST + b"&translit=0&id=0&time=0ts"),
    (("79999999999", "test"), {"time": "+5"}, TO_TEST + b"&translit=0&id=0&time=%2B5"),
    (("79999999999", "test"), {"time": "01.01.25 12:00"}, TO_TEST + b"&translit=0&id=0&time=01.01.25%2012%3A00"),
    (("79999999999", "test"), {"id": 12345}, TO_TEST + b"&translit=0&id=12345"),
    (("79999999999", "test"), {"sender": False}, TO_TEST + b"&translit=0&id=0"),
    (("79999999999", "test"), {"sender": 0}, TO_TEST + b"&translit=0&id=0"),
    (("79999999999", "test"), {"sender": ""}, TO_TEST + b"&translit=0&id=0&sender="),
    (("79999999999", "test"), {"sender": "x"}, TO_TEST + b"&translit=0&id=0&sender=x"),
    (("79999999999", "test"), {"sender": "A B"}, TO_TEST + b"&translit=0&id=0&sender=A%20B"),
    # only == False is left out: 1 is sent (None is no sender: test_validation.py)
    (("79999999999", "test"), {"sender": 1}, TO_TEST + b"&translit=0&id=0&sender=1"),
    (("79999999999", "test"), {"query": "valid=01:00&maxsms=3"}, TO_TEST + b"&translit=0&id=0&valid=01:00&maxsms=3"),
    (("79999999999,79999999998;+7 999", "Hello, world/ & ?=+;\n"), {},
     b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999%2C79999999998%3B%2B7%20999"
     b"&mes=Hello%2C%20world/%20%26%20%3F%3D%2B%3B%0A&translit=0&id=0"),
    (("79999999999", native(u"Привет")), {},
     b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999"
     b"&mes=%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82&translit=0&id=0"),
    (("79999999999", ""), {"format": 3},
     b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=&translit=0&id=0"
     b"&hlr=1"),
    (("79999999999", "test"), {"translit": 2, "time": "+5", "id": 7, "format": 13, "sender": "A B",
                               "query": "valid=01:00"},
     TO_TEST + b"&translit=2&id=7&tg=1&sender=A%20B&time=%2B5&valid=01:00"),
]


@pytest.mark.parametrize("args,kwargs,target", SEND_SMS_CALLS)
def test_send_sms_request(module_client, loopback, args, kwargs, target):
    loopback.http.script(Reply(b"15,1,1.5,98.5"))
    assert module_client.send_sms(*args, **kwargs) == ["15", "1", "1.5", "98.5"]
    assert_sent(loopback.http, [("smscentre.com", GET(target), None)])


COST_OF_TEST = b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=1&phones=79999999999&mes=test"
GET_SMS_COST_CALLS = [  # (args, kwargs, the request target)
    (("79999999999", "test"), {}, COST_OF_TEST + b"&translit=0"),
    (("79999999999", "test"), {"translit": 1}, COST_OF_TEST + b"&translit=1"),
    (("79999999999", "test"), {"translit": 2}, COST_OF_TEST + b"&translit=2"),
    (("79999999999", "test"), {"sender": False}, COST_OF_TEST + b"&translit=0"),
    (("79999999999", "test"), {"sender": 0}, COST_OF_TEST + b"&translit=0"),
    (("79999999999", "test"), {"sender": ""}, COST_OF_TEST + b"&sender=&translit=0"),
    (("79999999999", "test"), {"sender": "A B"}, COST_OF_TEST + b"&sender=A%20B&translit=0"),
    (("79999999999", "test"), {"query": "list=79999999999:hi"}, COST_OF_TEST + b"&translit=0&list=79999999999:hi"),
    # sender comes before translit here, after id (and format) in send_sms
    (("7999;7998", "a b"), {"translit": 1, "format": 1, "sender": "x", "query": "maxsms=3"},
     b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=1&phones=7999%3B7998&mes=a%20b&sender=x"
     b"&translit=1&flash=1&maxsms=3"),
]


@pytest.mark.parametrize("args,kwargs,target", GET_SMS_COST_CALLS)
def test_get_sms_cost_request(module_client, loopback, args, kwargs, target):
    loopback.http.script(Reply(b"1.5,1"))
    assert module_client.get_sms_cost(*args, **kwargs) == ["1.5", "1"]
    assert_sent(loopback.http, [("smscentre.com", GET(target), None)])


GET_STATUS_CALLS = [
    ((12345, "79999999999"), {},
     b"/sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999&id=12345&all=0"),
    ((12345, "79999999999"), {"all": 0},
     b"/sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999&id=12345&all=0"),
    ((12345, "79999999999"), {"all": 1},
     b"/sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999&id=12345&all=1"),
    ((12345, "79999999999"), {"all": 2},
     b"/sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999&id=12345&all=2"),
    (("42", "+7 999,7998"), {},
     b"/sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=%2B7%20999%2C7998&id=42&all=0"),
]


@pytest.mark.parametrize("args,kwargs,target", GET_STATUS_CALLS)
def test_get_status_request(module_client, loopback, args, kwargs, target):
    loopback.http.script(Reply(b"1,1561977123,0"))
    assert module_client.get_status(*args, **kwargs) == ["1", "1561977123", "0"]
    assert_sent(loopback.http, [("smscentre.com", GET(target), None)])


def test_get_balance_request_ends_with_an_ampersand(module_client, loopback):
    loopback.http.script(Reply(b"100.50"))
    assert module_client.get_balance() == "100.50"
    assert_sent(loopback.http, [("smscentre.com",
                                 GET(b"/sys/balance.php?login=alice&psw=secret&fmt=1&charset=utf-8&"), None)])


# 2. Login or API key; quoting of credentials

def test_empty_login_sends_the_password_as_apikey(module, loopback):
    module.SMSC_LOGIN, module.SMSC_PASSWORD = "", "KEY/1 2+3&4"
    loopback.http.script(Reply(b"100.50"))
    assert module.SMSC().get_balance() == "100.50"
    assert_sent(loopback.http, [("smscentre.com",
                                 GET(b"/sys/balance.php?apikey=KEY/1%202%2B3%264&fmt=1&charset=utf-8&"), None)])


def test_default_credentials_send_an_empty_apikey(module, loopback):
    loopback.http.script(Reply(b"1,1"))
    assert module.SMSC().send_sms("79999999999", "test") == ["1", "1"]
    assert_sent(loopback.http, [("smscentre.com", GET(
        b"/sys/send.php?apikey=&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=test&translit=0&id=0"), None)])


def test_login_and_password_are_quoted_with_slash_safe(module, loopback):
    module.SMSC_LOGIN, module.SMSC_PASSWORD = "al ice/ru@x&y=z", "p+w/%#?" + native(u"пароль")
    loopback.http.script(Reply(b"7"))
    assert module.SMSC().get_balance() == "7"
    assert_sent(loopback.http, [("smscentre.com", GET(
        b"/sys/balance.php?login=al%20ice/ru%40x%26y%3Dz&psw=p%2Bw/%25%23%3F%D0%BF%D0%B0%D1%80%D0%BE%D0%BB%D1%8C"
        b"&fmt=1&charset=utf-8&"), None)])


def test_tilde_is_quoted_by_python_2_and_3_6_only(module, loopback):
    module.SMSC_LOGIN, module.SMSC_PASSWORD = "a~b", "c~d"
    loopback.http.script(Reply(b"7"))
    assert module.SMSC().get_balance() == "7"
    if QUOTES_TILDE:
        line = GET(b"/sys/balance.php?login=a%7Eb&psw=c%7Ed&fmt=1&charset=utf-8&")
    else:
        line = GET(b"/sys/balance.php?login=a~b&psw=c~d&fmt=1&charset=utf-8&")
    assert_sent(loopback.http, [("smscentre.com", line, None)])


def test_charset_constant_is_sent_as_it_is(module, loopback):
    module.SMSC_LOGIN, module.SMSC_PASSWORD, module.SMSC_CHARSET = "alice", "secret", "windows-1251"
    loopback.http.script(Reply(b"1,1"))
    assert module.SMSC().send_sms("79999999999", "test") == ["1", "1"]
    assert_sent(loopback.http, [("smscentre.com", GET(
        b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=windows-1251&cost=3&phones=79999999999&mes=test"
        b"&translit=0&id=0"), None)])


# docs/differences.md rows 2 and 3: text is percent-encoded from SMSC_CHARSET; bytes as they are; unicode on Python 2

PAGE_EXAMPLE = u"Ваш пароль: 123"


@pytest.mark.parametrize("charset", ["windows-1251", "koi8-r"])
def test_text_is_percent_encoded_from_smsc_charset(smsc, legacy, loopback, charset):
    loopback.http.default = Reply(b"1,1")
    expected = GET(b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=" + charset.encode("ascii") +
                   b"&cost=3&phones=79999999999&mes=" + six.moves.urllib.parse.quote(
                       PAGE_EXAMPLE.encode(charset)).encode("ascii") + b"&translit=0&id=0&sender=%CF%E5%F2%FF")
    if not six.PY2:  # 2.0 on Python 3 sends UTF-8 bytes labelled with the other charset
        configure(legacy, SMSC_CHARSET=charset).send_sms("79999999999", PAGE_EXAMPLE, sender=u"Петя")
        assert loopback.requests[-1].request_line != expected
        loopback.clear()
    sender = u"Петя" if charset == "windows-1251" else u"Петя".encode("windows-1251")  # bytes: as they are
    configure(smsc, SMSC_CHARSET=charset).send_sms("79999999999", PAGE_EXAMPLE, sender=sender)
    assert loopback.requests[0].request_line == expected


def test_unicode_arguments_are_encoded_not_a_key_error(smsc, legacy, loopback):
    loopback.http.default = Reply(b"1,1")
    if six.PY2:
        with pytest.raises(KeyError):  # 2.0: urllib.quote cannot take non-ASCII unicode
            configure(legacy).send_sms(u"79999999999", PAGE_EXAMPLE)
    result = configure(smsc).send_sms(u"79999999999", PAGE_EXAMPLE, sender=u"Я", time=u"+5", query=u"maxsms=3")
    assert result == ["1", "1"]
    assert loopback.requests[0].request_line == GET(
        b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999"
        b"&mes=%D0%92%D0%B0%D1%88%20%D0%BF%D0%B0%D1%80%D0%BE%D0%BB%D1%8C%3A%20123&translit=0&id=0"
        b"&sender=%D0%AF&time=%2B5&maxsms=3")


def test_bytes_id_and_status_arguments_are_sent_as_they_are(smsc, legacy, loopback):
    loopback.http.default = Reply(b"1,1561977123,0")
    if not six.PY2:  # 2.0: str(b"12") is "b'12'" on Python 3
        configure(legacy).get_status(b"12", b"79999999999")
        assert loopback.requests[-1].request_line == GET(
            b"/sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999&id=b'12'&all=0")
        loopback.clear()
    assert configure(smsc).get_status(b"12", b"79999999999") == ["1", "1561977123", "0"]
    assert loopback.requests[0].request_line == GET(
        b"/sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999&id=12&all=0")


def test_text_outside_the_charset_is_a_clear_error_before_any_connection(smsc, legacy, loopback):
    loopback.http.default = Reply(b"1,1")
    if six.PY2:  # 2.0: urllib.quote cannot take non-ASCII unicode
        with pytest.raises(KeyError):
            configure(legacy, SMSC_CHARSET="windows-1251").send_sms("79999999999", u"\U0001F600")
    else:  # 2.0 sends it in UTF-8, labelled windows-1251
        assert configure(legacy, SMSC_CHARSET="windows-1251").send_sms("79999999999", u"\U0001F600") == ["1", "1"]
        assert loopback.requests[-1].request_line == GET(
            b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=windows-1251&cost=3&phones=79999999999"
            b"&mes=%F0%9F%98%80&translit=0&id=0")
    loopback.clear()
    with pytest.raises(UnicodeEncodeError) as error:
        configure(smsc, SMSC_CHARSET="windows-1251").send_sms("79999999999", u"\U0001F600")
    assert "not in SMSC_CHARSET windows-1251 (message)" in str(error.value)
    assert loopback.intercept.connections == []


# 3. GET or POST

POST_CALLS = [
    (lambda c: c.send_sms("79999999999", "test", sender="x"), b"15,1,1.5,98.5", ["15", "1", "1.5", "98.5"],
     b"/sys/send.php",
     b"login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=test&translit=0&id=0&sender=x"),
    (lambda c: c.get_sms_cost("79999999999", "test", format=1), b"1.5,1", ["1.5", "1"],
     b"/sys/send.php",
     b"login=alice&psw=secret&fmt=1&charset=utf-8&cost=1&phones=79999999999&mes=test&translit=0&flash=1"),
    (lambda c: c.get_status(12345, "79999999999", all=1), b"1,1561977123,0", ["1", "1561977123", "0"],
     b"/sys/status.php",
     b"login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999&id=12345&all=1"),
    (lambda c: c.get_balance(), b"100.50", "100.50",
     b"/sys/balance.php",
     b"login=alice&psw=secret&fmt=1&charset=utf-8&"),
]


@pytest.mark.parametrize("call,reply,result,path,body", POST_CALLS,
                         ids=["send_sms", "get_sms_cost", "get_status", "get_balance"])
def test_smsc_post_sends_the_same_string_as_body(module, module_client, loopback, call, reply, result, path, body):
    module.SMSC_POST = True
    loopback.http.script(Reply(reply))
    assert call(module_client) == result
    assert_sent(loopback.http, [("smscentre.com", POST(path), body)])


def test_post_failover_sends_the_same_body_to_the_next_host(module, module_client, loopback):
    module.SMSC_POST = True
    loopback.http.script(Drop(), Reply(b"100.50"))
    assert module_client.get_balance() == "100.50"
    body = b"login=alice&psw=secret&fmt=1&charset=utf-8&"
    assert_sent(loopback.http, [("smscentre.com", POST(b"/sys/balance.php"), body),
                                ("www2.smscentre.com", POST(b"/sys/balance.php"), body)])


ARG_2000 = (b"login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=" + b"x" * 1911 +
            b"&translit=0&id=0")
ARG_2001 = (b"login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=" + b"x" * 1912 +
            b"&translit=0&id=0")


def test_threshold_arguments_are_2000_and_2001_characters():
    assert (len(ARG_2000), len(ARG_2001)) == (2000, 2001)


def test_an_argument_string_of_2000_characters_goes_by_get(module_client, loopback):
    loopback.http.script(Reply(b"15,13,19.5,80.5"))
    assert module_client.send_sms("79999999999", "x" * 1911) == ["15", "13", "19.5", "80.5"]
    assert_sent(loopback.http, [("smscentre.com", GET(b"/sys/send.php?" + ARG_2000), None)])


def test_an_argument_string_of_2001_characters_goes_by_post(module_client, loopback):
    loopback.http.script(Reply(b"15,13,19.5,80.5"))
    assert module_client.send_sms("79999999999", "x" * 1912) == ["15", "13", "19.5", "80.5"]
    assert_sent(loopback.http, [("smscentre.com", POST(b"/sys/send.php"), ARG_2001)])


# Raw query text: Python 2's urlopen escapes the whole URL, Python 3 sends it or gives up

DOC_QUERY = u"list=79999999999:Ваш пароль: 123\n78888888888:Ваш пароль: 456"  # the module's own example


def test_get_with_non_ascii_query(module_client, loopback, is_ours):
    loopback.http.script(Reply(b"2.5,2"))
    result = module_client.get_sms_cost("79999999999", "", query=native(DOC_QUERY))
    if six.PY2 or is_ours:  # urllib.urlopen quotes what is not URL-safe, spaces and newlines included
        assert result == ["2.5", "2"]
        assert_sent(loopback.http, [("smscentre.com", GET(
            b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=1&phones=79999999999&mes=&translit=0"
            b"&list=79999999999:%D0%92%D0%B0%D1%88%20%D0%BF%D0%B0%D1%80%D0%BE%D0%BB%D1%8C:%20123%0A78888888888:"
            b"%D0%92%D0%B0%D1%88%20%D0%BF%D0%B0%D1%80%D0%BE%D0%BB%D1%8C:%20456"), None)])
    else:  # 2.0 on Python 3: http.client refuses the URL before connecting: five tries, nothing sent
        assert result == ["", ""]
        assert loopback.hosts == []
        assert loopback.requests == []


@pytest.mark.parametrize("charset", ["utf-8", "windows-1251"])
def test_post_with_non_ascii_query(module, module_client, loopback, is_ours, charset):
    module.SMSC_POST, module.SMSC_CHARSET = True, charset
    loopback.http.script(Reply(b"2.5,2"))
    query = DOC_QUERY.encode(charset) if six.PY2 else DOC_QUERY
    result = module_client.get_sms_cost("79999999999", "", query=query)
    if six.PY2 and not is_ours:  # 2.0: str.encode(charset) first decodes the bytes as ASCII: fails, nothing sent
        assert result == ["", ""]
        assert loopback.hosts == []
        assert loopback.requests == []
    else:
        assert result == ["2.5", "2"]
        prefix = (b"login=alice&psw=secret&fmt=1&charset=" + charset.encode("ascii") +
                  b"&cost=1&phones=79999999999&mes=&translit=0&")
        assert_sent(loopback.http, [("smscentre.com", POST(b"/sys/send.php"), prefix + DOC_QUERY.encode(charset))])


def test_url_unsafe_query_characters(module_client, loopback, is_ours):
    loopback.http.script(Reply(b"1,1"))
    assert module_client.send_sms("79999999999", "test", query='tag={x}|"y"<z>^`\\') == ["1", "1"]
    if six.PY2 or is_ours:  # escaped as urllib.urlopen does
        tail = b'&tag=%7Bx%7D|%22y%22%3Cz%3E%5E%60%5C'
    else:
        tail = b'&tag={x}|"y"<z>^`\\'
    assert_sent(loopback.http, [("smscentre.com", GET(SEND + tail), None)])


def test_hash_in_query(module_client, loopback, is_ours):
    loopback.http.script(Reply(b"1,1"))
    assert module_client.send_sms("79999999999", "test", query="maxsms=3#x") == ["1", "1"]
    if six.PY2:  # sent on the wire as it is
        line = GET(SEND + b"&maxsms=3#x")
    elif is_ours:  # what Python 2 meant, in the one form Python 3's urllib sends
        line = GET(SEND + b"&maxsms=3%23x")
    else:  # urllib.request takes it for a fragment and drops it
        line = GET(SEND + b"&maxsms=3")
    assert_sent(loopback.http, [("smscentre.com", line, None)])


# docs/differences.md row 9: query with non-ASCII, spaces or newlines, escaped as Python 2's urllib did

LIST_QUERY = u"list=79999999999:Ваш пароль: 123\n78888888888:Ваш пароль: 456"


@pytest.mark.parametrize("charset", ["utf-8", "windows-1251"])
def test_query_with_text_spaces_and_newlines_reaches_the_gateway(smsc, legacy, loopback, charset):
    loopback.http.default = Reply(b"1,2")
    escaped = six.moves.urllib.parse.quote(LIST_QUERY.encode(charset), safe="%/:=&?~#+!$,;'@()*[]|")
    expected = GET(b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=" + charset.encode("ascii") +
                   b"&cost=1&phones=&mes=&translit=0&" + escaped.encode("ascii"))
    if six.PY2:  # 2.0's urllib.urlopen escaped the URL itself
        configure(legacy, SMSC_CHARSET=charset).get_sms_cost("", "", query=LIST_QUERY.encode(charset))
        assert loopback.requests[-1].request_line == expected
        loopback.clear()
    else:  # 2.0 on Python 3: http.client refuses the URL, on every host
        assert configure(legacy, SMSC_CHARSET=charset).get_sms_cost("", "", query=LIST_QUERY) == ["", ""]
        assert loopback.requests == []
    query = LIST_QUERY.encode(charset) if six.PY2 else LIST_QUERY
    assert configure(smsc, SMSC_CHARSET=charset).get_sms_cost("", "", query=query) == ["1", "2"]
    assert loopback.requests[0].request_line == expected
    assert loopback.requests[0].header_lines == expected_headers("smscentre.com")


def test_query_text_goes_as_is_in_a_post_body_encoded_in_the_charset(smsc, loopback):
    loopback.http.default = Reply(b"1,2")
    configure(smsc, SMSC_POST=True, SMSC_CHARSET="windows-1251").get_sms_cost(
        "", "", query=LIST_QUERY.encode("windows-1251") if six.PY2 else LIST_QUERY)
    body = b"login=alice&psw=secret&fmt=1&charset=windows-1251&cost=1&phones=&mes=&translit=0&" + \
        LIST_QUERY.encode("windows-1251")
    assert loopback.requests[0].request_line == b"POST /sys/send.php " + HTTP_VERSION
    assert loopback.requests[0].body == body


# 4. Failover: smscentre.com, www2 ... www5, never www1; on Python 2 too, anything but a complete 2xx reply is a
# failed attempt (docs/differences.md row 19)

FAILURES = {
    "drop": Drop(),
    "reset": Reset(),
    "bad status line": Raw(b"HTTP/1.0 OK\r\n\r\n1,1"),
    "500 empty": Reply(b"", status=500, reason="Internal Server Error"),
    "200 empty": Reply(b""),
    "refused": None,
}
OK_REPLY = b"15,1,1.5,98.5"


@pytest.mark.parametrize("failed", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_each_failure_moves_to_the_next_host(module_client, loopback, failure, failed):
    """The first `failed` hosts fail; the next one answers, or after five ['', '']."""
    if failure == "refused":
        loopback.intercept.refuse = set(MIRRORS[:failed])
        loopback.http.script(Reply(OK_REPLY))
        answered = MIRRORS[failed:failed + 1]
    else:
        loopback.http.script(*([FAILURES[failure]] * failed + [Reply(OK_REPLY)]))
        answered = MIRRORS[:failed + 1]
    result = module_client.send_sms("79999999999", "test")
    assert result == (["15", "1", "1.5", "98.5"] if failed < 5 else ["", ""])
    assert loopback.intercept.connections == [(host, 80) for host in MIRRORS[:failed + 1]]
    assert_sent(loopback.http, [(host, GET(SEND), None) for host in answered])


@pytest.mark.parametrize("call,failed", [
    (lambda c: c.send_sms("79999999999", "test"), ["", ""]),
    (lambda c: c.get_sms_cost("79999999999", "test"), ["", ""]),
    (lambda c: c.get_status(12345, "79999999999"), ["", ""]),
    (lambda c: c.get_status(12345, "79999999999", all=1), ["", ""]),
    (lambda c: c.get_balance(), False),
], ids=["send_sms", "get_sms_cost", "get_status", "get_status-all", "get_balance"])
def test_every_method_when_all_hosts_fail(module_client, loopback, call, failed):
    loopback.http.default = Reset()
    assert call(module_client) == failed
    assert len(loopback.requests) == 5
    assert [request.asked for request in loopback.requests] == [(host, 80) for host in MIRRORS]


def test_http_500_with_a_body(module_client, loopback, is_ours):
    loopback.http.script(Reply(b"0,-1", status=500, reason="Internal Server Error"), Reply(OK_REPLY))
    result = module_client.send_sms("79999999999", "test")
    if six.PY2 and not is_ours:  # 2.0's urllib.urlopen returns the error page's body as the reply
        assert result == ["0", "-1"]
        assert_sent(loopback.http, [("smscentre.com", GET(SEND), None)])
    else:  # urllib.request raises HTTPError, ours on every Python too: next host
        assert result == ["15", "1", "1.5", "98.5"]
        assert_sent(loopback.http, [("smscentre.com", GET(SEND), None), ("www2.smscentre.com", GET(SEND), None)])


def test_an_answer_that_is_not_http(module_client, loopback, is_ours):
    loopback.http.script(Raw(b"not http"), Reply(OK_REPLY))
    result = module_client.send_sms("79999999999", "test")
    if six.PY2 and not is_ours:  # 2.0: httplib, not strict, reads it as an HTTP/0.9 answer
        assert result == ["not http"]
        assert_sent(loopback.http, [("smscentre.com", GET(SEND), None)])
    else:
        assert result == ["15", "1", "1.5", "98.5"]
        assert_sent(loopback.http, [("smscentre.com", GET(SEND), None), ("www2.smscentre.com", GET(SEND), None)])


def test_a_body_cut_short(module_client, loopback, is_ours):
    loopback.http.script(Raw(b"HTTP/1.0 200 OK\r\nContent-Length: 13\r\n\r\n15,1,1.5"), Reply(b"16,1,1.5,97"))
    result = module_client.send_sms("79999999999", "test")
    if six.PY2 and not is_ours:  # 2.0: urllib.urlopen reads to EOF and ignores Content-Length
        assert result == ["15", "1", "1.5"]
        assert_sent(loopback.http, [("smscentre.com", GET(SEND), None)])
    else:  # IncompleteRead: next host
        assert result == ["16", "1", "1.5", "97"]
        assert_sent(loopback.http, [("smscentre.com", GET(SEND), None), ("www2.smscentre.com", GET(SEND), None)])


def test_redirect_is_followed_to_its_target(module_client, loopback):
    loopback.http.script(Reply(b"", status=302, reason="Found",
                         headers=[("Location", "http://www3.smscentre.com/sys/moved.php?a=1")]), Reply(b"7"))
    assert module_client.get_balance() == "7"
    assert_sent(loopback.http, [("smscentre.com", GET(b"/sys/balance.php?login=alice&psw=secret&fmt=1&charset=utf-8&"),
                                 None),
                                ("www3.smscentre.com", GET(b"/sys/moved.php?a=1"), None)])


# 5. Reply shapes, per method

SHAPES = [
    # send_sms: id,cnt,cost,balance / 0,-N / id,-N / garbage
    (lambda c: c.send_sms("79999999999", "test"), b"15,2,3.4,96.6", ["15", "2", "3.4", "96.6"]),
    (lambda c: c.send_sms("79999999999", "test"), b"15,2", ["15", "2"]),
    (lambda c: c.send_sms("79999999999", "test"), b"0,-7", ["0", "-7"]),
    (lambda c: c.send_sms("79999999999", "test"), b"15,-8", ["15", "-8"]),
    (lambda c: c.send_sms("79999999999", "test"), b"<html>Bad Gateway</html>", ["<html>Bad Gateway</html>"]),
    (lambda c: c.send_sms("79999999999", "test"), b"Error, try later\n", ["Error", " try later\n"]),
    # get_sms_cost: cost,cnt / 0,-N / garbage
    (lambda c: c.get_sms_cost("79999999999", "test"), b"2.5,1", ["2.5", "1"]),
    (lambda c: c.get_sms_cost("79999999999", "test"), b"0,-1", ["0", "-1"]),
    (lambda c: c.get_sms_cost("79999999999", "test"), b"oops", ["oops"]),
    # get_status: status,time,err / HLR / 0,-N / garbage
    (lambda c: c.get_status(12345, "79999999999"), b"1,1561977123,0", ["1", "1561977123", "0"]),
    (lambda c: c.get_status(12345, "79999999999"), b"-1,0,0", ["-1", "0", "0"]),
    (lambda c: c.get_status(12345, "79999999999"), b"1,1561977123,0,250013900000000,79000000000,7,1,Russia,MTS,,",
     ["1", "1561977123", "0", "250013900000000", "79000000000", "7", "1", "Russia", "MTS", "", ""]),
    (lambda c: c.get_status(12345, "79999999999"), b"0,-3", ["0", "-3"]),
    (lambda c: c.get_status(12345, "79999999999"), b"oops", ["oops"]),
    # get_balance: balance / 0,-N / garbage
    (lambda c: c.get_balance(), b"100.50", "100.50"),
    (lambda c: c.get_balance(), b"0,-2", False),
    (lambda c: c.get_balance(), b"<html>oops</html>", "<html>oops</html>"),
    (lambda c: c.get_balance(), b"oops, later", False),
]


@pytest.mark.parametrize("call,reply,result", SHAPES)
def test_reply_shape(module_client, loopback, call, reply, result):
    loopback.http.script(Reply(reply))
    got = call(module_client)
    assert got == result
    if type(result) is list:
        assert_strs(got)
    else:
        assert type(got) is type(result)
    assert len(loopback.requests) == 1


@pytest.mark.parametrize("call,reply,result", [
    (lambda c: c.send_sms("79999999999", "test"), b"16,1,1.5,95", ["16", "1", "1.5", "95"]),
    (lambda c: c.get_sms_cost("79999999999", "test"), b"1.5,1", ["1.5", "1"]),
    (lambda c: c.get_status(12345, "79999999999"), b"1,1561977123,0", ["1", "1561977123", "0"]),
    (lambda c: c.get_balance(), b"95.5", "95.5"),
], ids=["send_sms", "get_sms_cost", "get_status", "get_balance"])
def test_an_empty_reply_counts_as_a_failure(module_client, loopback, call, reply, result):
    loopback.http.script(Reply(b""), Reply(b""), Reply(reply))
    assert call(module_client) == result
    assert loopback.hosts == MIRRORS[:3]


def test_reply_is_decoded_with_the_charset_constant(module, module_client, loopback):
    module.SMSC_CHARSET = "windows-1251"
    loopback.http.script(Reply(u"1,2,Ok".encode("cp1251")))
    assert module_client.get_status(1, "79999999999") == ["1", "2", "Ok"]
    assert loopback.requests[0].request_line == GET(
        b"/sys/status.php?login=alice&psw=secret&fmt=1&charset=windows-1251&phone=79999999999&id=1&all=0")


# docs/differences.md row 11: Python 2, a reply with non-ASCII bytes is returned, not failed over

def test_non_ascii_reply_is_returned(smsc, legacy, loopback):
    reply = u"1,1561977123,0,1561977000,79999999999,1.5,sms,Доставлено,Привет, мир"
    loopback.http.default = Reply(reply.encode("utf-8"))
    expected = [native(field) for field in reply.split(",", 8)]  # all=1: the message re-joined
    if six.PY2:  # 2.0: str() of the decoded reply fails, on all five hosts
        assert configure(legacy).get_status(1, "79999999999", all=1) == ["", ""]
        assert loopback.hosts == MIRRORS
    else:
        assert configure(legacy).get_status(1, "79999999999", all=1) == expected
    loopback.clear()
    result = configure(smsc).get_status(1, "79999999999", all=1)
    assert result == expected and all(type(field) is str for field in result)
    assert loopback.hosts == MIRRORS[:1]


# get_status: the tail of all=1 re-joined into 9 fields, unless "HLR" is at index 14

ALL_HLR = b"1,1561977123,0,1561977000,79999999999,1.5,sms,Delivered,text,a,b,c,d,e,HLR,f"
ALL_NOT_HLR = b"1,1561977123,0,1561977000,79999999999,1.5,sms,Delivered,text,a,b,c,d,e,HLX,f"
REJOINED = ["1", "1561977123", "0", "1561977000", "79999999999", "1.5", "sms", "Delivered", "text,a,b,c,d,e,HLX,f"]


@pytest.mark.parametrize("all,reply,result", [
    (1, ALL_HLR, ALL_HLR.decode("ascii").split(",")),
    (1, ALL_NOT_HLR, REJOINED),
    (2, ALL_NOT_HLR, None),  # all=2: 2.0 re-joins as if all=1; ours into 12 fields (PHP library 3.8)
    (0, ALL_NOT_HLR, ALL_NOT_HLR.decode("ascii").split(",")),
    (1, b"1,1561977123,0,1561977000,79999999999,1.5,sms,Delivered,Hello, world",
     ["1", "1561977123", "0", "1561977000", "79999999999", "1.5", "sms", "Delivered", "Hello, world"]),
    (1, b"1,1561977123,0,1561977000,79999999999,1.5,sms,Delivered,Hello",
     ["1", "1561977123", "0", "1561977000", "79999999999", "1.5", "sms", "Delivered", "Hello"]),
    (1, b"1,1561977123,0,1561977000,79999999999,1.5,sms,Delivered,a,b,c,d,e",
     ["1", "1561977123", "0", "1561977000", "79999999999", "1.5", "sms", "Delivered", "a,b,c,d,e"]),
    (0, b"1,1561977123,0,1561977000,79999999999,1.5,sms,Delivered,Hello, world",
     ["1", "1561977123", "0", "1561977000", "79999999999", "1.5", "sms", "Delivered", "Hello", " world"]),
], ids=["hlr-kept", "rejoined", "all2-rejoined", "all0-kept", "10-fields", "9-fields", "13-fields",
        "all0-10-fields"])
def test_get_status_all_rejoins_the_message(module_client, loopback, is_ours, all, reply, result):
    if result is None:
        result = ALL_NOT_HLR.decode("ascii").split(",", 11) if is_ours else REJOINED
    loopback.http.script(Reply(reply))
    got = module_client.get_status(12345, "79999999999", all=all)
    assert got == result
    assert_strs(got)


def test_hlr_marker_is_at_index_14_of_the_test_replies():
    assert len(ALL_HLR.split(b",")) == 16 and ALL_HLR.split(b",")[14] == b"HLR"
    assert ALL_NOT_HLR.replace(b"HLX", b"HLR") == ALL_HLR


# docs/differences.md row 4: get_status, a reply of 14 fields, all=2

HLR_14 = b"1,1561977123,0,1561977000,79999999999,1.5,sms,Delivered,a,b,c,d,e,f"


def test_status_reply_of_14_fields_is_rejoined_not_an_index_error(smsc, legacy, loopback):
    loopback.http.default = Reply(HLR_14)
    with pytest.raises(IndexError):
        configure(legacy).get_status(1, "79999999999", all=1)
    assert configure(smsc).get_status(1, "79999999999", all=1) == [
        "1", "1561977123", "0", "1561977000", "79999999999", "1.5", "sms", "Delivered", "a,b,c,d,e,f"]


ALL2 = b"1,1561977123,0,1561977000,79999999999,1.5,sms,Delivered,Russia,MTS,Moscow,Hi, there, you, all"


def test_all_2_is_rejoined_into_12_fields(smsc, legacy, loopback):
    loopback.http.default = Reply(ALL2)
    assert configure(legacy).get_status(1, "79999999999", all=2)[-1] == "Russia,MTS,Moscow,Hi, there, you, all"
    assert configure(smsc).get_status(1, "79999999999", all=2) == [
        "1", "1561977123", "0", "1561977000", "79999999999", "1.5", "sms", "Delivered",
        "Russia", "MTS", "Moscow", "Hi, there, you, all"]


@pytest.mark.parametrize("all", [2, "2"])
def test_all_2_hlr_marker_at_17_keeps_the_fields(smsc, loopback, all):
    reply = b"1,1561977123,0,1561977000,79999999999,1.5,sms,Delivered,Russia,MTS,Moscow,x,a,b,c,d,e,HLR,z"
    loopback.http.default = Reply(reply)
    assert configure(smsc).get_status(1, "79999999999", all=all) == reply.decode("ascii").split(",")


@pytest.mark.parametrize("fields", [15, 17])
def test_all_2_without_hlr_marker_is_rejoined_whatever_the_length(smsc, loopback, fields):
    reply = ",".join("f%d" % n for n in range(fields))
    loopback.http.default = Reply(reply.encode("ascii"))
    assert configure(smsc).get_status(1, "79999999999", all=2) == reply.split(",", 11)


# 6. SMSC_DEBUG output, word for word

DEBUG_CASES = [
    (lambda c: c.send_sms("79999999999", "test"), [Reply(b"15,2,3.4,96.6")],
     u"Сообщение отправлено успешно. ID: 15, всего SMS: 2, стоимость: 3.4, баланс: 96.6\n"),
    (lambda c: c.send_sms("79999999999", "test"), [Reply(b"0,-7")], u"Ошибка №7\n"),
    (lambda c: c.send_sms("79999999999", "test"), [Reply(b"15,-8")], u"Ошибка №8, ID: 15\n"),
    (lambda c: c.send_sms("79999999999", "test"), [Drop()] * 5,
     u"Ошибка чтения адреса: http://www5.smscentre.com/sys/send.php\nОшибка №\n"),
    (lambda c: c.get_sms_cost("79999999999", "test"), [Reply(b"2.5,1")], u"Стоимость рассылки: 2.5. Всего SMS: 1\n"),
    (lambda c: c.get_sms_cost("79999999999", "test"), [Reply(b"0,2")], u"Стоимость рассылки: 0. Всего SMS: 2\n"),
    (lambda c: c.get_sms_cost("79999999999", "test"), [Reply(b"0,-1")], u"Ошибка №1\n"),
    (lambda c: c.get_sms_cost("79999999999", "test"), [Drop()] * 5,
     u"Ошибка чтения адреса: http://www5.smscentre.com/sys/send.php\nОшибка №\n"),
    (lambda c: c.get_status(12345, "79999999999"), [Reply(b"1,1561977123,0")],
     u"Статус SMS = 1, время изменения статуса - 2019-07-01 10:32:03\n"),
    (lambda c: c.get_status(12345, "79999999999"), [Reply(b"0,1561977123,0")],
     u"Статус SMS = 0, время изменения статуса - 2019-07-01 10:32:03\n"),
    (lambda c: c.get_status(12345, "79999999999"), [Reply(b"-1,0,0")], u"Статус SMS = -1\n"),
    (lambda c: c.get_status(12345, "79999999999"), [Reply(b"0,-3")], u"Ошибка №3\n"),
    (lambda c: c.get_status(12345, "79999999999", all=1), [Drop()] * 5,
     u"Ошибка чтения адреса: http://www5.smscentre.com/sys/status.php\nОшибка №\n"),
    (lambda c: c.get_balance(), [Reply(b"100.50")], u"Сумма на счете: 100.50\n"),
    (lambda c: c.get_balance(), [Reply(b"0,-2")], u"Ошибка №2\n"),
    (lambda c: c.get_balance(), [Drop()] * 5,
     u"Ошибка чтения адреса: http://www5.smscentre.com/sys/balance.php\nОшибка №\n"),
]


@pytest.mark.parametrize("call,replies,out", DEBUG_CASES)
def test_debug_output(module, module_client, loopback, capsys, utc, call, replies, out):
    module.SMSC_DEBUG = True
    loopback.http.script(*replies)
    capsys.readouterr()
    call(module_client)
    assert printed(capsys) == out


def test_debug_output_reaches_stdout_as_utf_8_bytes(module, module_client, loopback, capfdbinary):
    # Python 2 prints the module's UTF-8 byte strings as they are; capsys would decode them
    module.SMSC_DEBUG = True
    loopback.http.script(Reply(b"100.50"))
    capfdbinary.readouterr()
    module_client.get_balance()
    assert capfdbinary.readouterr().out == u"Сумма на счете: 100.50\n".encode("utf-8")


def test_no_output_without_debug(module_client, loopback, capsys):
    loopback.http.script(Reply(b"0,-7"), Reply(b"0,-1"), Reply(b"0,-3"), Reply(b"0,-2"))
    capsys.readouterr()
    module_client.send_sms("79999999999", "test")
    module_client.get_sms_cost("79999999999", "test")
    module_client.get_status(12345, "79999999999")
    assert module_client.get_balance() is False
    assert capsys.readouterr() == ("", "")


def test_debug_send_sms_with_a_one_field_reply(module, module_client, loopback, capsys, is_ours):
    module.SMSC_DEBUG = True
    loopback.http.script(Reply(b"oops"))
    if is_ours:
        capsys.readouterr()
        assert module_client.send_sms("79999999999", "test") == ["oops"]
        assert printed(capsys) == u"Ошибка №, ID: oops\n"
    else:
        with pytest.raises(IndexError):
            module_client.send_sms("79999999999", "test")


# docs/differences.md row 10: debug output never raises on a short or garbled reply

@pytest.mark.parametrize("call,reply,expected_out", [
    (lambda c: c.send_sms("7999", "hi"), b"15,2",
     u"Сообщение отправлено успешно. ID: 15, всего SMS: 2, стоимость: , баланс: \n"),
    (lambda c: c.send_sms("7999", "hi"), b"15", u"Ошибка №, ID: 15\n"),
    (lambda c: c.get_sms_cost("7999", "hi"), b"2.5", u"Ошибка №\n"),
    (lambda c: c.get_status(1, "7999"), b"1,abc,0", u"Статус SMS = 1, время изменения статуса - abc\n"),
    (lambda c: c.get_status(1, "7999"), b"1", u"Ошибка №\n"),
])
def test_debug_output_survives_short_replies(smsc, legacy, loopback, capsys, call, reply, expected_out):
    loopback.http.default = Reply(reply)
    with pytest.raises((IndexError, ValueError)):
        call(configure(legacy, SMSC_DEBUG=True))
    capsys.readouterr()
    call(configure(smsc, SMSC_DEBUG=True))
    out = capsys.readouterr()[0]
    assert out == expected_out


# 7. HTTPS

HTTPS_CALLS = [
    (lambda c: c.send_sms("79999999999", "test"), b"15,1,1.5,98.5", ["15", "1", "1.5", "98.5"], SEND),
    (lambda c: c.get_sms_cost("79999999999", "test"), b"1.5,1", ["1.5", "1"], COST),
    (lambda c: c.get_status(12345, "79999999999"), b"1,1561977123,0", ["1", "1561977123", "0"],
     b"/sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999&id=12345&all=0"),
    (lambda c: c.get_balance(), b"100.50", "100.50", b"/sys/balance.php?login=alice&psw=secret&fmt=1&charset=utf-8&"),
]


@pytest.mark.parametrize("call,reply,result,target", HTTPS_CALLS,
                         ids=["send_sms", "get_sms_cost", "get_status", "get_balance"])
def test_https_sends_the_same_request_over_tls(module, module_client, loopback, loopback_https, call, reply, result,
                                               target):
    module.SMSC_HTTPS = True
    loopback_https.http.script(Reply(reply))
    assert call(module_client) == result
    assert loopback.intercept.connections == [("smscentre.com", 443)]
    assert_sent(loopback_https.http, [("smscentre.com", GET(target), None)], port=443)
    assert loopback_https.requests[0].tls is True
    assert loopback.requests == []


def test_https_post_and_failover(module, module_client, loopback, loopback_https):
    module.SMSC_HTTPS, module.SMSC_POST = True, True
    loopback_https.http.script(Drop(), Reply(b""), Reply(b"100.50"))
    assert module_client.get_balance() == "100.50"
    body = b"login=alice&psw=secret&fmt=1&charset=utf-8&"
    assert_sent(loopback_https.http, [(host, POST(b"/sys/balance.php"), body) for host in MIRRORS[:3]], port=443)
    assert loopback.hosts == MIRRORS[:3]


def test_https_certificate_from_an_untrusted_ca_fails_every_host_and_sends_nothing(module, module_client, loopback,
                                                                                   loopback_https, capsys):
    module.SMSC_HTTPS, module.SMSC_DEBUG = True, True
    rogue = loopback_https.untrusted()
    rogue.default = Reply(b"15,1,1.5,98.5")
    capsys.readouterr()
    assert module_client.send_sms("79999999999", "test") == ["", ""]
    assert loopback.intercept.connections == [(host, 443) for host in MIRRORS]
    assert rogue.requests == []  # the credentials never left the client
    assert loopback.requests == []
    assert printed(capsys) == u"Ошибка чтения адреса: https://www5.smscentre.com/sys/send.php\nОшибка №\n"


def test_https_off_uses_port_80(module, module_client, loopback, loopback_https):
    loopback.http.script(Reply(b"7"))
    assert module_client.get_balance() == "7"
    assert loopback.intercept.connections == [("smscentre.com", 80)]
    assert loopback_https.requests == []


# 8. Files with a message (what the official PHP library 3.8 does and 2.0 cannot; docs/differences.md row 22):
# send_sms(..., files=[...]), one multipart/form-data POST, the usual fields and file0, file1, ...
# (its boundary is random: read from the Content-Type header, then the body is built from it and compared)

FIELDS = [(b"login", b"alice"), (b"psw", b"secret"), (b"fmt", b"1"), (b"charset", b"utf-8"), (b"cost", b"3"),
          (b"phones", b"79999999999"), (b"mes", b"Look"), (b"translit", b"0"), (b"id", b"0")]


def multipart(boundary, fields, files):
    """The body smsc_api builds: each field, then each file as fileN."""
    body = b""
    for name, value in fields:
        body += (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="' + name + b'"\r\n\r\n' +
                 value + b"\r\n")
    for n, (filename, content_type, content) in enumerate(files):
        body += (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file%d"; filename="' % n +
                 filename + b'"\r\nContent-Type: ' + content_type + b"\r\n\r\n" + content + b"\r\n")
    return body + b"--" + boundary + b"--\r\n"


def boundary_of(request):
    match = re.match(br"multipart/form-data; boundary=(----smsc_api[0-9a-f]{32})\Z", request.header("Content-Type"))
    assert match, request.header("Content-Type")
    return match.group(1)


def assert_multipart(request, fields, files, host="smscentre.com"):
    boundary = boundary_of(request)
    body = multipart(boundary, fields, files)
    assert request.raw == whole_request(host, POST(b"/sys/send.php"), body,
                                        content_type=b"multipart/form-data; boundary=" + boundary)


def test_files_are_posted_as_multipart_with_the_usual_fields(client, loopback, pictures):
    loopback.http.script(Reply(b"15,1,5.00,95.00"))
    assert client.send_sms("79999999999", "Look", files=list(pictures)) == ["15", "1", "5.00", "95.00"]
    request, = loopback.requests
    note = (u"заметка.txt".encode("utf-8"), b"application/octet-stream", u"Привет".encode("utf-8"))
    assert_multipart(request, FIELDS, [(b"cat.png", b"application/octet-stream", PICTURE), note])


def test_every_parameter_is_a_field_decoded_as_the_gateway_reads_it(smsc, client, loopback, pictures):
    smsc.SMSC_CHARSET = "windows-1251"
    loopback.http.script(Reply(b"15,1"))
    client.send_sms(["79999999999", "79999999998"], u"Вот + кот", translit=1, time="+5", id=7, format=7,
                    sender=u"Кот", query="maxsms=3&subj=a+b%26c", files=[pictures[0]])
    fields = [(b"login", b"alice"), (b"psw", b"secret"), (b"fmt", b"1"), (b"charset", b"windows-1251"),
              (b"cost", b"3"), (b"phones", b"79999999999,79999999998"), (b"mes", u"Вот + кот".encode("cp1251")),
              (b"translit", b"1"), (b"id", b"7"), (b"mms", b"1"), (b"sender", u"Кот".encode("cp1251")),
              (b"time", b"+5"), (b"maxsms", b"3"), (b"subj", b"a b&c")]
    assert_multipart(loopback.requests[0], fields, [(b"cat.png", b"application/octet-stream", PICTURE)])


def test_open_binary_files_and_byte_paths(client, loopback, pictures):
    loopback.http.script(Reply(b"15,1"))
    with open(pictures[0], "rb") as named:
        client.send_sms("79999999999", "Look", files=[named, io.BytesIO(b"data"), pictures[0].encode("ascii")])
    assert_multipart(loopback.requests[0], FIELDS, [(b"cat.png", b"application/octet-stream", PICTURE),
                                                    (b"file1", b"application/octet-stream", b"data"),
                                                    (b"cat.png", b"application/octet-stream", PICTURE)])


def test_an_api_key_and_a_failed_host_send_the_same_body_again(smsc, client, loopback, pictures):
    smsc.SMSC_LOGIN, smsc.SMSC_PASSWORD = "", "KEY"
    loopback.http.script(Drop(), Reply(b"15,1"))
    assert client.send_sms("79999999999", "Look", files=[pictures[0]]) == ["15", "1"]
    first, second = loopback.requests
    fields = [(b"apikey", b"KEY")] + FIELDS[2:]
    assert_multipart(first, fields, [(b"cat.png", b"application/octet-stream", PICTURE)])
    assert_multipart(second, fields, [(b"cat.png", b"application/octet-stream", PICTURE)], host="www2.smscentre.com")
    assert second.body == first.body


def test_without_files_every_byte_is_2_0s(client, loopback):
    loopback.http.script(Reply(b"15,1"), Reply(b"15,1"))
    client.send_sms("79999999999", "Look")
    client.send_sms("79999999999", "Look", files=[])
    target = b"/sys/send.php?" + b"&".join(name + b"=" + value for name, value in FIELDS)
    assert [r.raw for r in loopback.requests] == [whole_request("smscentre.com", GET(target))] * 2


def test_a_boundary_never_occurs_in_the_content(client, loopback, tmpdir, monkeypatch):
    draws = iter([b"\x00" * 16, b"\x01" * 16])
    monkeypatch.setattr(os, "urandom", lambda size: next(draws))
    clash = tmpdir.join("clash.bin")
    clash.write_binary(b"xx----smsc_api" + b"00" * 16 + b"yy")
    loopback.http.script(Reply(b"15,1"))
    client.send_sms("79999999999", "Look", files=[str(clash)])
    assert boundary_of(loopback.requests[0]) == b"----smsc_api" + b"01" * 16


def test_a_file_part_is_application_octet_stream_as_php_3_8_sends_it(client, loopback, tmpdir):
    # PHP 3.8 posts curl_file_create($path), which names no type: curl then sends application/octet-stream
    # for every file, whatever its extension (php-src's curl tests: "curl_testdata1.txt|application/octet-stream")
    names = ["a.png", "b.jpg", "c.txt", "d.pdf", "e"]
    for name in names:
        tmpdir.join(name).write_binary(b"x")
    loopback.http.script(Reply(b"15,1"))
    client.send_sms("79999999999", "Look", files=[str(tmpdir.join(name)) for name in names])
    assert_multipart(loopback.requests[0], FIELDS,
                     [(name.encode("ascii"), b"application/octet-stream", b"x") for name in names])


def test_an_open_file_is_sent_from_where_it_stands_and_a_nameless_one_as_file_n(client, loopback):
    class Piped(io.BytesIO):
        name = "<fdopen>"  # what Python 2 names os.fdopen() and sys.stdin's files: not a file name
    partly_read = io.BytesIO(b"HEADbody")
    partly_read.read(4)
    loopback.http.script(Reply(b"15,1"))
    client.send_sms("79999999999", "Look", files=[partly_read, Piped(b"piped")])
    assert_multipart(loopback.requests[0], FIELDS, [(b"file0", b"application/octet-stream", b"body"),
                                                    (b"file1", b"application/octet-stream", b"piped")])


@pytest.mark.skipif(six.PY2, reason="os.PathLike and pathlib: Python 3.6+")
def test_a_path_object_is_a_path(client, loopback, pictures):
    import pathlib
    loopback.http.script(Reply(b"15,1"))
    client.send_sms("79999999999", "Look", files=[pathlib.Path(pictures[0])])
    assert_multipart(loopback.requests[0], FIELDS, [(b"cat.png", b"application/octet-stream", PICTURE)])


# 9. get_status with several ids as a list (or tuple; docs/differences.md row 22): one request, one record per
# line of the reply; as text (2.0's form), 2.0's flat list

TWO = b"/sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999%2C79999999998&id=101,102&all="


@pytest.mark.parametrize("ids,phones", [
    ([101, 102], ["79999999999", "79999999998"]),
    (("101", b"102"), (79999999999, "79999999998")),
    ([101, 102], "79999999999,79999999998"),
], ids=["lists", "tuples", "list-and-text"])
def test_several_ids_in_a_list_are_one_request_and_a_list_per_message(client, loopback, ids, phones):
    loopback.http.script(Reply(b"1,1561977123,0\n-1,0,0"))
    assert client.get_status(ids, phones) == [["1", "1561977123", "0"], ["-1", "0", "0"]]
    assert [r.raw for r in loopback.requests] == [whole_request("smscentre.com", GET(TWO + b"0"))]


@pytest.mark.parametrize("ids", ["101,102", "101,102,"])
def test_several_ids_as_text_give_2_0s_flat_list(smsc, legacy, loopback, ids):
    # the lines of the reply joined by the commas inside 2.0's items: its first items are the first message's
    for module in (legacy, smsc):
        module.SMSC_LOGIN, module.SMSC_PASSWORD = "alice", "secret"
    loopback.http.script(Reply(b"1,1561977123,0\n-1,0,0"), Reply(b"1,1561977123,0\n-1,0,0"))
    assert legacy.SMSC().get_status(ids, "79999999999,79999999998") == ["1", "1561977123", "0\n-1", "0", "0"]
    assert smsc.SMSC().get_status(ids, "79999999999,79999999998") == ["1", "1561977123", "0\n-1", "0", "0"]
    assert loopback.requests[0].raw == loopback.requests[1].raw


@pytest.mark.parametrize("reply,result", [
    (b"0,-2", ["0", "-2"]),                                     # an error of the whole request: flat, as usual
    (b"1,1561977123,0\r\n-3,0,0\r\n", [["1", "1561977123", "0"], ["-3", "0", "0"]]),  # CRLF, a last line feed
    (b"1,1561977123,0", [["1", "1561977123", "0"]]),             # one line: still a list of records
    (b"oops", [["oops"]]),
], ids=["error", "crlf", "one-line", "garbage"])
def test_reply_shapes_of_several_ids(client, loopback, reply, result):
    loopback.http.script(Reply(reply))
    assert client.get_status([101, 102], ["79999999999", "79999999998"]) == result


def test_several_ids_when_no_host_answers_is_2_0s_two_empty_strings(client, loopback):
    loopback.http.default = Drop()
    assert client.get_status([101, 102], "79999999999") == ["", ""]


@pytest.mark.parametrize("all,rejoined", [
    (1, ["1", "1561977123", "0", "1561977000", "79999999999", "1.5", "sms", "Delivered", "Hi, there, you"]),
    (2, ["1", "1561977123", "0", "1561977000", "79999999999", "1.5", "sms", "Delivered", "Russia", "MTS", "Moscow",
         "Hi, there, you"]),
])
def test_all_re_joins_the_message_of_each_record(client, loopback, all, rejoined):
    record = ",".join(rejoined).encode("ascii")
    loopback.http.script(Reply(record + b"\n" + record.replace(b"1561977123", b"1561977124")))
    second = list(rejoined)
    second[1] = "1561977124"
    assert client.get_status([101, 102], "79999999999", all=all) == [rejoined, second]
    assert loopback.requests[0].request_line == GET(TWO.replace(b"%2C79999999998", b"") + str(all).encode("ascii"))


@pytest.mark.parametrize("all", [1, 2])
def test_a_line_feed_in_a_message_stays_in_its_record(client, loopback, all):
    # with all, a line that does not start as a record (status,time,err,) continues the message before it
    head = ["1", "1561977123", "0", "1561977000", "79999999999", "1.5", "sms", "Delivered"] + (
        ["Russia", "MTS", "Moscow"] if all == 2 else [])
    first = ",".join(head + ["line one\nline two, end"]).encode("ascii")
    second = ",".join(head + ["1,2,3 go"]).replace("1561977123", "1561977124").encode("ascii")
    loopback.http.script(Reply(first + b"\n" + second))
    assert client.get_status([101, 102], "79999999999", all=all) == [
        head + ["line one\nline two, end"], [head[0], "1561977124"] + head[2:] + ["1,2,3 go"]]


def test_one_id_is_one_flat_list_as_in_2_0_and_a_list_of_one_a_list_of_one_record(client, loopback):
    loopback.http.script(Reply(b"1,1561977123,0"), Reply(b"1,1561977123,0"))
    assert client.get_status(101, "79999999999") == ["1", "1561977123", "0"]
    assert client.get_status([101], ["79999999999"]) == [["1", "1561977123", "0"]]
    assert loopback.requests[0].request_line == loopback.requests[1].request_line == (
        b"GET /sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999&id=101&all=0 " +
        HTTP_VERSION)


def test_debug_prints_a_line_per_message_of_a_list_and_2_0s_line_for_text(smsc, client, loopback, capsys, utc):
    smsc.SMSC_DEBUG = True
    loopback.http.script(Reply(b"1,1561977123,0\n-1,0,0"), Reply(b"1,1561977123,0\n-1,0,0"))
    capsys.readouterr()
    client.get_status([101, 102], "79999999999,79999999998")
    assert printed(capsys) == u"Статус SMS = 1, время изменения статуса - 2019-07-01 10:32:03\nСтатус SMS = -1\n"
    client.get_status("101,102", "79999999999,79999999998")
    assert printed(capsys) == u"Статус SMS = 1, время изменения статуса - 2019-07-01 10:32:03\n"
