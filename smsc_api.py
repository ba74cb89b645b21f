# -*- coding: utf-8 -*-
# SMSCENTRE.COM API (smscentre.com) версия 2.1: drop-in replacement for smsc_api.py 2.0 (03.07.2019)
#
# The names, signatures, return values and bytes on the wire of the official 2.0 module, on Python 2.7 and 3.6+,
# standard library only. What differs from 2.0, and why: docs/differences.md.
#
# The file, in order; each section opens with a banner ("# Settings ####...") and a note on its design:
#
#   2.0's API ............ 2.0's imports, constants, ifs() and class SMSC, its examples
#   Python 2 and 3 ....... the one block where they differ (six's way); the names the types use
#   Settings ............. which constant is which setting, their checks, the environment, what an instance holds
#   Request parameters ... each parameter's forms, as the gateway documents them, and text conversion
#   Transport ............ the attempts (failover, at most once, the log), deadlines, connections, proxies, pool
#   Multipart files ...... send_sms(files=...), posted as the official PHP library 3.8 posts them
#   Secrets .............. never a password or key in output, logs or exceptions
#   SMTP ................. send_sms_mail's session
#   Async code ........... AsyncSMSC
#   Delivery callbacks ... verify_callback()
#   Command line ......... python smsc_api.py ...
#
# Comments: 2.0's own stay as 2.0 wrote them, in Russian; everything added is in English.

########################################################################################################################
# 2.0's API ############################################################################################################
########################################################################################################################

# 2.0's lines, its comments as 2.0 wrote them (in Russian), with what was added beside them, in English.

from datetime import datetime
from time import sleep
import smtplib

try:
    from urllib.request import urlopen
    from urllib.parse import quote
except ImportError:  # Python 2
    from urllib import urlopen, quote  # type: ignore[attr-defined,no-redef]

__version__ = "2.1.0"

# What "from smsc_api import *" gives: 2.0's names (its imports included) and the new constants
__all__ = ["SMSC", "ifs", "datetime", "sleep", "smtplib", "urlopen", "quote",
           "SMSC_LOGIN", "SMSC_PASSWORD", "SMSC_POST", "SMSC_HTTPS", "SMSC_CHARSET", "SMSC_DEBUG", "SMSC_TIMEOUT",
           "SMSC_CONNECT_TIMEOUT", "SMSC_KEEPALIVE", "SMSC_HOST", "SMTP_FROM", "SMTP_SERVER", "SMTP_LOGIN",
           "SMTP_PASSWORD"]

# Константы для настройки библиотеки
# (each also takes its default from an environment variable, SMSC_LOGIN=... python app.py: see Settings)
SMSC_LOGIN = ""             # логин клиента
SMSC_PASSWORD = ""          # пароль клиента. Если передан пустой логин, то SMSC_PASSWORD используется, как API ключ, вместо логина и пароля  # noqa: E501
SMSC_POST = False           # type: _Flag  # использовать метод POST
SMSC_HTTPS = False          # type: _Flag  # использовать HTTPS протокол
SMSC_CHARSET = "utf-8"      # кодировка сообщения (windows-1251 или koi8-r), по умолчанию используется utf-8
SMSC_DEBUG = False          # type: _Flag  # флаг отладки
SMSC_TIMEOUT = 60           # type: Optional[float]  # seconds an attempt may take, whole (HTTP and SMTP); None: as 2.0
SMSC_CONNECT_TIMEOUT = 10   # type: Optional[float]  # seconds to connect; None: within SMSC_TIMEOUT
SMSC_KEEPALIVE = False      # type: _Flag  # keep connections open between calls (HTTP and HTTPS)
SMSC_HOST = "smscentre.com"  # the gateway's domain: smscentre.com, smsc.ru, smsc.kz or smsc.ua (URL, mirrors, SMTP)

# Константы для отправки SMS по SMTP
SMTP_FROM = "api@smscentre.com"     # e-mail адрес отправителя
SMTP_SERVER = "send.smscentre.com"  # адрес smtp сервера
# (SMTP_FROM and SMTP_SERVER left as they are follow SMSC_HOST: api@smsc.ru, send.smsc.ru)
SMTP_LOGIN = ""             # логин для smtp сервера
SMTP_PASSWORD = ""          # пароль для smtp сервера

TYPE_CHECKING = False
if TYPE_CHECKING:  # types for mypy and editors ("# type:" comments); typing is never imported at run time
    # (flake8 does not read "# type:" comments: the names they use look unused to it)
    from typing import IO, Any, Awaitable, Callable, Dict, List, Literal, Optional, Sequence, Set, Tuple  # noqa: F401
    from typing import TypeVar, Union, overload  # noqa: F401
    _T = TypeVar("_T")
    _U = TypeVar("_U")
    _Text = Union[str, bytes]                                # text (unicode on Python 2), or bytes as they are
    _Phones = Union[str, bytes, int, Sequence[Union[str, bytes, int]]]
    _Digits = Union[int, str, bytes]                         # id, translit, format, all
    _Id = Union[int, str, bytes]                            # a message id: a number or text
    _Ids = Union[int, str, bytes, Sequence[Union[int, str, bytes]]]
    _Files = Sequence[Union[str, bytes, "os.PathLike[str]", IO[bytes]]]  # paths, or files opened in binary mode
    _Flag = Union[bool, int]                                 # True or False, or 1 or 0
    import argparse as _argparse  # noqa: F401 (the command line's parser, in its type comments)
    import asyncio  # noqa: F401 (AsyncSMSC's futures, in its type comments)
    import concurrent.futures  # noqa: F401


# Вспомогательная функция, эмуляция тернарной операции ?:
def ifs(cond, val1, val2):
    # type: (object, _T, _U) -> Union[_T, _U]
    if cond:
        return val1
    return val2


class _ModuleConstant(object):
    def __repr__(self):
        # type: () -> str
        return "<module constant>"


_MODULE_CONSTANT = _ModuleConstant()  # type: Any  # an SMSC(...) setting not given: the module constant applies


# Класс для взаимодействия с сервером smscentre.com
class SMSC(object):
    """The SMSC gateway's client: 2.0's class, with its methods, arguments and return values.

    SMSC() reads the module constants (SMSC_LOGIN, SMSC_PASSWORD, ...) at each call, as 2.0 did. Any setting may
    be given to the instance instead: SMSC("login", "password"), SMSC(host="smsc.kz", timeout=10, ...); what it
    is not given is read from the constant at each call. A setting of the wrong kind is a TypeError or ValueError
    naming it, raised by the first call that reads it, before any connection.

    With keepalive=True connections stay open between calls; close() or `with SMSC(keepalive=True) as smsc:`
    closes them. One instance may be used from many threads. All the instance holds of this module is one
    name-mangled attribute: a subclass may keep any attribute of its own.
    """

    if TYPE_CHECKING:  # the settings it takes, for type checkers; at run time it binds them itself (below)
        def __init__(self, login=_MODULE_CONSTANT, password=_MODULE_CONSTANT, post=_MODULE_CONSTANT,
                     https=_MODULE_CONSTANT, charset=_MODULE_CONSTANT, debug=_MODULE_CONSTANT, host=_MODULE_CONSTANT,
                     timeout=_MODULE_CONSTANT, smtp_from=_MODULE_CONSTANT, smtp_server=_MODULE_CONSTANT,
                     smtp_login=_MODULE_CONSTANT, smtp_password=_MODULE_CONSTANT, connect_timeout=_MODULE_CONSTANT,
                     keepalive=_MODULE_CONSTANT):
            # type: (_Text, _Text, _Flag, _Flag, str, _Flag, str, Optional[float], str, str, _Text, _Text, Optional[float], _Flag) -> None  # noqa: E501
            pass
    else:
        def __init__(self, *args, **kwargs):
            """SMSC(login, password, post=..., https=..., charset=..., debug=..., host=..., timeout=...,
            smtp_from=..., smtp_server=..., smtp_login=..., smtp_password=..., connect_timeout=..., keepalive=...):
            each setting optional, in this order by position; one not given is the module constant's at each call.

            2.0's class had no __init__: when a base after SMSC (a mixin) has one, the arguments go to it, as they
            went with 2.0, and the settings are the module constants'."""
            if _init_after_smsc(type(self)):
                self.__dict__[_STATE] = {"given": {}}
                super(SMSC, self).__init__(*args, **kwargs)
            else:
                self.__dict__[_STATE] = {"given": _bound_settings(args, kwargs)}

    # Метод отправки SMS
    #
    # обязательные параметры:
    #
    # phones - список телефонов через запятую или точку с запятой
    # message - отправляемое сообщение
    #
    # необязательные параметры:
    #
    # translit - переводить или нет в транслит (1,2 или 0)
    # time - необходимое время доставки в виде строки (DDMMYYhhmm, h1-h2, 0ts, +m)
    # id - идентификатор сообщения. Представляет собой 32-битное число в диапазоне от 1 до 2147483647.
    # format - формат сообщения (0 - обычное sms, 1 - flash-sms, 2 - wap-push, 3 - hlr, 4 - bin, 5 - bin-hex, 6 - ping-sms, 7 - mms, 8 - mail, 9 - call, 10 - viber, 11 - soc, 13 - telegram)  # noqa: E501
    # sender - имя отправителя (Sender ID).
    # query - строка дополнительных параметров, добавляемая в URL-запрос ("valid=01:00&maxsms=3")
    #
    # возвращает массив (<id>, <количество sms>, <стоимость>, <баланс>) в случае успешной отправки
    # либо массив (<id>, -<код ошибки>) в случае ошибки
    def send_sms(self, phones, message, translit=0, time="", id=0, format=0, sender=False, query="", files=None):
        # type: (_Phones, _Text, _Digits, Union[_Text, int, None], _Id, _Digits, Union[_Text, int, None], _Text, Optional[_Files]) -> List[str]  # noqa: E501
        """Send an SMS (or a message of another format) to one or more phones.

        phones: text with numbers separated by commas or semicolons, an int, or a list or tuple of them.
        message: the text (str; unicode on Python 2), sent in SMSC_CHARSET; bytes go as they are.
        translit: 0, 1 or 2. time: the delivery time as text ("DDMMYYhhmm", "h1-h2", "0ts", "+m"); "", None or
        0 for now. id: the message's id, an int or text of up to 40 Latin letters, digits, ".", "-" and "_".
        format: 0 (SMS) to 13 (1 flash, 2 wap-push, 3 HLR, ..., 7 MMS, 8 e-mail, ..., 13 telegram).
        sender: the sender name; False, None or 0 for the account's default. query: more parameters as text
        ("valid=01:00&maxsms=3"). files: paths or files opened in binary mode (MMS pictures, e-mail
        attachments), sent as multipart/form-data as the official PHP library 3.8 sends them.

        Returns 2.0's list of text: [id, sms count, cost, balance] when sent, [id, "-N"] for the gateway's error
        N (["0", "-N"] before any message was made), ['', ''] when no host answered.
        Raises TypeError, ValueError or IndexError naming the parameter (or setting) before any connection;
        a network failure never raises (it is logged on the "smsc_api" logger).
        """
        charset = _setting(self, "charset")
        arg = ("cost=3&phones=" + _quoted(_phones_value(phones, charset), charset, "phones") +
               "&mes=" + _quoted(message, charset, "message") + "&translit=" + _digits(translit, "translit") +
               "&id=" + _id_text(id) + _format_flag(format) + _param("sender", _sender_value(sender), charset) +
               _param("time", _time_value(time), charset) + _query_param(query, charset))
        attached = _read_files(self, files, charset)  # read before connecting: a file that cannot be read is named
        m = _request(self, "send", arg, attached) if attached else self._smsc_send_cmd("send", arg)

        # (id, cnt, cost, balance) или (id, -error)
        if _setting(self, "debug"):
            f = _debug_fields(self, m)[0] + ["", "", ""]  # a short reply (or a subclass's tuple) does not break it
            if f[1] > "0":
                print("Сообщение отправлено успешно. ID: " + f[0] + ", всего SMS: " + f[1] + ", стоимость: " + f[2] + ", баланс: " + f[3])  # noqa: E501
            else:
                print("Ошибка №" + f[1][1:] + ifs(f[0] > "0", ", ID: " + f[0], ""))

        return m

    # SMTP версия метода отправки SMS
    def send_sms_mail(self, phones, message, translit=0, time="", id=0, format=0, sender=""):
        # type: (_Phones, _Text, _Digits, Union[_Text, int, None], _Id, _Digits, Union[_Text, int, None]) -> None
        """Send an SMS by e-mail: a mail to send@send.<SMSC_HOST> through SMTP_SERVER (SMTP_LOGIN, SMTP_PASSWORD).

        The parameters are send_sms's, checked the same way; none of the fields before the message may hold ":",
        which would shift the mail's fields. Returns None, as 2.0. The SMTP session is bounded by SMSC_TIMEOUT
        (SMSC_CONNECT_TIMEOUT to connect); a refusal of the server raises smtplib's exception, as in 2.0, with any
        secret it echoes masked.
        """
        settings = _settings(self, _SMTP_SETTINGS)
        data = _mail_data(self, settings["charset"], phones, message, translit, time, id, format, sender)
        _send_mail(self, settings, data)

    # Метод получения стоимости SMS
    #
    # обязательные параметры:
    #
    # phones - список телефонов через запятую или точку с запятой
    # message - отправляемое сообщение
    #
    # необязательные параметры:
    #
    # translit - переводить или нет в транслит (1,2 или 0)
    # format - формат сообщения (0 - обычное sms, 1 - flash-sms, 2 - wap-push, 3 - hlr, 4 - bin, 5 - bin-hex, 6 - ping-sms, 7 - mms, 8 - mail, 9 - call, 10 - viber, 11 - soc, 13 - telegram)  # noqa: E501
    # sender - имя отправителя (Sender ID)
    # query - строка дополнительных параметров, добавляемая в URL-запрос ("list=79999999999:Ваш пароль: 123\n78888888888:Ваш пароль: 456")  # noqa: E501
    #
    # возвращает массив (<стоимость>, <количество sms>) либо массив (0, -<код ошибки>) в случае ошибки
    def get_sms_cost(self, phones, message, translit=0, format=0, sender=False, query=""):
        # type: (_Phones, _Text, _Digits, _Digits, Union[_Text, int, None], _Text) -> List[str]
        """The cost of an SMS without sending it; the parameters are send_sms's.

        Returns 2.0's list of text: [cost, sms count], or ["0", "-N"] for the gateway's error N, or ['', ''] when
        no host answered. Raises as send_sms does, before any connection.
        """
        charset = _setting(self, "charset")
        m = self._smsc_send_cmd("send", "cost=1&phones=" + _quoted(_phones_value(phones, charset), charset, "phones") +
                                "&mes=" + _quoted(message, charset, "message") +
                                _param("sender", _sender_value(sender), charset) +
                                "&translit=" + _digits(translit, "translit") + _format_flag(format) +
                                _query_param(query, charset))

        # (cost, cnt) или (0, -error)
        if _setting(self, "debug"):
            f = _debug_fields(self, m)[0] + [""]
            if f[1] > "0":
                print("Стоимость рассылки: " + f[0] + ". Всего SMS: " + f[1])
            else:
                print("Ошибка №" + f[1][1:])

        return m

    if TYPE_CHECKING:  # one id (an int) gives one flat list; text or a list may hold several: a list per message
        @overload
        def get_status(self, id, phone, all=0):
            # type: (int, _Phones, _Digits) -> List[str]
            pass

        @overload
        def get_status(self, id, phone, all=0):
            # type: (_Ids, _Phones, _Digits) -> List[Any]
            pass

    # Метод проверки статуса отправленного SMS или HLR-запроса
    #
    # id - ID cообщения
    # phone - номер телефона
    #
    # возвращает массив:
    # для отправленного SMS (<статус>, <время изменения>, <код ошибки sms>)
    # для HLR-запроса (<статус>, <время изменения>, <код ошибки sms>, <код IMSI SIM-карты>, <номер сервис-центра>, <код страны регистрации>,  # noqa: E501
    # <код оператора абонента>, <название страны регистрации>, <название оператора абонента>, <название роуминговой страны>,  # noqa: E501
    # <название роумингового оператора>)
    #
    # При all = 1 дополнительно возвращаются элементы в конце массива:
    # (<время отправки>, <номер телефона>, <стоимость>, <sender id>, <название статуса>, <текст сообщения>)
    #
    # либо массив (0, -<код ошибки>) в случае ошибки
    def get_status(self, id, phone, all=0):
        # type: (_Ids, _Phones, _Digits) -> List[Any]
        """The status of a sent message (or of an HLR request).

        id: the message's id (an int or text, as in send_sms); several in one text separated by commas go as they
        are, as 2.0 sent them. phone: its phone. all: 0, or 1 (2) for the full record.

        Returns 2.0's list of text: [status, change time, error] (an HLR request adds its fields; all=1 adds send
        time, phone, cost, sender, status name and the message; all=2 also country, operator and region before the
        message), or ["0", "-N"] for the gateway's error N, or ['', ''] when no host answered. Ids given as a
        list or tuple (and phones likewise) ask for several messages in one request and return a list of such
        lists, one per message, as the official PHP library 3.8 does; an error of the whole request stays flat.
        Raises TypeError or ValueError naming the parameter before any connection.
        """
        charset = _setting(self, "charset")
        all_fields = _digits(all, "all")
        ids, as_list = _status_ids(id)
        m = self._smsc_send_cmd("status", "phone=" + _quoted(_phones_value(phone, charset, "phone"), charset, "phone") +
                                "&id=" + ids + "&all=" + all_fields)
        level = int(all_fields)  # 0, 1 or 2
        records = _records(",".join(m), level) if as_list and not _flat_error(m) else [m]

        # (status, time, err, ...) или (0, -error)
        if _setting(self, "debug"):
            for f in [fields + [""] for fields in _debug_fields(self, *records)]:
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

        # commas in the message text: its tail joined again, as PHP 3.8 does (all=1: 9 fields, all=2: 12)
        fields, hlr = (12, 17) if level == 2 else (9, 14)
        for n, record in enumerate(records):
            if level and len(record) > 9 and (len(record) <= hlr or record[hlr] != "HLR"):
                records[n] = (",".join(record)).split(",", fields - 1)

        return records if as_list and not _flat_error(m) else records[0]

    # Метод получения баланса
    #
    # без параметров
    #
    # возвращает баланс в виде строки или False в случае ошибки
    def get_balance(self):
        # type: () -> Union[str, Literal[False]]
        """The account's balance as text ("100.00"), or False on any error (no host answered, or the gateway's
        error), as 2.0."""
        m = self._smsc_send_cmd("balance")  # (balance) или (0, -error)

        if _setting(self, "debug"):
            f = _debug_fields(self, m)[0]
            if len(f) < 2:
                print("Сумма на счете: " + f[0])
            else:
                print("Ошибка №" + f[1][1:])

        return ifs(len(m) > 1, False, m[0])

    def close(self):
        # type: () -> None
        """Close the connections kept alive (keepalive=True); the instance stays usable and opens new ones. (A
        base after SMSC with a close() of its own is closed too.)"""
        _close_pool(self)
        later = getattr(super(SMSC, self), "close", None)
        if later is not None:
            later()

    def __enter__(self):
        # type: () -> Any
        later = getattr(super(SMSC, self), "__enter__", None)
        return self if later is None else later()

    def __exit__(self, *exc_info):
        # type: (*Any) -> Any
        _close_pool(self)
        later = getattr(super(SMSC, self), "__exit__", None)
        return None if later is None else later(*exc_info)

    # ВНУТРЕННИЕ МЕТОДЫ

    # Метод вызова запроса. Формирует URL и делает 3 попытки чтения
    def _smsc_send_cmd(self, cmd, arg=""):
        # type: (str, str) -> List[str]
        # (subclasses override it, as with 2.0; send_sms with files goes around it: 2.0 had no files)
        return _request(self, cmd, arg, None)


