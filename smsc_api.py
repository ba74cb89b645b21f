# -*- coding: utf-8 -*-
# SMSCENTRE.COM API (smscentre.com) версия 2.1: drop-in replacement for smsc_api.py 2.0 (03.07.2019)
#
# Same names, signatures, return values and bytes on the wire as the official 2.0 module,
# on Python 2.7 and 3.6+, standard library only. Differences from 2.0: README.md.

from datetime import datetime
from time import sleep
import smtplib

try:
    from urllib import urlopen, quote
except ImportError:
    from urllib.request import urlopen
    from urllib.parse import quote
_URLOPEN = urlopen  # smsc_api.urlopen, заменяемый в тестах приложений: тогда запрос идет через него, как в 2.0

__version__ = "2.1.0"

# Константы для настройки библиотеки
SMSC_LOGIN = ""             # логин клиента
SMSC_PASSWORD = ""          # пароль клиента. Если передан пустой логин, то SMSC_PASSWORD используется, как API ключ, вместо логина и пароля
SMSC_POST = False           # использовать метод POST
SMSC_HTTPS = False          # использовать HTTPS протокол
SMSC_CHARSET = "utf-8"      # кодировка сообщения (windows-1251 или koi8-r), по умолчанию используется utf-8
SMSC_DEBUG = False          # флаг отладки
SMSC_TIMEOUT = 60           # срок одной попытки целиком, секунды (HTTP и SMTP); None - тайм-аут сокета по умолчанию, как 2.0
SMSC_CONNECT_TIMEOUT = 10   # срок установки соединения, секунды; None - как SMSC_TIMEOUT
SMSC_KEEPALIVE = False      # держать соединения открытыми между вызовами (HTTP и HTTPS)
SMSC_HOST = "smscentre.com" # домен сервиса: smscentre.com, smsc.ru, smsc.kz или smsc.ua (URL, зеркала www2..., SMTP)

# Константы для отправки SMS по SMTP
SMTP_FROM = "api@smscentre.com"     # e-mail адрес отправителя (api@SMSC_HOST, пока не изменен)
SMTP_SERVER = "send.smscentre.com"  # адрес smtp сервера (send.SMSC_HOST, пока не изменен)
SMTP_LOGIN = ""             # логин для smtp сервера
SMTP_PASSWORD = ""          # пароль для smtp сервера


# Совместимость Python 2 / 3 и служебное (имена с "_" не попадают в "from smsc_api import *")
import os as _os
import re as _re
import socket as _socket
import sys as _sys

_PY2 = _sys.version_info[0] == 2
_FORM = "application/x-www-form-urlencoded"
if _PY2:
    _text, _bytes, _integers = unicode, str, (int, long)  # noqa: F821
    from time import time as _monotonic  # нет монотонных часов
    from urllib import getproxies as _getproxies, proxy_bypass as _proxy_bypass, unquote as _unquote
    _unquote_to_bytes = _unquote  # str is bytes
    from urlparse import urljoin as _urljoin, urlsplit as _urlsplit

    def _http_client():
        import httplib  # при первом запросе: import smsc_api не дороже, чем в 2.0
        return httplib

    # Запрос, который отправлял urllib.urlopen (2.0): HTTP/1.0, его заголовки и их порядок
    _HTTP_VERSION, _CONNECTION_ARGS = (10, "HTTP/1.0"), {"strict": True}  # strict: ответ не HTTP - ошибка
    _REDIRECTS = (301, 302, 303, 307)

    def _too_many_redirects(visited, target):  # urllib.urlopen gave up at its 10th redirect
        return sum(visited.values()) >= 9

    def _request_headers(host, body, proxy_auth, keepalive, content_type=_FORM):
        headers = [] if body is None else [("Content-Type", content_type), ("Content-Length", "%d" % len(body))]
        headers += [("Proxy-Authorization", proxy_auth)] if proxy_auth else []
        headers += [("Host", host), ("User-Agent", "Python-urllib/1.17"), ("Accept", "*/*")]
        return headers + ([("Connection", "keep-alive")] if keepalive else [])

    def _redirect_target(url, location):  # как urllib.urlopen: относительно url, с его экранированием
        return quote(_urljoin(url, location), safe="%/:=&?~#+!$,;'@()*[]|")

    class _TimedRecv(object):
        """What socket._fileobject reads through: every recv() within the attempt's deadline."""

        def __init__(self, timed):
            # httplib закрывает объект сокета раньше, чем прочитан ответ: читать, как makefile(), через _sock
            self._file = timed.sock.makefile("rb", 0)
            self._sock, self._timed = self._file._sock, timed

        def recv(self, size):
            self._timed.limit(self._sock)
            data = self._sock.recv(size)
            self._timed.received += len(data)
            return data

        def close(self):
            self._file.close()

    def _timed_file(timed):
        return _socket._fileobject(_TimedRecv(timed), "rb", -1, close=True)
else:
    _text, _bytes, _integers = str, bytes, (int,)
    import io as _io
    from time import monotonic as _monotonic
    from urllib.parse import unquote as _unquote, unquote_to_bytes as _unquote_to_bytes, urljoin as _urljoin
    from urllib.parse import urlsplit as _urlsplit
    from urllib.request import getproxies as _getproxies, proxy_bypass as _proxy_bypass

    def _http_client():
        import http.client  # уже загружен urllib.request
        return http.client

    # Запрос, который отправлял urllib.request (2.0): HTTP/1.1, Accept-Encoding от http.client, его заголовки
    _HTTP_VERSION, _CONNECTION_ARGS = (11, "HTTP/1.1"), {}
    _REDIRECTS = (301, 302, 303, 307, 308) if _sys.version_info >= (3, 11) else (301, 302, 303, 307)

    def _too_many_redirects(visited, target):  # urllib.request's HTTPRedirectHandler
        return visited.get(target, 0) >= 4 or len(visited) >= 10

    def _request_headers(host, body, proxy_auth, keepalive, content_type=_FORM):
        headers = [] if body is None else [("Content-Type", content_type), ("Content-Length", "%d" % len(body))]
        headers += [("Host", host), ("User-Agent", "Python-urllib/%d.%d" % _sys.version_info[:2])]
        headers += [("Proxy-Authorization", proxy_auth)] if proxy_auth else []
        return headers + ([] if keepalive else [("Connection", "close")])

    def _redirect_target(url, location):  # как urllib.request: экранирование, без фрагмента
        import string
        parts = _urlsplit(location)
        location = parts.geturl() if parts.path or not parts.netloc else parts._replace(path="/").geturl()
        target = _urljoin(url, quote(location, encoding="iso-8859-1", safe=string.punctuation))
        return target.split("#", 1)[0]

    class _TimedReader(_io.RawIOBase):
        """The raw stream under http.client's and smtplib's reads: every recv within the attempt's deadline."""

        def __init__(self, timed):
            _io.RawIOBase.__init__(self)
            self._file, self._sock, self._timed = timed.sock.makefile("rb", buffering=0), timed.sock, timed

        def readable(self):
            return True

        def readinto(self, buffer):
            self._timed.limit(self._sock)
            count = self._file.readinto(buffer)
            self._timed.received += count or 0
            return count

        def close(self):
            self._file.close()
            _io.RawIOBase.close(self)

    def _timed_file(timed):
        return _io.BufferedReader(_TimedReader(timed))

# Настройки: имя в SMSC(...), константа (и переменная окружения того же имени) и вид значения,
# проверяемый при каждом чтении (SMSC._setting); None - без проверки здесь (пароли: при кодировании)
_SETTINGS = (("login", "SMSC_LOGIN", None), ("password", "SMSC_PASSWORD", None), ("post", "SMSC_POST", "bool"),
             ("https", "SMSC_HTTPS", "bool"), ("charset", "SMSC_CHARSET", "charset"), ("debug", "SMSC_DEBUG", "bool"),
             ("host", "SMSC_HOST", "text"), ("timeout", "SMSC_TIMEOUT", "seconds"), ("smtp_from", "SMTP_FROM", "text"),
             ("smtp_server", "SMTP_SERVER", "text"), ("smtp_login", "SMTP_LOGIN", None),
             ("smtp_password", "SMTP_PASSWORD", None), ("connect_timeout", "SMSC_CONNECT_TIMEOUT", "seconds"),
             ("keepalive", "SMSC_KEEPALIVE", "bool"))


