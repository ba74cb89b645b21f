# -*- coding: utf-8 -*-
"""What is refused, and why (docs/differences.md): bad input is a clear error naming the parameter, raised before
any connection, and no parameter can rewrite a request (issue 10); what the gateway accepts is sent as 2.0 sent it.

Where a value that 2.0 accepted is now refused (docs/differences.md, rows 8, 15 and 16), 2.0 runs
beside ours (fixture `legacy`) to show what it did with it. Settings, checked when they are used: test_settings.py;
send_sms_mail's own checks: test_mail.py; no secret in what is raised: test_secrets.py; any value at all:
test_validation_properties.py.
"""
import io

import pytest
import six

from helpers import GET, HEADER, HTTP_VERSION, ID, configure, raised
from servers import Reply

OK = b"15,1,1.5,98.5"


# 1. id, translit, format, all: an int or text of digits; nothing else reaches the request (docs/differences.md
# row 15)

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


def test_get_status_takes_the_gateways_trailing_comma_for_one_id(smsc, legacy, loopback):
    loopback.http.default = Reply(b"1,1561977123,0")
    theirs = configure(legacy).get_status("101,", "79999999999,")
    assert configure(smsc).get_status("101,", "79999999999,") == theirs == ["1", "1561977123", "0"]  # one id: flat
    theirs, ours = [r.request_line for r in loopback.requests]
    assert ours == theirs == GET(
        b"/sys/status.php?login=alice&psw=secret&fmt=1&charset=utf-8&phone=79999999999%2C&id=101,&all=0")


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


# sender=None means no sender (docs/differences.md row 16; time None or 0 means no time in send_sms_mail too:
# test_mail.py)

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


# 2. phones, message, time, query of a wrong type, format outside 0-13: a clear error naming the parameter;
# phones may be a list, a tuple or an int (docs/differences.md row 8)

@pytest.mark.parametrize("format", [14, 15, -1, -13, 100])
def test_format_outside_0_to_13_is_an_index_error_naming_format(smsc, legacy, loopback, format):
    loopback.http.default = Reply(b"1,1")
    if -13 < format < 0:  # 2.0: formats[format - 1] is an index all the same: a plain SMS, sent silently
        assert configure(legacy).send_sms("79999999999", "hi", format=format) == ["1", "1"]
        assert [request.request_line for request in loopback.requests] == [GET(
            b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=hi"
            b"&translit=0&id=0")]
    else:  # 2.0: a bare IndexError
        with pytest.raises(IndexError) as bare:
            configure(legacy).send_sms("79999999999", "hi", format=format)
        assert str(bare.value) == "list index out of range"
    loopback.clear()
    with pytest.raises(IndexError) as error:
        configure(smsc).send_sms("79999999999", "hi", format=format)
    assert str(error.value) == "format must be from 0 to 13, not %d" % format
    with pytest.raises(IndexError):
        configure(smsc).get_sms_cost("79999999999", "hi", format=format)
    assert loopback.intercept.connections == []


@pytest.mark.parametrize("phones,sent", [
    (["79999999999", "79999999998"], b"79999999999%2C79999999998"),
    (("79999999999", 79999999998), b"79999999999%2C79999999998"),
    (79999999999, b"79999999999"),
])
def test_phones_may_be_a_list_a_tuple_or_an_int(smsc, legacy, loopback, phones, sent):
    loopback.http.default = Reply(b"1,2")
    with pytest.raises((TypeError, AttributeError)):  # 2.0: from inside quote()
        configure(legacy).send_sms(phones, "hi")
    assert configure(smsc).send_sms(phones, "hi") == ["1", "2"]
    assert loopback.requests[0].request_line == GET(
        b"/sys/send.php?login=alice&psw=secret&fmt=1&charset=utf-8&cost=3&phones=" + sent +
        b"&mes=hi&translit=0&id=0")


@pytest.mark.parametrize("call,message", [
    (lambda c: c.send_sms(None, "hi"), "phones must be text, bytes, an int or a list of them, not NoneType"),
    (lambda c: c.send_sms(["7999", 1.5], "hi"), "phones must be text, bytes, an int or a list of them, not float"),
    (lambda c: c.send_sms("7999", None), "message must be text or bytes, not NoneType"),
    (lambda c: c.send_sms("7999", "hi", format=1.5), "format must be an int or text of digits, not float"),
    (lambda c: c.send_sms("7999", "hi", time=1234), "time must be text or bytes, not int"),
    (lambda c: c.get_sms_cost({"7999": 1}, "hi"), "phones must be text, bytes, an int or a list of them, not dict"),
    (lambda c: c.get_status(1, None), "phone must be text, bytes, an int or a list of them, not NoneType"),
    (lambda c: c.send_sms_mail("7999", 5), "message must be text or bytes, not int"),
])
def test_wrong_types_are_a_type_error_naming_the_parameter(smsc, legacy, loopback, call, message):
    with pytest.raises((TypeError, AttributeError)) as error20:  # 2.0: from inside quote() or "+"
        call(configure(legacy))
    assert str(error20.value) != message
    loopback.clear()  # 2.0's send_sms_mail connected first
    with pytest.raises(TypeError) as error:
        call(configure(smsc))
    assert str(error.value) == message
    assert loopback.intercept.connections == []


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