# Examples:
# smsc = SMSC()
# smsc.send_sms("79999999999", "test", sender="sms")
# smsc.send_sms("79999999999", "http://smscentre.com\nSMSCENTRE.COM", query="maxsms=3")
# smsc.send_sms("79999999999", "0605040B8423F0DC0601AE02056A0045C60C036D79736974652E72750001036D7973697465000101", format=5)  # noqa: E501
# smsc.send_sms("79999999999", "", format=3)
# r = smsc.get_sms_cost("79999999999", "Вы успешно зарегистрированы!")
# smsc.send_sms_mail("79999999999", "test2", format=1)
# r = smsc.get_status(12345, "79999999999")
# print(smsc.get_balance())
#
# smsc.send_sms("79999999999", "", format=7, files=["picture.jpg"])    # an MMS with a picture
# r = smsc.get_status([101, 102], ["79999999999", "79999999998"])      # [[...], [...]]: a record a message
# with SMSC(keepalive=True) as smsc: ...                              # one connection for every call


########################################################################################################################
# Python 2 and 3 #######################################################################################################
########################################################################################################################

# As six.py: the one place where the names of the two Pythons differ. What urllib sent on each (the transport's
# per-Python pieces) is defined in the Transport section, once per Python too.

import os  # noqa: E402 (after 2.0's lines above)
from collections import namedtuple  # noqa: E402 (loaded already by urllib)
import re  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402

if sys.version_info[0] == 2:
    _text, _bytes, _integers = unicode, str, (int, long)  # noqa: F821
    if sys.platform.startswith("linux") and os.times()[4]:  # Python 2 has no monotonic clock: times(2)'s ticks
        def _monotonic():                                    # are never set back (a wall clock is, by NTP)
            return os.times()[4]
    else:
        from time import time as _monotonic
    from urllib import getproxies as _getproxies, proxy_bypass as _proxy_bypass, unquote as _unquote
    from urlparse import urljoin as _urljoin, urlsplit as _urlsplit
    _unquote_to_bytes = _unquote  # str is bytes
else:
    _text, _bytes, _integers = str, bytes, (int,)
    from time import monotonic as _monotonic
    from urllib.parse import unquote as _unquote, unquote_to_bytes as _unquote_to_bytes
    from urllib.parse import urljoin as _urljoin, urlsplit as _urlsplit
    from urllib.request import getproxies as _getproxies, proxy_bypass as _proxy_bypass
_PY2 = sys.version_info[0] == 2
_TEXT_TYPES = (_text, _bytes, bytearray, memoryview)  # what a parameter's text may be
_QUOTE = quote  # urllib's own: a test (or an application) may replace smsc_api's, as 2.0 used it


########################################################################################################################
# Settings #############################################################################################################
########################################################################################################################

# What is made once and kept (the TLS context, the proxies of the environment, the connection class, the logger, the
# settings' values found valid): one idiom, and one function that forgets it all (the tests and the pytest plugin
# call it when the CAs or the *_proxy variables change)
_CACHE = {}  # type: Dict[str, Any]


def _cached(name, make):
    # type: (str, Callable[[], _T]) -> _T
    try:
        value = _CACHE[name]  # type: _T
    except KeyError:
        value = _CACHE.setdefault(name, make())
    return value


def _valid(kind):
    # type: (str) -> Set[str]
    """The values of a setting's kind found valid once: the fast path of _setting takes them at a glance."""
    values = _cached("valid " + kind, set)  # type: Set[str]
    return values


def _forget_cached():
    # type: () -> None
    """Forget what was made once: the next call builds its TLS context and reads the *_proxy variables again."""
    _CACHE.clear()


# Settings: the name in SMSC(...), the module constant and the kind of value, checked at each read (_setting);
# None: not checked here (passwords: when they are encoded). Each constant's default comes from the environment
# variable SMSC_<...> (SMSC_LOGIN, SMSC_SMTP_SERVER), read once at import.

_SETTINGS = (("login", "SMSC_LOGIN", None), ("password", "SMSC_PASSWORD", None), ("post", "SMSC_POST", "bool"),
             ("https", "SMSC_HTTPS", "bool"), ("charset", "SMSC_CHARSET", "charset"), ("debug", "SMSC_DEBUG", "bool"),
             ("host", "SMSC_HOST", "host"), ("timeout", "SMSC_TIMEOUT", "seconds"),
             ("smtp_from", "SMTP_FROM", "address"), ("smtp_server", "SMTP_SERVER", "smtp_server"),
             ("smtp_login", "SMTP_LOGIN", None), ("smtp_password", "SMTP_PASSWORD", None),
             ("connect_timeout", "SMSC_CONNECT_TIMEOUT", "seconds"),
             ("keepalive", "SMSC_KEEPALIVE", "bool"))  # type: Tuple[Tuple[str, str, Optional[str]], ...]
# All the settings of an HTTP request or an SMTP session are read and checked before connecting: one found bad
# after the request (debug) would raise after a sent SMS. A request reads every setting but the smtp_ ones; a
# session every setting but the request's own (so a new setting needs no list of its readers)
_HTTP_SETTINGS = tuple(name for name, _, _ in _SETTINGS if not name.startswith("smtp_"))
_SMTP_SETTINGS = tuple(name for name, _, _ in _SETTINGS if name not in ("login", "password", "post", "https",
                                                                        "keepalive"))


def _setting(client, name):
    # type: (SMSC, str) -> Any
    """The setting given to the instance, else the module constant at this moment (as 2.0 read it); checked."""
    constant, check, plainly_valid = _SETTING_LOOKUP[name]
    given = _given(client)
    value = given[name] if name in given else _GLOBALS[constant]
    if check is None or plainly_valid(value):  # the fast path: settings are read many times a call
        return value
    if isinstance(value, _BadVariable):
        raise ValueError(value.message)
    return check(value, _label(client, name))


def _settings(client, names):
    # type: (SMSC, Sequence[str]) -> Dict[str, Any]
    return {name: _setting(client, name) for name in names}


def _label(client, name):
    # type: (SMSC, str) -> str
    """The setting as an error names it: SMSC(login=...) when the instance was given it, else its constant."""
    return "SMSC(%s=...)" % name if name in _given(client) else _SETTING_LOOKUP[name][0]


def _checked_bool(value, label):
    # type: (object, str) -> bool
    # What 2.0 read by its truth (None, 0, 2, ...); text is refused, whose truth is not what it says ("false")
    if isinstance(value, _TEXT_TYPES):
        raise TypeError("%s must be True or False (or 1 or 0), not %r" % (label, value))
    return bool(value)


def _checked_seconds(value, label):
    # type: (object, str) -> Optional[float]
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, _integers + (float,)):
        raise TypeError("%s must be a number of seconds or None, not %r" % (label, value))
    try:
        finite = 0 < float(value) < _INFINITY  # nan too
    except OverflowError:  # an int too large for a float
        finite = False
    if not finite:
        raise ValueError("%s must be a positive, finite number of seconds or None, not %r" % (label, value))
    return value


def _checked_charset(value, label):
    # type: (object, str) -> str
    # The name of a codec that encodes text (not base64, rot13, ...), of letters, digits, "-", "_", ".": it goes into
    # the request; it must leave the request's ASCII as it is (not utf-16, utf-8-sig: Python 3 would encode the
    # whole request in it)
    import codecs
    if not isinstance(value, (str, _text)):
        raise TypeError("%s must be the name of a charset, such as 'utf-8', not %r" % (label, value))
    try:
        valid = bool(re.match("[A-Za-z0-9][A-Za-z0-9._-]*\\Z", value) and
                     getattr(codecs.lookup(value), "_is_text_encoding", True) and
                     _PRINTABLE_ASCII.encode(value) == _PRINTABLE_ASCII.encode("ascii"))
    except (LookupError, UnicodeError, TypeError):  # TypeError: Python 2's string_escape takes no unicode
        valid = False
    if not valid:
        raise ValueError("%s must be the name of a charset, such as 'utf-8', not %r" % (label, value))
    _valid("charsets").add(value)
    return value


def _checked_text(value, label):
    # type: (object, str) -> str
    if isinstance(value, (str, _text)):
        return value
    raise TypeError("%s must be text, not %r" % (label, value))


_CONTROL_CHARACTER = u"[\x00-\x1f\x7f]"  # what reaches no mail command, log line or terminal as it is


def _checked_address(value, label):
    # type: (object, str) -> str
    # A mail address: it goes into MAIL FROM, where a line feed would add a command
    text = _checked_text(value, label)
    if re.search(_CONTROL_CHARACTER, text):
        raise ValueError("%s must be a mail address, without line feeds or control characters, not %r" % (label, value))
    _valid("addresses").add(text)
    return text


def _checked_host(value, label):
    # type: (object, str) -> str
    # A host name (and a port): it goes into the URL and the SMTP address; not empty, no "/", "?", "@", spaces
    text = _checked_text(value, label)
    match = re.match("([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\])(:([0-9]{1,5}))?\\Z", text)
    if match and 0 < int(match.group(4) or 80) < 65536:
        _valid("hosts").add(text)
        return text
    raise ValueError("%s must be a host name (smscentre.com, smsc.ru, ...; host:port for SMTP), not %r"
                     % (label, value))


def _checked_smtp_server(value, label):
    # type: (object, str) -> str
    # What smtplib connects to: a host name (Docker's smtp_relay, a final dot, an IDN) or address, and :port
    text = _checked_text(value, label)
    if re.match(u"(?:[\\w.-]+|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?\\Z", text, re.U):
        _valid("SMTP servers").add(text)
        return text
    raise ValueError("%s must be a host name (smscentre.com, smsc.ru, ...; host:port for SMTP), not %r"
                     % (label, value))


_INFINITY = float("inf")
_PRINTABLE_ASCII = u" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"
# Each kind: its check, and what the check would return as it is, seen at a glance (anything else goes through it)
_KINDS = {
    "bool": (_checked_bool, lambda value: value is True or value is False),
    "seconds": (_checked_seconds, lambda value: value is None or (type(value) in (int, float) and 0 < value < 1e300)),
    "charset": (_checked_charset, lambda value: type(value) is str and value in _valid("charsets")),
    "address": (_checked_address, lambda value: type(value) is str and value in _valid("addresses")),
    "host": (_checked_host, lambda value: type(value) is str and value in _valid("hosts")),
    "smtp_server": (_checked_smtp_server, lambda value: type(value) is str and value in _valid("SMTP servers")),
}  # type: Dict[str, Tuple[Callable[[object, str], Any], Callable[[Any], bool]]]
_SETTING_LOOKUP = dict(
    (name, (constant,) + (_KINDS[kind] if kind else (None, None)))
    for name, constant, kind in _SETTINGS)  # type: Dict[str, Tuple[Any, ...]]
_GLOBALS = globals()  # the module constants, read at each call as 2.0 read them


# Environment variables: only SMSC_* are read (the SMTP settings' are SMSC_SMTP_SERVER, ...: an application's own
# SMTP_SERVER is its own mail's). An empty one is unset. A bad one never stops the import: the constant holds a
# stand-in for its default, and a call that reads it raises the error, naming the variable, until the application
# sets the constant.

class _BadVariable(object):
    """What a constant holds when its environment variable was bad: its default (as repr, == and truth show it);
    a call that reads it raises the variable's error."""

    def __init__(self, default, message):
        # type: (object, str) -> None
        self.default, self.message = default, message

    def __repr__(self):
        # type: () -> str
        return repr(self.default)

    def __eq__(self, other):
        # type: (object) -> bool
        return bool(self.default == other)

    def __ne__(self, other):
        # type: (object) -> bool
        return not self == other

    def __hash__(self):
        # type: () -> int
        return hash(self.default)

    def __bool__(self):
        # type: () -> bool
        return bool(self.default)
    __nonzero__ = __bool__


def _environment_variable(constant):
    # type: (str) -> str
    return constant if constant.startswith("SMSC_") else "SMSC_" + constant


def _from_environment(variable, kind, value):
    # type: (str, Optional[str], str) -> object
    label = "environment variable " + variable
    if kind == "bool":
        if value.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if value.strip().lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError("%s: expected 1/true/yes/on or 0/false/no/off, not %r" % (label, value))
    if kind == "seconds":
        if value.strip().lower() == "none":
            return None
        if not re.match("\\s*-?([0-9]+(\\.[0-9]*)?|\\.[0-9]+|nan|inf|infinity)\\s*\\Z", value, re.I):  # not 5_0, 1e3
            raise ValueError("%s: expected a number of seconds or none, not %r" % (label, value))
        return _checked_seconds(float(value), label)
    return _KINDS[kind][0](value, label) if kind else value


def _constants_from_environment():
    # type: () -> None
    for name, constant, kind in _SETTINGS:
        variable = _environment_variable(constant)
        value = os.environ.get(variable)
        if not value or not value.strip() and kind in ("bool", "seconds"):  # VAR= (as .env files leave it): unset
            continue
        try:
            _GLOBALS[constant] = _from_environment(variable, kind, value)
        except ValueError as error:
            _GLOBALS[constant] = _BadVariable(_GLOBALS[constant], "%s" % (error,))


_constants_from_environment()


# The instance: all it holds of this module is SMSC.__smsc_api_state, {"given": its settings, "pool": its
# connections}, written into its __dict__ (not through a subclass's __setattr__). A subclass keeps its own attributes
# (2.0's class had none but its methods), one whose __init__ never calls ours works on the module constants, and a
# base after SMSC keeps its __init__, close(), __enter__ and __exit__. pickle and copy.deepcopy carry the settings,
# not the connections (the pool pickles as a new one); copy.copy shares them, as it shares every attribute.

_STATE = "_SMSC__smsc_api_state"
_NO_STATE = {"given": {}}  # type: Dict[str, Any]  # an instance whose __init__ was not ours


def _init_after_smsc(klass):
    # type: (type) -> bool
    """Whether a base after SMSC in klass's MRO has an __init__ of its own (2.0's SMSC let it have the arguments)."""
    mro = klass.__mro__
    return any("__init__" in vars(base) for base in mro[mro.index(SMSC) + 1:-1])