def _checked_bool(value, label):
    if isinstance(value, _integers) and value in (0, 1):  # True, False, 1, 0
        return bool(value)
    raise TypeError("%s must be True or False (or 1 or 0), not %r" % (label, value))


def _checked_seconds(value, label):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, _integers + (float,)):
        raise TypeError("%s must be a number of seconds or None, not %r" % (label, value))
    if not 0 < value < float("inf"):  # nan too
        raise ValueError("%s must be a positive, finite number of seconds or None, not %r" % (label, value))
    return value


def _checked_charset(value, label):
    # Имя кодека, который кодирует текст (не base64, rot13, ...), из букв, цифр, "-", "_", ".": оно идет в запрос
    import codecs
    try:
        valid = (_re.match("[A-Za-z0-9][A-Za-z0-9._-]*\\Z", value) and
                 getattr(codecs.lookup(value), "_is_text_encoding", True))
    except LookupError:
        valid = False
    except TypeError:
        raise TypeError("%s must be the name of a charset, such as 'utf-8', not %r" % (label, value))
    if not valid:
        raise ValueError("%s must be the name of a charset, such as 'utf-8', not %r" % (label, value))
    _CHARSETS_CHECKED.add(value)
    return value


def _checked_text(value, label):
    if isinstance(value, (str, _text)):
        return value
    raise TypeError("%s must be text, not %r" % (label, value))


_CHECKS = {"bool": _checked_bool, "seconds": _checked_seconds, "charset": _checked_charset, "text": _checked_text}
_CHARSETS_CHECKED = set()  # charset names _checked_charset accepted
_GLOBALS = globals()  # the module constants, read at each call as 2.0 read them
_PLAINLY_VALID = {  # what each check returns as it is, seen at a glance (anything else goes through the check)
    None: lambda value: True,
    "bool": lambda value: value is True or value is False,
    "seconds": lambda value: value is None or (type(value) in (int, float) and 0 < value < _INFINITY),
    "charset": lambda value: type(value) is str and value in _CHARSETS_CHECKED,
    "text": lambda value: type(value) is str}
_INFINITY = float("inf")


# Константы по умолчанию - из переменных окружения с теми же именами, когда те заданы
def _from_environment(name, kind, default):
    value = _os.environ.get(name)
    if value is None:
        return default
    label = "environment variable " + name
    if kind == "bool":
        if value.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if value.strip().lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError("%s: expected 1/true/yes/on or 0/false/no/off, not %r" % (label, value))
    if kind == "seconds":
        if value.strip().lower() in ("", "none"):
            return None
        try:
            value = float(value)
        except ValueError:
            raise ValueError("%s: expected a number of seconds or none, not %r" % (label, value))
    return _CHECKS[kind](value, label) if kind else value


# python smsc_api.py сообщает о неверной переменной сам (код 2); import smsc_api - ValueError, как всегда
_environment_error = None
for _name, _constant, _kind in _SETTINGS:
    try:
        globals()[_constant] = _from_environment(_constant, _kind, globals()[_constant])
    except ValueError as _error:
        if __name__ != "__main__":
            raise
        _environment_error = _error
del _name, _constant, _kind

# Что urllib.urlopen Python 2 оставляет в URL как есть; "#" Python 3 отрезал бы как фрагмент: там он %23
_URL_SAFE = "%/:=&?~#+!$,;'@()*[]|" if _PY2 else "%/:=&?~+!$,;'@()*[]|"


_tls_context = None


def _tls():
    # Один контекст TLS на все вызовы, с проверкой сертификата и имени (2.0 строил новый и читал CA каждый раз)
    global _tls_context
    if _tls_context is None:
        import ssl
        _tls_context = ssl.create_default_context()
    return _tls_context


_logger = None


def _log():
    # logging импортируется при первой неудачной попытке: import smsc_api не дороже, чем в 2.0
    global _logger
    if _logger is None:
        import logging
        logger = logging.getLogger("smsc_api")
        logger.addHandler(logging.NullHandler())
        _logger = logger
    return _logger


# Секреты в выводе. Пароль, API-ключ и пароль SMTP не попадают в отладку и журнал ни в каком виде:
#     forms = _secret_forms(client._secrets(), charset)   # один раз на вызов
#     line = _masked(line, forms)                          # текст или bytes, с *** вместо каждого вида

def _secret_bytes(secret, charset):
    if isinstance(secret, _bytes):
        return secret
    try:
        return secret.encode(charset)
    except (UnicodeError, LookupError):
        return secret.encode("utf-8", "replace")


def _secret_forms(secrets, charset="utf-8"):
    """(bytes, text): every way each secret (text or bytes; others are skipped) may be written out,
    longest first. As it is and without the whitespace and line feeds around it (read from a file);
    with CRLF line ends (SMTP DATA); percent-encoded (quote() with the safe sets used here, and
    quote_plus); base64 (SMTP AUTH); backslash-escaped (repr()). Text forms: the same, decoded."""
    as_bytes, as_text = set(), set()
    for secret in secrets:
        if isinstance(secret, (_text, _bytes)):
            as_bytes.update(_written_forms(_secret_bytes(secret, charset)))
        if isinstance(secret, _text):
            as_text.update(form for core in (secret, secret.strip()) if core
                           for form in (core, core.encode("unicode_escape").decode("ascii")))
    for form in list(as_bytes):
        as_text.add(form.decode("latin-1"))
        try:
            as_text.add(form.decode(charset))
        except (UnicodeError, LookupError):
            pass
    return sorted(as_bytes, key=len, reverse=True), sorted(as_text, key=len, reverse=True)


def _written_forms(raw):
    import base64
    import codecs
    try:
        from urllib import quote_plus
    except ImportError:
        from urllib.parse import quote_plus
    ascii = lambda value: value if isinstance(value, _bytes) else value.encode("ascii")  # noqa: E731
    return [form for core in (raw, raw.strip()) if core
            for form in (core, _re.sub(b"\r\n|\r|\n", b"\r\n", core), base64.b64encode(core),
                         codecs.escape_encode(core)[0], ascii(quote(core)), ascii(quote(core, safe="")),
                         ascii(quote(core, safe=_URL_SAFE)), ascii(quote_plus(core)))]


def _masked(value, forms):
    """value (text or bytes) with each of forms (from _secret_forms) replaced by ***."""
    if isinstance(value, _bytes):
        for form in forms[0]:
            value = value.replace(form, b"***")
    else:
        for form in forms[1]:
            value = value.replace(form, u"***")
    return value


# Вспомогательная функция, эмуляция тернарной операции ?:
def ifs(cond, val1, val2):
    if cond:
        return val1
    return val2


class _ModuleConstant(object):
    def __repr__(self):
        return "<module constant>"


_CONSTANT = _ModuleConstant()


