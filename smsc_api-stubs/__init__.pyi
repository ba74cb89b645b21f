# The types of smsc_api, generated from smsc_api.py's type comments by .ci/make_stubs.py: do not edit,
# run python .ci/make_stubs.py (tests/test_stubs.py checks that it has been).
import asyncio
import os
import smtplib as smtplib
from datetime import datetime as datetime
from time import sleep as sleep
from typing import Any, Awaitable, IO, List, Literal, Optional, Sequence, TypeVar, Union, overload
from urllib.parse import quote as quote
from urllib.request import urlopen as urlopen

_T = TypeVar("_T")
_U = TypeVar("_U")
_Text = Union[str, bytes]
_Phones = Union[str, bytes, int, Sequence[Union[str, bytes, int]]]
_Digits = Union[int, str, bytes]
_Id = Union[int, str, bytes]
_Ids = Union[int, str, bytes, Sequence[Union[int, str, bytes]]]
_Files = Sequence[Union[str, bytes, "os.PathLike[str]", IO[bytes]]]
_Flag = Union[bool, int]

__version__: str

__all__ = [
    "SMSC",
    "ifs",
    "datetime",
    "sleep",
    "smtplib",
    "urlopen",
    "quote",
    "SMSC_LOGIN",
    "SMSC_PASSWORD",
    "SMSC_POST",
    "SMSC_HTTPS",
    "SMSC_CHARSET",
    "SMSC_DEBUG",
    "SMSC_TIMEOUT",
    "SMSC_CONNECT_TIMEOUT",
    "SMSC_KEEPALIVE",
    "SMSC_HOST",
    "SMTP_FROM",
    "SMTP_SERVER",
    "SMTP_LOGIN",
    "SMTP_PASSWORD",
]

SMSC_LOGIN: str
SMSC_PASSWORD: str
SMSC_POST: _Flag
SMSC_HTTPS: _Flag
SMSC_CHARSET: str
SMSC_DEBUG: _Flag
SMSC_TIMEOUT: Optional[float]
SMSC_CONNECT_TIMEOUT: Optional[float]
SMSC_KEEPALIVE: _Flag
SMSC_HOST: str
SMTP_FROM: str
SMTP_SERVER: str
SMTP_LOGIN: str
SMTP_PASSWORD: str


def ifs(cond: object, val1: _T, val2: _U) -> Union[_T, _U]: ...


class SMSC:
    def __init__(
        self,
        login: _Text = ...,
        password: _Text = ...,
        post: _Flag = ...,
        https: _Flag = ...,
        charset: str = ...,
        debug: _Flag = ...,
        host: str = ...,
        timeout: Optional[float] = ...,
        smtp_from: str = ...,
        smtp_server: str = ...,
        smtp_login: _Text = ...,
        smtp_password: _Text = ...,
        connect_timeout: Optional[float] = ...,
        keepalive: _Flag = ...,
    ) -> None: ...
    def send_sms(
        self,
        phones: _Phones,
        message: _Text,
        translit: _Digits = ...,
        time: Union[_Text, int, None] = ...,
        id: _Id = ...,
        format: _Digits = ...,
        sender: Union[_Text, int, None] = ...,
        query: _Text = ...,
        files: Optional[_Files] = ...,
    ) -> List[str]: ...
    def send_sms_mail(
        self,
        phones: _Phones,
        message: _Text,
        translit: _Digits = ...,
        time: Union[_Text, int, None] = ...,
        id: _Id = ...,
        format: _Digits = ...,
        sender: Union[_Text, int, None] = ...,
    ) -> None: ...
    def get_sms_cost(
        self,
        phones: _Phones,
        message: _Text,
        translit: _Digits = ...,
        format: _Digits = ...,
        sender: Union[_Text, int, None] = ...,
        query: _Text = ...,
    ) -> List[str]: ...
    @overload
    def get_status(self, id: int, phone: _Phones, all: _Digits = ...) -> List[str]: ...
    @overload
    def get_status(self, id: _Ids, phone: _Phones, all: _Digits = ...) -> List[Any]: ...
    def get_balance(self) -> Union[str, Literal[False]]: ...
    def close(self) -> None: ...
    def __enter__(self) -> Any: ...
    def __exit__(self, *exc_info: Any) -> Any: ...
    def _smsc_send_cmd(self, cmd: str, arg: str = ...) -> List[str]: ...


class AsyncSMSC:
    def __init__(
        self,
        login: _Text = ...,
        password: _Text = ...,
        post: _Flag = ...,
        https: _Flag = ...,
        charset: str = ...,
        debug: _Flag = ...,
        host: str = ...,
        timeout: Optional[float] = ...,
        smtp_from: str = ...,
        smtp_server: str = ...,
        smtp_login: _Text = ...,
        smtp_password: _Text = ...,
        connect_timeout: Optional[float] = ...,
        keepalive: _Flag = ...,
        max_workers: int = ...,
    ) -> None: ...
    def send_sms(
        self,
        phones: _Phones,
        message: _Text,
        translit: _Digits = ...,
        time: Union[_Text, int, None] = ...,
        id: _Digits = ...,
        format: _Digits = ...,
        sender: Union[_Text, int, None] = ...,
        query: _Text = ...,
        files: Optional[_Files] = ...,
    ) -> asyncio.Future[List[str]]: ...
    def send_sms_mail(
        self,
        phones: _Phones,
        message: _Text,
        translit: _Digits = ...,
        time: Union[_Text, int, None] = ...,
        id: _Digits = ...,
        format: _Digits = ...,
        sender: Union[_Text, int, None] = ...,
    ) -> asyncio.Future[None]: ...
    def get_sms_cost(
        self,
        phones: _Phones,
        message: _Text,
        translit: _Digits = ...,
        format: _Digits = ...,
        sender: Union[_Text, int, None] = ...,
        query: _Text = ...,
    ) -> asyncio.Future[List[str]]: ...
    @overload
    def get_status(self, id: int, phone: _Phones, all: _Digits = ...) -> asyncio.Future[List[str]]: ...
    @overload
    def get_status(self, id: _Ids, phone: _Phones, all: _Digits = ...) -> asyncio.Future[List[Any]]: ...
    def get_balance(self) -> asyncio.Future[Union[str, Literal[False]]]: ...
    def close(self) -> Awaitable[None]: ...
    def __aenter__(self) -> asyncio.Future[AsyncSMSC]: ...
    def __aexit__(self, *exc_info: object) -> Awaitable[None]: ...


def verify_callback(fields: Any, secret: _Text, charset: str = ...) -> bool: ...