def _bound_settings(args, kwargs):
    # type: (Sequence[Any], Dict[str, Any]) -> Dict[str, Any]
    """SMSC(...)'s arguments, by the names of its settings, as a signature would bind them."""
    names = [name for name, _, _ in _SETTINGS]
    if len(args) > len(names):
        raise TypeError("SMSC() takes at most %d settings (%d given)" % (len(names), len(args)))
    given = dict(zip(names, args))
    for name, value in kwargs.items():
        if name not in names:
            raise TypeError("SMSC() got an unexpected keyword argument %r" % name)
        if name in given:
            raise TypeError("SMSC() got multiple values for argument %r" % name)
        given[name] = value
    return dict((name, value) for name, value in given.items() if value is not _MODULE_CONSTANT)


def _close_pool(client):
    # type: (SMSC) -> None
    pool = (client.__dict__.get(_STATE) or _NO_STATE).get("pool")  # type: Optional[_Pool]
    if pool is not None:
        pool.close()


def _given(client):
    # type: (SMSC) -> Dict[str, Any]
    given = (client.__dict__.get(_STATE) or _NO_STATE)["given"]  # type: Dict[str, Any]
    return given


def _pool(client):
    # type: (SMSC) -> _Pool
    """The instance's keep-alive connections, made at its first request with keepalive."""
    state = client.__dict__.get(_STATE)
    if state is None:
        state = client.__dict__.setdefault(_STATE, {"given": {}})
    if "pool" not in state:
        state.setdefault("pool", _Pool())  # one pool, even when threads race here
    pool = state["pool"]  # type: _Pool
    return pool


########################################################################################################################
# Request parameters ###################################################################################################
########################################################################################################################

# Each parameter goes into the request as 2.0 put it there: quote()'d, or str()'d where 2.0 pasted it unquoted
# (id, translit, format, all), and takes the forms the gateway documents. Nothing a caller passes can add or replace
# a parameter; each check raises before any connection, naming the parameter. Text conversion first: the family
# every parameter goes through (text in SMSC_CHARSET, bytes as they are).

# Text conversion, one family (six's ensure_binary, ensure_str, ensure_text):
#     _ensure_binary(value, charset, name)   text in charset, bytes-like as bytes; a TypeError naming the parameter
#     _ensure_str(value, charset, name)      a native str for the request's text: Python 2's bytes, Python 3's %XX
#     _ensure_text(value)                    text, from bytes as UTF-8 (what the command line prints)
#     _binary_or_none(value)                 bytes of a bytes-like value, else None
#     _ascii_or_none(value)                  the plain native str of ASCII text or bytes, else None
#     _int_as_digits(value)                  an int as its digits (2.0's str()), anything else as it is

def _ascii_or_none(value):
    # type: (Union[str, bytes]) -> Optional[str]
    """The characters of text or bytes as a plain native str when they are ASCII (else None): never a
    subclass, nor what its __str__ returns."""
    try:
        data = _text.encode(value, "ascii") if isinstance(value, _text) else _bytes.__add__(b"", value)
        return data.decode("ascii") if not _PY2 else _bytes.__add__(b"", data)  # type: ignore[return-value]
    except (UnicodeError, TypeError):
        return None


# Request parameters. A parameter goes into the request as 2.0 sent it: text in SMSC_CHARSET, percent-encoded as
# quote() did; bytes (bytearray, memoryview) as they are. Nothing a caller passes can add or replace a parameter:
# what is pasted into the request unquoted (id, translit, format, all) is checked against the gateway's forms.
# Each check raises before any connection, naming the parameter.

def _binary_or_none(value):
    # type: (object) -> Optional[bytes]
    """bytes, bytearray or memoryview as bytes; None for anything else."""
    if isinstance(value, _bytes):
        return value
    if isinstance(value, bytearray):
        return _bytes(value)
    if isinstance(value, memoryview):
        return value.tobytes()
    return None


def _ensure_binary(value, charset, name, secret=False):
    # type: (object, str, str, bool) -> bytes
    """value as the request carries it: text encoded in charset, bytes as they are."""
    data = _binary_or_none(value)
    if data is not None:
        return data
    if not isinstance(value, _text):
        raise TypeError("%s must be text or bytes, not %s" % (name, type(value).__name__))
    try:
        return value.encode(charset)
    except UnicodeEncodeError as error:
        if not secret:
            error.reason = "not in SMSC_CHARSET %s (%s)" % (charset, name)
            raise
    # outside the except clause: the error raised has no context holding the secret
    raise _SecretEncodeError("%s cannot be encoded in SMSC_CHARSET %s" % (name, charset))


def _quoted(value, charset, name, secret=False):  # %XX, as quote() in 2.0: str
    # type: (object, str, str, bool) -> str
    if quote is not _QUOTE and isinstance(value, str):  # replaced (2.0's charset fix of the day): given text, as 2.0
        replaced = quote(value)  # type: str
        return replaced
    return _QUOTE(_ensure_binary(value, charset, name, secret))


def _ensure_str(value, charset, name):
    # type: (object, str, str) -> str
    """Text or bytes as a native str for the request's text: unicode (Python 2) in charset, bytes (Python 3) as
    %XX (the same bytes on the wire)."""
    if isinstance(value, str):
        return value
    if isinstance(value, _text):
        return _ensure_binary(value, charset, name)  # type: ignore  # Python 2: bytes is str
    data = _binary_or_none(value)
    if data is None:
        raise TypeError("%s must be text or bytes, not %s" % (name, type(value).__name__))
    return data if _PY2 else _QUOTE(data, safe=_URL_SAFE)  # type: ignore[return-value]


def _ensure_text(text, charset="utf-8"):
    # type: (Union[str, bytes], str) -> str
    return text.decode(charset, "replace") if isinstance(text, _bytes) else text


def _int_as_digits(value):  # as str(value) in 2.0, but text and bytes as they are, an int as its digits
    # type: (object) -> object
    if isinstance(value, _integers):
        return "%d" % int(value)  # not str(): an IntEnum on Python 3.6-3.10 would be sent as its name
    return value


def _phones_value(phones, charset, name="phones"):
    # type: (object, str, str) -> object
    """Text or bytes as they are ("" too: 2.0's, the gateway answers error 1); an int, or a non-empty list or tuple
    of them, as bytes joined with commas."""
    if isinstance(phones, _TEXT_TYPES):
        return phones
    items = phones if isinstance(phones, (list, tuple)) else [phones]
    for item in items:
        if isinstance(item, bool) or not isinstance(item, _TEXT_TYPES + _integers):
            raise TypeError("%s must be text, bytes, an int or a list of them, not %s" % (name, type(item).__name__))
    encoded = [_ensure_binary(_int_as_digits(item), charset, name) for item in items]
    if not encoded:
        raise ValueError("%s must not be empty" % name)
    if not all(item.strip() for item in encoded):
        raise ValueError("%s must not hold an empty item" % name)
    return b",".join(encoded)


_TRAILING_SPACE = " \t\r\n\x0b\x0c"  # ASCII whitespace: a CHAR(n) column's padding, a line feed


def _digits(value, name, shape="[0-9]+\\Z", what="an int or text of digits"):
    # type: (object, str, str, str) -> str
    """An int (not a bool) as its digits, or text matching shape as its own characters: what goes into the
    request unquoted, as str(value) put it there in 2.0."""
    if isinstance(value, bool) or value is None or isinstance(value, (float, list, tuple, dict)):
        raise TypeError("%s must be %s, not %s" % (name, what, type(value).__name__))
    if isinstance(value, _integers) or hasattr(type(value), "__index__"):  # numpy's ints too, as 2.0 sent them
        return "%d" % getattr(value, "__index__")()  # not str(): an IntEnum or a subclass's __str__ sends digits too
    data = _binary_or_none(value)
    if data is None and not isinstance(value, _text):
        value = str(value)  # Decimal and the like: as 2.0's str()
    text = _ascii_or_none(value if data is None else data)  # type: ignore[arg-type]  # the characters themselves
    # trailing whitespace (a CHAR(n) column's padding) goes as 2.0 put it: %-encoded, cut at the end of a GET's URL
    if text is None or not re.match(shape, text.rstrip(_TRAILING_SPACE)):
        raise ValueError("%s must be %s, not %r" % (name, what, value[:40]))  # type: ignore[index]
    return text


# The gateway's message ids: a number, or text of up to 40 Latin letters, digits, ".", "-" and "_"
_ID = "(?:[0-9]+|[A-Za-z0-9._-]{1,40})"
_ID_WHAT = "an int, or text of up to 40 Latin letters, digits, '.', '-' and '_'"


def _id_text(id, shape=_ID + "?\\Z", what=_ID_WHAT):
    # type: (object, str, str) -> str
    """An id as 2.0 sent it, str(id) (an int as its digits), when that is one of the gateway's forms ("": the
    parameter empty, as 2.0 sent it)."""
    if isinstance(id, bool) or not isinstance(id, _TEXT_TYPES + _integers):
        id = str(id)  # None, True, 1.0: 2.0 sent the words, which the gateway takes as text ids
    return _digits(id, "id", shape, what)


def _status_ids(id):
    # type: (object) -> Tuple[str, bool]
    """get_status's ids as the request carries them, and whether they came as a list (or tuple): 2.0's text
    (one id, or several separated by commas, spaces around them allowed), or a list of single ids."""
    if isinstance(id, (list, tuple)):
        if not id:
            raise ValueError("id must not be empty")
        return ",".join(_id_text(item, _ID + "\\Z").rstrip(_TRAILING_SPACE) for item in id), True  # new: as meant
    return _id_text(id, "(%s( *, *%s)*,?)?\\Z" % (_ID, _ID), _ID_WHAT + " (ids separated by commas)"), False


def _flat_error(reply):
    # type: (List[str]) -> bool
    """An error of the whole request (0,-N) or no answer (['', '']): flat, as for one id."""
    return len(reply) == 2 and reply[1][:1] in ("-", "")


def _records(reply, level):
    # type: (str, int) -> List[List[str]]
    """The records of the statuses of several messages, a line of the reply each. With all (level 1 or 2) a
    message may hold a line feed: a line that does not start as a record (status,time,err,) continues the last."""
    lines = []  # type: List[str]
    for line in reply.split("\n"):
        if level and lines and not re.match("-?[0-9]+,[0-9]+,-?[0-9]+(,|\\r?\\Z)", line):
            lines[-1] += "\n" + line
        else:
            lines.append(line)
    return [line.rstrip("\r").split(",") for line in lines if line.rstrip("\r")]


# The flags of formats 1..13 (format - 1 indexes them; 12 is an empty flag, a bare "&" as in 2.0)
_FORMATS = ("flash=1", "push=1", "hlr=1", "bin=1", "bin=2", "ping=1", "mms=1", "mail=1",
            "call=1", "viber=1", "soc=1", "", "tg=1")


def _format_number(format):
    # type: (object) -> str
    number = _digits(int(format) if isinstance(format, bool) else format, "format")  # 2.0 indexed with True as 1
    if not 0 <= int(number) <= 13:
        raise IndexError("format must be from 0 to 13, not %d" % int(number))
    return number


def _format_flag(format):
    # type: (object) -> str
    number = int(_format_number(format))
    return ifs(number > 0, "&" + _FORMATS[number - 1], "")


def _sender_value(sender):
    # type: (object) -> object
    """The sender as 2.0 sent it, str(sender) (text and bytes as they are, an int as its digits); None for no
    sender: None, and what equals False, as 2.0 tested it (False, 0, 0.0)."""
    if sender is None or sender == False:  # noqa: E712 (2.0's test, for any type)
        return None
    if isinstance(sender, bool) or not isinstance(sender, _TEXT_TYPES + _integers):
        sender = str(sender)  # the sender is quoted: whatever it says stays one parameter
    return _int_as_digits(sender)


def _time_value(time):
    # type: (object) -> object
    """The delivery time as it is; None for no time ("", None, 0 and whatever 2.0 found false)."""
    if isinstance(time, _TEXT_TYPES):
        return time if len(time) else None
    if not time:
        return None
    raise TypeError("time must be text or bytes, not %s" % type(time).__name__)  # 2.0's quote() refused it


def _param(name, value, charset):
    # type: (str, object, str) -> str
    """&name=value, quoted as 2.0 quoted it; nothing for None."""
    return "" if value is None else "&" + name + "=" + _quoted(value, charset, name)


def _query_param(query, charset):
    # type: (object, str) -> str
    """&query, as it is (2.0: "&" + query); nothing when it is empty or None."""
    if isinstance(query, _TEXT_TYPES):
        return "&" + _ensure_str(query, charset, "query") if query else ""
    if query:
        raise TypeError("query must be text or bytes, not %s" % type(query).__name__)
    return ""


def _mail_field(value, name):
    # type: (bytes, str) -> bytes
    """A field of send_sms_mail's mail before the message: no ":", which would shift the fields (a mail has no
    escaping)."""
    if b":" in value:
        raise ValueError("%s must not hold ':' in send_sms_mail: it would shift the mail's fields" % name)
    return value


def _smtp_address(value, smscentre_default, host_default):
    # type: (str, str, str) -> str
    """SMTP_FROM and SMTP_SERVER left as written follow SMSC_HOST, as in 2.0's copies for smsc.ru, ..."""
    return host_default if value == smscentre_default else value


########################################################################################################################
# Transport ############################################################################################################
########################################################################################################################

# Five attempts as 2.0 made them (smscentre.com, www2 ... www5), each within a deadline; after one that may have
# acted, the next only inside the gateway's duplicate window (at most once); what came of the call, on the log.
# Underneath, httplib / http.client driven by hand, urllib3's way (a deadline, a connection, a route, a pool), so
# that the bytes are urllib's and every wait ends at the deadline.

# The log: logging is imported when a call first logs, so that import smsc_api costs what 2.0's did

def _log():
    # type: () -> Any
    """The "smsc_api" logger, with a NullHandler (as libraries add one)."""
    def logger():
        # type: () -> Any
        import logging
        made = logging.getLogger("smsc_api")
        if not any(isinstance(handler, logging.NullHandler) for handler in made.handlers):  # once, whatever forgets
            made.addHandler(logging.NullHandler())
        return made
    return _cached("logger", logger)


# At most once: after an attempt that may have acted (its whole request written, no complete reply), the next
# hosts are asked only while their request can be written whole within this many seconds of that attempt's:
# inside the gateway's duplicate window (one minute), where a copy is refused with error 9 instead of sent.
_DUPLICATE_WINDOW = 50


# The gateway's errors, as it names them; 3, 6, 7 and 8 are a send's (and a cost's) only
_ERRORS = {"1": "error in parameters", "2": "invalid login or password (or API key)", "3": "not enough money",
           "4": "IP address temporarily blocked", "5": "wrong date format", "6": "message forbidden (text or sender)",
           "7": "wrong phone number format", "8": "the message cannot be delivered to this number",
           "9": "duplicate request within a minute, or too many requests"}
_ERRORS_OF_EVERY_COMMAND = ("1", "2", "4", "5", "9")
_REFUSAL_SHAPE = _ID + ",-[0-9]+"  # 0,-error or id,-error (the id a number or the caller's text)
_STATUSES = {"-3": "not found", "-2": "stopped", "-1": "waiting to be sent", "0": "passed to the operator",
             "1": "delivered", "2": "read", "3": "expired", "4": "link clicked", "20": "impossible to deliver",
             "22": "wrong number", "23": "prohibited", "24": "not enough money", "25": "unreachable number"}
# The reply of each command that means success: the gateway's fields, numbers where it sends numbers (the log
# says when a reply is none of the gateway's, and the command line exits 3)
_AMOUNT = "-?[0-9]+(\\.[0-9]+)?"
_REPLY_SHAPES = {"send": _ID + ",[1-9][0-9]*(,%s(,%s)?)?" % (_AMOUNT, _AMOUNT),  # id,cnt[,cost[,balance]]
                 "cost": _AMOUNT + ",[1-9][0-9]*",                       # cost,cnt
                 "status": "-?[0-9]+,[0-9]+,-?[0-9]+(,.*)?",             # status,time,err[,...]
                 "balance": _AMOUNT}                                     # balance


# The HTTP request: up to 5 attempts, smscentre.com, www2 ... www5.smscentre.com