# Класс для взаимодействия с сервером smscentre.com
class SMSC(object):

    # Настройки экземпляра; не заданные берутся из констант модуля в момент вызова, как в 2.0:
    # SMSC(), SMSC("login", "password"), SMSC(login="", password="API-ключ", host="smsc.kz", timeout=10)
    def __init__(self, login=_CONSTANT, password=_CONSTANT, post=_CONSTANT, https=_CONSTANT, charset=_CONSTANT,
                 debug=_CONSTANT, host=_CONSTANT, timeout=_CONSTANT, smtp_from=_CONSTANT, smtp_server=_CONSTANT,
                 smtp_login=_CONSTANT, smtp_password=_CONSTANT, connect_timeout=_CONSTANT, keepalive=_CONSTANT):
        given = locals()
        self._settings = dict((name, given[name]) for name, _, _ in _SETTINGS if given[name] is not _CONSTANT)

    _LOOKUP = dict((name, (constant, _PLAINLY_VALID[kind], _CHECKS.get(kind))) for name, constant, kind in _SETTINGS)

    # Значение настройки, проверенное (_CHECKS): заданное экземпляру или константа модуля в момент вызова
    def _setting(self, name):
        constant, plainly_valid, check = self._LOOKUP[name]
        settings = self.__dict__.get("_settings")  # подкласс мог не вызвать наш __init__
        given = settings is not None and name in settings
        value = settings[name] if given else _GLOBALS[constant]
        if plainly_valid(value):  # быстрый путь: настройки читаются много раз за вызов
            return value
        return check(value, "SMSC(%s=...)" % name if given else constant)

    # Все настройки, нужные HTTP или SMTP, проверяются до соединения (иначе неверная, прочитанная после
    # запроса, как debug, дала бы исключение после отправленного SMS)
    _HTTP_SETTINGS = ("post", "https", "charset", "debug", "host", "timeout", "connect_timeout", "keepalive",
                      "login", "password")
    _SMTP_SETTINGS = ("charset", "debug", "host", "timeout", "connect_timeout", "smtp_from", "smtp_server")

    def _check_settings(self, names):
        """{name: value} of these settings, each checked."""
        return {name: self._setting(name) for name in names}

    # Флаги форматов 1..13 (format - 1 индексирует список, 12 - пустой флаг)
    _FORMATS = ("flash=1", "push=1", "hlr=1", "bin=1", "bin=2", "ping=1", "mms=1", "mail=1",
                "call=1", "viber=1", "soc=1", "", "tg=1")

    # Метод отправки SMS
    #
    # обязательные параметры:
    #
    # phones - список телефонов через запятую или точку с запятой (или list/tuple, или int)
    # message - отправляемое сообщение
    #
    # необязательные параметры:
    #
    # translit - переводить или нет в транслит (1,2 или 0)
    # time - необходимое время доставки в виде строки (DDMMYYhhmm, h1-h2, 0ts, +m)
    # id - идентификатор сообщения. Представляет собой 32-битное число в диапазоне от 1 до 2147483647.
    # format - формат сообщения (0 - обычное sms, 1 - flash-sms, 2 - wap-push, 3 - hlr, 4 - bin, 5 - bin-hex, 6 - ping-sms, 7 - mms, 8 - mail, 9 - call, 10 - viber, 11 - soc, 13 - telegram)
    # sender - имя отправителя (Sender ID).
    # query - строка дополнительных параметров, добавляемая в URL-запрос ("valid=01:00&maxsms=3")
    #
    # Текст (str, unicode в Python 2) передается в кодировке SMSC_CHARSET, bytes - как есть.
    #
    # возвращает массив (<id>, <количество sms>, <стоимость>, <баланс>) в случае успешной отправки
    # либо массив (<id>, -<код ошибки>) в случае ошибки
    def send_sms(self, phones, message, translit=0, time="", id=0, format=0, sender=False, query="", files=None):
        arg = ("cost=3&phones=" + self._quote(self._phones(phones), "phones") + "&mes=" + self._quote(message, "message") +
               "&translit=" + self._number(translit, "translit") + "&id=" + self._number(id, "id") +
               self._format_flag(format) + self._sender_arg(sender) + self._time_arg(time) + self._query_arg(query))
        files = self._files(files)  # прочитаны до соединения: ошибка чтения называет файл
        m = self._smsc_send_cmd("send", arg, files=files) if files else self._smsc_send_cmd("send", arg)

        # (id, cnt, cost, balance) или (id, -error)
        if self._setting("debug"):
            f = m + ["", "", ""]  # короткий ответ не обрывает отладочный вывод
            if f[1] > "0":
                print("Сообщение отправлено успешно. ID: " + f[0] + ", всего SMS: " + f[1] + ", стоимость: " + f[2] + ", баланс: " + f[3])
            else:
                print("Ошибка №" + f[1][1:] + ifs(f[0] > "0", ", ID: " + f[0], ""))

        return m

    # SMTP версия метода отправки SMS
    # (параметры проверяются, как в send_sms; в тексте письма они - как str(...) в 2.0)
    def send_sms_mail(self, phones, message, translit=0, time="", id=0, format=0, sender=""):
        self._check_settings(self._SMTP_SETTINGS)
        e, sender = self._encoded, self._sender(sender)
        data = (e("Content-Type: text/plain; charset=" + self._setting("charset") + "\n\n", "SMSC_CHARSET") +
                e(self._setting("login"), "SMSC_LOGIN") + b":" + e(self._setting("password"), "SMSC_PASSWORD") + b":" +
                e(self._number(id, "id"), "id") + b":" + self._time(time) + b":" +
                e(self._number(translit, "translit"), "translit") + b"," + e(self._format(format), "format") +
                b"," + (sender or b"") + b":" + self._phones(phones) + b":" + e(message, "message"))

        host, attempt = self._setting("host"), _Attempt(self._setting("timeout"), self._setting("connect_timeout"))
        server = smtplib.SMTP()  # сессия целиком - в пределах срока попытки (SMSC_TIMEOUT, SMSC_CONNECT_TIMEOUT)
        server._get_socket = lambda smtp_host, port, timeout: attempt.connect(smtp_host, port)
        code, message = server.connect(self._smtp_address("smtp_server", "send.smscentre.com", "send." + host))
        if code != 220:  # как smtplib.SMTP(host) в 2.0
            server.close()
            raise smtplib.SMTPConnectError(code, message)
        try:
            if self._setting("debug"):
                server.set_debuglevel(1)
                server.send = self._send_without_secrets(server)

            if self._setting("smtp_login"):
                server.login(self._setting("smtp_login"), self._setting("smtp_password"))

            if not _PY2:  # smtplib переводит строки в CRLF в тексте (и в str Python 2), но не в bytes
                data = _re.sub(b"\r\n|\r|\n", b"\r\n", data)
            server.sendmail(self._smtp_address("smtp_from", "api@smscentre.com", "api@" + host), "send@send." + host, data)
            server.quit()
        finally:
            server.close()  # и когда сервер отказал (исключение доходит до вызывающего, как в 2.0)

    # Метод получения стоимости SMS
    #
    # обязательные параметры:
    #
    # phones - список телефонов через запятую или точку с запятой (или list/tuple, или int)
    # message - отправляемое сообщение
    #
    # необязательные параметры:
    #
    # translit - переводить или нет в транслит (1,2 или 0)
    # format - формат сообщения (0 - обычное sms, 1 - flash-sms, 2 - wap-push, 3 - hlr, 4 - bin, 5 - bin-hex, 6 - ping-sms, 7 - mms, 8 - mail, 9 - call, 10 - viber, 11 - soc, 13 - telegram)
    # sender - имя отправителя (Sender ID)
    # query - строка дополнительных параметров, добавляемая в URL-запрос ("list=79999999999:Ваш пароль: 123\n78888888888:Ваш пароль: 456")
    #
    # возвращает массив (<стоимость>, <количество sms>) либо массив (0, -<код ошибки>) в случае ошибки
    def get_sms_cost(self, phones, message, translit=0, format=0, sender=False, query=""):
        m = self._smsc_send_cmd("send", "cost=1&phones=" + self._quote(self._phones(phones), "phones") +
                                "&mes=" + self._quote(message, "message") + self._sender_arg(sender) +
                                "&translit=" + self._number(translit, "translit") + self._format_flag(format) +
                                self._query_arg(query))

        # (cost, cnt) или (0, -error)
        if self._setting("debug"):
            f = m + [""]
            if f[1] > "0":
                print("Стоимость рассылки: " + f[0] + ". Всего SMS: " + f[1])
            else:
                print("Ошибка №" + f[1][1:])

        return m

    # Метод проверки статуса отправленного SMS или HLR-запроса
    #
    # id - ID cообщения
    # phone - номер телефона
    #
    # возвращает массив:
    # для отправленного SMS (<статус>, <время изменения>, <код ошибки sms>)
    # для HLR-запроса (<статус>, <время изменения>, <код ошибки sms>, <код IMSI SIM-карты>, <номер сервис-центра>, <код страны регистрации>,
    # <код оператора абонента>, <название страны регистрации>, <название оператора абонента>, <название роуминговой страны>,
    # <название роумингового оператора>)
    #
    # При all = 1 дополнительно возвращаются элементы в конце массива:
    # (<время отправки>, <номер телефона>, <стоимость>, <sender id>, <название статуса>, <текст сообщения>)
    # При all = 2 - еще (<страна>, <оператор>, <регион>) перед текстом сообщения.
    #
    # либо массив (0, -<код ошибки>) в случае ошибки
    #
    # id - одно число или несколько через запятую
    def get_status(self, id, phone, all=0):
        all_fields, ids = self._number(all, "all"), self._ids(id)
        m = self._smsc_send_cmd("status", "phone=" + self._quote(self._phones(phone, "phone"), "phone") +
                                "&id=" + ids + "&all=" + all_fields)

        # несколько id, как библиотека PHP 3.8: по строке ответа на сообщение, список списков; ошибка - как обычно
        several = "," in ids and not (len(m) == 2 and m[1][:1] in ("-", ""))
        lines = [line.rstrip("\r") for line in ",".join(m).split("\n")] if several else []
        records = [line.split(",") for line in lines if line] if several else [m]

        # (status, time, err, ...) или (0, -error)
        if self._setting("debug"):
            for f in [record + [""] for record in records]:
                if f[1] >= "0":
                    tm = ""
                    if f[1] > "0":
                        try:
                            tm = str(datetime.fromtimestamp(int(f[1])))
                        except (ValueError, OverflowError, OSError):
                            tm = f[1]
                    print("Статус SMS = " + f[0] + ifs(f[1] > "0", ", время изменения статуса - " + tm, ""))
                else:
                    print("Ошибка №" + f[1][1:])

        # запятые в тексте сообщения: склеить хвост, как библиотека PHP 3.8 (all=1: 9 полей, all=2: 12)
        fields, hlr = (12, 17) if int(all_fields) == 2 else (9, 14)
        for n, record in enumerate(records):
            if int(all_fields) and len(record) > 9 and (len(record) <= hlr or record[hlr] != "HLR"):
                records[n] = (",".join(record)).split(",", fields - 1)

        return records if several else records[0]

    # Метод получения баланса
    #
    # без параметров
    #
    # возвращает баланс в виде строки или False в случае ошибки
    def get_balance(self):
        m = self._smsc_send_cmd("balance")  # (balance) или (0, -error)

        if self._setting("debug"):
            if len(m) < 2:
                print("Сумма на счете: " + m[0])
            else:
                print("Ошибка №" + m[1][1:])

        return ifs(len(m) > 1, False, m[0])

    # ВНУТРЕННИЕ МЕТОДЫ

    # Текст - в кодировке SMSC_CHARSET, bytes (str в Python 2) - как есть
    def _encoded(self, value, name):
        if isinstance(value, _bytes):
            return value
        if not isinstance(value, _text):
            raise TypeError("%s must be text or bytes, not %s" % (name, type(value).__name__))
        try:
            return value.encode(self._setting("charset"))
        except UnicodeEncodeError as error:
            error.reason = "not in SMSC_CHARSET %s (%s)" % (self._setting("charset"), name)
            raise

    def _quote(self, value, name):
        return quote(self._encoded(value, name))

    def _str(self, value):  # как str(value) в 2.0, но текст и bytes - как есть
        return value if isinstance(value, (_text, _bytes)) else str(value)

    # Значение в виде str, как str(value) в 2.0: unicode (Python 2) - в SMSC_CHARSET, bytes (Python 3) - %XX
    def _native(self, value, name=""):
        if isinstance(value, str):
            return value
        if isinstance(value, _text):
            return self._encoded(value, name)
        if isinstance(value, _bytes):
            return quote(value, safe=_URL_SAFE)
        return str(value)

    # Телефоны: строка, bytes, int или непустой list/tuple из них (через запятую)
    def _phones(self, phones, name="phones"):
        if isinstance(phones, (_text, _bytes)):
            return self._encoded(phones, name)
        items = phones if isinstance(phones, (list, tuple)) else [phones]
        for item in items:
            if isinstance(item, bool) or not isinstance(item, (_text, _bytes) + _integers):
                raise TypeError("%s must be text, bytes, an int or a list of them, not %s" % (name, type(item).__name__))
        if not items:
            raise ValueError("%s must not be empty" % name)
        return b",".join(self._encoded(self._str(item), name) for item in items)

    # id, translit, format, all: int (не bool) или текст (bytes) из цифр - как str, байты 2.0 (str(value));
    # shape - регулярное выражение для текста. Ничто иное не попадает в запрос, где они идут без кодирования
    def _number(self, value, name, shape="[0-9]+\\Z", what="an int or text of digits"):
        if isinstance(value, _integers) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, (_text, _bytes)):
            raise TypeError("%s must be %s, not %s" % (name, what, type(value).__name__))
        text = value.decode("latin-1") if isinstance(value, bytes) and not _PY2 else value
        if not _re.match(shape, text):
            raise ValueError("%s must be %s, not %r" % (name, what, value[:40]))
        return str(text)

    # id в get_status: одно или несколько через запятую, или list/tuple из них
    def _ids(self, id):
        if isinstance(id, (list, tuple)):
            if not id:
                raise ValueError("id must not be empty")
            return ",".join(self._number(item, "id") for item in id)
        return self._number(id, "id", "[0-9]+(,[0-9]+)*\\Z", "an int or text of digits (ids separated by commas)")

    # Файлы для send_sms (MMS, вложения e-mail): [(имя файла, содержимое)], прочитанные до соединения
    def _files(self, files):
        if files is None:
            return []
        if not isinstance(files, (list, tuple)):
            raise TypeError("files must be a list of paths or binary files, not %s" % type(files).__name__)
        return [_read_file(item, n, self._setting("charset")) for n, item in enumerate(files)]

    def _format(self, format):
        number = self._number(format, "format")
        if not 0 <= int(number) <= 13:
            raise IndexError("format must be from 0 to 13, not %d" % int(number))
        return number

    def _format_flag(self, format):
        number = int(self._format(format))
        return ifs(number > 0, "&" + self._FORMATS[number - 1], "")

    # Отправитель в байтах; None, False и 0 - без отправителя (None)
    def _sender(self, sender):
        if sender is None or (isinstance(sender, _integers) and sender == 0):  # как в 2.0, False и 0; и None
            return None
        if isinstance(sender, bool) or not isinstance(sender, (_text, _bytes) + _integers):
            raise TypeError("sender must be text, bytes or an int (None, False or 0: no sender), not %s"
                            % type(sender).__name__)
        return self._encoded(self._str(sender), "sender")

    def _sender_arg(self, sender):
        sender = self._sender(sender)
        return "" if sender is None else "&sender=" + quote(sender)

    # Время в байтах; None, 0 и "" - без времени (b"")
    def _time(self, time):
        if time is None or (isinstance(time, _integers) and time == 0):
            return b""
        return self._encoded(time, "time")

    def _time_arg(self, time):
        time = self._time(time)
        return "&time=" + quote(time) if time else ""

    def _query_arg(self, query):
        return "&" + self._native(query, "query") if query else ""

    def _timeout(self):
        timeout = self._setting("timeout")
        return _socket._GLOBAL_DEFAULT_TIMEOUT if timeout is None else timeout

    # SMTP_FROM и SMTP_SERVER, не измененные в файле, следуют за SMSC_HOST, как в копиях 2.0 для smsc.ru, ...
    def _smtp_address(self, name, smscentre_default, host_default):
        value = self._setting(name)
        return host_default if value == smscentre_default else value

    # Пароль или API-ключ, пароль SMTP и строка AUTH PLAIN (\0логин\0пароль): их не должно быть в выводе
    def _secrets(self):
        charset = self._setting("charset")
        login, password = self._setting("smtp_login"), self._setting("smtp_password")
        secrets = [self._setting("password"), password]
        if login and password and isinstance(login, (_text, _bytes)) and isinstance(password, (_text, _bytes)):
            secrets.append(b"\0" + _secret_bytes(login, charset) + b"\0" + _secret_bytes(password, charset))
        return secrets

    # Отладка SMTP: smtplib печатает все, что отправляет; здесь - с *** вместо паролей и ключа в любом виде
    def _send_without_secrets(self, server):
        send, forms = server.send, _secret_forms(self._secrets(), self._setting("charset"))

        def send_and_print(data):
            level, shown = server.debuglevel, _masked(data, forms)
            if level > 0:
                if _PY2:
                    smtplib.stderr.write("send: %r\n" % (shown,))
                else:
                    server._print_debug("send:", repr(shown))
            server.debuglevel = 0
            try:
                send(data)
            finally:
                server.debuglevel = level
        return send_and_print

    # Метод вызова запроса. Формирует URL и делает до 5 попыток: smscentre.com, www2 ... www5.smscentre.com
    def _smsc_send_cmd(self, cmd, arg="", files=None):
        settings = self._check_settings(self._HTTP_SETTINGS)
        host, login, password = settings["host"], settings["login"], settings["password"]
        charset, timeout, connect_timeout = settings["charset"], settings["timeout"], settings["connect_timeout"]
        url = ifs(settings["https"], "https", "http") + "://" + host + "/sys/" + cmd + ".php"
        _url = url
        may_send = cmd == "send" and not _re.match(r"cost=1(&|$)", arg)  # не только стоимость: может отправить SMS
        arg = ifs(login, "login=" + self._quote(login, "SMSC_LOGIN") + "&psw=", "apikey=") + self._quote(password, "SMSC_PASSWORD") + \
            "&fmt=1&charset=" + self._native(charset) + "&" + self._native(arg, "query")

        # POST - тот же текст в теле; GET - с %XX для пробелов, переводов строк и не-ASCII, как urllib Python 2;
        # с файлами - multipart/form-data: те же поля и file0, file1..., как библиотека PHP 3.8
        content_type = _FORM
        if files:
            (content_type, body), query = _multipart(self._encoded(arg, "query"), files), ""
        elif settings["post"] or len(arg) > 2000:
            body, query = self._encoded(arg, "query"), ""
        else:
            body, query = None, "?" + quote(self._encoded(arg, "query"), safe=_URL_SAFE)

        ret, possibly_sent = "", None
        for i in (1, 2, 3, 4, 5):
            if i > 1:
                url = _url.replace(host + "/", "www" + str(i) + "." + host + "/")

            attempt = _Attempt(timeout, connect_timeout)
            try:
                data = self._fetch(url + query, body, attempt, may_send, content_type)
                ret = data.decode(charset)  # ответ не в SMSC_CHARSET - неудачная попытка, как в 2.0
                ret = ifs(_PY2, data, ret)
                failure = "empty reply"
            except _socket.timeout:
                ret, failure = "", attempt.timed_out()
            except Exception as error:  # KeyboardInterrupt и SystemExit не перехватываются
                ret, failure = "", self._safe_text(error, arg)

            if ret != "":
                break
            if may_send and attempt.written and not attempt.answered:  # запрос ушел целиком, ответа нет: SMS могло уйти
                possibly_sent = possibly_sent or (i, url)
                _log().warning("attempt %d of 5 failed: %s: %s; the whole request was sent: the message may have "
                               "been sent", i, url, failure, extra={"smsc_possibly_sent": url})
            else:
                _log().warning("attempt %d of 5 failed: %s: %s", i, url, failure)

        if possibly_sent and ret.split(",")[1:] == ["-9"]:  # "то же сообщение в течение минуты"
            _log().warning("%s answered error 9 (the same message within a minute): attempt %d (%s) most likely "
                           "sent the message", url, possibly_sent[0], possibly_sent[1],
                           extra={"smsc_most_likely_sent": possibly_sent[1]})

        if ret == "":
            if self._setting("debug"):
                print("Ошибка чтения адреса: " + url)
            ret = ","  # фиктивный ответ

        return ret.split(",")

    # Один запрос: через smsc_api.urlopen, если его подменили (mock в тестах приложения), как 2.0; иначе свой транспорт
    def _fetch(self, url, body, attempt, may_send, content_type=_FORM):
        if urlopen is not _URLOPEN:
            return (urlopen(url) if body is None else urlopen(url, body)).read()
        pool = self._pool() if self._setting("keepalive") else None
        return _fetch(url, body, attempt, pool, resend_safe=not may_send, content_type=content_type)

    # Соединения keep-alive этого экземпляра (создаются при первом запросе с keepalive)
    def _pool(self):
        pool = self.__dict__.get("_connections")
        if pool is None:
            pool = self.__dict__.setdefault("_connections", _Pool())
        return pool

    # Закрыть соединения keep-alive (экземпляр остается рабочим: следующий вызов откроет новые)
    def close(self):
        pool = self.__dict__.get("_connections")
        if pool is not None:
            pool.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # Текст ошибки для журнала: без пароля, ключа и строки запроса
    def _safe_text(self, error, arg):
        text = "%s: %s" % (type(error).__name__, error)
        return _masked(text, _secret_forms([arg] + self._secrets(), self._setting("charset")))


