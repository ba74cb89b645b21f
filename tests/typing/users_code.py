# -*- coding: utf-8 -*-
"""A user's code as 2.0's page shows it, and as async code writes it, type-checked through smsc_api's types: its type
comments for a copied file (tests/test_types.py), its stubs once installed (.ci/release_check.py).

Everything here is correct and passes `mypy --strict` and pyright but the two lines marked "# error:", which
type checkers must flag: a sender that is a float, and adding to a balance that is False on an error.
"""
from pathlib import Path

from smsc_api import SMSC, AsyncSMSC

smsc = SMSC("login", "password")
r = smsc.send_sms("79999999999", u"Ваш пароль: 123", sender="sms")
if r[1] > "0":
    print("sent, id " + r[0])
smsc.send_sms("79999999999", "photo", format=3, files=[Path("photo.jpg"), "note.txt", open("a.pdf", "rb")])
cost = smsc.get_sms_cost(["79999999999", 79999999998], "test", format=1)
status = smsc.get_status(12345, "79999999999")
print("status " + status[0])
statuses = smsc.get_status("101,102", "79999999999,79999999998", all=1)
with SMSC(login="", password="API-key", https=True, timeout=10, keepalive=True) as client:
    client.send_sms_mail("79999999999", "test2", format=1)
balance = smsc.get_balance()
if balance:
    print("balance: " + balance)
elif balance is False:
    print("no balance")


async def start(chat_id: int) -> str:
    async with AsyncSMSC("login", "password", keepalive=True, max_workers=4) as client:
        sent = await client.send_sms("79999999999", "Your code: 1234", sender="sms")
        if sent[1] > "0":
            return "sent, id " + sent[0]
        status = await client.get_status(int(sent[0]), "79999999999")
        balance = await client.get_balance()
        return "%s %s %s" % (status[0], balance or "no balance", chat_id)


smsc.send_sms("79999999999", "test", sender=1.5)  # error: a sender is text, bytes or an int
print(balance + 1)  # error: a balance is text, or False