def _request(client, cmd, arg, files):
    # type: (SMSC, str, str, Optional[List[Tuple[bytes, bytes]]]) -> List[str]
    settings = _settings(client, _HTTP_SETTINGS)
    host, login, charset = settings["host"], settings["login"], settings["charset"]
    url = ifs(settings["https"], "https", "http") + "://" + host + "/sys/" + cmd + ".php"
    _url = url
    credentials = ifs(login, "login=" + _quoted(login, charset, _label(client, "login"), True) + "&psw=", "apikey=") + \
        _quoted(settings["password"], charset, _label(client, "password"), True) + "&fmt=1&charset=" + \
        _ensure_str(charset, charset, "SMSC_CHARSET") + "&"
    arg = _ensure_str(arg, charset, "query")
    repeatable = _repeatable(cmd, arg)  # status, balance, cost: never acted on, so safe to send again
    # the request's bytes: the query is encoded alone, so that an error raised for it never holds the password.
    # The credentials are ASCII (%XX), but for a replaced quote() that leaves text as it is: in charset, as 2.0
    head = _ensure_binary(credentials, charset, _label(client, "login") + " or " + _label(client, "password"), True)
    data = head + _ensure_binary(arg, charset, "query")
    body, target, content_type = None, "", _FORM  # type: Optional[bytes], str, str
    if files:
        content_type, body = _multipart(data, files)
    elif settings["post"] or len(credentials + arg) > 2000:
        body = data
    else:  # urllib cut trailing whitespace off the URL (unwrap)
        target = "?" + _QUOTE(head + _ensure_binary(arg.rstrip(), charset, "query"), safe=_URL_SAFE)
    # what 2.0 handed urlopen, for a test suite's mock of it, or of the standard library's HTTP (vcrpy)
    replaced = (credentials + arg, data) if _urlopen_replaced() or _http_replaced() else None

    ret, failure, tried, window_closed = "", "", 0, False
    possibly_sent = None  # type: Optional[Tuple[int, str]]  # the first attempt that may have acted: (number, url)
    write_by = None  # type: Optional[float]  # then nothing more is written after this moment: at most once
    for i in (1, 2, 3, 4, 5):
        if write_by is not None and _monotonic() >= write_by:
            window_closed = True
            break
        if i > 1:
            url = _url.replace(host + "/", "www" + str(i) + "." + host + "/")

        tried = i
        deadline = _Deadline(settings["timeout"], settings["connect_timeout"], write_by)
        connection = None  # type: Any  # the last request's: whether it may have been acted on
        try:
            if replaced is not None:  # a test suite's mock of smsc_api.urlopen, called as 2.0 called it
                reply = (urlopen(url + "?" + replaced[0]) if body is None else urlopen(url, replaced[1])).read()
            else:
                reply = _fetch(url + target, body, deadline, _pool(client) if settings["keepalive"] else None,
                               repeatable, content_type)
            text = reply.decode(charset)  # a reply not in SMSC_CHARSET is a failed attempt, as in 2.0
            if not isinstance(text, _text):  # what a mock's read() gave: as 2.0's str()
                text = str(text)
            ret, failure = ifs(_PY2 and isinstance(reply, _bytes), reply, text), "empty reply"  # Python 2: bytes
        except _AttemptFailed as failed:
            connection, error = failed.connection, failed.error
            connected = connection is not None and connection.connected_at is not None
            failure = (deadline.timed_out(connected) if isinstance(error, socket.timeout) else
                       _failure_text(client, error, credentials + arg))
        except Exception as error:  # a mock's; KeyboardInterrupt and SystemExit are not caught
            failure = _failure_text(client, error, credentials + arg)
        if ret != "":
            break
        written_at = None if connection is None else connection.written_at
        if write_by is not None and written_at is None and _monotonic() >= write_by:
            failure = "its request could not be written whole within %g s of attempt %d's" % (
                _DUPLICATE_WINDOW, possibly_sent[0] if possibly_sent else 0)
        if not repeatable and written_at is not None and not connection.answered:  # all sent, no reply: it may
            if possibly_sent is None:                                                # have been acted on
                possibly_sent, write_by = (i, url), written_at + _DUPLICATE_WINDOW
            _log().info("attempt %d of 5 failed: %s: %s; the whole request was sent: the message may have been "
                        "sent", i, url, failure, extra={"smsc_possibly_sent": url})
        else:
            _log().info("attempt %d of 5 failed: %s: %s", i, url, failure)

    _log_outcome(_command_name(cmd, repeatable), ret, tried, url, failure, possibly_sent, window_closed,
                 lambda: _masks(client, credentials + arg))
    if ret == "":
        if settings["debug"]:
            print("Ошибка чтения адреса: " + url)
        ret = ","  # фиктивный ответ

    return ret.split(",")


def _command_name(cmd, repeatable):
    # type: (str, bool) -> str
    """The command as the log and the command line name it: send, cost (send.php with cost=1), status, ..."""
    return "cost" if cmd == "send" and repeatable else cmd


def _log_outcome(command, reply, tried, url, failure, possibly_sent, window_closed, masks):
    # type: (str, str, int, str, str, Optional[Tuple[int, str]], bool, Callable[[], Tuple[List[bytes], List[str]]]) -> None  # noqa: E501
    """What a call came to, on the "smsc_api" logger: a success nothing at WARNING or above; the gateway's error a
    WARNING; no answer one ERROR. None of them holds a secret (failure is masked already)."""
    log, extra = _log(), {"smsc_command": command, "smsc_attempts": tried}  # type: Any, Dict[str, Any]
    sent = ""
    if possibly_sent is not None:
        extra["smsc_possibly_sent"] = possibly_sent[1]
        sent = ("attempt %d (%s) received the whole request and no complete reply came back: the message may have "
                "been sent" % possibly_sent)
    if reply == "" and window_closed:
        log.error("%s: not sent again: %s, and %g s have passed since, past which the gateway would take a copy "
                  "for a new message instead of refusing it (error 9); %d of 5 hosts asked, the last reason: %s",
                  command, sent, _DUPLICATE_WINDOW, tried, failure,
                  extra=dict(extra, smsc_not_repeated=True, smsc_reason=failure))
    elif reply == "":
        log.error("%s: no host answered (%d attempts); the last, %s: %s%s", command, tried, url, failure,
                  "; " + sent if sent else "", extra=dict(extra, smsc_reason=failure))
    elif command in _REPLY_SHAPES and not re.match(
            "(%s|%s)\\Z" % (_REFUSAL_SHAPE, _REPLY_SHAPES[command]), reply.rstrip().split("\n")[0], re.S):
        log.warning("%s: the reply is not the gateway's: %s", command, _shown(_masked(_ensure_text(reply), masks())),
                    extra=extra)
    elif re.match(_REFUSAL_SHAPE + "\\Z", reply.rstrip()):
        code = reply.rstrip().split(",")[1][1:]
        extra["smsc_error"] = int(code)
        likely = ""
        if code == "9" and possibly_sent is not None:  # "the same message within a minute"
            extra["smsc_most_likely_sent"] = possibly_sent[1]
            likely = "; attempt %d (%s) most likely sent the message" % possibly_sent
        log.warning("%s: the gateway answered error %s: %s%s", command, code, _error_meaning(command, code), likely,
                    extra=extra)


def _shown(text, limit=60):
    # type: (str, int) -> str
    """What came back (a reply, a server's reason), to be shown: cut short, control characters escaped (nothing but
    text reaches a terminal or a log)."""
    text = text if len(text) <= limit else text[:limit] + "..."
    return re.sub(_CONTROL_CHARACTER, lambda match: "\\x%02x" % ord(match.group()), text)


def _debug_fields(client, *replies):
    # type: (SMSC, *Sequence[Any]) -> List[List[Any]]
    """The fields of each reply as SMSC_DEBUG prints them: 2.0's, with a secret a server echoed masked."""
    forms = _masks(client)
    return [[_masked(field, forms) if isinstance(field, (_text, _bytes)) else field for field in reply]
            for reply in replies]


def _error_meaning(command, code):
    # type: (str, str) -> str
    known = command in ("send", "cost") or code in _ERRORS_OF_EVERY_COMMAND
    return _ERRORS[code] if code in _ERRORS and known else "unknown error"


def _error_text(error):
    # type: (BaseException) -> str
    return "%s: %s" % (type(error).__name__, error)


def _failure_text(client, error, request):
    # type: (SMSC, Exception, str) -> str
    """Why an attempt failed, for the log: without the password, the key or the request's text."""
    text = "%s" % (error,) if isinstance(error, _ProxyError) else _error_text(error)
    longer = len(request.strip()) > len(text)  # a text that cannot hold the request (or a form of it): not sought
    masked = _masked(text, _masks(client) if longer else _masks(client, request))  # type: str
    return _shown(masked, 300)  # what a server said (a reason phrase, a status line): escaped


def _urlopen_replaced():
    # type: () -> bool
    """Whether smsc_api.urlopen is not urllib's (a test suite's mock, as mock.patch("smsc_api.urlopen"), or one of
    urllib.request.urlopen begun before smsc_api was imported): then it gets every request, as 2.0 called it."""
    return getattr(urlopen, "__module__", None) not in ("urllib", "urllib.request")


def _http_replaced():
    # type: () -> bool
    """Whether a test tool replaced the standard library's HTTP connection classes (vcrpy, ...) or its sockets
    (httpretty): then a request goes through urlopen, as 2.0 made it, so that the tool sees it. (Other
    sockets, gevent's, eventlet's or PySocks', carry this module's requests with their deadlines.)"""
    if getattr(socket.socket, "__module__", "socket").split(".")[0] == "httpretty":
        return True
    module = sys.modules.get("httplib" if _PY2 else "http.client")
    if module is None:  # never imported: not replaced
        return False
    for name in ("HTTPConnection", "HTTPSConnection"):
        klass = getattr(module, name, None)
        if klass is not None and getattr(klass, "__module__", None) != module.__name__:
            return True
    return False


def _repeatable(cmd, arg):
    # type: (str, str) -> bool
    """Whether a request never acts, so that it may be sent again: status, balance, and send with cost=1 (as PHP
    reads it: the last cost given, its name's leading spaces and what follows a NUL ignored). Anything else, a
    subclass's own commands included, may act."""
    if cmd in ("status", "balance"):
        return True
    if cmd != "send":
        return False
    cost = None
    for pair in arg.split("&"):
        name, _, value = pair.partition("=")
        if _unquote(name.replace("+", " ")).lstrip(" ").split("\0")[0] == "cost":
            cost = value
    return cost == "1"


# One request: the bytes urllib sent in 2.0, but within one deadline an attempt, through proxies (CONNECT for
# HTTPS, on Python 2 too) and, if asked, over connections kept alive.
#
#     deadline = _Deadline(timeout, connect_timeout)    # the limits of one attempt
#     body = _fetch(url, data, deadline, pool)            # the reply's bytes; _AttemptFailed on anything else
#
# What urllib sent differs between Python 2 (urllib.urlopen) and 3 (urllib.request); each piece of that is
# defined once per Python below. The rest is one code path: httplib / http.client driven by hand.

_FORM = "application/x-www-form-urlencoded"

if sys.version_info[0] == 2:
    def _http_client():
        import httplib  # at the first request: import smsc_api stays as cheap as 2.0's
        return httplib

    # urllib.urlopen: HTTP/1.0, its headers in its order; "#" left in the URL, as it did
    _HTTP_VERSION, _CONNECTION_ARGS = (10, "HTTP/1.0"), {"strict": True}  # strict: HTTP/0.9 is an error
    _URL_SAFE = "%/:=&?~#+!$,;'@()*[]|"
    _REDIRECTS = (301, 302, 303, 307)

    def _request_headers(host, body, proxy_auth, keepalive, content_type=_FORM):
        headers = [] if body is None else [("Content-Type", content_type), ("Content-Length", "%d" % len(body))]
        headers += [("Proxy-Authorization", proxy_auth)] if proxy_auth else []
        headers += [("Host", host), ("User-Agent", "Python-urllib/1.17"), ("Accept", "*/*")]
        return headers + ([("Connection", "keep-alive")] if keepalive else [])

    def _redirect_target(url, location):  # relative to url, escaped as urllib.urlopen did
        return _QUOTE(_urljoin(url, location), safe=_URL_SAFE)

    def _too_many_redirects(visited, target):  # urllib.urlopen gave up at its 10th redirect
        return sum(visited.values()) >= 9

    class _DeadlineRecv(object):
        """What socket._fileobject reads through: every recv() within the deadline."""

        def __init__(self, dsock):
            # httplib closes the socket object before the reply is read: read, as makefile() does, through _sock
            self._file = dsock.sock.makefile("rb", 0)
            self._sock, self._dsock = self._file._sock, dsock

        def recv(self, size):
            data = _within_deadline(self._dsock, self._sock, self._sock.recv, size)
            self._dsock.received += len(data)
            return data

        def close(self):
            self._file.close()

    def _deadline_file(dsock):
        return socket._fileobject(_DeadlineRecv(dsock), "rb", -1, close=True)

    def _within_deadline(dsock, sock, operation, *args):
        """operation(*args) on sock within the deadline. Python 2's ssl applies a timeout to each of its waits
        (a record dripped in pieces waits again and again): TLS by the deadline goes non-blocking here."""
        import ssl  # loaded already by urllib
        dsock.limit(sock)
        if dsock.left() is None or not isinstance(sock, ssl.SSLSocket):
            return operation(*args)
        sock.settimeout(0.0)
        while True:
            try:
                return operation(*args)
            except ssl.SSLWantReadError:
                write = False
            except ssl.SSLWantWriteError:
                write = True
            if not _ready(sock, write, dsock.left()):
                raise socket.timeout("timed out")

    def _proxy_authorization(credentials):  # urllib.urlopen: the user:password of the proxy URL, as bytes
        import base64
        return "Basic " + base64.b64encode(_unquote(credentials)).strip() if credentials else None

    def _start_tls(dsock, context, hostname):
        """The TLS socket over dsock's, its handshake within the deadline."""
        dsock.limit(dsock.sock)
        tls = context.wrap_socket(dsock.sock, server_hostname=hostname, do_handshake_on_connect=False)
        result = _DeadlineSocket(tls, dsock.deadline)
        _within_deadline(result, tls, tls.do_handshake)
        return result
else:
    import http.client  # loaded already by urllib.request
    import io

    def _http_client():
        # type: () -> Any
        return http.client

    # urllib.request: HTTP/1.1, Accept-Encoding from http.client, its headers in its order; "#" as %23 (not cut)
    _HTTP_VERSION = (11, "HTTP/1.1")
    _CONNECTION_ARGS = {}  # type: Dict[str, bool]
    _URL_SAFE = "%/:=&?~+!$,;'@()*[]|"
    _REDIRECTS = (301, 302, 303, 307, 308) if sys.version_info >= (3, 11) else (301, 302, 303, 307)

    def _request_headers(host, body, proxy_auth, keepalive, content_type=_FORM):
        # type: (str, Optional[bytes], Optional[str], bool, str) -> List[Tuple[str, str]]
        headers = [] if body is None else [("Content-Type", content_type), ("Content-Length", "%d" % len(body))]
        headers += [("Host", host), ("User-Agent", "Python-urllib/%d.%d" % sys.version_info[:2])]
        headers += [("Proxy-Authorization", proxy_auth)] if proxy_auth else []
        return headers + ([] if keepalive else [("Connection", "close")])

    def _redirect_target(url, location):  # escaped as urllib.request did, without the fragment
        # type: (str, str) -> str
        import string
        parts = _urlsplit(location)
        location = parts.geturl() if parts.path or not parts.netloc else parts._replace(path="/").geturl()
        target = _urljoin(url, _QUOTE(location, encoding="iso-8859-1", safe=string.punctuation))
        return target.split("#", 1)[0]

    def _too_many_redirects(visited, target):  # urllib.request's HTTPRedirectHandler
        # type: (Dict[str, int], str) -> bool
        return visited.get(target, 0) >= 4 or len(visited) >= 10

    class _DeadlineReader(io.RawIOBase):
        """The raw stream under http.client's and smtplib's reads: every recv within the deadline."""

        _file = None  # type: Any  # until makefile() returned

        def __init__(self, dsock):
            # type: (_DeadlineSocket) -> None
            io.RawIOBase.__init__(self)
            self._file, self._sock, self._dsock = dsock.sock.makefile("rb", 0), dsock.sock, dsock

        def readable(self):
            # type: () -> bool
            return True

        def readinto(self, buffer):  # a bytearray or memoryview, as io hands it
            # type: (Any) -> Optional[int]
            self._dsock.limit(self._sock)
            count = self._file.readinto(buffer)  # type: Optional[int]
            self._dsock.received += count or 0
            return count

        def close(self):
            # type: () -> None
            if self._file is not None:
                self._file.close()
            io.RawIOBase.close(self)

    def _deadline_file(dsock):
        # type: (_DeadlineSocket) -> io.BufferedReader
        return io.BufferedReader(_DeadlineReader(dsock))

    def _within_deadline(dsock, sock, operation, *args):
        # type: (_DeadlineSocket, Any, Callable[..., _T], *Any) -> _T
        """operation(*args) on sock within the deadline: Python 3 holds a socket's timeout for a whole call."""
        dsock.limit(sock)
        return operation(*args)

    def _proxy_authorization(credentials):  # urllib.request: only with both a user and a password, in UTF-8
        # type: (str) -> Optional[str]
        import base64
        user, _, password = credentials.partition(":")
        if not (user and password):
            return None
        pair = "%s:%s" % (_unquote(user), _unquote(password))
        return "Basic " + base64.b64encode(pair.encode()).decode("ascii")

    def _start_tls(dsock, context, hostname):
        # type: (_DeadlineSocket, Any, str) -> _DeadlineSocket
        """The TLS socket over dsock's, its handshake within the deadline."""
        dsock.limit(dsock.sock)
        return _DeadlineSocket(context.wrap_socket(dsock.sock, server_hostname=hostname), dsock.deadline)


_LONGEST_WAIT = 10 ** 8  # seconds (3 years): a socket takes no longer timeout (Python 3 overflows near 10 ** 10)