# Транспорт: запрос HTTP(S) с теми же байтами, что отправлял urllib в 2.0, но в пределах срока попытки,
# с прокси (CONNECT для HTTPS и на Python 2) и, по желанию, с соединениями keep-alive

class _Attempt(object):
    """One attempt's limits: connecting within connect_timeout, everything else by the deadline.

    timeout None: no deadline, each wait takes the socket default (2.0's behaviour); connect_timeout None:
    connecting is bounded by timeout alone. `written` turns True once the whole request has been sent.
    """

    def __init__(self, timeout, connect_timeout):
        self.timeout, self.connect_timeout = timeout, connect_timeout
        self.deadline = None if timeout is None else _monotonic() + timeout
        self.connected = self.written = self.answered = False  # answered: a complete reply, not a 5xx

    def timed_out(self):
        """What a socket.timeout in this attempt means, for the log."""
        if not self.connected:
            limit = self.timeout if self.connect_timeout is None else self.connect_timeout
            return "timeout: no connection within %g s" % limit if limit is not None else \
                "timeout: no connection within the socket default timeout"
        if self.deadline is None:
            return "timeout: a wait took longer than the socket default timeout"
        return "timeout: no complete reply within %g s" % self.timeout

    def left(self):
        """Seconds left until the deadline (None without one); socket.timeout once it has passed."""
        if self.deadline is None:
            return None
        left = self.deadline - _monotonic()
        if left <= 0:
            raise _socket.timeout("the attempt's %g s are over" % self.timeout)
        return left

    def connect(self, host, port):
        """A _Timed socket connected to (host, port) within this attempt's limits."""
        sock = _socket.create_connection((host, port), self.connect_limit())
        self.connected = True
        return _Timed(sock, self)

    def connect_limit(self):
        left, limit = self.left(), self.connect_timeout
        if left is None:
            return _socket._GLOBAL_DEFAULT_TIMEOUT if limit is None else limit
        return left if limit is None else min(limit, left)


