# -*- coding: utf-8 -*-
"""The wire: every byte each method sends, every reply shape it reads, every line it prints.

Each test that talks to the gateway runs twice, against our module ("2.1") and the official
2.0 ("2.0"), so the literal bytes below are checked against the reference on every
interpreter. Requests are compared whole: request line, the headers of the running Python
(helpers.expected_headers) and body. Where Python 2's urllib.urlopen and Python 3's
urllib.request differ, each version's outcome is spelled out.
"""
import sys

import pytest
import six

from helpers import GET, MIRRORS, POST, configure, native, printed, whole_request
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


# 5. Failover: smscentre.com, www2 ... www5, never www1

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


# 6. Reply shapes, per method

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


# 7. SMSC_DEBUG output, word for word

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


# 8. HTTPS

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