class _Deadline(object):
    """The limits of one attempt, as urllib3's Timeout holds them: when it ends (timeout None: no end, each wait
    takes the socket default, 2.0's way), the seconds connecting may take (None: within the end), and the moment
    by which its request must be written whole, the gateway's duplicate window (None: none). What happened is the
    connection's to say."""

    def __init__(self, timeout, connect_timeout, write_by=None):
        # type: (Optional[float], Optional[float], Optional[float]) -> None
        self.timeout, self.connect_timeout, self.write_by = timeout, connect_timeout, write_by
        self.end = None if timeout is None else _monotonic() + timeout  # type: Optional[float]

    def left(self, writing=False):
        # type: (bool) -> Optional[float]
        """Seconds left (None: no limit) until the end, or until write_by while a request is being written;
        socket.timeout once that moment has passed."""
        end = self.end
        if writing and self.write_by is not None:
            end = self.write_by if end is None else min(end, self.write_by)
        if end is None:
            return None
        left = end - _monotonic()
        if left <= 0:
            raise socket.timeout("the attempt's time is over")
        return left

    def timed_out(self, connected):
        # type: (bool) -> str
        """What a socket.timeout means, for the log."""
        if not connected:
            limit = self.timeout if self.connect_timeout is None else self.connect_timeout
            if limit is None:
                return "timeout: no connection within the socket default timeout"
            return "timeout: no connection within %g s" % limit
        if self.timeout is None:
            return "timeout: a wait took longer than the socket default timeout"
        return "timeout: no complete reply within %g s" % self.timeout

    def connect(self, host, port):
        # type: (str, int) -> _DeadlineSocket
        """A socket connected to (host, port) within connect_timeout (and the end), its waits held to the end."""
        left, limit = self.left(writing=True), self.connect_timeout
        if left is None:
            wait = socket._GLOBAL_DEFAULT_TIMEOUT if limit is None else min(limit, _LONGEST_WAIT)  # type: ignore[attr-defined]  # noqa: E501
        else:
            wait = min(left, _LONGEST_WAIT) if limit is None else min(limit, left, _LONGEST_WAIT)
        return _DeadlineSocket(socket.create_connection((host, port), wait), self)


class _DeadlineSocket(object):
    """A connected socket whose every wait ends by its deadline (a socket's own timeout bounds one wait only);
    `writing` (set by its connection) holds it to the deadline's write_by too; `received` counts what came."""

    def __init__(self, sock, deadline):
        # type: (Any, _Deadline) -> None
        self.sock, self.deadline, self.writing, self.received = sock, deadline, True, 0

    def use(self, deadline):
        # type: (_Deadline) -> None
        """Serve the next request (a connection kept alive) under its attempt's deadline."""
        self.deadline, self.writing, self.received = deadline, True, 0

    def left(self):
        # type: () -> Optional[float]
        return self.deadline.left(self.writing)

    def limit(self, sock):
        # type: (socket.socket) -> None
        left = self.left()
        sock.settimeout(socket.getdefaulttimeout() if left is None else min(left, _LONGEST_WAIT))

    def sendall(self, data):
        # type: (bytes) -> None
        # in pieces, each given the time left: Python 2's sendall() waits the whole timeout anew for each
        sent = 0
        while sent < len(data):
            count = _within_deadline(self, self.sock, self.sock.send, data[sent:sent + 65536])
            if not count and not _ready(self.sock, True, self.left()):  # Python 2's TLS: not yet
                raise socket.timeout("timed out")
            sent += count

    def makefile(self, *mode):
        # type: (*object) -> Any
        return _deadline_file(self)

    def start_tls(self, context, hostname):
        # type: (Any, str) -> _DeadlineSocket
        return _start_tls(self, context, hostname)

    def close(self):
        # type: () -> None
        self.sock.close()

    def __getattr__(self, name):  # fileno, setsockopt, ... of the socket
        # type: (str) -> Any
        return getattr(self.sock, name)


if TYPE_CHECKING:
    from http.client import HTTPConnection as _HTTPConnectionBase
else:
    _HTTPConnectionBase = object


class _Connection(_HTTPConnectionBase):
    """Mixed into httplib's (http.client's) HTTPConnection (_new_connection): connects, tunnels and starts TLS within
    its request's deadline. What happened to its request, each noted in one place: connected_at (connect), written_at
    (endheaders: the whole request written), answered (replied: a complete reply, not a 5xx, came back)."""

    deadline = None  # type: Any  # the _Deadline of the request it serves (start)
    tls = None  # type: Any  # the SSLContext of an HTTPS connection
    proxy = None  # type: Optional[str]  # "host:port" of the proxy it goes through (never its credentials)
    connected_at = written_at = None  # type: Optional[float]
    answered = False
    made_in = None  # type: object  # _connections_made() when it was made
    _http_vsn, _http_vsn_str = _HTTP_VERSION

    def start(self, deadline):
        # type: (_Deadline) -> None
        """Serve a new request under deadline; a kept socket too."""
        self.deadline, self.written_at, self.answered = deadline, None, False
        if self.sock is not None:
            self.sock.use(deadline)  # type: ignore[union-attr]  # a _DeadlineSocket

    def connect(self):
        # type: () -> None
        try:
            sock = self.deadline.connect(self.host, self.port)
        except socket.error as error:  # a timeout too
            if self.proxy is None:
                raise
            reason = self.deadline.timed_out(False) if isinstance(error, socket.timeout) else _error_text(error)
        else:
            reason = None
        if reason is not None:  # raised outside the except clause: no context
            raise _ProxyError("proxy %s: %s" % (self.proxy, reason))
        self.connected_at = _monotonic()
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as http.client: no Nagle delays
        except socket.error:
            pass
        self.sock = sock
        tunnel_host = getattr(self, "_tunnel_host")
        if tunnel_host:
            self._tunnel_through_proxy()
        if self.tls is not None:
            self.sock = sock.start_tls(self.tls, tunnel_host or self.host)

    def _tunnel_through_proxy(self):
        # type: () -> None
        """CONNECT host:443 through the proxy; a refusal (any answer but 2xx: 407, 403, ...) names the proxy."""
        try:
            getattr(self, "_tunnel")()
            return
        except socket.timeout:
            raise
        except socket.error as error:  # http.client: "Tunnel connection failed: 407 Proxy Authentication Required"
            reason = _error_text(error)
        raise _ProxyError("proxy %s: CONNECT refused (%s)" % (self.proxy, reason))

    def endheaders(self, message_body=None):  # type: ignore[override]  # httplib's signature, on Python 2 too
        # type: (Optional[bytes]) -> None
        super(_Connection, self).endheaders(message_body)
        self.written_at, self.sock.writing = _monotonic(), False  # type: ignore[union-attr]  # a _DeadlineSocket

    def replied(self, status):
        # type: (int) -> None
        """A complete reply came back (its body read, or an error status seen): a 5xx (a proxy's 502, 504) may
        follow a request the gateway acted on, anything else answers it."""
        self.answered = status < 500


def _new_connection(route):
    # type: (_Route) -> Any
    base = _http_client().HTTPConnection  # object last: on Python 2, httplib's classic class then precedes object
    klass = _cached("connection class", lambda: type("_HTTPConnection", (_Connection, base, object), {}))
    connection = klass(route.host, route.port, **_CONNECTION_ARGS)
    connection.tls = _tls() if route.tls else None
    connection.proxy = "%s:%d" % (route.host, route.port) if route.tunnel or route.absolute else None
    connection.made_in = _connections_made()
    if route.tunnel:
        auth = route.tunnel_auth
        connection.set_tunnel(route.tunnel[0], route.tunnel[1], {"Proxy-Authorization": auth} if auth else None)
    return connection


def _connections_made():
    # type: () -> object
    """A token of the connections made since _forget_cached(): a pool reuses no connection made before (made under
    other CAs or proxies, or to the network before a test's sandbox)."""
    return _cached("connections made", object)


def _tls():
    # type: () -> Any
    """One TLS context for every call, the certificate and the name verified (2.0 made one, reading the CAs, each
    call)."""
    import ssl
    return _cached("tls context", ssl.create_default_context)


def _split_host(netloc, default_port):
    # type: (str, int) -> Tuple[str, int]
    host, colon, port = netloc.rpartition(":")
    if not colon or "]" in port:
        return netloc.strip("[]"), default_port
    return host.strip("[]"), int(port) if port else default_port


# How to reach a URL: where to connect (host, port, with TLS or not), the CONNECT tunnel through an HTTPS proxy and
# its Proxy-Authorization, the Proxy-Authorization of an HTTP proxy (which is asked for the absolute URL), and the
# key of the pool's connections that lead there
_Route = namedtuple("_Route", "key host port tls tunnel tunnel_auth proxy_auth absolute")


def _route(scheme, netloc):
    # type: (str, str) -> _Route
    """How to reach scheme://netloc, from the *_proxy environment variables, read at the first request and kept as
    2.0's urllib opener did: HTTP through a proxy asks it for the absolute URL (with Proxy-Authorization from the
    proxy's user:password); HTTPS tunnels with CONNECT on both Pythons."""
    proxy = _cached("proxies", _getproxies).get(scheme)
    if not proxy or _proxy_bypass(netloc):
        host, port = _split_host(netloc, 443 if scheme == "https" else 80)
        return _Route((scheme, host, port), host, port, scheme == "https", None, None, None, False)
    try:
        return _proxy_route(scheme, netloc, proxy)
    except ValueError:  # said outside this block: the error quotes the URL, its password too
        pass
    raise _ProxyError("the %s_proxy variable of the environment cannot be read as a proxy URL" % scheme)


def _proxy_route(scheme, netloc, proxy):
    # type: (str, str, str) -> _Route
    if "://" not in proxy:
        proxy = "http://" + proxy
    parts = _urlsplit(proxy)
    credentials, _, hostport = parts.netloc.rpartition("@")
    host, port = _split_host(hostport, 443 if parts.scheme == "https" else 80)
    auth = _proxy_authorization(credentials)
    if scheme == "https":
        target = _split_host(netloc, 443)
        return _Route((scheme, host, port) + target + (auth,), host, port, True, target, auth, None, False)
    tls = parts.scheme == "https"  # an https:// proxy for an http:// URL: TLS to the proxy, as urllib
    return _Route(("proxy", host, port, tls, auth), host, port, tls, None, None, auth, True)


class _BadReply(IOError):
    """A reply that is not the gateway's: an HTTP error status, a redirect that cannot be followed."""


class _ProxyError(IOError):
    """A failure at the proxy (it refused the connection, or CONNECT, or wants credentials): it names the proxy's
    host:port, never its credentials."""


class _AttemptFailed(Exception):
    """Why an attempt failed (error), and the connection of its last request (None before there was one): whether
    that request may have been acted on is the connection's to tell."""

    def __init__(self, error, connection):
        # type: (Exception, Any) -> None
        Exception.__init__(self, error)
        self.error, self.connection = error, connection


def _fetch(url, body, deadline, pool=None, repeatable=False, content_type=_FORM):
    # type: (str, Optional[bytes], _Deadline, Optional[_Pool], bool, str) -> bytes
    """The body of the reply to GET url (POST body) as bytes; _AttemptFailed on anything but a complete 2xx reply.

    Redirects are followed as urllib followed them on this Python (only to http and https); a status other than 2xx
    is a _BadReply, a body shorter than its Content-Length an error. With a pool, connections are kept alive and
    reused; a reused connection the server has closed is replaced, its request sent again only when repeatable.
    """
    visited = {}  # type: Dict[str, int]  # redirect targets: how many times each
    while True:
        response, connection, key = _exchange(url, body, deadline, pool, repeatable, content_type)
        try:
            location = response.getheader("location") or response.getheader("uri")
            redirect = response.status in _REDIRECTS and location and (body is None or response.status < 307)
            if not redirect and not 200 <= response.status < 300:
                response.close()
                connection.close()
                connection.replied(response.status)
                status = "HTTP %d %s" % (response.status, response.reason)
                if connection.proxy is not None and response.status == 407:
                    raise _ProxyError("proxy %s: %s" % (connection.proxy, status))
                raise _BadReply(status + (" (through proxy %s)" % connection.proxy if connection.proxy else ""))
            try:
                data = _read_reply(response)
            except Exception:  # the deadline, a body cut short or too long: the connection is done for
                response.close()
                connection.close()
                raise
            connection.replied(response.status)
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
        except _AttemptFailed:
            raise
        except Exception as error:
            raise _AttemptFailed(error, connection)
        visited[target] = visited.get(target, 0) + 1
        url, body = target, None  # POST after 301, 302, 303: GET, as urllib


# The longest reply read: far over the gateway's (a status of thousands of messages is a few hundred KB), so that a
# server that sends without end fills no memory
_LONGEST_REPLY = 2 ** 24


def _read_reply(response):
    # type: (Any) -> bytes
    if response.length is not None:  # Content-Length
        if response.length > _LONGEST_REPLY:
            raise _BadReply("a reply of %d bytes: over %d" % (response.length, _LONGEST_REPLY))
        data = response.read()  # type: bytes
        return data
    parts, size = [], 0  # type: List[bytes], int  # chunked, or to the end of the connection
    while True:
        part = response.read(65536)
        if not part:
            return b"".join(parts)
        size += len(part)
        if size > _LONGEST_REPLY:
            raise _BadReply("a reply over %d bytes" % _LONGEST_REPLY)
        parts.append(part)


def _exchange(url, body, deadline, pool, repeatable, content_type):
    # type: (str, Optional[bytes], _Deadline, Optional[_Pool], bool, str) -> Tuple[Any, Any, Tuple[object, ...]]
    """Send one request; (response with its headers read, connection, pool key); _AttemptFailed on failure."""
    parts = _urlsplit(url)
    try:
        route = _route(parts.scheme, parts.netloc)
    except Exception as error:
        raise _AttemptFailed(error, None)
    selector = url if route.absolute else url[len(parts.scheme) + 3 + len(parts.netloc):] or "/"
    headers = _request_headers(parts.netloc, body, route.proxy_auth, pool is not None, content_type)
    connection = pool.take(route.key) if pool is not None else None  # type: Any
    for fresh in (connection is None, True):
        if fresh:
            connection = _new_connection(route)
        kept = connection.sock  # the socket of a reused connection (None: not connected yet)
        connection.start(deadline)
        try:
            connection.putrequest("GET" if body is None else "POST", selector, skip_host=True)
            for name, value in headers:
                connection.putheader(name, value)
            connection.endheaders(body)
            return connection.getresponse(), connection, route.key
        except Exception as error:
            connection.close()
            # a reused connection that the server closed as the request went out: once more on a new one, unless
            # the request may have been acted on (all of it sent, and not repeatable)
            if fresh or kept is None or kept.received or (connection.written_at is not None and not repeatable):
                raise _AttemptFailed(error, connection)
    raise AssertionError("unreachable: the second pass uses a new connection")


class _Pool(object):
    """The idle keep-alive connections of one SMSC instance, by where they lead.

    Each call takes a connection of its own (never one in use by another thread) and gives it back once
    its reply is read. A connection the server closed while idle is dropped, never used. After os.fork()
    the child forgets its parent's connections (closing only its own copies of the descriptors).
    Connections are closed by close(), and when the instance is collected (at the latest, at exit).
    """

    IDLE_PER_KEY = 4

    def __reduce__(self):  # pickle, copy.deepcopy: a new pool, never the connections
        # type: () -> Tuple[Any, Tuple[()]]
        return _Pool, ()

    def __init__(self):
        # type: () -> None
        import threading
        self._lock = threading.Lock()  # type: Any
        self._idle = {}  # type: Dict[Any, List[Any]]  # key -> connections
        self._pid = os.getpid()

    def take(self, key):
        # type: (Tuple[object, ...]) -> Any
        self._forget_after_fork()
        while True:
            with self._lock:
                idle = self._idle.get(key)
                connection = idle.pop() if idle else None
            if connection is None or (connection.made_in is _connections_made() and not _dropped(connection.sock.sock)):
                return connection
            connection.close()  # closed by the server while idle, or made before _forget_cached()

    def give(self, key, connection):
        # type: (Tuple[object, ...], Any) -> None
        self._forget_after_fork()
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < self.IDLE_PER_KEY:
                idle.append(connection)
                return
        connection.close()

    def close(self):
        # type: () -> None
        self._forget_after_fork()  # a lock held by a thread of the parent at the fork would never be released
        with self._lock:
            connections = [c for idle in self._idle.values() for c in idle]
            self._idle = {}
        for connection in connections:
            connection.close()

    def _forget_after_fork(self):
        # type: () -> None
        if self._pid != os.getpid():
            import threading
            self._lock, self._pid = threading.Lock(), os.getpid()
            forgotten, self._idle = self._idle, {}
            for connection in [c for idle in forgotten.values() for c in idle]:
                connection.sock.sock.close()  # the child's copy only: no TLS close_notify, the parent's stays open

    def __del__(self):  # the instance was collected: its connections close with it
        # type: () -> None
        try:
            self.close()
        except Exception:  # at interpreter exit, modules may be gone already
            pass