class _Timed(object):
    """A connected socket whose waits all end by the attempt's deadline (a socket timeout bounds one wait only)."""

    def __init__(self, sock, attempt):
        self.sock, self.attempt, self.received = sock, attempt, 0

    def limit(self, sock):
        left = self.attempt.left()
        sock.settimeout(_socket.getdefaulttimeout() if left is None else left)

    def sendall(self, data):
        self.limit(self.sock)
        self.sock.sendall(data)

    def makefile(self, *mode):
        return _timed_file(self)

    def start_tls(self, context, hostname):
        self.limit(self.sock)
        return _Timed(context.wrap_socket(self.sock, server_hostname=hostname), self.attempt)

    def close(self):
        self.sock.close()

    def __getattr__(self, name):  # fileno, setsockopt, ... of the socket
        return getattr(self.sock, name)


class _Connection:  # a classic class on Python 2, as httplib's, so that httplib's __init__ comes before object's
    """Mixed into httplib's (http.client's) HTTPConnection: connects (and tunnels, and starts TLS) within the
    attempt's limits, and notes when the whole request has been written. Set attempt (and tls) before use."""

    attempt = tls = base = None
    _http_vsn, _http_vsn_str = _HTTP_VERSION

    def connect(self):
        self.sock = self.attempt.connect(self.host, self.port)
        try:
            self.sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)  # as http.client: no Nagle delays
        except _socket.error:
            pass
        if self._tunnel_host:
            self._tunnel()  # CONNECT host:443 through the proxy
        if self.tls is not None:
            self.sock = self.sock.start_tls(self.tls, self._tunnel_host or self.host)

    def endheaders(self, message_body=None):
        self.base.endheaders(self, message_body)
        self.attempt.written = True


_connection_class = []


def _new_connection(host, port, tls, tunnel, tunnel_auth):
    if not _connection_class:
        base = _http_client().HTTPConnection
        _connection_class.append(type("_HTTPConnection", (_Connection, base, object), {"base": base}))
    connection = _connection_class[0](host, port, **_CONNECTION_ARGS)
    connection.tls = _tls() if tls else None
    if tunnel:
        connection.set_tunnel(tunnel[0], tunnel[1], {"Proxy-Authorization": tunnel_auth} if tunnel_auth else None)
    return connection


def _split_host(netloc, default_port):
    host, colon, port = netloc.rpartition(":")
    if not colon or "]" in port:
        return netloc.strip("[]"), default_port
    return host.strip("[]"), int(port) if port else default_port


_proxies = []  # the *_proxy environment variables, once read


