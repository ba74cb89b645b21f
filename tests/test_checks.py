# -*- coding: utf-8 -*-
"""Issue 10: no parameter can rewrite a request, and settings are checked when they are used (secrets in debug
output: test_secrets.py).

Every check is raised before any connection and names the parameter or the setting. Where a
value that 2.0 accepted is now refused (docs/differences.md, rows 15-18), 2.0 runs
beside ours (fixture `legacy`) to show what it did with it.
"""
import pytest
import six

from helpers import GET, HEADER, HTTP_VERSION, ID, configure, instance, printed, raised, run_app
from servers import Reply

OK = b"15,1,1.5,98.5"


# 1. id, translit, format, all: an int or text of digits; nothing else reaches the request

INJECTIONS = [
    ("id", lambda c, v: c.send_sms("79999999999", "hi", id=v), "5&phones=70000000000",
     b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=hi&translit=0"
     b"&id=5&phones=70000000000"),
    ("translit", lambda c, v: c.send_sms("79999999999", "hi", translit=v), "0&mes=Changed",
     b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=hi"
     b"&translit=0&mes=Changed&id=0"),
    ("translit", lambda c, v: c.get_sms_cost("79999999999", "hi", translit=v), "0&phones=70000000000",
     b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=1&phones=79999999999&mes=hi"
     b"&translit=0&phones=70000000000"),
    ("id", lambda c, v: c.get_status(v, "79999999999"), "1&phone=70000000000",
     b"/sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999&id=1&phone=70000000000&all=0"),
    ("all", lambda c, v: c.get_status(1, "79999999999", all=v), "0&id=2",
     b"/sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999&id=1&all=0&id=2"),
]


@pytest.mark.parametrize("name,call,value,sent_by_2_0", INJECTIONS)
def test_a_parameter_cannot_add_or_change_another(smsc, legacy, loopback, name, call, value, sent_by_2_0):
    loopback.http.default = Reply(OK)
    call(configure(legacy), value)  # 2.0 pasted the value into the request as it was
    assert [r.request_line for r in loopback.requests] == [GET(sent_by_2_0)]
    loopback.clear()
    with pytest.raises(ValueError) as error:
        call(configure(smsc), value)
    assert str(error.value).startswith(name + " must be an int")
    assert loopback.intercept.connections == []


@pytest.mark.parametrize("call,target", [
    (lambda c: c.send_sms("79999999999", "hi", id=7), b"&translit=0&id=7"),
    (lambda c: c.send_sms("79999999999", "hi", id="7", translit="2"), b"&translit=2&id=7"),
    (lambda c: c.send_sms("79999999999", "hi", id=2 ** 31 - 1, translit=1), b"&translit=1&id=2147483647"),
    (lambda c: c.send_sms("79999999999", "hi", id=2 ** 70), b"&translit=0&id=1180591620717411303424"),
    (lambda c: c.send_sms("79999999999", "hi", id=-1), b"&translit=0&id=-1"),  # an int is sent as str() gives it
    (lambda c: c.send_sms("79999999999", "hi", id=u"0012"), b"&translit=0&id=0012"),
    (lambda c: c.get_sms_cost("79999999999", "hi", translit="1"), b"&translit=1"),
    (lambda c: c.get_status("12", "79999999999", all="1"), b"&id=12&all=1"),
    (lambda c: c.get_status("1,2,30", "79999999999"), b"&id=1,2,30&all=0"),
    (lambda c: c.send_sms("79999999999", "hi", id="order-17"), b"&translit=0&id=order-17"),
    (lambda c: c.send_sms("79999999999", "hi", id="new"), b"&translit=0&id=new"),
    (lambda c: c.send_sms("79999999999", "hi", id="A.b_9-" + "x" * 34), b"&translit=0&id=A.b_9-" + b"x" * 34),
    (lambda c: c.send_sms("79999999999", "hi", id=""), b"&translit=0&id="),
    (lambda c: c.get_status("abc-1", "79999999999"), b"&id=abc-1&all=0"),
    (lambda c: c.get_status("abc-1,xyz_2,", "79999999999"), b"&id=abc-1,xyz_2,&all=0"),
    # 2.0 sent str(): the words are text ids to the gateway, True indexed the formats as 1, 1.5 a sender name
    (lambda c: c.send_sms("79999999999", "hi", id=None), b"&translit=0&id=None"),
    (lambda c: c.send_sms("79999999999", "hi", id=True), b"&translit=0&id=True"),
    (lambda c: c.send_sms("79999999999", "hi", id=1.0), b"&translit=0&id=1.0"),
    (lambda c: c.get_status(None, "79999999999"), b"&id=None&all=0"),
    (lambda c: c.send_sms("79999999999", "hi", format=True), b"&translit=0&id=0&flash=1"),
    (lambda c: c.get_sms_cost("79999999999", "hi", format=False), b"&translit=0"),
    (lambda c: c.send_sms("79999999999", "hi", sender=True), b"&sender=True"),
    (lambda c: c.get_sms_cost("79999999999", "hi", sender=1.5), b"&sender=1.5&translit=0"),
], ids=["int", "text", "2**31-1", "long", "negative-int", "leading-zeros", "cost-translit", "status-all", "ids",
        "text-id", "new", "40-characters", "empty", "status-text-id", "status-text-ids", "id-none", "id-true",
        "id-float", "status-none", "format-true", "format-false", "sender-true", "sender-float"])