def _dropped(sock):
    # type: (Any) -> bool
    """True when an idle connection cannot be reused: the server closed it (or sent something unasked)."""
    try:
        return _ready(sock, False, 0)
    except (ValueError, socket.error):
        return True


def _ready(sock, write, seconds):
    # type: (Any, bool, Optional[float]) -> bool
    """Whether sock can be read (written) within seconds (None: no limit)."""
    import select
    poll = getattr(select, "poll", None)  # no FD_SETSIZE limit; not on Windows
    try:
        if poll is not None:
            poller = poll()
            poller.register(sock, getattr(select, "POLLOUT" if write else "POLLIN"))
            return bool(poller.poll(None if seconds is None else seconds * 1000))
        return bool(select.select([], [sock], [], seconds)[1] if write else select.select([sock], [], [], seconds)[0])
    except select.error as error:  # Python 2's select.error is no socket.error
        raise socket.error(*error.args)


########################################################################################################################
# Multipart files ######################################################################################################
########################################################################################################################

# send_sms(files=...): the files are read before connecting (a file that cannot be read is named, nothing sent),
# then posted as multipart/form-data, the request's fields first.

# Files of send_sms: read before connecting, [(file name, content)]

def _read_files(client, files, charset):
    # type: (SMSC, object, str) -> List[Tuple[bytes, bytes]]
    if files is None:
        return []
    if not isinstance(files, (list, tuple)):
        raise TypeError("files must be a list of paths or binary files, not %s" % type(files).__name__)
    if _urlopen_replaced():  # 2.0's urlopen(url, data) sends a form: it cannot say multipart
        raise TypeError("files cannot go through a replaced smsc_api.urlopen (it is called as 2.0 called it)")
    if _http_replaced():
        raise TypeError("files cannot go through a replaced http.client.HTTPConnection (2.0's urlopen goes there)")
    mro = type(client).__mro__
    if "_smsc_send_cmd" in client.__dict__ or any("_smsc_send_cmd" in vars(klass) for klass in mro[:mro.index(SMSC)]):
        raise TypeError("files cannot go through an overridden _smsc_send_cmd (2.0's signature has no files)")
    return [_read_file(item, n, charset) for n, item in enumerate(files)]


# The request's fields, then file0, file1, ..., as the PHP library 3.8 posts them (curl)

def _read_file(item, n, charset):
    # type: (object, int, str) -> Tuple[bytes, bytes]
    """(file name as bytes, content) of files[n]: a path (text, bytes, os.PathLike) or a file opened in binary
    mode, read from where it stands."""
    name = "files[%d]" % n
    if hasattr(item, "__fspath__"):  # pathlib.Path, ...
        item = getattr(os, "fspath")(item)
    if isinstance(item, (_text, _bytes)):
        try:
            with open(item, "rb") as handle:
                return _file_name(item, charset), handle.read()
        except (IOError, OSError) as error:
            raise type(error)(error.errno, "%s: cannot read %r: %s" % (name, item, error.strerror))
        except (TypeError, ValueError) as error:  # a NUL in the path; a name the file system cannot encode
            raise ValueError("%s: cannot read %r: %s" % (name, item, error))
    if not hasattr(item, "read"):
        raise TypeError("%s must be a path or a binary file, not %s" % (name, type(item).__name__))
    if not isinstance(getattr(item, "read")(0), _bytes):  # before reading it all
        raise TypeError("%s must be opened in binary mode ('rb')" % name)
    content = getattr(item, "read")()
    path = getattr(item, "name", None)
    named = isinstance(path, (_text, _bytes)) and path[:1] not in ("<", b"<")  # not Python 2's "<fdopen>"
    return _file_name(path if named else "file%d" % n, charset), content


def _file_name(path, charset):
    # type: (Any, str) -> bytes
    base = os.path.basename(path)
    return base if isinstance(base, _bytes) else base.encode(charset, "replace")


def _multipart(query, files):
    # type: (bytes, List[Tuple[bytes, bytes]]) -> Tuple[str, bytes]
    """(Content-Type, body) of multipart/form-data: the fields of query (bytes, decoded as a form) in their
    order, then file0, file1, ... with each file's name and bytes."""
    import binascii
    parts = []  # type: List[Tuple[bytes, Optional[bytes], bytes]]
    for pair in query.split(b"&"):
        if pair:
            name, _, value = pair.partition(b"=")
            parts.append((_form_decoded(name), None, _form_decoded(value)))
    for n, (file_name, content) in enumerate(files):
        parts.append((("file%d" % n).encode("ascii"), file_name, content))
    boundary = b"----smsc_api" + binascii.hexlify(os.urandom(16))
    while any(boundary in value for _, _, value in parts):
        boundary = b"----smsc_api" + binascii.hexlify(os.urandom(16))
    lines = []  # type: List[bytes]
    for name, filename, value in parts:
        head = b'Content-Disposition: form-data; name="' + _quoted_name(name) + b'"'
        if filename is not None:  # PHP 3.8's curl_file_create($path) gives no type: curl sends octet-stream
            head += b'; filename="' + _quoted_name(filename) + b'"\r\nContent-Type: application/octet-stream'
        lines += [b"--" + boundary, head, b"", value]
    body = b"\r\n".join(lines + [b"--" + boundary + b"--", b""])
    return "multipart/form-data; boundary=" + boundary.decode("ascii"), body


def _form_decoded(data):  # as PHP's parse_str: "+" is a space, %XX a byte
    # type: (bytes) -> bytes
    return _unquote_to_bytes(data.replace(b"+", b" "))


def _quoted_name(name):  # a name or file name inside "...": the quote and line ends %-escaped, as browsers do
    # type: (bytes) -> bytes
    return name.replace(b"\r", b"%0D").replace(b"\n", b"%0A").replace(b'"', b"%22")


########################################################################################################################
# Secrets ##############################################################################################################
########################################################################################################################

# The password or API key and the SMTP password reach no debug line, log record or exception, in any form they
# may be written in: as they are, quoted, base64, escaped, with CRLF line ends.

# Secrets of an instance: the password or API key, the SMTP password and AUTH PLAIN's \0login\0password

def _secrets(client):
    # type: (SMSC) -> List[object]
    charset = _setting(client, "charset")
    login, password = _setting(client, "smtp_login"), _setting(client, "smtp_password")
    secrets = [_setting(client, "password"), password]  # type: List[object]
    if login and password and isinstance(login, (_text, _bytes)) and isinstance(password, (_text, _bytes)):
        secrets.append(b"\0" + _secret_bytes(login, charset) + b"\0" + _secret_bytes(password, charset))
    for proxy in _cached("proxies", _getproxies).values():  # user:password of a proxy URL, as written and decoded
        credentials = re.match("(?:[^:/]*://)?(.*)@", proxy)
        if credentials:
            for text in (credentials.group(1), _unquote(credentials.group(1))):
                secrets += [text, text.partition(":")[2]]
    return secrets


def _masks(client, *more):
    # type: (SMSC, *object) -> Tuple[List[bytes], List[str]]
    """Every form of the instance's secrets (and of more), for _masked: once a call."""
    return _secret_forms(list(more) + _secrets(client), _setting(client, "charset"))


# The password or API key and the SMTP password reach no debug line, log record or exception, in any form:
#     forms = _masks(client)                              # _secret_forms(the instance's secrets), once a call
#     line = _masked(line, forms)                          # text or bytes, *** for each form

def _secret_bytes(secret, charset):
    # type: (_Text, str) -> bytes
    if isinstance(secret, _bytes):
        return secret
    try:
        return secret.encode(charset)
    except (UnicodeError, LookupError):
        return secret.encode("utf-8", "replace")


def _secret_forms(secrets, charset="utf-8"):
    # type: (Sequence[object], str) -> Tuple[List[bytes], List[str]]
    """(bytes, text): every way each secret (text or bytes; others are skipped) may be written out,
    longest first. As it is and without the whitespace and line feeds around it (read from a file);
    with CRLF line ends (SMTP DATA); percent-encoded (quote() with the safe sets used here, and
    quote_plus); base64 (SMTP AUTH); backslash-escaped (repr()). Text forms: the same, decoded."""
    as_bytes = set()  # type: Set[bytes]
    as_text = set()  # type: Set[str]
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
    # type: (bytes) -> List[bytes]
    import base64
    import codecs
    try:
        from urllib import quote_plus  # type: ignore[attr-defined]  # Python 2
    except ImportError:
        from urllib.parse import quote_plus

    def ascii(value):
        # type: (Union[str, bytes]) -> bytes
        return value if isinstance(value, _bytes) else value.encode("ascii")
    cores = [core for core in (raw, raw.strip()) if core]
    variants = cores + [re.sub(b"\r\n|\r|\n", b"\r\n", core) for core in cores]  # as sent in SMTP DATA
    quoted = [ascii(form) for variant in variants for form in (
        _QUOTE(variant), _QUOTE(variant, safe=""), _QUOTE(variant, safe=_URL_SAFE), quote_plus(variant))]
    return [form for variant in variants
            for form in (variant, base64.b64encode(variant), codecs.escape_encode(variant)[0])] + quoted + [
        re.sub(b"%[0-9A-F]{2}", lambda escape: escape.group().lower(), form) for form in quoted]  # %3a, as echoed


def _masked(value, forms):
    # type: (Any, Tuple[List[bytes], List[str]]) -> Any
    """value (text or bytes) with each of forms (from _secret_forms) replaced by ***. A short form (a short
    password) only where it stands alone: "e" is not masked inside "error", which would show what it is."""
    if isinstance(value, _bytes):
        for form in forms[0]:
            value = value.replace(form, b"***") if len(form) >= 8 else re.sub(
                b"(?<![A-Za-z0-9])" + re.escape(form) + b"(?![A-Za-z0-9])", b"***", value)
        return value
    for text_form in forms[1]:
        value = value.replace(text_form, u"***") if len(text_form) >= 8 else re.sub(
            u"(?<![A-Za-z0-9])" + re.escape(text_form) + u"(?![A-Za-z0-9])", u"***", value)
    return value


def _scrub(error, forms):
    # type: (BaseException, Tuple[List[bytes], List[str]]) -> None
    """Mask the secrets of forms wherever an exception holds text: its args and its attributes (what a server
    echoed in its reply)."""
    error.args = _scrubbed(error.args, forms)
    for name, value in list(vars(error).items()):
        setattr(error, name, _scrubbed(value, forms))


def _scrubbed(value, forms):
    # type: (Any, Tuple[List[bytes], List[str]]) -> Any
    if isinstance(value, (_text, _bytes)):
        return _masked(value, forms)
    if isinstance(value, tuple):
        return tuple(_scrubbed(item, forms) for item in value)
    if isinstance(value, list):
        return [_scrubbed(item, forms) for item in value]
    if isinstance(value, dict):
        return dict((_scrubbed(key, forms), _scrubbed(item, forms)) for key, item in value.items())
    return value


class _SecretEncodeError(UnicodeEncodeError):
    """A password, key or login that the charset cannot encode: said without the character and its place."""

    def __init__(self, message):
        # type: (str) -> None
        UnicodeEncodeError.__init__(self, "ascii", u"", 0, 0, message)

    def __str__(self):
        # type: () -> str
        return str(self.reason)


########################################################################################################################
# SMTP #################################################################################################################
########################################################################################################################

# send_sms_mail: 2.0's envelope and DATA, the session within the attempt's deadline; with SMSC_DEBUG, smtplib's
# dialogue printed with every secret masked; a refusal raised as in 2.0, what the server echoed masked.

# The SMTP session of send_sms_mail, within the attempt's limits

def _mail_data(client, charset, phones, message, translit, time, id, format, sender):
    # type: (SMSC, str, object, object, object, object, object, object, object) -> bytes
    """The DATA of send_sms_mail: 2.0's header, then login:psw:id:time:translit,format,sender:phones:message, each
    field checked as send_sms checks its parameter, and none before the message holding ":"."""
    def field(name, value, label=None, secret=False):
        # type: (str, object, Optional[str], bool) -> bytes
        return _mail_field(_ensure_binary(value, charset, label or name, secret), label or name)
    header = _ensure_binary("Content-Type: text/plain; charset=" + charset + "\n\n", charset, "SMSC_CHARSET")
    return header + b":".join([
        field("login", _setting(client, "login"), _label(client, "login"), True),
        field("password", _setting(client, "password"), _label(client, "password"), True),
        field("id", _id_text(id)), field("time", _time_value(time) or b""),
        field("translit", _digits(translit, "translit")) + b"," +
        field("format", str(format) if isinstance(format, bool) else _format_number(format)) + b"," +  # 2.0's True
        field("sender", _sender_value(sender) or b""),
        field("phones", _phones_value(phones, charset)), _ensure_binary(message, charset, "message")])


def _smtp_replaced():
    # type: () -> bool
    """Whether smtplib.SMTP is not smtplib's own class (mock.patch("smtplib.SMTP"), before or after this module was
    imported): send_sms_mail then calls it as 2.0 did."""
    return getattr(smtplib.SMTP, "__module__", None) != "smtplib"


def _send_mail(client, settings, data):
    # type: (SMSC, Dict[str, Any], bytes) -> None
    address = _smtp_address(settings["smtp_server"], "send.smscentre.com", "send." + settings["host"])
    if _smtp_replaced():  # a test suite's mock of smtplib.SMTP: made and fed as 2.0 did
        _mail_session(client, settings, smtplib.SMTP(address), data, as_2_0_text=True)
        return
    deadline = _Deadline(settings["timeout"], settings["connect_timeout"])
    server = smtplib.SMTP()
    server._get_socket = lambda smtp_host, port, timeout: deadline.connect(smtp_host, port)  # type: ignore  # the hook SMTP_SSL overrides  # noqa: E501
    try:
        code, reply = server.connect(address)
        if code != 220:  # as smtplib.SMTP(host) in 2.0
            server.close()
            raise smtplib.SMTPConnectError(code, reply)
        try:
            _mail_session(client, settings, server, data)
        finally:
            server.close()  # also when the server refused a step
    except (smtplib.SMTPException, socket.error) as error:  # reaches the caller, as in 2.0, masked, and the log
        _scrub(error, _masks(client))
        answered = isinstance(error, (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused))
        getattr(_log(), "warning" if answered else "error")(
            "mail: %s %s: %s", address, "refused it" if answered else "failed", _failure_text(client, error, ""))
        raise


def _mail_session(client, settings, server, data, as_2_0_text=False):
    # type: (SMSC, Dict[str, Any], smtplib.SMTP, bytes, bool) -> None
    host = settings["host"]
    # with SMSC_DEBUG smtplib prints the whole dialogue: *** for the password, the key and the SMTP password
    forms = _masks(client) if settings["debug"] else None
    with _SMTPDebugMasked(server, forms):
        if forms is not None:
            server.set_debuglevel(1)
        if _setting(client, "smtp_login"):
            _smtp_login(client, server)
        message = data  # type: Union[str, bytes]
        if as_2_0_text and not _PY2:  # a mock: 2.0's text
            message = data.decode(settings["charset"])
        elif not _PY2:  # smtplib turns line ends into CRLF in text (and in Python 2's str), not in bytes
            message = re.sub(b"\r\n|\r|\n", b"\r\n", data)
        server.sendmail(_smtp_address(settings["smtp_from"], "api@smscentre.com", "api@" + host),
                        "send@send." + host, message)
        server.quit()


def _smtp_login(client, server):
    # type: (SMSC, smtplib.SMTP) -> None
    """AUTH; a login or password that cannot be encoded is an error that shows neither its character nor its place."""
    try:
        server.login(_setting(client, "smtp_login"), _setting(client, "smtp_password"))
        return
    except UnicodeEncodeError as error:
        encoding = error.encoding
    raise _SecretEncodeError("SMTP_LOGIN or SMTP_PASSWORD cannot be encoded for SMTP AUTH (%s)" % encoding)


# With SMSC_DEBUG smtplib prints the whole SMTP dialogue, what it sends and what the server answers (which
# may echo it): inside `with _SMTPDebugMasked(server, forms):` each secret of forms shows as ***
if sys.version_info[0] == 2:
    class _MaskedStream(object):
        """Python 2's smtplib prints to smtplib.stderr: this stands there for the session, masking."""

        def __init__(self, stream, forms):
            self.stream, self.forms, self.softspace = stream, forms, 0

        def write(self, text):
            self.stream.write(_masked(text, self.forms))

        def flush(self):
            self.stream.flush()

    class _SMTPDebugMasked(object):
        lock = __import__("thread").allocate_lock()  # smtplib.stderr is one for all: one session at a time

        def __init__(self, server, forms):
            self.forms = forms

        def __enter__(self):
            if self.forms is not None:
                self.lock.acquire()
                self.stream, smtplib.stderr = smtplib.stderr, _MaskedStream(smtplib.stderr, self.forms)

        def __exit__(self, *exc_info):
            if self.forms is not None:
                smtplib.stderr = self.stream
                self.lock.release()