def _route(scheme, netloc):
    """How to reach scheme://netloc: (pool key, host, port, tls, tunnel, tunnel_auth, proxy_auth, absolute form).

    From the *_proxy environment variables, as urllib: HTTP through a proxy asks it for the absolute URL
    (with Proxy-Authorization from the proxy's user:password); HTTPS tunnels with CONNECT on both Pythons.
    """
    if not _proxies:  # read at the first request and kept, as 2.0's urllib opener did
        _proxies.append(_getproxies())
    proxy = _proxies[0].get(scheme)
    if not proxy or _proxy_bypass(netloc):
        host, port = _split_host(netloc, 443 if scheme == "https" else 80)
        return (scheme, host, port), host, port, scheme == "https", None, None, None, False
    if "://" not in proxy:
        proxy = "http://" + proxy
    parts = _urlsplit(proxy)
    credentials, _, hostport = parts.netloc.rpartition("@")
    proxy_host, proxy_port = _split_host(hostport, 443 if parts.scheme == "https" else 80)
    auth = None
    if credentials and (":" in credentials or _PY2):  # urllib.request: both user and password
        import base64
        user, _, password = credentials.partition(":")
        pair = _unquote(user) + (":" + _unquote(password) if ":" in credentials else "")
        auth = "Basic " + base64.b64encode(pair.encode("latin-1")).decode("ascii")
    if scheme == "https":
        target = _split_host(netloc, 443)
        return ((scheme, proxy_host, proxy_port) + target + (auth,), proxy_host, proxy_port, True, target, auth,
                None, False)
    tls = parts.scheme == "https"  # an https:// proxy for an http:// URL: TLS to the proxy, as urllib
    return ("proxy", proxy_host, proxy_port, tls, auth), proxy_host, proxy_port, tls, None, None, auth, True


def _read_file(item, n, charset):
    """(file name as bytes, content) of files[n]: a path (text or bytes) or an open binary file."""
    name = "files[%d]" % n
    if isinstance(item, (_text, _bytes)):
        try:
            with open(item, "rb") as handle:
                return _file_name(item, charset), handle.read()
        except (IOError, OSError) as error:
            raise type(error)(error.errno, "%s: cannot read %r: %s" % (name, item, error.strerror))
    if not hasattr(item, "read"):
        raise TypeError("%s must be a path or a binary file, not %s" % (name, type(item).__name__))
    content = item.read()
    if not isinstance(content, _bytes):
        raise TypeError("%s must be opened in binary mode ('rb')" % name)
    path = getattr(item, "name", None)
    return _file_name(path if isinstance(path, (_text, _bytes)) else "file%d" % n, charset), content


def _file_name(path, charset):
    base = _os.path.basename(path)
    return base if isinstance(base, _bytes) else base.encode(charset, "replace")


# Content-Type of a file part by its extension: the table curl uses (what PHP 3.8 sends), else octet-stream
_FILE_TYPES = {b"gif": "image/gif", b"jpg": "image/jpeg", b"jpeg": "image/jpeg", b"png": "image/png",
               b"svg": "image/svg+xml", b"txt": "text/plain", b"htm": "text/html", b"html": "text/html",
               b"pdf": "application/pdf", b"xml": "application/xml"}


def _multipart(query, files):
    """(Content-Type, body) of multipart/form-data: the fields of query (bytes, decoded as a form) in their
    order, then file0, file1, ... with each file's name and bytes."""
    import binascii
    parts = []
    for pair in query.split(b"&"):
        if pair:
            name, _, value = pair.partition(b"=")
            parts.append((_form_decoded(name), None, _form_decoded(value)))
    for n, (filename, content) in enumerate(files):
        parts.append((("file%d" % n).encode("ascii"), filename, content))
    boundary = b"----smsc_api" + binascii.hexlify(_os.urandom(16))
    while any(boundary in value for _, _, value in parts):
        boundary = b"----smsc_api" + binascii.hexlify(_os.urandom(16))
    body = []
    for name, filename, value in parts:
        head = b'Content-Disposition: form-data; name="' + _quoted_name(name) + b'"'
        if filename is not None:
            extension = filename.rpartition(b".")[2].lower() if b"." in filename else b""
            head += (b'; filename="' + _quoted_name(filename) + b'"\r\nContent-Type: ' +
                     _FILE_TYPES.get(extension, "application/octet-stream").encode("ascii"))
        body += [b"--" + boundary, head, b"", value]
    body = b"\r\n".join(body + [b"--" + boundary + b"--", b""])
    return "multipart/form-data; boundary=" + boundary.decode("ascii"), body


def _form_decoded(data):  # as PHP's parse_str: "+" is a space, %XX a byte
    return _unquote_to_bytes(data.replace(b"+", b" "))


def _quoted_name(name):  # a name or file name inside "...": the quote and line ends %-escaped, as browsers do
    return name.replace(b"\r", b"%0D").replace(b"\n", b"%0A").replace(b'"', b"%22")


class _BadReply(IOError):
    """A reply that is not the gateway's: an HTTP error status, a redirect that cannot be followed."""


def _fetch(url, body, attempt, pool=None, resend_safe=False, content_type=_FORM):
    """The body of the reply to GET url (POST body) as bytes; raises on anything but a complete 2xx reply.

    Redirects are followed as urllib followed them on this Python (only to http and https); a status other
    than 2xx is an error (_BadReply), a body shorter than its Content-Length too. With a pool, connections
    are kept alive and reused; a reused connection the server has closed is replaced without resending.
    """
    visited = {}  # redirect targets: how many times each
    while True:
        response, connection, key = _exchange(url, body, attempt, pool, resend_safe, content_type)
        location = response.getheader("location") or response.getheader("uri")
        redirect = response.status in _REDIRECTS and location and (body is None or response.status < 307)
        if not redirect and not 200 <= response.status < 300:
            attempt.answered = response.status < 500  # a 5xx (a proxy's 502, 504...): the gateway may have acted
            response.close()
            connection.close()
            raise _BadReply("HTTP %d %s" % (response.status, response.reason))
        data = response.read()
        attempt.answered = True
        if pool is not None and not response.will_close and connection.sock is not None:
            pool.give(key, connection)
        else:
            connection.close()
        if not redirect:
            return data
        target = _redirect_target(url, location)
        if _urlsplit(target).scheme not in ("http", "https"):
            raise _BadReply("HTTP %d: a redirect to %r is not followed" % (response.status, target))
        if _too_many_redirects(visited, target):
            raise _BadReply("HTTP %d: too many redirects" % response.status)
        visited[target] = visited.get(target, 0) + 1
        url, body = target, None  # POST after 301, 302, 303: GET, as urllib


def _exchange(url, body, attempt, pool, resend_safe, content_type):
    """Send one request; (response with its headers read, connection, pool key)."""
    parts = _urlsplit(url)
    key, host, port, tls, tunnel, tunnel_auth, proxy_auth, absolute = _route(parts.scheme, parts.netloc)
    selector = url if absolute else url[len(parts.scheme) + 3 + len(parts.netloc):] or "/"
    headers = _request_headers(parts.netloc, body, proxy_auth, pool is not None, content_type)
    connection = pool.take(key) if pool is not None else None
    for fresh in (connection is None, True):
        if fresh:
            connection = _new_connection(host, port, tls, tunnel, tunnel_auth)
        connection.attempt, kept = attempt, connection.sock  # kept: the socket of a reused connection
        if kept is not None:
            kept.attempt, kept.received, attempt.connected = attempt, 0, True
        try:
            connection.putrequest("GET" if body is None else "POST", selector, skip_host=True)
            for name, value in headers:
                connection.putheader(name, value)
            connection.endheaders(body)
            return connection.getresponse(), connection, key
        except Exception:
            connection.close()
            # a reused connection that the server closed as the request went out: once more on a new one,
            # unless the request may have been acted on (it was all sent, and it may send an SMS)
            if fresh or kept.received or (attempt.written and not resend_safe):
                raise
            attempt.written = attempt.connected = False


