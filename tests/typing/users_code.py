# -*- coding: utf-8 -*-
"""A user's code as 2.0's page shows it, type-checked through smsc_api's type comments (tests/test_types.py).

Everything here passes `mypy --strict` but the last line: get_balance() is a str, or False on an error.
"""
from smsc_api import SMSC

smsc = SMSC("login", "password")
r = smsc.send_sms("79999999999", u"Ваш пароль: 123", sender="sms")
if r[1] > "0":
    print("sent, id " + r[0])
cost = smsc.get_sms_cost(["79999999999", 79999999998], "test", format=1)
status = smsc.get_status(12345, "79999999999")
statuses = smsc.get_status("101,102", "79999999999,79999999998", all=1)
with SMSC(login="", password="API-key", https=True, timeout=10, keepalive=True) as client:
    client.send_sms_mail("79999999999", "test2", format=1)
balance = smsc.get_balance()
print(balance + 1)