def test_valid_values_send_the_bytes_of_2_0(smsc, legacy, loopback, call, target):
    loopback.http.default = Reply(OK)
    call(configure(legacy))
    call(configure(smsc))
    theirs, ours = loopback.requests
    assert ours.raw == theirs.raw
    assert ours.request_line.endswith(target + b" " + HTTP_VERSION)


@pytest.mark.parametrize("call,error,message", [
    (lambda c: c.send_sms("7999", "hi", id=[1]), ValueError, "id must be %s, not '[1]'" % ID),
    (lambda c: c.send_sms("7999", "hi", id={"a": 1}), ValueError, "id must be %s, not \"{'a': 1}\"" % ID),
    (lambda c: c.send_sms("7999", "hi", id="new id"), ValueError, "id must be %s, not 'new id'" % ID),
    (lambda c: c.send_sms("7999", "hi", id="x" * 41), ValueError, "id must be %s, not %r" % (ID, "x" * 40)),
    (lambda c: c.send_sms("7999", "hi", id=" 5"), ValueError, "id must be %s, not ' 5'" % ID),
    (lambda c: c.send_sms("7999", "hi", id="5\n6"), ValueError, "id must be %s, not '5\\n6'" % ID),
    (lambda c: c.send_sms("7999", "hi", id="1,2"), ValueError, "id must be %s, not '1,2'" % ID),
    (lambda c: c.send_sms("7999", "hi", id="order#17"), ValueError, "id must be %s, not 'order#17'" % ID),
    (lambda c: c.send_sms("7999", "hi", translit=True), TypeError,
     "translit must be an int or text of digits, not bool"),
    (lambda c: c.send_sms("7999", "hi", translit="-1"), ValueError,
     "translit must be an int or text of digits, not '-1'"),
    (lambda c: c.send_sms("7999", "hi", format="flash"), ValueError,
     "format must be an int or text of digits, not 'flash'"),
    (lambda c: c.send_sms("7999", "hi", format="14"), IndexError, "format must be from 0 to 13, not 14"),
    (lambda c: c.get_sms_cost("7999", "hi", format=1.0), TypeError,
     "format must be an int or text of digits, not float"),
    (lambda c: c.get_sms_cost("7999", "hi", translit=[1]), TypeError,
     "translit must be an int or text of digits, not list"),
    (lambda c: c.get_status([1, 2], "7999", all=True), TypeError, "all must be an int or text of digits, not bool"),
    (lambda c: c.get_status("1,,2", "7999"), ValueError, "id must be %s (ids separated by commas), not '1,,2'" % ID),
    (lambda c: c.get_status("1;2", "7999"), ValueError, "id must be %s (ids separated by commas), not '1;2'" % ID),
    (lambda c: c.get_status(",1", "7999"), ValueError, "id must be %s (ids separated by commas), not ',1'" % ID),
    (lambda c: c.get_status(["1,2"], "7999"), ValueError, "id must be %s, not '1,2'" % ID),
    (lambda c: c.get_status(1, "7999", all=True), TypeError, "all must be an int or text of digits, not bool"),
    (lambda c: c.get_status(1, "7999", all=None), TypeError, "all must be an int or text of digits, not NoneType"),
    (lambda c: c.send_sms([], "hi"), ValueError, "phones must not be empty"),
    (lambda c: c.get_sms_cost((), "hi"), ValueError, "phones must not be empty"),
    (lambda c: c.get_status(1, []), ValueError, "phone must not be empty"),
    (lambda c: c.send_sms_mail([], "hi"), ValueError, "phones must not be empty"),
    (lambda c: c.send_sms("7999", "hi", time=True), TypeError, "time must be text or bytes, not bool"),
])
def test_wrong_values_are_refused_before_any_connection_naming_the_parameter(smsc, loopback, call, error, message):
    assert raised(call, configure(smsc)) == (error, message)
    assert loopback.intercept.connections == []