class _Pool(object):
    """The idle keep-alive connections of one SMSC instance, by where they lead.

    Each call takes a connection of its own (never one in use by another thread) and gives it back once
    its reply is read. A connection the server closed while idle is dropped, never used. After os.fork()
    the child forgets its parent's connections (closing only its own copies of the descriptors).
    """

    IDLE_PER_KEY = 4

    def __init__(self):
        import threading
        self._lock, self._idle, self._pid = threading.Lock(), {}, _os.getpid()
        _pools_to_close_at_exit().add(self)

    def take(self, key):
        self._forget_after_fork()
        while True:
            with self._lock:
                idle = self._idle.get(key)
                connection = idle.pop() if idle else None
            if connection is None or not _dropped(connection.sock.sock):
                return connection
            connection.close()

    def give(self, key, connection):
        self._forget_after_fork()
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < self.IDLE_PER_KEY:
                idle.append(connection)
                return
        connection.close()

    def close(self):
        with self._lock:
            connections = [c for idle in self._idle.values() for c in idle]
            self._idle = {}
        for connection in connections:
            connection.close()

    def _forget_after_fork(self):
        if self._pid != _os.getpid():
            import threading
            self._lock, self._pid = threading.Lock(), _os.getpid()
            forgotten, self._idle = self._idle, {}
            for connection in [c for idle in forgotten.values() for c in idle]:
                connection.sock.sock.close()  # the child's copy only: no TLS close_notify, the parent's stays open

    def __del__(self):  # the instance was collected: its connections close with it
        try:
            self.close()
        except Exception:  # at interpreter exit, modules may be gone already
            pass


def _dropped(sock):
    """True when an idle connection cannot be reused: the server closed it (or sent something unasked)."""
    import select
    try:
        if hasattr(select, "poll"):  # no FD_SETSIZE limit
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return bool(poller.poll(0))
        return bool(select.select([sock], [], [], 0)[0])
    except (ValueError, _socket.error, select.error):
        return True


_pools = []


def _pools_to_close_at_exit():
    if not _pools:
        import atexit
        import weakref
        _pools.append(weakref.WeakSet())
        atexit.register(lambda: [pool.close() for pool in list(_pools[0])])
    return _pools[0]


# Examples:
# smsc = SMSC()
# smsc.send_sms("79999999999", "test", sender="sms")
# smsc.send_sms("79999999999", "http://smscentre.com\nSMSCENTRE.COM", query="maxsms=3")
# smsc.send_sms("79999999999", "0605040B8423F0DC0601AE02056A0045C60C036D79736974652E72750001036D7973697465000101", format=5)
# smsc.send_sms("79999999999", "", format=3)
# r = smsc.get_sms_cost("79999999999", "Вы успешно зарегистрированы!")
# smsc.send_sms_mail("79999999999", "test2", format=1)
# r = smsc.get_status(12345, "79999999999")
# print(smsc.get_balance())


# Командная строка: python smsc_api.py balance | send | cost | status | mail (python smsc_api.py -h)
#
# In three steps, as bottle's _cli_parse: _cli_parse (argv -> options; bad usage exits 2), _cli_run (options ->
# an outcome: the call made and what its reply means), _cli_say (outcome -> what is printed, and the exit
# status). argparse and json are imported here only, so `import smsc_api` costs what it did.

_ERRORS = {"1": "error in parameters", "2": "invalid login or password (or API key)", "3": "not enough money",
           "4": "IP address temporarily blocked", "5": "wrong date format", "6": "message forbidden (text or sender)",
           "7": "wrong phone number format", "8": "the message cannot be delivered to this number",
           "9": "duplicate request within a minute, or too many requests"}
_STATUSES = {"-3": "not found", "-2": "stopped", "-1": "waiting to be sent", "0": "passed to the operator",
             "1": "delivered", "2": "read", "3": "expired", "4": "link clicked", "20": "impossible to deliver",
             "22": "wrong number", "23": "prohibited", "24": "not enough money", "25": "unreachable number"}

# Outcomes of a call and their exit status (bad usage, 2, never gets that far: argparse exits). Another outcome,
# such as "possibly sent" for send (the request went out, no reply came back), takes an entry here, its
# detection in _cli_run and its line in _cli_line; --json prints its fields as they are.
_EXIT = {"ok": 0, "refused": 1, "unreachable": 3, "unexpected": 3}

# The reply of each command that means success: the gateway's fields, numbers where it sends numbers
_AMOUNT = "-?[0-9]+(\\.[0-9]+)?"
_REPLY_SHAPES = {"send": "[0-9]+,[0-9]+(,%s,%s)?" % (_AMOUNT, _AMOUNT),  # id,cnt[,cost,balance]
                 "cost": _AMOUNT + ",[0-9]+",                            # cost,cnt
                 "status": "-?[0-9]+,[0-9]+,-?[0-9]+(,.*)?",             # status,time,err[,...]
                 "balance": _AMOUNT}                                     # balance
_REFUSAL_SHAPE = "[0-9]+,-[0-9]+"                                        # 0,-error or id,-error


def _cli_parser(prog=None):
    """The parser of argv: the options every command takes, then the commands and their arguments.

    prog None: named as started (smsc-api, smsc_api.py), argparse's default."""
    import argparse

    class Parser(argparse.ArgumentParser):
        def _print_message(self, message, file=None):  # usage, help and errors: any locale, a closed pipe
            _cli_write(file or _sys.stderr, message.rstrip("\n"))

    common = _cli_options(Parser(add_help=False), argparse)
    parser = Parser(prog=prog, parents=[common], description=(
        "SMSC gateway from the command line. Exit status: 0 success, 1 the gateway answered an error, "
        "2 bad usage (nothing is sent), 3 no host answered, or the reply was not the gateway's."))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    commands.add_parser("balance", parents=[common], help="print the balance")
    for name, help in (("send", "send an SMS"), ("cost", "the cost of an SMS, without sending it"),
                       ("mail", "send an SMS by e-mail (SMTP)")):
        command = commands.add_parser(name, parents=[common], help=help)
        command.add_argument("phones", help="phone numbers, separated by commas or semicolons")
        command.add_argument("message")
        if name == "send":
            command.add_argument("--sender", default=False, help="sender name (Sender ID)")
            command.add_argument("--format", type=int, default=0, help="0 SMS, 1 flash, 2 push, 3 HLR, ... 13 telegram")
            command.add_argument("--translit", type=int, default=0, help="0 no, 1 or 2: transliterate")
    command = commands.add_parser("status", parents=[common], help="the status of a sent message")
    command.add_argument("id")
    command.add_argument("phone")
    command.add_argument("--all", type=int, default=0, help="1 or 2: the full record")
    return parser


def _cli_options(common, argparse):
    # Given, they override the settings (SMSC(...)); absent, the module constants apply (SUPPRESS)
    def seconds(text):
        try:
            return _checked_seconds(float(text), "")
        except ValueError:
            raise argparse.ArgumentTypeError("expected a positive number of seconds, not '%s'" % text)

    for flag, help in (("--login", "SMSC login (default: $SMSC_LOGIN; empty: the password is an API key)"),
                       ("--password", "password or API key (default: $SMSC_PASSWORD, safer than this option)"),
                       ("--host", "smscentre.com, smsc.ru, smsc.kz or smsc.ua (default: $SMSC_HOST)")):
        common.add_argument(flag, default=argparse.SUPPRESS, help=help)
    for flag, help in (("--https", "use HTTPS"), ("--post", "use POST"),
                       ("--keepalive", "keep connections open between attempts"), ("--json", "print JSON, for scripts")):
        common.add_argument(flag, action="store_true", default=argparse.SUPPRESS, help=help)
    common.add_argument("--timeout", type=seconds, default=argparse.SUPPRESS, metavar="SECONDS",
                        help="seconds per attempt (default: $SMSC_TIMEOUT, 60)")
    common.add_argument("--connect-timeout", type=seconds, default=argparse.SUPPRESS, metavar="SECONDS",
                        help="seconds to connect (default: $SMSC_CONNECT_TIMEOUT, 10)")
    return common


def _cli_parse(parser, argv=None):
    """The options of argv (default: sys.argv[1:]), with .settings for SMSC(...) and .json; exits 2 (nothing
    sent) on bad usage, a bad environment variable or no credentials at all."""
    try:
        arguments = _cli_arguments(_sys.argv[1:] if argv is None else argv)
    except ValueError as error:
        parser.error("%s" % (error,))
    args = parser.parse_args(arguments)
    if _environment_error is not None:
        parser.error(_environment_error)
    names = ("login", "password", "host", "https", "post", "timeout", "connect_timeout", "keepalive")
    args.settings = dict((name, getattr(args, name)) for name in names if hasattr(args, name))
    args.json = getattr(args, "json", False)
    if not args.settings.get("login", SMSC_LOGIN) and not args.settings.get("password", SMSC_PASSWORD):
        parser.error("no credentials: set SMSC_LOGIN and SMSC_PASSWORD (or SMSC_PASSWORD alone, an API key), "
                     "or give --login and --password")
    return args