else:
    class _SMTPDebugMasked(object):
        """Python 3's smtplib prints through the session's _print_debug: replaced by one that masks."""

        def __init__(self, server, forms):
            # type: (smtplib.SMTP, Optional[Tuple[List[bytes], List[str]]]) -> None
            self.server, self.forms = server, forms

        def __enter__(self):
            # type: () -> None
            print_debug, forms = getattr(self.server, "_print_debug"), self.forms
            if forms is not None:
                def print_masked(*args):
                    # type: (*object) -> None
                    print_debug(*[_masked(arg if isinstance(arg, str) else str(arg), forms) for arg in args])
                setattr(self.server, "_print_debug", print_masked)

        def __exit__(self, *exc_info):
            # type: (*object) -> None
            pass


########################################################################################################################
# Async code ###########################################################################################################
########################################################################################################################

# Async code (asyncio, Python 3.7+): AsyncSMSC runs SMSC's methods on threads of its own, so that an event loop never
# waits for the gateway. No async/await syntax here (the file still compiles on Python 2.7): each method returns an
# asyncio Future. asyncio and concurrent.futures are imported when they are first needed, not by import smsc_api.

class AsyncSMSC(object):
    """SMSC for asyncio code (aiogram, telethon, FastAPI, ...): the same settings and methods, each returning an
    awaitable of exactly what SMSC's method returns, while the event loop goes on. Python 3.7 or later.

        smsc = AsyncSMSC("login", "password", keepalive=True)   # once, as 2.0's examples keep one SMSC
        r = await smsc.send_sms("79999999999", "Your code: 1234", sender="sms")
        await smsc.close()                                       # or: async with AsyncSMSC(...) as smsc:

    Parameters: those of SMSC(...) (what is not given is read from the module constants at each call, as SMSC
    does), and max_workers (default 8): the threads of this instance, so the calls that run at once. Further calls
    wait for a free thread, in the order they were made. AsyncSMSC(...) raises TypeError or ValueError naming
    max_workers when it is not an int of at least 1, RuntimeError on Python 2.7 and 3.6.

    Each call runs SMSC's method unchanged on one of the threads, over one SMSC made from the same arguments: the
    same requests, deadlines, failover and keep-alive connections (shared by the threads), the same result. After
    os.fork() (gunicorn, Celery) a child calls on threads and connections of its own.

    Errors: a method raises RuntimeError at once when it is called with no running event loop in its thread, or
    after close(). What SMSC's method raises is raised by the await: bad input (TypeError, ValueError, IndexError
    naming the parameter) before anything is sent; send_sms_mail's SMTP errors. A network failure raises nothing,
    as in SMSC: the await gives ['', ''] (get_balance: False).

    Cancelling the await (task.cancel(), the timeout of asyncio.wait_for) takes back a call that has not started:
    it never runs. A call that has started goes on in its thread as SMSC's call goes, each attempt within
    SMSC_TIMEOUT, and its result is dropped; the cancel never makes it again.
    """

    def __init__(self, login=_MODULE_CONSTANT, password=_MODULE_CONSTANT, post=_MODULE_CONSTANT,
                 https=_MODULE_CONSTANT, charset=_MODULE_CONSTANT, debug=_MODULE_CONSTANT, host=_MODULE_CONSTANT,
                 timeout=_MODULE_CONSTANT, smtp_from=_MODULE_CONSTANT, smtp_server=_MODULE_CONSTANT,
                 smtp_login=_MODULE_CONSTANT, smtp_password=_MODULE_CONSTANT, connect_timeout=_MODULE_CONSTANT,
                 keepalive=_MODULE_CONSTANT, max_workers=8):
        # type: (_Text, _Text, _Flag, _Flag, str, _Flag, str, Optional[float], str, str, _Text, _Text, Optional[float], _Flag, int) -> None  # noqa: E501
        if sys.version_info < (3, 7):
            raise RuntimeError("AsyncSMSC needs Python 3.7 or later (asyncio), not %d.%d: call SMSC's methods "
                               "in threads of your own" % sys.version_info[:2])
        if isinstance(max_workers, bool) or not isinstance(max_workers, _integers):
            raise TypeError("AsyncSMSC(max_workers=...) must be an int, not %r" % (max_workers,))
        if max_workers < 1:
            raise ValueError("AsyncSMSC(max_workers=...) must be at least 1, not %d" % max_workers)
        given = locals()
        self.__smsc = SMSC(**dict((name, given[name]) for name, _, _ in _SETTINGS))
        self.__max_workers, self.__pid = max_workers, None  # type: int, Optional[int]
        self.__closed = None  # type: Optional[concurrent.futures.Future[None]]  # set by close(), done when closed
        self.__threads_here()

    def send_sms(self, phones, message, translit=0, time="", id=0, format=0, sender=False, query="", files=None):
        # type: (_Phones, _Text, _Digits, Union[_Text, int, None], _Digits, _Digits, Union[_Text, int, None], _Text, Optional[_Files]) -> asyncio.Future[List[str]]  # noqa: E501
        """Send an SMS (or, by format, a flash SMS, an MMS, a call, ...) as SMSC.send_sms does.

        phones: numbers separated by commas or semicolons, or a list of them (text, bytes or ints); message: text
        or bytes; translit: 0, 1 or 2; time: when to deliver (DDMMYYhhmm, h1-h2, 0ts, +m; "" or None: now); id: the
        message's id; format: 0 (an SMS) to 13 (1 flash, 2 wap-push, 3 hlr, 4 bin, 5 bin-hex, 6 ping, 7 mms, 8 mail,
        9 call, 10 viber, 11 soc, 13 telegram); sender: the sender's name (False, 0 or None: the account's);
        query: more parameters ("valid=01:00&maxsms=3"); files: paths or files opened "rb" (MMS pictures, e-mail
        attachments).

        Returns an asyncio Future of ['<id>', '<SMS count>', '<cost>', '<balance>'] once sent, ['<id>', '-<error>']
        when the gateway refuses (error 1 to 9), ['', ''] when no host answered. Its await raises, before anything
        is sent, TypeError, ValueError or IndexError naming a bad parameter, UnicodeEncodeError for text that
        SMSC_CHARSET cannot encode, IOError (OSError) for a file that cannot be read.
        """
        return self.__run(self.__smsc.send_sms, phones, message, translit, time, id, format, sender, query, files)

    def send_sms_mail(self, phones, message, translit=0, time="", id=0, format=0, sender=""):
        # type: (_Phones, _Text, _Digits, Union[_Text, int, None], _Digits, _Digits, Union[_Text, int, None]) -> asyncio.Future[None]  # noqa: E501
        """Send an SMS by e-mail (SMTP_SERVER), as SMSC.send_sms_mail does; the parameters are send_sms's.

        Returns an asyncio Future of None, set once the mail server took the mail. Its await raises what smtplib
        raises (smtplib.SMTPException, socket errors) and, before anything is sent, TypeError, ValueError or
        IndexError naming a bad parameter (a ':' in a field before the text is a ValueError: it would shift the
        mail's fields).
        """
        return self.__run(self.__smsc.send_sms_mail, phones, message, translit, time, id, format, sender)

    def get_sms_cost(self, phones, message, translit=0, format=0, sender=False, query=""):
        # type: (_Phones, _Text, _Digits, _Digits, Union[_Text, int, None], _Text) -> asyncio.Future[List[str]]
        """What sending would cost, as SMSC.get_sms_cost; nothing is sent. The parameters are send_sms's.

        Returns an asyncio Future of ['<cost>', '<SMS count>'], ['0', '-<error>'] when the gateway refuses,
        ['', ''] when no host answered. Its await raises what send_sms's raises for bad parameters.
        """
        return self.__run(self.__smsc.get_sms_cost, phones, message, translit, format, sender, query)

    if TYPE_CHECKING:  # one id (an int) gives one flat list; text or a list may hold several: a list per message
        @overload
        def get_status(self, id, phone, all=0):
            # type: (int, _Phones, _Digits) -> asyncio.Future[List[str]]
            pass

        @overload
        def get_status(self, id, phone, all=0):
            # type: (_Ids, _Phones, _Digits) -> asyncio.Future[List[Any]]
            pass

    def get_status(self, id, phone, all=0):
        # type: (_Ids, _Phones, _Digits) -> asyncio.Future[List[Any]]
        """The status of a sent message or HLR request, as SMSC.get_status.

        id: the message's id; several in one request: text with commas ("101,102") or a list. phone: its number
        (several: the same way, one for each id). all: 0, or 1 for the send time, phone, cost, sender, status name
        and text too, 2 for the country, operator and region besides.

        Returns an asyncio Future of ['<status>', '<time of change>', '<error>'] (an HLR request: 8 fields more;
        all=1 and all=2: theirs appended), ['0', '-<error>'] when the gateway refuses, ['', ''] when no host
        answered; with several ids, a list of such lists, one for each message. Its await raises TypeError or
        ValueError naming a bad parameter, before anything is sent.
        """
        return self.__run(self.__smsc.get_status, id, phone, all)

    def get_balance(self):
        # type: () -> asyncio.Future[Union[str, Literal[False]]]
        """The account's balance, as SMSC.get_balance.

        Returns an asyncio Future of the balance as text ("100.50"), or False when the gateway refuses (a wrong
        password: error 2) or no host answered.
        """
        return self.__run(self.__smsc.get_balance)

    def close(self):
        # type: () -> Awaitable[None]
        """Take no new calls, let the calls already made finish, then end the threads and close the connections.

        Closing starts at once, awaited or not, and never waits in the caller's thread. Returns an awaitable that
        is done when the threads that make the calls have ended and the connections are closed, each call within
        its deadlines (the daemon thread that did the closing ends a moment later); it may be awaited from any
        event loop, and any number of times. A second close() returns the same. After close(),
        every method raises RuntimeError.
        """
        threads = self.__threads_here()
        with self.__lock:
            if self.__closed is None:
                from concurrent.futures import Future
                import threading
                closed = Future()  # type: concurrent.futures.Future[None]
                self.__closed = closed
                closed.set_running_or_notify_cancel()  # an await that is cancelled does not stop the closing
                threads.shutdown(wait=False)
                closing = threading.Thread(target=self.__close_when_done, args=(threads, closed),
                                           name="AsyncSMSC.close")
                closing.daemon = True
                closing.start()
        return _Awaited(self.__closed)

    def __close_when_done(self, threads, closed):
        # type: (concurrent.futures.ThreadPoolExecutor, concurrent.futures.Future[None]) -> None
        try:
            threads.shutdown(wait=True)  # the calls already made, to their end
            self.__smsc.close()
        except BaseException as error:
            closed.set_exception(error)
        else:
            closed.set_result(None)

    def __aenter__(self):
        # type: () -> asyncio.Future[AsyncSMSC]
        """async with AsyncSMSC(...) as smsc: the instance itself, closed (close()) at the end of the block."""
        entered = self.__running_loop("__aenter__").create_future()
        entered.set_result(self)
        return entered

    def __aexit__(self, *exc_info):
        # type: (*object) -> Awaitable[None]
        """close(), awaited at the end of async with; an exception of the block goes on."""
        return self.close()

    def __running_loop(self, name):
        # type: (str) -> asyncio.AbstractEventLoop
        from asyncio import get_running_loop
        try:
            loop = get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:
            raise RuntimeError("AsyncSMSC.%s needs a running event loop: call it in a coroutine "
                               "(await smsc.%s(...))" % (name, name))
        if self.__closed is not None:
            raise RuntimeError("AsyncSMSC.%s: the instance is closed (close() was called)" % name)
        return loop

    # SMSC's method on a thread of the instance: an asyncio Future of its result, the caller's context variables
    # seen by the call, as asyncio.to_thread does (log filters that read them tag the call's log records)
    def __run(self, method, *args):
        # type: (Callable[..., _T], *Any) -> asyncio.Future[_T]
        import contextvars
        import functools
        threads = self.__threads_here()
        loop = self.__running_loop(method.__name__)
        call = functools.partial(contextvars.copy_context().run, method, *args)
        return loop.run_in_executor(threads, call)

    # The threads (and the lock) of this process: after os.fork() the child makes its own, as SMSC makes its own
    # connections (the parent's threads are not in the child, whose copy of their executor would wait for them)
    def __threads_here(self):
        # type: () -> concurrent.futures.ThreadPoolExecutor
        if self.__pid != os.getpid():
            from concurrent.futures import ThreadPoolExecutor
            import threading
            self.__lock = threading.Lock()  # a thread of the parent may have held it at the fork
            self.__threads = ThreadPoolExecutor(self.__max_workers, thread_name_prefix="AsyncSMSC")
            self.__pid = os.getpid()
        return self.__threads


class _Awaited(object):
    """An awaitable of a concurrent.futures.Future: awaited from any event loop, any number of times."""

    def __init__(self, future):
        # type: (Any) -> None
        self._future = future

    def __await__(self):
        # type: () -> Any
        from asyncio import wrap_future
        return wrap_future(self._future).__await__()


########################################################################################################################
# Delivery callbacks ###################################################################################################
########################################################################################################################

# Delivery callbacks: what the gateway posts to the application's URL, checked by the application's handler

def verify_callback(fields, secret, charset="utf-8"):
    # type: (Any, _Text, str) -> bool
    """True only for a genuine callback of the gateway, signed with the account's secret; never an exception for
    what a client posted.

    fields: the form's fields as a dict (a Django QueryDict or a Flask MultiDict too), names and values text or
    bytes; a value may be a list of one (urllib's parse_qs). secret: the secret set in the account, text or
    bytes. The signature (md5) is the MD5 hex of these fields joined with ":", then ":" and the secret:
      - a status (the fields have "status"): id:phone:status:secret;
      - an incoming message (no "status", a "mes"): phone:mes:to:secret;
      - a call check (neither, as waitcall posts it): phone:ts:secret.
    The signature covers only those fields: the others (err, time, ...) are as posted. Bytes are used as they
    came; text is encoded in `charset`, which must be the charset of the callback: the gateway posts
    windows-1251 unless the handler's URL in the account says ?charset=utf-8 (or koi8-r). The digests are
    compared in constant time (hmac.compare_digest). False for a field missing, repeated (a list of two, or two
    values of a QueryDict or MultiDict) or not encodable, for an md5 that is missing or wrong (sha1 and crc32
    signatures are not checked), and for what no genuine callback holds, so that one form's signature cannot pass
    for another's (the gateway's forms share one scheme): a ":" in a signed field but the message, a phone or `to`
    that is not a number of 4 to 15 digits (a "+" first allowed), a status that is not a number of 1 to 3
    characters (-3 ... 25), a ts that is not a number, the fields of a status and of a message at once.
    TypeError for fields that is not a dict or a value that is not text or bytes, secret that is not text or
    bytes; ValueError for an empty secret (anyone can sign with it) or an unknown charset.
    """
    import codecs
    import hashlib
    import hmac
    if not isinstance(fields, dict) and not all(hasattr(fields, name) for name in ("keys", "__getitem__")):
        raise TypeError("fields must be a dict of the callback's form fields, not %s" % type(fields).__name__)
    if not isinstance(secret, (_text, _bytes)):
        raise TypeError("secret must be text or bytes, not %s" % type(secret).__name__)
    if not isinstance(charset, (str, _text)):
        raise TypeError("charset must be the name of a codec, not %s" % type(charset).__name__)
    try:
        codecs.lookup(charset)
        key = secret if isinstance(secret, _bytes) else secret.encode(charset)  # type: Optional[bytes]
    except LookupError:
        raise ValueError("charset must be the name of a codec, not %r" % (charset,))
    except UnicodeError:  # said outside this block: the error would show the secret
        key = None
    if key is None:
        raise ValueError("secret cannot be encoded in %s" % charset)
    if not key:
        raise ValueError("secret is empty: anyone can sign a callback with it")
    got = dict((name, _callback_field(fields, name, charset)) for name in ("id", "phone", "status", "mes", "to",
                                                                           "ts", "md5"))
    names = (("id", "phone", "status") if got["status"] is not None else ("phone", "mes", "to")
             if got["mes"] is not None else ("phone", "ts"))
    signed = [got[name] for name in names]
    md5 = got["md5"]
    if md5 is None or None in signed or (got["status"] is not None and got["mes"] is not None):
        return False  # a status with a message's fields: one form's signature reused for the other
    # what each field of a genuine callback is: so that no form's signature passes for another's (a ":" would shift
    # the fields; a status is a short number, a phone a long one)
    shape = dict(id=b"[^:]*\\Z", mes=b".*\\Z", status=b"-?[0-9]{1,3}\\Z", ts=b"[0-9]+\\Z",
                 phone=b"\\+?[0-9]{4,15}\\Z", to=b"\\+?[0-9]{4,15}\\Z")
    if not all(re.match(shape[name], got[name] or b"", re.S) for name in names):
        return False
    expected = hashlib.md5(b":".join(value for value in signed if value is not None) + b":" + key).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), md5.lower())


