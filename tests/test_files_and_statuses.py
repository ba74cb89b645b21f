# -*- coding: utf-8 -*-
"""What the official PHP library 3.8 does and 2.0 cannot: files sent with an SMS (MMS pictures, e-mail
attachments) as multipart/form-data, and the statuses of several messages in one request.

Each request is asserted whole: the request line, the headers of the running Python, and every byte of
the multipart body (its boundary is random: read from the Content-Type header, then the body is built
from it and compared).
"""
import io
import os
import re

import pytest
import six

from helpers import GET, HTTP_VERSION, PICTURE, POST, printed, whole_request
from servers import Drop, Reply

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


# 1. send_sms(..., files=[...]): one multipart/form-data POST, the usual fields and file0, file1, ...

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


# 2. get_status with several ids as a list (or tuple): one request, one record per line of the reply; as text
# (2.0's form), 2.0's flat list

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
