# -*- coding: utf-8 -*-
"""Issue 10: no parameter can rewrite a request, settings are checked when they are used, and
debug output masks every secret however it is written.

Every check is raised before any connection and names the parameter or the setting. Where a
value that 2.0 accepted is now refused (docs/differences.md, rows 15-18), 2.0 runs
beside ours (fixture `legacy`) to show what it did with it.
"""
import base64

import pytest
import six

from helpers import GET, HEADER, HTTP_VERSION, configure, native, printed, run_app
from servers import Reply

OK = b"15,1,1.5,98.5"
ID = "an int, or text of up to 40 Latin letters, digits, '.', '-' and '_'"  # what an id may be, as errors say


def instance(module, **settings):
    """SMSC("alice", "secret", **settings): every setting an argument, the module constants left as they are."""
    return module.SMSC("alice", "secret", **settings)


def raised(call, *args, **kwargs):
    """(exception class, message) of call(*args, **kwargs), or ("returned", None)."""
    try:
        call(*args, **kwargs)
    except Exception as error:
        return type(error), str(error)
    return "returned", None


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
def test_a_parameter_cannot_add_or_change_another(smsc, legacy, gw, name, call, value, sent_by_2_0):
    gw.http.default = Reply(OK)
    call(configure(legacy), value)  # 2.0 pasted the value into the request as it was
    assert [r.request_line for r in gw.requests] == [GET(sent_by_2_0)]
    gw.clear()
    with pytest.raises(ValueError) as error:
        call(configure(smsc), value)
    assert str(error.value).startswith(name + " must be an int")
    assert gw.intercept.connections == []


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
def test_valid_values_send_the_bytes_of_2_0(smsc, legacy, gw, call, target):
    gw.http.default = Reply(OK)
    call(configure(legacy))
    call(configure(smsc))
    theirs, ours = gw.requests
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
def test_wrong_values_are_refused_before_any_connection_naming_the_parameter(smsc, gw, call, error, message):
    assert raised(call, configure(smsc)) == (error, message)
    assert gw.intercept.connections == []


def test_a_long_refused_value_is_cut_in_the_message(smsc, gw):
    assert raised(configure(smsc).send_sms, "7999", "hi", id="1" * 39 + "x" * 100) == (
        ValueError, "id must be %s, not %r" % (ID, "1" * 39 + "x"))


def test_a_character_outside_the_charset_in_id_names_id(smsc, gw):
    client = configure(smsc, SMSC_CHARSET="koi8-r")
    euro = u"1\u20ac"
    assert raised(client.send_sms, "7999", "hi", id=euro) == (ValueError, "id must be %s, not %r" % (ID, euro))
    assert raised(client.send_sms_mail, "7999", "hi", id=euro) == (ValueError, "id must be %s, not %r" % (ID, euro))
    assert raised(client.get_status, euro, "7999") == (
        ValueError, "id must be %s (ids separated by commas), not %r" % (ID, euro))
    assert gw.intercept.connections == []


# format as text of digits; all="0" means 0

@pytest.mark.parametrize("format,flag", [("0", b""), ("1", b"&flash=1"), ("12", b"&"), ("13", b"&tg=1")])
def test_format_may_be_text_of_digits(smsc, gw, format, flag):
    gw.http.default = Reply(OK)
    configure(smsc).send_sms("79999999999", "hi", format=format)
    configure(smsc).send_sms_mail("79999999999", "hi", format=format)
    assert gw.requests[0].request_line == GET(
        b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=hi&translit=0&id=0"
        + flag)
    options = b"0," + format.encode("ascii") + b","
    assert gw.smtp.messages[0]["data"] == HEADER + b"alice:secret:0::" + options + b":79999999999:hi\r\n"


HLR = b"1,1561977123,0,250013900000000,79000000000,7,1,Russia,MTS,Roaming,Operator"