def _callback_field(fields, name, charset):
    # type: (Any, str, str) -> Optional[bytes]
    """The bytes of the field `name` of a callback (verify_callback), or None when it is missing, repeated or not
    encodable in charset; TypeError when it is neither text nor bytes."""
    for key in (name, name.encode("ascii")):
        try:  # every value of a repeated field: Django's QueryDict and Werkzeug's MultiDict keep them in getlist()
            value = (fields.getlist(key) if hasattr(fields, "getlist") else fields[key]) if key in fields else None
        except TypeError:  # a dict of text keys asked for bytes
            value = None
        if value is not None:
            break
    if isinstance(value, (list, tuple)):
        value = value[0] if len(value) == 1 else None
    if value is None or isinstance(value, _bytes):
        return value
    if not isinstance(value, _text):
        raise TypeError("fields[%r] must be text or bytes, not %s" % (name, type(value).__name__))
    try:
        return value.encode(charset)
    except UnicodeError:
        return None


########################################################################################################################
# Command line #########################################################################################################
########################################################################################################################

# python smsc_api.py balance | send | cost | status | mail (python smsc_api.py -h), in three steps as bottle's:
# _cli_parse (argv -> options; bad usage exits 2 and nothing is sent), _cli_run (options -> an outcome: the call made
# and what its reply means), _cli_say (the outcome -> what is printed, and the exit status). argparse and json are
# imported here only, so that `import smsc_api` costs what it did.

_EXIT = {"ok": 0, "refused": 1, "unreachable": 3, "unexpected": 3}  # an outcome's exit status (2, bad usage: argparse)
# Each command, its help, and its method's parameters: positionals, then options
_CLI_COMMANDS = (("balance", "print the balance", (), ()),
                 ("send", "send an SMS", ("phones", "message"),
                  ("translit", "time", "id", "format", "sender", "query", "file")),
                 ("cost", "the cost of an SMS, without sending it", ("phones", "message"),
                  ("translit", "format", "sender", "query")),
                 ("status", "the status of sent messages", ("ids", "phones"), ("all",)),
                 ("mail", "send an SMS by e-mail (SMTP)", ("phones", "message"),
                  ("translit", "time", "id", "format", "sender")))
_CLI_HELP = {"phones": "phone numbers, separated by commas or semicolons", "message": "the text",
             "ids": "the message's id (several: separated by commas)", "all": "1 or 2: the full record",
             "translit": "0 no, 1 or 2: transliterate", "time": "when to deliver: DDMMYYhhmm, h1-h2, 0ts or +m",
             "format": "0 SMS, 1 flash, 2 push, 3 HLR, ... 7 MMS, 8 e-mail, ... 13 telegram",
             "sender": "sender name (Sender ID)", "query": "more parameters, as valid=01:00&maxsms=3",
             "id": "the message's id: a number, or up to 40 Latin letters, digits, '.', '-' and '_'",
             "file": "a file sent with it (an MMS picture, an e-mail attachment); --file again for each"}


def _cli_parser(prog=None):
    # type: (Optional[str]) -> _argparse.ArgumentParser
    """The parser of argv: the options every command takes, then the commands with their method's parameters (given
    as text, checked by the module as any caller's). prog None: named as started (smsc-api, smsc_api.py)."""
    import argparse

    class Parser(argparse.ArgumentParser):
        def _get_option_tuples(self, option_string):  # no abbreviations (--time is not --timeout), on every Python
            # type: (str) -> List[Any]
            return []

        def _print_message(self, message, file=None):  # usage, help and errors: any locale, a closed pipe
            # type: (str, Any) -> None
            _cli_write(file or sys.stderr, message.rstrip("\n"))

        def parse_args(self, args=None, namespace=None):  # type: ignore[override]
            # type: (Optional[Sequence[str]], Any) -> Any
            known, unknown = self.parse_known_args(args, namespace)
            if unknown:  # named without values: the value of a mistyped --pasword is a password
                self.error("unrecognized arguments: %s" % " ".join(
                    argument.split("=")[0] if argument.startswith("-") else "..." for argument in unknown))
            return known

    def seconds(text):
        # type: (str) -> Optional[float]
        try:
            return _checked_seconds(float(text), "")
        except ValueError:
            raise argparse.ArgumentTypeError("expected a positive number of seconds, not '%s'" % text)

    common, given = Parser(add_help=False), argparse.SUPPRESS  # an option not given: the module constant applies
    for flags, more in ((["--login"], dict(help="SMSC login (default: $SMSC_LOGIN; none: the password is an API key)")),
                        (["--password"], dict(help="password or API key (default: $SMSC_PASSWORD, safer than this)")),
                        (["--host"], dict(help="smscentre.com, smsc.ru, smsc.kz or smsc.ua (default: $SMSC_HOST)")),
                        (["--timeout"], dict(type=seconds, metavar="SECONDS",
                                             help="seconds an attempt (default: $SMSC_TIMEOUT, 60)")),
                        (["--connect-timeout"], dict(type=seconds, metavar="SECONDS",
                                                     help="seconds to connect (default: $SMSC_CONNECT_TIMEOUT, 10)")),
                        (["--https"], dict(action="store_true", help="use HTTPS: the default (it carries a password)")),
                        (["--http"], dict(action="store_true", help="use plain HTTP (or set SMSC_HTTPS=0)")),
                        (["--post"], dict(action="store_true", help="use POST")),
                        (["--json"], dict(action="store_true", help="print JSON, for scripts")),
                        (["-v", "--verbose"], dict(action="store_true", help="print why each attempt failed"))):
        common.add_argument(*flags, default=given, **more)
    parser = Parser(prog=prog, parents=[common], description=(
        "SMSC gateway from the command line, over HTTPS unless --http. Exit status: 0 success, 1 the gateway "
        "answered an error, 2 bad usage (nothing is sent), 3 no host answered, or the reply was not the gateway's."))
    parser.add_argument("--version", action="version", version="smsc_api %s" % __version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    for name, help, positionals, options in _CLI_COMMANDS:
        command = commands.add_parser(name, parents=[common], help=help, description=help)
        for positional in positionals:
            command.add_argument(positional, help=_CLI_HELP[positional])
        for option in options:
            command.add_argument("--" + option, default=given, help=_CLI_HELP[option], metavar=option.upper(),
                                 dest=option.replace("file", "files"), action="append" if option == "file" else "store")
    return parser


def _cli_parse(parser, argv=None):
    # type: (_argparse.ArgumentParser, Optional[Sequence[Any]]) -> _argparse.Namespace
    """The options of argv (default: sys.argv[1:]) as text, with .settings for SMSC(...), .parameters for its method,
    .json and .verbose. Exits 2 (nothing sent) on bad usage or no credentials at all."""
    encoding, arguments = _cli_encoding(), []  # type: str, List[str]
    for argument in sys.argv[1:] if argv is None else argv:  # Python 2's bytes, Python 3's undecoded (an ASCII locale)
        if not _PY2 and re.search(u"[\udc80-\udcff]", argument):
            argument = argument.encode(sys.getfilesystemencoding(), "surrogateescape")
        try:
            arguments.append(argument.decode(encoding) if isinstance(argument, _bytes) else argument)
        except UnicodeDecodeError:
            parser.error("argument %d is not text in the terminal's encoding %s" % (len(arguments) + 1, encoding))
    args = parser.parse_args(arguments)
    given = vars(args)
    settings = ("login", "password", "host", "https", "post", "timeout", "connect_timeout")
    args.settings = dict((name, given[name]) for name in settings if name in given)
    if "http" in given:
        if "https" in given:
            parser.error("--http and --https ask for opposites: give one")
        args.settings["https"] = False
    elif not os.environ.get("SMSC_HTTPS", "").strip():  # HTTPS unless asked otherwise: the request holds a password
        args.settings["https"] = True
    parameters = ("translit", "time", "id", "format", "sender", "query", "files", "all")
    args.parameters = dict((name, given[name]) for name in parameters if name in given)
    args.json, args.verbose = given.get("json", False), given.get("verbose", False)
    if not args.settings.get("login", SMSC_LOGIN) and not args.settings.get("password", SMSC_PASSWORD):
        parser.error("no credentials: set SMSC_LOGIN and SMSC_PASSWORD (or SMSC_PASSWORD alone, an API key), "
                     "or give --login and --password")
    return args


def _cli_run(args):
    # type: (Any) -> Tuple[str, Dict[str, Any]]
    """Make the call: (outcome, fields), outcome a key of _EXIT, fields for JSON. What the module logs of it (the last
    reason, whether a send may have gone out) joins the fields of a failure; with --verbose each record is printed."""
    import logging
    client, seen, logger = SMSC(**args.settings), {}, _log()  # type: SMSC, Dict[str, Any], Any
    level = logger.level

    class Kept(logging.Handler):
        def emit(self, record):
            # type: (Any) -> None
            seen.update((name[5:], value) for name, value in vars(record).items() if name.startswith("smsc_"))
            if args.verbose:
                _cli_write(sys.stderr, "smsc_api: %s: %s" % (record.levelname.lower(), record.getMessage()))
    kept = Kept()
    logger.addHandler(kept)
    logger.setLevel(logging.INFO if args.verbose else level)
    try:
        outcome, fields = _cli_call(client, args, _masks(client))
    finally:
        logger.removeHandler(kept)
        logger.setLevel(level)
    told = 5 if outcome == "unreachable" else 2  # why no host answered; of a refusal, whether it was sent
    names = ("possibly_sent", "most_likely_sent", "not_repeated", "reason", "attempts")[:told]
    if outcome in ("refused", "unreachable") and args.command != "mail":
        fields.update((name, seen[name]) for name in names if name in seen)
    return outcome, fields


def _cli_call(client, args, forms):
    # type: (SMSC, Any, Tuple[List[bytes], List[str]]) -> Tuple[str, Dict[str, Any]]
    """The call and what its reply means; what is shown of a reply or a refusal has the secrets of forms masked."""
    if args.command == "mail":
        try:
            client.send_sms_mail(args.phones, args.message, **args.parameters)
            return "ok", {"command": "mail"}
        except smtplib.SMTPRecipientsRefused as error:
            code, text = list(error.recipients.values())[0]  # type: Tuple[int, Union[str, bytes]]
        except smtplib.SMTPResponseException as error:
            code, text = error.smtp_code, error.smtp_error
        except (smtplib.SMTPException, socket.error) as error:
            return "unreachable", {"error": "unreachable", "reason": _shown(_masked("%s" % (error,), forms), 300)}
        return "refused", {"error": code, "message": _shown(_masked(_ensure_text(text), forms), 300)}
    if args.command == "balance":
        reply = client._smsc_send_cmd("balance")  # the reply itself: get_balance() says False for every error
    elif args.command == "status":
        ids = [part.strip() for part in args.ids.split(",") if part.strip()]  # several: a list, for a record each
        reply = client.get_status(ids if len(ids) > 1 else args.ids, args.phones, **args.parameters)
    else:
        call = client.send_sms if args.command == "send" else client.get_sms_cost
        reply = call(args.phones, args.message, **args.parameters)
    records = reply if reply and isinstance(reply[0], list) else [reply]  # several ids: a record each
    judged = [_cli_judge(args.command, [_ensure_text(field, _setting(client, "charset")) for field in record], forms)
              for record in records]
    wrong = [(outcome, fields) for outcome, fields in judged if outcome != "ok"]
    if len(judged) > 1 and not wrong:
        return "ok", {"statuses": [fields for _, fields in judged]}
    return (wrong or judged)[0]


def _cli_judge(command, reply, forms):
    # type: (str, List[str], Tuple[List[bytes], List[str]]) -> Tuple[str, Dict[str, Any]]
    """The outcome of a reply (its fields as text): ok only in the gateway's shape for the command; what is shown of
    another is cut to 60 characters, control characters escaped, secrets masked."""
    if reply == ["", ""]:
        return "unreachable", {"error": "unreachable"}
    reply = [_masked(field, forms) for field in reply]  # a secret a server echoed: masked in every outcome
    text = _masked(",".join(reply), forms).rstrip()  # again: a secret that holds a comma spans fields
    if re.match(_REFUSAL_SHAPE + "\\Z", text):
        code = text.split(",")[1][1:]
        return "refused", {"error": int(code), "message": _error_meaning(command, code), "reply": text.split(",")}
    if not re.match("(%s)\\Z" % _REPLY_SHAPES[command], text, re.S):
        return "unexpected", {"error": "unexpected reply", "reply": _shown(text)}
    m = text.split(",")
    if command == "status":
        return "ok", {"status": m[0], "name": _STATUSES.get(m[0], "unknown status"), "reply": reply}
    names = {"balance": ("balance",), "cost": ("cost", "sms")}.get(command, ("id", "sms", "cost", "balance"))
    return "ok", dict(zip(names, m))


def _cli_say(args, outcome, fields):
    # type: (Any, str, Dict[str, Any]) -> int
    """Print the outcome, a line for a person (stdout for success, stderr for the rest) or JSON (--json, stdout), and
    return the exit status."""
    import json
    code = _EXIT[outcome]
    if args.json:
        _cli_write(sys.stdout, json.dumps(dict(fields, ok=code == 0, exit=code), sort_keys=True))
    else:
        _cli_write(sys.stderr if code else sys.stdout, _cli_line(args.command, outcome, fields))
    return code


def _cli_line(command, outcome, fields):
    # type: (str, str, Dict[str, Any]) -> str
    if outcome == "refused" and command == "mail":
        return "error: the mail server answered %(error)s %(message)s" % fields
    if outcome == "refused":
        return "error %(error)s: %(message)s" % fields + (
            "; the message was most likely sent: %(most_likely_sent)s received the whole request, and no complete "
            "reply came back" % fields if "most_likely_sent" in fields else "")
    if outcome == "unreachable" and command == "mail":
        return "error: no mail server answered (%(reason)s)" % fields
    if outcome == "unreachable":
        return "error: no host answered (%(attempts)s attempts; the last: %(reason)s)" % dict(
            {"attempts": "no", "reason": "-"}, **fields) + (
            "; the message may have been sent: %(possibly_sent)s received the whole request, and no complete reply "
            "came back" % fields if "possibly_sent" in fields else "") + (
            "; it was not sent again, past the gateway's duplicate window" if "not_repeated" in fields else "")
    if outcome == "unexpected":
        return "error: unexpected reply: %(reply)s" % fields
    if "statuses" in fields:  # several ids: a line each
        return "\n".join(_cli_line(command, outcome, record) for record in fields["statuses"])
    if command == "status":
        try:
            changed = int(fields["reply"][1]) and datetime.fromtimestamp(int(fields["reply"][1]))
        except (ValueError, OverflowError, OSError):
            changed = None
        return "status %(status)s: %(name)s" % fields + (", changed %s" % changed if changed else "")
    return {"balance": "balance: %(balance)s", "cost": "cost: %(cost)s for %(sms)s SMS", "mail": "mail sent",
            "send": "sent: %(sent)s"}[command] % dict(fields, sent=", ".join(
                "%s %s" % (name, fields[name]) for name in ("id", "sms", "cost", "balance") if name in fields))


def _cli_encoding():
    # type: () -> str
    """The terminal's encoding; under the C locale (ASCII) UTF-8, as Python 3.7+ reads it there."""
    import codecs
    import locale
    try:
        encoding = codecs.lookup(locale.getpreferredencoding()).name
    except (LookupError, ValueError):
        encoding = "ascii"
    return "utf-8" if encoding == "ascii" else encoding


def _cli_write(stream, text, end=u"\n"):
    # type: (Any, Union[str, bytes], str) -> None
    """Write a line: what the stream cannot encode is backslash-escaped; a closed stream or pipe (| head, >&-) is not
    an error: its descriptor then points at os.devnull, so that exiting stays quiet."""
    import errno
    if stream is None:  # Python 3: the descriptor was closed at start
        return
    encoding = getattr(stream, "encoding", None) or _cli_encoding()
    data = (_ensure_text(text) + end).encode(encoding, "backslashreplace")
    try:
        stream.write(data if _PY2 else data.decode(encoding))
        stream.flush()
    except (IOError, OSError) as error:
        if error.errno not in (errno.EPIPE, errno.EBADF):
            raise
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
            os.close(devnull)
        except (AttributeError, ValueError, IOError, OSError):
            pass


class _CliDebugOutput(object):
    """sys.stdout while the command runs: what the module prints (SMSC_DEBUG) goes to stderr, so that stdout holds the
    result alone (--json: one JSON object), and never fails (any locale, a closed pipe): once a request has gone out,
    nothing may turn the command into an error."""

    def write(self, text):
        # type: (Union[str, bytes]) -> None
        _cli_write(sys.stderr, text, end=u"")

    def flush(self):
        # type: () -> None
        pass


def _main(argv=None):
    # type: (Optional[Sequence[str]]) -> int
    """python smsc_api.py ...: parse, run, say. Returns the exit status (argparse exits 2 itself)."""
    parser = _cli_parser(None if argv is None else "smsc_api.py")  # argv given (tests): the file's name
    args = _cli_parse(parser, argv)
    stdout, sys.stdout = sys.stdout, _CliDebugOutput()
    try:
        outcome, fields = _cli_run(args)
    except (TypeError, IndexError, ValueError, IOError, OSError) as error:  # bad input, a bad setting, a file that
        parser.error("%s" % (error,))  # cannot be read: each named by the module before anything is sent
    finally:
        sys.stdout = stdout
    return _cli_say(args, outcome, fields)


if __name__ == "__main__":
    sys.exit(_main())