@pytest.mark.parametrize("phones", [[""], ["79999999999", " "], ("",)])
def test_a_blank_phone_in_a_list_is_refused(smsc, loopback, phones):
    assert raised(configure(smsc).send_sms, phones, "hi") == (ValueError, "phones must not hold an empty item")
    assert loopback.intercept.connections == []


# 3. files: what cannot be read, or cannot go through 2.0's hooks

@pytest.mark.parametrize("files,error,message", [
    (["missing.png"], (IOError, OSError), "files[0]: cannot read 'missing.png': No such file or directory"),
    ("cat.png", TypeError, "files must be a list of paths or binary files, not str"),
    ([3], TypeError, "files[0] must be a path or a binary file, not int"),
    ([io.StringIO(u"text")], TypeError, "files[0] must be opened in binary mode ('rb')"),
], ids=["missing", "not-a-list", "not-a-path", "text-mode"])
def test_a_file_that_cannot_be_read_is_an_error_naming_it_before_any_connection(client, loopback, files, error,
                                                                                message):
    with pytest.raises(error) as raised:
        client.send_sms("79999999999", "Look", files=files)
    assert message in str(raised.value)
    assert loopback.intercept.connections == []


def test_a_directory_is_an_error_naming_it(client, loopback, tmpdir):
    with pytest.raises((IOError, OSError)) as raised:
        client.send_sms("79999999999", "Look", files=[str(tmpdir)])
    assert str(raised.value).startswith("[Errno %d] files[0]: cannot read %r" % (raised.value.errno, str(tmpdir)))
    assert loopback.intercept.connections == []


def test_a_text_mode_file_is_refused_before_it_is_read(client, loopback, tmpdir):
    note = tmpdir.join("note.txt")
    note.write_binary(b"hello")
    with io.open(str(note), "r") as text:
        with pytest.raises(TypeError) as raised:
            client.send_sms("79999999999", "Look", files=[text])
        assert text.tell() == 0  # not read: the caller can still use it
    assert str(raised.value) == "files[0] must be opened in binary mode ('rb')"
    assert loopback.intercept.connections == []


def test_a_path_with_a_nul_is_an_error_naming_it(client, loopback):
    with pytest.raises(ValueError) as raised:
        client.send_sms("79999999999", "Look", files=["a\0b.png"])
    assert str(raised.value).startswith("files[0]: cannot read 'a\\x00b.png': ")
    assert loopback.intercept.connections == []


def test_files_refuse_an_overridden_smsc_send_cmd_before_any_connection(smsc, loopback, pictures):
    # 2.0's hook takes (cmd, arg): a test double or an auditing subclass could not see the files, and a real
    # multipart POST would go out behind its back
    class Audited(smsc.SMSC):
        def _smsc_send_cmd(self, cmd, arg=""):
            return ["15", "1"]
    replaced = smsc.SMSC("alice", "secret")
    replaced._smsc_send_cmd = lambda cmd, arg="": ["15", "1"]
    for client in (Audited("alice", "secret"), replaced):
        assert client.send_sms("79999999999", "Look") == ["15", "1"]  # the hook, as in 2.0
        with pytest.raises(TypeError) as raised:
            client.send_sms("79999999999", "Look", files=[pictures[0]])
        assert str(raised.value) == ("files cannot go through an overridden _smsc_send_cmd "
                                     "(2.0's signature has no files)")
    assert loopback.intercept.connections == []


def test_files_refuse_a_replaced_urlopen_before_any_connection(smsc, client, loopback, pictures, monkeypatch):
    # a replaced urlopen is called as 2.0 called it, urlopen(url, data): a form; it cannot carry multipart
    calls = []
    monkeypatch.setattr(smsc, "urlopen", lambda *args: calls.append(args))
    with pytest.raises(TypeError) as raised:
        client.send_sms("79999999999", "Look", files=[pictures[0]])
    assert str(raised.value) == "files cannot go through a replaced smsc_api.urlopen (it is called as 2.0 called it)"
    assert calls == [] and loopback.intercept.connections == []


# 4. Several ids: each an id

@pytest.mark.parametrize("ids,error,message", [
    ([], ValueError, "id must not be empty"),
    ([1, "2,3"], ValueError, "id must be %s, not '2,3'" % ID),  # in a list: one id each
    ([1, ""], ValueError, "id must be %s, not ''" % ID),
    ([[1]], ValueError, "id must be %s, not '[1]'" % ID),
])  # "1,,2": test_wrong_values_are_refused_before_any_connection_naming_the_parameter, above
def test_bad_ids_are_errors_before_any_connection(client, loopback, ids, error, message):
    with pytest.raises(error) as raised:
        client.get_status(ids, "79999999999")
    assert str(raised.value) == message
    assert loopback.intercept.connections == []
