# -*- coding: utf-8 -*-
"""Does the suite notice when one wire literal of smsc_api.py changes by one character?

    python tests/mutation_check.py [pytest args...]

For each literal below, a copy of the checkout gets smsc_api.py with that one literal changed
(one occurrence at a time), and the suite runs on it with -x; a mutant is caught when the run
fails. Prints one line per mutant and exits 1 if any survived. Not collected by pytest (the
name does not start with test_); runs with the interpreter that runs it (pytest installed).
"""
from __future__ import print_function

import os
import shutil
import subprocess
import sys
import tempfile

from helpers import ROOT  # this file's directory is sys.path[0]

# (what the literal is, its text in smsc_api.py, the one-character change[, the only Python that uses it])
MUTANTS = [("format %d flag" % n, '"%s"' % flag, '"x%s"' % flag[1:])
           for n, flag in enumerate(["flash=1", "push=1", "hlr=1", "bin=1", "bin=2", "ping=1", "mms=1",
                                     "mail=1", "call=1", "viber=1", "soc=1"], 1)]
MUTANTS += [("format 12 flag", '"soc=1", "", "tg=1"', '"soc=1", "x", "tg=1"'),
            ("format 13 flag", '"tg=1"', '"xg=1"')]
MUTANTS += [
    ("send_sms cost", '"cost=3&phones="', '"cost=2&phones="'),
    ("get_sms_cost cost", '"cost=1&phones="', '"cost=2&phones="'),
    ("POST threshold", "len(arg) > 2000", "len(arg) > 2001"),
    ("fmt", '"&fmt=1&charset="', '"&fmt=2&charset="'),
    ("charset name", '"&fmt=1&charset="', '"&fmt=1&charsex="'),
    ("apikey", '"apikey="', '"apikex="'),
    ("psw", '"&psw="', '"&psx="'),
    ("login", '"login="', '"logix="'),
    ("mes", '"&mes="', '"&mex="'),
    ("translit", '"&translit="', '"&translix="'),
    ("id", '"&id="', '"&ix="'),
    ("sender", '"&sender="', '"&sendex="'),
    ("time", '"&time="', '"&timx="'),
    ("phone", '"phone="', '"phonx="'),
    ("all", '"&all="', '"&alx="'),
    ("mirror prefix", '"www"', '"wwx"'),
    ("mirror dot", '"www" + str(i) + "." + host', '"www" + str(i) + "-" + host'),
    ("domain", 'SMSC_HOST = "smscentre.com"', 'SMSC_HOST = "smscentre.cox"'),
    ("/sys/", '"/sys/"', '"/syx/"'),
    ("://", '"://" + host', '":/" + host'),
    (".php", '".php"', '".phx"'),
    ("command send", '"send"', '"senx"'),
    ("command status", '"status"', '"statux"'),
    ("command balance", '"balance"', '"balancx"'),
    ("http", '"https", "http")', '"https", "httx")'),
    ("https", '"https", "http")', '"httpx", "http")'),
    ("HLR marker", '"HLR"', '"HLX"'),
    ("SMTP recipient", '"send@send." + host', '"send@sent." + host'),
    ("SMTP_FROM", 'SMTP_FROM = "api@smscentre.com"', 'SMTP_FROM = "api@smscentre.cox"'),
    ("SMTP_FROM follows", '"api@" + host', '"apx@" + host'),
    ("SMTP_SERVER", 'SMTP_SERVER = "send.smscentre.com"', 'SMTP_SERVER = "send.smscentre.cox"'),
    ("SMTP_SERVER follows", '"send." + host', '"sent." + host'),
    ("mail header", '"Content-Type: text/plain; charset="', '"Content-Type: text/plain; charsex="'),
    ("mail separator", 'b":".join([login, password', 'b";".join([login, password'),
    ("mail flag separator", 'translit_ + b"," + format_', 'translit_ + b";" + format_'),
    ("fictitious reply", 'ret = ","', 'ret = ";"'),
    ("attempts", "for i in (1, 2, 3, 4, 5):", "for i in (1, 2, 3, 4):"),
    ("URL-safe set, Python 2", "_URL_SAFE = \"%/:=&?~#+!$,;'@()*[]|\"", "_URL_SAFE = \"%/:=&?~#+!$,;'@()*[]\"", 2),
    ("URL-safe set, Python 3", "_URL_SAFE = \"%/:=&?~+!$,;'@()*[]|\"", "_URL_SAFE = \"%/:=&?~+!$,;'@()*[]\"", 3),
    ("quote safe", "return quote(self._bytes_of(value, name, secret))",
     "return quote(self._bytes_of(value, name, secret), safe=\"\")"),
]


def run(source, needle, replacement, occurrence, pytest_args):
    work = tempfile.mkdtemp(prefix="smsc-mutant-")
    try:
        for name in ("smsc_api.py", "smsc_sandbox.py", "pytest_smsc.py"):
            shutil.copy(os.path.join(ROOT, name), work)
        shutil.copytree(os.path.join(ROOT, "tests"), os.path.join(work, "tests"))
        start = -1
        for _ in range(occurrence + 1):
            start = source.index(needle, start + 1)
        with open(os.path.join(work, "smsc_api.py"), "wb") as handle:
            handle.write((source[:start] + replacement + source[start + len(needle):]).encode("utf-8"))
        command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "tests"] + pytest_args
        return subprocess.call(command, cwd=work, stdout=open(os.devnull, "w"), stderr=subprocess.STDOUT)
    finally:
        shutil.rmtree(work)


def main(pytest_args):
    with open(os.path.join(ROOT, "smsc_api.py"), "rb") as handle:
        source = handle.read().decode("utf-8")
    survived = 0
    for mutant in MUTANTS:
        what, needle, replacement = mutant[:3]
        if mutant[3:] and mutant[3] != sys.version_info[0]:  # a literal only that Python uses
            print("skipped   %-20s (Python %d only: run this check with it too)" % (what, mutant[3]))
            continue
        count = source.count(needle)
        if count == 0:
            print("MISSING   %-20s %s is not in smsc_api.py" % (what, needle))
            survived += 1
        for occurrence in range(count):
            code = run(source, needle, replacement, occurrence, pytest_args)
            caught = code != 0
            survived += not caught
            print("%s %-20s %s -> %s (#%d of %d)" % ("caught   " if caught else "SURVIVED ", what, needle,
                                                     replacement, occurrence + 1, count))
    print("%d mutants survived" % survived)
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