def test_a_long_refused_value_is_cut_in_the_message(smsc, loopback):
    assert raised(configure(smsc).send_sms, "7999", "hi", id="1" * 39 + "x" * 100) == (
        ValueError, "id must be %s, not %r" % (ID, "1" * 39 + "x"))


def test_a_character_outside_the_charset_in_id_names_id(smsc, loopback):
    client = configure(smsc, SMSC_CHARSET="koi8-r")
    euro = u"1\u20ac"
    assert raised(client.send_sms, "7999", "hi", id=euro) == (ValueError, "id must be %s, not %r" % (ID, euro))
    assert raised(client.send_sms_mail, "7999", "hi", id=euro) == (ValueError, "id must be %s, not %r" % (ID, euro))
    assert raised(client.get_status, euro, "7999") == (
        ValueError, "id must be %s (ids separated by commas), not %r" % (ID, euro))
    assert loopback.intercept.connections == []


# format as text of digits; all="0" means 0

@pytest.mark.parametrize("format,flag", [("0", b""), ("1", b"&flash=1"), ("12", b"&"), ("13", b"&tg=1")])
def test_format_may_be_text_of_digits(smsc, loopback, format, flag):
    loopback.http.default = Reply(OK)
    configure(smsc).send_sms("79999999999", "hi", format=format)
    configure(smsc).send_sms_mail("79999999999", "hi", format=format)
    assert loopback.requests[0].request_line == GET(
        b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=hi&translit=0&id=0"
        + flag)
    options = b"0," + format.encode("ascii") + b","
    assert loopback.smtp.messages[0]["data"] == HEADER + b"alice:secret:0::" + options + b":79999999999:hi\r\n"


HLR = b"1,1561977123,0,250013900000000,79000000000,7,1,Russia,MTS,Roaming,Operator"


def test_all_as_text_0_keeps_the_hlr_fields(smsc, legacy, loopback):
    loopback.http.default = Reply(HLR)
    # 2.0: any non-empty all, "0" too, re-joins the reply as all=1 does, into 9 fields
    assert configure(legacy).get_status(1, "79999999999", all="0") == HLR.decode("ascii").split(",", 8)
    assert configure(smsc).get_status(1, "79999999999", all="0") == HLR.decode("ascii").split(",")
    assert loopback.requests[0].request_line == loopback.requests[1].request_line


# sender=None means no sender (time None or 0 means no time in send_sms_mail too: test_mail.py)