def test_all_as_text_0_keeps_the_hlr_fields(smsc, legacy, gw):
    gw.http.default = Reply(HLR)
    # 2.0: any non-empty all, "0" too, re-joins the reply as all=1 does, into 9 fields
    assert configure(legacy).get_status(1, "79999999999", all="0") == HLR.decode("ascii").split(",", 8)
    assert configure(smsc).get_status(1, "79999999999", all="0") == HLR.decode("ascii").split(",")
    assert gw.requests[0].request_line == gw.requests[1].request_line


# sender=None means no sender; time None or 0 means no time

@pytest.mark.parametrize("call,without", [
    (lambda c: c.send_sms("79999999999", "hi", sender=None),
     b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=hi&translit=0&id=0"),
    (lambda c: c.get_sms_cost("79999999999", "hi", sender=None),
     b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=1&phones=79999999999&mes=hi&translit=0"),
], ids=["send_sms", "get_sms_cost"])
def test_sender_none_means_no_sender(smsc, legacy, gw, call, without):
    gw.http.default = Reply(OK)
    call(configure(legacy))
    call(configure(smsc))
    theirs, ours = [r.request_line for r in gw.requests]
    if b"cost=3" in without:
        assert theirs == GET(without + b"&sender=None")  # 2.0: str(None)
    else:
        assert theirs == GET(without.replace(b"&translit=", b"&sender=None&translit="))
    assert ours == GET(without)


@pytest.mark.parametrize("kwargs", [dict(sender=None), dict(sender=False), dict(sender=0), dict(time=None),
                                    dict(time=0), dict(time=False)])
def test_mail_takes_none_and_0_as_send_sms_does(smsc, legacy, gw, kwargs):
    with pytest.raises(TypeError):  # 2.0 concatenated them to text
        configure(legacy).send_sms_mail("79999999999", "hi", **kwargs)
    configure(smsc).send_sms_mail("79999999999", "hi", **kwargs)
    assert gw.smtp.messages[-1]["data"] == HEADER + b"alice:secret:0::0,0,:79999999999:hi\r\n"


# send_sms_mail accepts exactly what send_sms accepts

VALUES = [0, 1, 13, 14, -1, 2 ** 40, "1", "13", "14", "x", "", "1&x=2", "1:2", None, True, False, 1.0, [1], b"2"]


@pytest.mark.parametrize("name", ["id", "translit", "format", "time", "sender"])
def test_mail_accepts_exactly_what_send_sms_accepts(smsc, gw, name):
    gw.http.default = Reply(OK)
    client = configure(smsc)
    for value in VALUES + [u"Я", "+5", "0101251200"]:
        sms = raised(client.send_sms, "79999999999", "hi", **{name: value})
        mail = raised(client.send_sms_mail, "79999999999", "hi", **{name: value})
        if sms == ("returned", None) and u":" in u"%s" % (value,):  # what a mail alone cannot carry: its separator
            sms = (ValueError, "%s must not hold ':' in send_sms_mail: it would shift the mail's fields" % name)
        assert (value, mail) == (value, sms)


@pytest.mark.parametrize("name,value,shifted", [
    ("sender", "shop:70000000000", b"alice:secret:0::0,0,shop:70000000000:79999999999:hi"),
    ("time", "0:70000000000", b"alice:secret:0:0:70000000000:0,0,:79999999999:hi"),
    ("phones", "79999999999:evil", b"alice:secret:0::0,0,:79999999999:evil:hi"),
])
def test_mail_refuses_a_colon_that_would_shift_its_fields(smsc, legacy, gw, name, value, shifted):
    # 2.0 pasted it into the mail: the gateway then reads the next field from it (70000000000 as the phones)
    arguments = dict({"phones": "79999999999", "message": "hi"}, **{name: value})
    configure(legacy).send_sms_mail(**arguments)
    assert gw.smtp.messages[0]["data"] == HEADER + shifted + b"\r\n"
    assert raised(configure(smsc).send_sms_mail, **arguments) == (
        ValueError, "%s must not hold ':' in send_sms_mail: it would shift the mail's fields" % name)
    assert len(gw.smtp.sessions) == 1


def test_mail_refuses_a_colon_in_the_credentials(smsc, gw):
    for constants, name in ((dict(SMSC_PASSWORD="se:cret"), "SMSC_PASSWORD"),
                            (dict(SMSC_LOGIN="al:ice"), "SMSC_LOGIN")):
        assert raised(configure(smsc, **constants).send_sms_mail, "7999", "m") == (
            ValueError, "%s must not hold ':' in send_sms_mail: it would shift the mail's fields" % name)
    assert raised(smsc.SMSC(login="alice", password="se:cret").send_sms_mail, "7999", "m") == (
        ValueError, "SMSC(password=...) must not hold ':' in send_sms_mail: it would shift the mail's fields")
    assert gw.smtp.sessions == []


def test_mail_format_outside_0_to_13_is_refused_as_by_send_sms(smsc, legacy, gw):
    configure(legacy).send_sms_mail("7999", "m", format=20)  # 2.0: no list of formats for mail
    assert gw.smtp.messages[0]["data"] == HEADER + b"alice:secret:0::0,20,:7999:m\r\n"
    assert raised(configure(smsc).send_sms_mail, "7999", "m", format=20) == (
        IndexError, "format must be from 0 to 13, not 20")
    assert len(gw.smtp.sessions) == 1


def test_mail_id_that_is_not_an_id_is_refused(smsc, legacy, gw):
    configure(legacy).send_sms_mail("7999", "m", id="new:79990000000")  # shifts the fields of the mail
    assert gw.smtp.messages[0]["data"] == HEADER + b"alice:secret:new:79990000000::0,0,:7999:m\r\n"
    assert raised(configure(smsc).send_sms_mail, "7999", "m", id="new:79990000000") == (
        ValueError, "id must be %s, not 'new:79990000000'" % ID)
    assert len(gw.smtp.sessions) == 1


# 2. Settings: checked each time they are used, before any connection, named

BOOLEANS = [("post", "SMSC_POST"), ("https", "SMSC_HTTPS"), ("debug", "SMSC_DEBUG"), ("keepalive", "SMSC_KEEPALIVE")]
TIMEOUTS = [("timeout", "SMSC_TIMEOUT"), ("connect_timeout", "SMSC_CONNECT_TIMEOUT")]
CALLS = [lambda c: c.get_balance(), lambda c: c.send_sms("7999", "hi"), lambda c: c.get_status(1, "7999")]


@pytest.mark.parametrize("name,constant", BOOLEANS)
@pytest.mark.parametrize("value", ["false", "0", "no", "", "1", b"0"])
def test_a_boolean_setting_is_not_text(smsc, gw, name, constant, value):
    # text: 2.0 read "false" and "0" as true; every other value is read by its truth, as 2.0 read it
    for call in CALLS:
        assert raised(call, instance(smsc, **{name: value})) == (
            TypeError, "SMSC(%s=...) must be True or False (or 1 or 0), not %r" % (name, value))
        assert raised(call, configure(smsc, **{constant: value})) == (
            TypeError, "%s must be True or False (or 1 or 0), not %r" % (constant, value))
        setattr(smsc, constant, False)
    assert gw.intercept.connections == []


@pytest.mark.parametrize("value,post", [(None, False), (0.0, False), ([], False), (2, True), (-1, True), (1.0, True)])
def test_what_is_not_text_is_read_by_its_truth_as_2_0_read_it(smsc, legacy, gw, capsys, value, post):
    for module in (legacy, smsc):
        gw.clear()
        gw.http.default = Reply(b"42")
        assert configure(module, SMSC_POST=value, SMSC_DEBUG=value).get_balance() == "42"
        assert printed(capsys) == (u"Сумма на счете: 42\n" if post else u"")
        assert [r.request_line.startswith(b"POST") for r in gw.requests] == [post]


def test_2_0_read_text_booleans_as_true(legacy, gw, capsys):
    gw.http.default = Reply(b"100")
    assert configure(legacy, SMSC_POST="0", SMSC_DEBUG="no").get_balance() == "100"
    assert gw.requests[0].method == b"POST"
    assert printed(capsys) == u"Сумма на счете: 100\n"


@pytest.mark.parametrize("value", [True, False, 1, 0])
def test_booleans_and_0_or_1_are_taken(smsc, gw, capsys, value):
    gw.http.default = Reply(b"100")
    client = instance(smsc, post=value, debug=value, keepalive=value)
    assert client.get_balance() == "100"
    assert gw.requests[0].method == (b"POST" if value else b"GET")
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
def test_a_timeout_must_be_a_positive_finite_number_or_none(smsc, gw, name, constant, value, error, expected):
    for call in CALLS + [lambda c: c.send_sms_mail("7999", "hi")]:
        assert raised(call, instance(smsc, **{name: value})) == (
            error, "SMSC(%s=...) must be %s, not %r" % (name, expected, value))
        assert raised(call, configure(smsc, **{constant: value})) == (
            error, "%s must be %s, not %r" % (constant, expected, value))
        setattr(smsc, constant, 10)
    assert gw.intercept.connections == []


@pytest.mark.parametrize("value", [5, 0.5, None, 3600])
def test_numbers_and_none_are_taken_as_timeouts(smsc, gw, value):
    gw.http.default = Reply(b"100")
    assert instance(smsc, timeout=value, connect_timeout=value).get_balance() == "100"
    assert configure(smsc, SMSC_TIMEOUT=value, SMSC_CONNECT_TIMEOUT=value).get_balance() == "100"
    configure(smsc).send_sms_mail("7999", "hi")
    assert len(gw.requests) == 2 and len(gw.smtp.messages) == 1


@pytest.mark.parametrize("charset", ["no-such-charset", "base64", "rot13", "hex", "utf-8&phones=70000000000",
                                     "utf-8&", "", " utf-8", "utf 8",
                                     "utf-16", "utf-32", "utf-8-sig", "utf-7"])
# (the last four do not keep ASCII as it is: Python 3 sent the whole request in UTF-16, and took its reply as a
# balance; Python 2 sent it in ASCII)
def test_the_charset_must_be_a_known_text_codec_the_same_on_python_2_and_3(smsc, gw, charset):
    calls = CALLS + [lambda c: c.send_sms(b"7999", b"hi"), lambda c: c.send_sms_mail("7999", "hi")]
    for call in calls:
        assert raised(call, instance(smsc, charset=charset)) == (
            ValueError, "SMSC(charset=...) must be the name of a charset, such as 'utf-8', not %r" % charset)
        assert raised(call, configure(smsc, SMSC_CHARSET=charset)) == (
            ValueError, "SMSC_CHARSET must be the name of a charset, such as 'utf-8', not %r" % charset)
        smsc.SMSC_CHARSET = "utf-8"
    assert gw.intercept.connections == []


@pytest.mark.parametrize("charset", [None, 1251] + ([] if six.PY2 else [b"utf-8"]))
def test_a_charset_that_is_not_text_is_a_type_error(smsc, gw, charset):
    assert raised(instance(smsc, charset=charset).get_balance) == (
        TypeError, "SMSC(charset=...) must be the name of a charset, such as 'utf-8', not %r" % (charset,))
    assert gw.intercept.connections == []


def test_2_0_with_an_unknown_charset_fails_on_five_hosts(legacy, gw):
    gw.http.default = Reply(b"100")
    assert configure(legacy, SMSC_CHARSET="no-such-charset").get_balance() is False  # the reply cannot be decoded
    assert len(gw.requests) == 5


@pytest.mark.parametrize("charset", ["windows-1251", "KOI8-R", "cp1251", "utf8", "UTF-8"])
def test_known_charsets_are_sent_as_they_are_written(smsc, gw, charset):
    gw.http.default = Reply(b"100")
    assert configure(smsc, SMSC_CHARSET=charset).get_balance() == "100"
    assert gw.requests[0].request_line == GET(
        b"/sys/balance.php?login=alice&psw=secret&fmt=1&charset=" + charset.encode("ascii") + b"&")


@pytest.mark.parametrize("name,constant", [("host", "SMSC_HOST"), ("smtp_server", "SMTP_SERVER"),
                                           ("smtp_from", "SMTP_FROM")])
def test_host_and_mail_addresses_must_be_text(smsc, gw, name, constant):
    call = CALLS[0] if name == "host" else (lambda c: c.send_sms_mail("7999", "hi"))
    assert raised(call, instance(smsc, **{name: None})) == (
        TypeError, "SMSC(%s=...) must be text, not None" % name)
    assert raised(call, configure(smsc, **{constant: 25})) == (TypeError, "%s must be text, not 25" % constant)
    assert gw.intercept.connections == []


def test_a_setting_read_after_the_request_is_checked_before_it(smsc, gw):
    # debug is read once the reply is in: a bad value must not raise after an SMS went out
    gw.http.default = Reply(OK)
    with pytest.raises(TypeError):
        instance(smsc, debug="no").send_sms("79999999999", "hi")
    with pytest.raises(TypeError):
        instance(smsc, debug="no").send_sms_mail("79999999999", "hi")
    assert gw.intercept.connections == []


def test_a_subclass_that_never_calls_our_init_is_checked_against_the_constants(smsc, gw):
    class Legacy(smsc.SMSC):
        def __init__(self):
            pass
    configure(smsc, SMSC_HTTPS="false")
    assert raised(Legacy().get_balance) == (TypeError, "SMSC_HTTPS must be True or False (or 1 or 0), not 'false'")
    assert gw.intercept.connections == []


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


# 3. Secrets in debug output and logs, however they are written

@pytest.fixture
def smtp_debug(smsc, debug_run):
    """run(**constants): conftest's debug_run of send_sms_mail("7999", "hi") as alice (password "secret"),
    SMSC_DEBUG on, then `constants`; stderr and the "send:" lines smtplib printed there."""
    def run(**constants):
        smsc.SMSC_LOGIN, smsc.SMSC_PASSWORD = "alice", "secret"
        err = debug_run(smsc, True, message="hi", **constants).err
        return err, [line for line in err.splitlines() if line.startswith("send: ")]
    return run


def every_form(secret):
    """What a leak of secret may look like in the dialogue smtplib prints."""
    raw = secret.encode("utf-8")
    forms = set([secret, secret.strip()])
    for value in (raw, raw.strip(), b"\0mailer\0" + raw):
        forms.add(base64.b64encode(value).decode("ascii"))
    return forms


@pytest.mark.parametrize("password", ["s3cr3t-smsc\n", "s3cr3t-smsc \r\n", "s3cr3t-smsc\t", " s3cr3t-smsc"])
@pytest.mark.parametrize("smtp_password", ["mailpass\n", "mailpass \r\n", "mailpass  "])
def test_smtp_dialogue_masks_passwords_read_from_a_file(smtp_debug, gw, password, smtp_password):
    err, sent = smtp_debug(SMSC_PASSWORD=password, SMTP_PASSWORD=smtp_password)
    for secret in (password, smtp_password):
        for form in every_form(secret):
            assert form not in err
    assert sent[1] == "send: 'AUTH PLAIN ***\\r\\n'"
    assert sent[-2] == "send: %r" % (HEADER + b"alice:***:0::0,0,:7999:hi\r\n.\r\n")
    data = gw.smtp.messages[0]["data"]  # the server still got them
    assert data == HEADER + b"alice:" + password.encode("ascii").replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") + \
        b":0::0,0,:7999:hi\r\n"


@pytest.mark.parametrize("written", [
    "pa ss/w%rd\n",           # as it is
    "pa ss/w%rd",             # without its line feed
    "pa ss/w%rd\\n",          # as repr() writes it
    "pa%20ss/w%25rd%0A",      # percent-encoded, as the request carries it
    "pa%20ss/w%25rd",
    "pa%20ss%2Fw%25rd%0A",    # percent-encoded with "/" too
    "pa+ss%2Fw%25rd%0A",      # as a form body (quote_plus)
    "cGEgc3MvdyVyZAo=",       # base64
    "cGEgc3MvdyVyZA==",
])
def test_log_messages_mask_every_form_of_the_password(smsc, written):
    client = smsc.SMSC(password="pa ss/w%rd\n")
    assert smsc._failure_text(client, IOError("failed <%s>" % written), "login=x") == (
        "%s: failed <***>" % IOError.__name__)


def test_log_messages_mask_the_smtp_password_and_the_query(smsc):
    client = smsc.SMSC(password="pw", smtp_login="mailer", smtp_password=u"пароль\n")
    encoded = base64.b64encode(u"пароль".encode("utf-8")).decode("ascii")
    error = ValueError(native(u"<пароль> <%s> <a=1&b=2>" % encoded))  # an exception's text: the native str
    assert smsc._failure_text(client, error, "a=1&b=2") == "ValueError: <***> <***> <***>"


# The helpers the transport uses for its own log lines

def test_secret_forms_and_masked(smsc):
    forms = smsc._secret_forms([u"пароль\n", b"key\r\n", None, u"", b"  "], "utf-8")
    as_bytes, as_text = forms
    assert all(isinstance(form, bytes) for form in as_bytes) and all(isinstance(f, six.text_type) for f in as_text)
    assert [len(form) for form in as_bytes] == sorted((len(form) for form in as_bytes), reverse=True)
    assert b"" not in as_bytes and u"" not in as_text
    assert smsc._masked(b"psw=%D0%BF%D0%B0%D1%80%D0%BE%D0%BB%D1%8C%0A&x", forms) == b"psw=***&x"
    assert smsc._masked(u"пароль and key and a2V5DQo=", forms) == u"*** and *** and ***"
    assert smsc._masked(b"AUTH " + base64.b64encode(u"пароль".encode("utf-8")), forms) == b"AUTH ***"
    assert smsc._masked(u"nothing secret", smsc._secret_forms([], "utf-8")) == u"nothing secret"


def test_secrets_of_an_instance(smsc):
    client = smsc.SMSC(password="pw", smtp_login="mailer", smtp_password="mp")
    assert smsc._secrets(client) == ["pw", "mp", b"\0mailer\0mp"]
    assert smsc._secrets(smsc.SMSC(password="pw")) == ["pw", ""]


# 4. What a hostile review found (each failed before its fix)

def test_a_subclass_or_an_int_enum_sends_its_own_digits(smsc, gw):
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
    gw.http.default = Reply(OK)
    client = configure(smsc)
    for value in values:
        client.send_sms("79999999999", "hi", id=value)
        client.get_status(value, "79999999999")
    client.send_sms("79999999999", "hi", translit=SlyInt(1))
    send = (b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=hi"
            b"&translit=%s&id=%s")
    status = b"/sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999&id=5&all=0"
    assert [r.request_line for r in gw.requests] == [GET(send % (b"0", b"5")), GET(status)] * len(values) + [
        GET(send % (b"1", b"0"))]


def test_int_phones_and_senders_are_sent_as_their_digits(smsc, gw):
    # an IntEnum on Python 3.6-3.10 (or an int subclass) said its name through str(): "Staff.BOSS"
    class SlyInt(int):
        def __str__(self):
            return "Staff.BOSS"
    gw.http.default = Reply(OK)
    client = configure(smsc)
    client.send_sms(SlyInt(79999999999), "hi", sender=SlyInt(42))
    client.send_sms([SlyInt(79999999999), 79999999998], "hi")
    client.get_status(5, SlyInt(79999999999))
    send = b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=%s&mes=hi&translit=0&id=0%s"
    assert [r.request_line for r in gw.requests] == [
        GET(send % (b"79999999999", b"&sender=42")), GET(send % (b"79999999999%2C79999999998", b"")),
        GET(b"/sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999&id=5&all=0")]


def test_get_status_takes_the_gateways_trailing_comma_for_one_id(smsc, legacy, gw):
    gw.http.default = Reply(b"1,1561977123,0")
    theirs = configure(legacy).get_status("101,", "79999999999,")
    assert configure(smsc).get_status("101,", "79999999999,") == theirs == ["1", "1561977123", "0"]  # one id: flat
    theirs, ours = [r.request_line for r in gw.requests]
    assert ours == theirs == GET(
        b"/sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999%2C&id=101,&all=0")


@pytest.mark.parametrize("phones", [[""], ["79999999999", " "], ("",)])
def test_a_blank_phone_in_a_list_is_refused(smsc, gw, phones):
    assert raised(configure(smsc).send_sms, phones, "hi") == (ValueError, "phones must not hold an empty item")
    assert gw.intercept.connections == []


def test_a_password_outside_the_charset_is_refused_without_showing_it(smsc, gw):
    client = configure(smsc, SMSC_CHARSET="koi8-r", SMSC_PASSWORD=u"секрет\u20ac")
    for call in (client.get_balance, lambda: client.send_sms_mail("7999", "hi")):
        with pytest.raises(UnicodeEncodeError) as error:
            call()
        assert str(error.value) == "SMSC_PASSWORD cannot be encoded in SMSC_CHARSET koi8-r"
        assert u"\u20ac" not in repr(error.value.args) and "position" not in str(error.value)
    assert gw.intercept.connections == []


def test_an_smtp_password_that_auth_cannot_carry_is_refused_without_showing_it(smsc, gw):
    client = configure(smsc, SMTP_LOGIN="mailer", SMTP_PASSWORD=u"p\u00e4ssw\u00f6rd")
    with pytest.raises(UnicodeEncodeError) as error:
        client.send_sms_mail("7999", "hi")
    assert str(error.value).startswith("SMTP_LOGIN or SMTP_PASSWORD cannot be encoded for SMTP AUTH")
    assert u"\u00e4" not in repr(error.value.args) and "position" not in str(error.value)


def test_a_short_password_is_masked_only_where_it_stands_alone(smsc):
    forms = smsc._secret_forms(["e"])
    assert smsc._masked(u"ConnectionRefusedError: [Errno 111] Connection refused", forms) == (
        u"ConnectionRefusedError: [Errno 111] Connection refused")
    assert smsc._masked(u"login=alice&psw=e&fmt=1 alice:e:0", forms) == u"login=alice&psw=***&fmt=1 alice:***:0"
    assert smsc._masked(b"alice:e:0", forms) == b"alice:***:0"


def test_smsc_debug_masks_what_the_smtp_server_echoes(smtp_debug, gw):
    # a server that echoes AUTH and the message in its replies: smtplib prints the replies too
    gw.smtp.fail["auth"] = "235 accepted AUTH PLAIN " + base64.b64encode(b"\0mailer\0mailpass").decode("ascii")
    gw.smtp.fail["message"] = "250 queued alice:s3cr3t-smsc:0::0,0,:7999:hi"
    err, sent = smtp_debug(SMSC_PASSWORD="s3cr3t-smsc", SMTP_PASSWORD="mailpass")
    for secret in ("s3cr3t-smsc", "mailpass", base64.b64encode(b"\0mailer\0mailpass").decode("ascii")):
        assert secret not in err
    assert "235 accepted AUTH PLAIN ***" in err and "250 queued alice:***:0::0,0,:7999:hi" in err


@pytest.mark.parametrize("settings", [dict(timeout=1e10), dict(timeout=None, connect_timeout=1e10),
                                      dict(timeout=10 ** 12, connect_timeout=10 ** 12)])
def test_a_huge_timeout_waits_as_long_as_a_socket_can(smsc, gw, settings):
    gw.http.default = Reply(b"42")
    assert instance(smsc, **settings).get_balance() == "42"


def test_keepalive_without_poll_uses_select(alive, kept, monkeypatch):
    # Windows has no select.poll: an idle connection is checked with select()
    import select
    monkeypatch.delattr(select, "poll", raising=False)
    kept.default = Reply(b"42")
    assert [alive.get_balance(), alive.get_balance()] == ["42", "42"]
    alive.close()
    assert [r.connection for r in kept.requests] == [1, 1]


def test_the_host_is_a_host_name(smsc, gw):
    for host in ("", "evil.example/x?", "user@smsc.ru", "smsc.ru ", "smsc.ru:99999", "smsc.ru:0", "smsc.ru:"):
        assert raised(CALLS[0], instance(smsc, host=host))[0] is ValueError
    assert gw.intercept.connections == []