def _cli_locale_encoding():
    # The terminal's encoding; under the C locale (ASCII) UTF-8, as Python 3.7+ reads it there
    import codecs
    import locale
    try:
        encoding = codecs.lookup(locale.getpreferredencoding()).name
    except (LookupError, ValueError):
        encoding = "ascii"
    return "utf-8" if encoding == "ascii" else encoding


def _cli_arguments(argv):
    """argv as text: Python 2 bytes and the surrogates of Python 3 under an ASCII locale (3.6, or PYTHONUTF8=0)
    are decoded from the terminal's encoding. An argument that is not in it: a ValueError naming it."""
    encoding, decoded = _cli_locale_encoding(), []
    for argument in argv:
        if not _PY2 and _re.search(u"[\udc80-\udcff]", argument):  # bytes that the locale could not decode
            argument = argument.encode(_sys.getfilesystemencoding(), "surrogateescape")
        try:
            decoded.append(argument.decode(encoding) if isinstance(argument, _bytes) else argument)
        except UnicodeDecodeError:
            raise ValueError("argument %d is not text in the terminal's encoding %s" % (len(decoded) + 1, encoding))
    return decoded


def _cli_run(args):
    """Make the call the options ask for: (outcome, fields), outcome a key of _EXIT, fields for JSON."""
    client = SMSC(**args.settings)
    if args.command == "mail":
        return _cli_mail(client, args)
    if args.command == "balance":
        reply = client._smsc_send_cmd("balance")
    elif args.command == "send":
        return _cli_send(client, args)
    elif args.command == "cost":
        reply = client.get_sms_cost(args.phones, args.message)
    else:
        reply = client.get_status(args.id, args.phone, all=args.all)
    charset = client._setting("charset")
    return _cli_judge(args.command, [field.decode(charset, "replace") if isinstance(field, _bytes) else field
                                     for field in reply])


def _cli_send(client, args):
    # A send may have gone out although no host confirmed it: the module logs it (smsc_possibly_sent, and
    # smsc_most_likely_sent once a later host answers error 9); said here in words and in --json
    import logging

    class Collect(logging.Handler):
        def emit(self, record):
            for name in ("possibly_sent", "most_likely_sent"):
                url = getattr(record, "smsc_" + name, None)
                if url is not None:
                    seen.setdefault(name, url)
    seen, collect = {}, Collect()
    _log().addHandler(collect)
    try:
        reply = client.send_sms(args.phones, args.message, translit=args.translit, format=args.format,
                                sender=args.sender)
    finally:
        _log().removeHandler(collect)
    charset = client._setting("charset")
    outcome, fields = _cli_judge("send", [field.decode(charset, "replace") if isinstance(field, _bytes) else field
                                          for field in reply])
    if outcome != "ok":
        fields.update(seen)
    return outcome, fields


def _cli_judge(command, reply):
    """The outcome of a gateway call from its reply (fields as text): exit 0 only for the gateway's shape."""
    text = ",".join(reply).rstrip()
    if reply == ["", ""]:
        return "unreachable", {"error": "unreachable"}
    if _re.match(_REFUSAL_SHAPE + "\\Z", text):
        code = text.split(",")[1][1:]
        return "refused", {"error": int(code), "message": _ERRORS.get(code, "unknown error"), "reply": text.split(",")}
    if not _re.match("(%s)\\Z" % _REPLY_SHAPES[command], text, _re.S):
        return "unexpected", {"error": "unexpected reply", "reply": _cli_shortened(text)}
    m = text.split(",")
    if command == "balance":
        return "ok", {"balance": m[0]}
    if command == "send":
        return "ok", dict(zip(("id", "sms", "cost", "balance"), m))
    if command == "cost":
        return "ok", {"cost": m[0], "sms": m[1]}
    return "ok", {"status": m[0], "name": _STATUSES.get(m[0], "unknown status"), "reply": reply}


def _cli_shortened(text, limit=60):
    # What came back, cut short, control characters escaped (nothing reaches the terminal but text)
    text = text if len(text) <= limit else text[:limit] + "..."
    return _re.sub(u"[\x00-\x1f\x7f]", lambda match: "\\x%02x" % ord(match.group()), text)


def _cli_mail(client, args):
    forms = _secret_forms(client._secrets(), client._setting("charset"))  # a server may echo what it was sent
    try:
        client.send_sms_mail(args.phones, args.message)
    except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as error:
        code, text = list(error.recipients.values())[0] if hasattr(error, "recipients") else error.args[:2]
        text = text.decode("utf-8", "replace") if isinstance(text, _bytes) else text
        return "refused", {"error": code, "message": _masked(text, forms)}
    except (smtplib.SMTPException, _socket.error) as error:
        return "unreachable", {"error": "unreachable", "reason": _masked("%s" % (error,), forms)}
    return "ok", {"command": "mail"}


def _cli_line(command, outcome, fields):
    """The line printed for a person."""
    if outcome == "refused":
        if command == "mail":
            return "error: the mail server answered %(error)s %(message)s" % fields
        if "most_likely_sent" in fields:
            return ("error %(error)s: %(message)s; the message was most likely sent: %(most_likely_sent)s received "
                    "the whole request, and no complete reply came back" % fields)
        return "error %(error)s: %(message)s" % fields
    if outcome == "unreachable":
        if "possibly_sent" in fields:
            return ("error: no host answered; the message may have been sent: %(possibly_sent)s received the whole "
                    "request, and no complete reply came back" % fields)
        return "error: no mail server answered (%(reason)s)" % fields if command == "mail" else "error: no host answered"
    if outcome == "unexpected":
        return "error: unexpected reply: %(reply)s" % fields
    if command == "send":
        return "sent: " + ", ".join("%s %s" % (name, fields[name]) for name in ("id", "sms", "cost", "balance")
                                    if name in fields)
    if command == "status":
        line = "status %(status)s: %(name)s" % fields
        try:
            changed = int(fields["reply"][1]) and datetime.fromtimestamp(int(fields["reply"][1]))
        except (ValueError, OverflowError, OSError):
            changed = None
        return line + (", changed %s" % changed if changed else "")
    return {"balance": "balance: %(balance)s", "cost": "cost: %(cost)s for %(sms)s SMS",
            "mail": "mail sent"}[command] % fields


def _cli_say(args, outcome, fields):
    """Print the outcome (a line, or JSON with --json) and return the exit status."""
    import json
    code = _EXIT[outcome]
    if args.json:
        _cli_write(_sys.stdout, json.dumps(dict(fields, ok=code == 0, exit=code), sort_keys=True))
    else:
        _cli_write(_sys.stderr if code else _sys.stdout, _cli_line(args.command, outcome, fields))
    return code


def _cli_write(stream, text):
    """Write a line: what the stream cannot encode is backslash-escaped; a closed stream or pipe (| head,
    >&-) is not an error: its descriptor then points at os.devnull, so that exiting stays quiet."""
    import errno
    if stream is None:  # Python 3: the descriptor was closed at start
        return
    text = (text.decode("utf-8", "replace") if isinstance(text, _bytes) else text) + u"\n"
    encoding = getattr(stream, "encoding", None) or _cli_locale_encoding()
    data = text.encode(encoding, "backslashreplace")
    try:
        stream.write(data if _PY2 else data.decode(encoding))
        stream.flush()
    except (IOError, OSError) as error:
        if error.errno not in (errno.EPIPE, errno.EBADF):
            raise
        try:
            devnull = _os.open(_os.devnull, _os.O_WRONLY)
            _os.dup2(devnull, stream.fileno())
            _os.close(devnull)
        except (AttributeError, ValueError, IOError, OSError):
            pass


def _main(argv=None):
    """python smsc_api.py ...: parse, run, say. Returns the exit status (argparse exits 2 itself)."""
    parser = _cli_parser(None if argv is None else "smsc_api.py")  # argv given (tests): the file's name
    args = _cli_parse(parser, argv)
    try:
        outcome, fields = _cli_run(args)
    except (TypeError, IndexError, ValueError) as error:  # bad input or a bad setting, named by the module
        parser.error("%s" % (error,))
    return _cli_say(args, outcome, fields)


if __name__ == "__main__":
    _sys.exit(_main())