@pytest.mark.parametrize("call,without", [
    (lambda c: c.send_sms("79999999999", "hi", sender=None),
     b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=hi&translit=0&id=0"),
    (lambda c: c.get_sms_cost("79999999999", "hi", sender=None),
     b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=1&phones=79999999999&mes=hi&translit=0"),
], ids=["send_sms", "get_sms_cost"])
def test_sender_none_means_no_sender(smsc, legacy, loopback, call, without):
    loopback.http.default = Reply(OK)
    call(configure(legacy))
    call(configure(smsc))
    theirs, ours = [r.request_line for r in loopback.requests]
    if b"cost=3" in without:
        assert theirs == GET(without + b"&sender=None")  # 2.0: str(None)
    else:
        assert theirs == GET(without.replace(b"&translit=", b"&sender=None&translit="))
    assert ours == GET(without)


# 2. Settings: checked each time they are used, before any connection, named

BOOLEANS = [("post", "SMSC_POST"), ("https", "SMSC_HTTPS"), ("debug", "SMSC_DEBUG"), ("keepalive", "SMSC_KEEPALIVE")]
TIMEOUTS = [("timeout", "SMSC_TIMEOUT"), ("connect_timeout", "SMSC_CONNECT_TIMEOUT")]
CALLS = [lambda c: c.get_balance(), lambda c: c.send_sms("7999", "hi"), lambda c: c.get_status(1, "7999")]


@pytest.mark.parametrize("name,constant", BOOLEANS)
@pytest.mark.parametrize("value", ["false", "0", "no", "", "1", b"0"])
def test_a_boolean_setting_is_not_text(smsc, loopback, name, constant, value):
    # text: 2.0 read "false" and "0" as true; every other value is read by its truth, as 2.0 read it
    for call in CALLS:
        assert raised(call, instance(smsc, **{name: value})) == (
            TypeError, "SMSC(%s=...) must be True or False (or 1 or 0), not %r" % (name, value))
        assert raised(call, configure(smsc, **{constant: value})) == (
            TypeError, "%s must be True or False (or 1 or 0), not %r" % (constant, value))
        setattr(smsc, constant, False)
    assert loopback.intercept.connections == []


@pytest.mark.parametrize("value,post", [(None, False), (0.0, False), ([], False), (2, True), (-1, True), (1.0, True)])
def test_what_is_not_text_is_read_by_its_truth_as_2_0_read_it(smsc, legacy, loopback, capsys, value, post):
    for module in (legacy, smsc):
        loopback.clear()
        loopback.http.default = Reply(b"42")
        assert configure(module, SMSC_POST=value, SMSC_DEBUG=value).get_balance() == "42"
        assert printed(capsys) == (u"Сумма на счете: 42\n" if post else u"")
        assert [r.request_line.startswith(b"POST") for r in loopback.requests] == [post]


def test_2_0_read_text_booleans_as_true(legacy, loopback, capsys):
    loopback.http.default = Reply(b"100")
    assert configure(legacy, SMSC_POST="0", SMSC_DEBUG="no").get_balance() == "100"
    assert loopback.requests[0].method == b"POST"
    assert printed(capsys) == u"Сумма на счете: 100\n"


@pytest.mark.parametrize("value", [True, False, 1, 0])
def test_booleans_and_0_or_1_are_taken(smsc, loopback, capsys, value):
    loopback.http.default = Reply(b"100")
    client = instance(smsc, post=value, debug=value, keepalive=value)
    assert client.get_balance() == "100"
    assert loopback.requests[0].method == (b"POST" if value else b"GET")
    assert printed(capsys) == (u"Сумма на счете: 100\n" if value else u"")


@pytest.mark.parametrize("name,constant", TIMEOUTS)
@pytest.mark.parametrize("value,error,expected", [
    ("5", TypeError, "a number of seconds or None"),
    (True, TypeError, "a number of seconds or None"),
    ([5], TypeError, "a number of seconds or None"),
    (0, ValueError, "a positive, finite number of seconds or None"),
    (0.0, ValueError, "a positive, finite number of seconds or None"),
    (-1, ValueError, "a positive, finite number of seconds or None"),
    (float("nan"), ValueError, "a positive, finite number of seconds or None"),
    (float("inf"), ValueError, "a positive, finite number of seconds or None"),
    (10 ** 400, ValueError, "a positive, finite number of seconds or None"),  # no float holds it
])
def test_a_timeout_must_be_a_positive_finite_number_or_none(smsc, loopback, name, constant, value, error, expected):
    for call in CALLS + [lambda c: c.send_sms_mail("7999", "hi")]:
        assert raised(call, instance(smsc, **{name: value})) == (
            error, "SMSC(%s=...) must be %s, not %r" % (name, expected, value))
        assert raised(call, configure(smsc, **{constant: value})) == (
            error, "%s must be %s, not %r" % (constant, expected, value))
        setattr(smsc, constant, 10)
    assert loopback.intercept.connections == []


@pytest.mark.parametrize("value", [5, 0.5, None, 3600])
def test_numbers_and_none_are_taken_as_timeouts(smsc, loopback, value):
    loopback.http.default = Reply(b"100")
    assert instance(smsc, timeout=value, connect_timeout=value).get_balance() == "100"
    assert configure(smsc, SMSC_TIMEOUT=value, SMSC_CONNECT_TIMEOUT=value).get_balance() == "100"
    configure(smsc).send_sms_mail("7999", "hi")
    assert len(loopback.requests) == 2 and len(loopback.smtp.messages) == 1


@pytest.mark.parametrize("charset", ["no-such-charset", "base64", "rot13", "hex", "utf-8&phones=70000000000",
                                     "utf-8&", "", " utf-8", "utf 8",
                                     "utf-16", "utf-32", "utf-8-sig", "utf-7"])
# (the last four do not keep ASCII as it is: Python 3 sent the whole request in UTF-16, and took its reply as a
# balance; Python 2 sent it in ASCII)
def test_the_charset_must_be_a_known_text_codec_the_same_on_python_2_and_3(smsc, loopback, charset):
    calls = CALLS + [lambda c: c.send_sms(b"7999", b"hi"), lambda c: c.send_sms_mail("7999", "hi")]
    for call in calls:
        assert raised(call, instance(smsc, charset=charset)) == (
            ValueError, "SMSC(charset=...) must be the name of a charset, such as 'utf-8', not %r" % charset)
        assert raised(call, configure(smsc, SMSC_CHARSET=charset)) == (
            ValueError, "SMSC_CHARSET must be the name of a charset, such as 'utf-8', not %r" % charset)
        smsc.SMSC_CHARSET = "utf-8"
    assert loopback.intercept.connections == []


@pytest.mark.parametrize("charset", [None, 1251] + ([] if six.PY2 else [b"utf-8"]))
def test_a_charset_that_is_not_text_is_a_type_error(smsc, loopback, charset):
    assert raised(instance(smsc, charset=charset).get_balance) == (
        TypeError, "SMSC(charset=...) must be the name of a charset, such as 'utf-8', not %r" % (charset,))
    assert loopback.intercept.connections == []


def test_2_0_with_an_unknown_charset_fails_on_five_hosts(legacy, loopback):
    loopback.http.default = Reply(b"100")
    assert configure(legacy, SMSC_CHARSET="no-such-charset").get_balance() is False  # the reply cannot be decoded
    assert len(loopback.requests) == 5


@pytest.mark.parametrize("charset", ["windows-1251", "KOI8-R", "cp1251", "utf8", "UTF-8"])
def test_known_charsets_are_sent_as_they_are_written(smsc, loopback, charset):
    loopback.http.default = Reply(b"100")
    assert configure(smsc, SMSC_CHARSET=charset).get_balance() == "100"
    assert loopback.requests[0].request_line == GET(
        b"/sys/balance.php?login=alice&psw=secret&fmt=1&charset=" + charset.encode("ascii") + b"&")


@pytest.mark.parametrize("name,constant", [("host", "SMSC_HOST"), ("smtp_server", "SMTP_SERVER"),
                                           ("smtp_from", "SMTP_FROM")])
def test_host_and_mail_addresses_must_be_text(smsc, loopback, name, constant):
    call = CALLS[0] if name == "host" else (lambda c: c.send_sms_mail("7999", "hi"))
    assert raised(call, instance(smsc, **{name: None})) == (
        TypeError, "SMSC(%s=...) must be text, not None" % name)
    assert raised(call, configure(smsc, **{constant: 25})) == (TypeError, "%s must be text, not 25" % constant)
    assert loopback.intercept.connections == []


def test_a_setting_read_after_the_request_is_checked_before_it(smsc, loopback):
    # debug is read once the reply is in: a bad value must not raise after an SMS went out
    loopback.http.default = Reply(OK)
    with pytest.raises(TypeError):
        instance(smsc, debug="no").send_sms("79999999999", "hi")
    with pytest.raises(TypeError):
        instance(smsc, debug="no").send_sms_mail("79999999999", "hi")
    assert loopback.intercept.connections == []


def test_a_subclass_that_never_calls_our_init_is_checked_against_the_constants(smsc, loopback):
    class Legacy(smsc.SMSC):
        def __init__(self):
            pass
    configure(smsc, SMSC_HTTPS="false")
    assert raised(Legacy().get_balance) == (TypeError, "SMSC_HTTPS must be True or False (or 1 or 0), not 'false'")
    assert loopback.intercept.connections == []


# Environment variables: a bad one never stops the import; the calls that read it name it

CALLS_OFFLINE = """
import socket, smsc_api
def offline(*args, **kwargs):
    raise socket.error("offline")
socket.create_connection = offline  # no call of this test reaches a network
for name, args in (("get_balance", ()), ("send_sms_mail", ("7999", "hi"))):
    try:
        getattr(smsc_api.SMSC("alice", "secret"), name)(*args)
        print(name + ": ran")
    except ValueError as error:
        print(name + ": ValueError: %s" % (error,))
    except socket.error:
        print(name + ": offline")
"""


def calls_with(variables):
    """(exit status, [what get_balance and send_sms_mail did], err) in a fresh interpreter with these variables."""
    code, out, err = run_app(CALLS_OFFLINE, **variables)
    return code, out.splitlines(), err


@pytest.mark.parametrize("variables,message", [
    ({"SMSC_TIMEOUT": "abc"}, "environment variable SMSC_TIMEOUT: expected a number of seconds or none, not 'abc'"),
    ({"SMSC_CONNECT_TIMEOUT": "10s"},
     "environment variable SMSC_CONNECT_TIMEOUT: expected a number of seconds or none, not '10s'"),
    ({"SMSC_TIMEOUT": "-1"},
     "environment variable SMSC_TIMEOUT must be a positive, finite number of seconds or None, not -1.0"),
    ({"SMSC_TIMEOUT": "0"},
     "environment variable SMSC_TIMEOUT must be a positive, finite number of seconds or None, not 0.0"),
    ({"SMSC_CONNECT_TIMEOUT": "nan"},
     "environment variable SMSC_CONNECT_TIMEOUT must be a positive, finite number of seconds or None, not nan"),
    ({"SMSC_TIMEOUT": "inf"},
     "environment variable SMSC_TIMEOUT must be a positive, finite number of seconds or None, not inf"),
    ({"SMSC_CHARSET": "no-such-charset"},
     "environment variable SMSC_CHARSET must be the name of a charset, such as 'utf-8', not 'no-such-charset'"),
    # a number Python 3 alone reads (float("5_0")): refused on every Python
    ({"SMSC_TIMEOUT": "5_0"}, "environment variable SMSC_TIMEOUT: expected a number of seconds or none, not '5_0'"),
    ({"SMSC_HOST": "smsc.ru/x"}, "environment variable SMSC_HOST must be a host name (smscentre.com, smsc.ru, ...; "
                                 "host:port for SMTP), not 'smsc.ru/x'"),
])
def test_a_bad_environment_variable_is_named_by_each_call_that_reads_it(variables, message):
    assert calls_with(variables) == (0, ["get_balance: ValueError: " + message,
                                         "send_sms_mail: ValueError: " + message], "")


def test_a_bad_smtp_variable_is_named_by_mail_alone():
    message = ("environment variable SMSC_SMTP_SERVER must be a host name (smscentre.com, smsc.ru, ...; host:port for "
               "SMTP), not 'smtp://mail'")
    assert calls_with({"SMSC_SMTP_SERVER": "smtp://mail"}) == (
        0, ["get_balance: ran", "send_sms_mail: ValueError: " + message], "")


def test_a_setting_given_in_code_replaces_a_bad_variable():
    code = CALLS_OFFLINE.replace("import socket, smsc_api", "import socket, smsc_api\nsmsc_api.SMSC_TIMEOUT = 5")
    assert run_app(code, SMSC_TIMEOUT="abc") == (0, "get_balance: ran\nsend_sms_mail: offline\n", "")
    instance = CALLS_OFFLINE.replace('smsc_api.SMSC("alice", "secret")', 'smsc_api.SMSC("alice", "secret", timeout=5)')
    assert run_app(instance, SMSC_TIMEOUT="abc") == (0, "get_balance: ran\nsend_sms_mail: offline\n", "")


@pytest.mark.parametrize("variables", [
    {},
    # an application's own mail settings, and variables left empty (VAR=, as .env files and docker-compose leave them)
    {"SMTP_SERVER": "smtp://mail.example.org", "SMTP_LOGIN": "app", "SMTP_PASSWORD": "app-secret", "SMTP_FROM": ""},
    {"SMSC_CHARSET": "", "SMSC_HOST": "", "SMSC_SMTP_SERVER": "", "SMSC_TIMEOUT": "", "SMSC_DEBUG": " "},
])
def test_good_or_foreign_or_empty_variables_change_nothing(variables):
    assert calls_with(variables) == (0, ["get_balance: ran", "send_sms_mail: offline"], "")


# 4. What a hostile review found (each failed before its fix)

def test_a_subclass_or_an_int_enum_sends_its_own_digits(smsc, loopback):
    # str() of a subclass, or of an IntEnum on Python 3.6-3.10, is whatever it says: the digits are sent
    class Sly(str):
        def __str__(self):
            return "5&phones=70000000000"

    class SlyInt(int):
        def __str__(self):
            return "5&phones=70000000000"
    values = [Sly("5"), SlyInt(5)]
    if not six.PY2:
        import enum
        values.append(enum.IntEnum("Ids", [("FIVE", 5)]).FIVE)
    loopback.http.default = Reply(OK)
    client = configure(smsc)
    for value in values:
        client.send_sms("79999999999", "hi", id=value)
        client.get_status(value, "79999999999")
    client.send_sms("79999999999", "hi", translit=SlyInt(1))
    send = (b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=hi"
            b"&translit=%s&id=%s")
    status = b"/sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999&id=5&all=0"
    assert [r.request_line for r in loopback.requests] == [GET(send % (b"0", b"5")), GET(status)] * len(values) + [
        GET(send % (b"1", b"0"))]


def test_int_phones_and_senders_are_sent_as_their_digits(smsc, loopback):
    # an IntEnum on Python 3.6-3.10 (or an int subclass) said its name through str(): "Staff.BOSS"
    class SlyInt(int):
        def __str__(self):
            return "Staff.BOSS"
    loopback.http.default = Reply(OK)
    client = configure(smsc)
    client.send_sms(SlyInt(79999999999), "hi", sender=SlyInt(42))
    client.send_sms([SlyInt(79999999999), 79999999998], "hi")
    client.get_status(5, SlyInt(79999999999))
    send = b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=%s&mes=hi&translit=0&id=0%s"
    assert [r.request_line for r in loopback.requests] == [
        GET(send % (b"79999999999", b"&sender=42")), GET(send % (b"79999999999%2C79999999998", b"")),
        GET(b"/sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999&id=5&all=0")]


def test_get_status_takes_the_gateways_trailing_comma_for_one_id(smsc, legacy, loopback):
    loopback.http.default = Reply(b"1,1561977123,0")
    theirs = configure(legacy).get_status("101,", "79999999999,")
    assert configure(smsc).get_status("101,", "79999999999,") == theirs == ["1", "1561977123", "0"]  # one id: flat
    theirs, ours = [r.request_line for r in loopback.requests]
    assert ours == theirs == GET(
        b"/sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999%2C&id=101,&all=0")


@pytest.mark.parametrize("phones", [[""], ["79999999999", " "], ("",)])
def test_a_blank_phone_in_a_list_is_refused(smsc, loopback, phones):
    assert raised(configure(smsc).send_sms, phones, "hi") == (ValueError, "phones must not hold an empty item")
    assert loopback.intercept.connections == []


@pytest.mark.parametrize("settings", [dict(timeout=1e10), dict(timeout=None, connect_timeout=1e10),
                                      dict(timeout=10 ** 12, connect_timeout=10 ** 12)])
def test_a_huge_timeout_waits_as_long_as_a_socket_can(smsc, loopback, settings):
    loopback.http.default = Reply(b"42")
    assert instance(smsc, **settings).get_balance() == "42"


def test_the_host_is_a_host_name(smsc, loopback):
    for host in ("", "evil.example/x?", "user@smsc.ru", "smsc.ru ", "smsc.ru:99999", "smsc.ru:0", "smsc.ru:"):
        assert raised(CALLS[0], instance(smsc, host=host))[0] is ValueError
    assert loopback.intercept.connections == []
