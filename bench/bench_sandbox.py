# -*- coding: utf-8 -*-
"""The sandbox gateway under load and abuse, measured in one run: the memory it holds after a 100 MB body
(refused, or recorded), its threads under 500 connections at once, and the time to read a 100 MB body.

    python bench/bench_sandbox.py [--sandbox PATH] [--megabytes 100] [--connections 500]

The gateway runs as users run it, `python smsc_sandbox.py` (this checkout's, or PATH's: an older one to
compare), in a process of its own on free ports, with the Python running this script. Its resident memory
(VmRSS, and the peak VmHWM) and threads are read from /proc/<pid>/status (Linux; elsewhere they are not
shown). A body is sent as a client sends it, whole, then the answer is read; its time is from the first byte
sent to the last byte of the answer. The 500 connections each send half a request (as slow clients), then
the rest with "Connection: close"; each answer is read.
"""
from __future__ import print_function

import argparse
import multiprocessing
import os
import platform
import re
import select
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MB = 1 << 20
KEPT = 100 * MB  # the bytes of past requests the gateway keeps (smsc_sandbox.Gateway.MAX_RECORD_BYTES)
clock = getattr(time, "perf_counter", time.time)


class Sandbox(object):
    """python smsc_sandbox.py --port 0 --smtp-port 0 [options], stopped by stop()."""

    def __init__(self, path, *options):
        self.process = subprocess.Popen([sys.executable, path, "--port", "0", "--smtp-port", "0"] + list(options),
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        first = self.process.stdout.readline().decode("utf-8", "replace")
        self.port = int(re.match(r"HTTP on http://127\.0\.0\.1:(\d+) ", first).group(1))

    def status(self, name):
        """A figure of /proc/<pid>/status (VmRSS, VmHWM in kB; Threads), or None where there is no /proc."""
        try:
            with open("/proc/%d/status" % self.process.pid) as handle:
                text = handle.read()
        except IOError:
            return None
        return int(re.search(r"^%s:\s*(\d+)" % name, text, re.M).group(1))

    def megabytes(self, name="VmRSS"):
        kilobytes = self.status(name)
        return None if kilobytes is None else kilobytes / 1024.0

    def stop(self):
        self.process.terminate()
        self.process.communicate()


def supports(path, option):
    out = subprocess.Popen([sys.executable, path, "--help"], stdout=subprocess.PIPE).communicate()[0]
    return option.encode("ascii") in out


def request(port, head, body_size=0, piece=b"x" * MB):
    """Send head and body_size bytes of body (pieces of 1 MB), then read the answer: (seconds, answer)."""
    sock = socket.create_connection(("127.0.0.1", port), 60)
    started = clock()
    try:
        sock.sendall(head)
        left = body_size
        while left > 0:
            sock.sendall(piece[:min(left, len(piece))])
            left -= len(piece)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
        return clock() - started, answer
    finally:
        sock.close()


def post_head(size, target=b"/sys/send.php"):
    return (b"POST " + target + b" HTTP/1.1\r\nHost: smscentre.com\r\nContent-Type: application/x-www-form-urlencoded"
            b"\r\nContent-Length: " + str(size).encode("ascii") + b"\r\n\r\n")


BALANCE = b"GET /sys/balance.php?login=a&psw=b&fmt=1&charset=utf-8 HTTP/1.1\r\nHost: smscentre.com\r\n"
FIELDS = b"login=a&psw=b&fmt=1&charset=utf-8&phones=79999999999&mes=hi&pad="


def status_line(answer):
    return answer.split(b"\r\n", 1)[0].decode("latin-1")


def figure(value, unit=" MB"):
    return "n/a" if value is None else "%.1f%s" % (value, unit)


def big_bodies(path, size):
    """The memory held after a body of `size` bytes is refused (default limit) and recorded (limit raised)."""
    rows = []
    limited = supports(path, "--max-request-size")
    sandbox = Sandbox(path)
    try:
        request(sandbox.port, BALANCE + b"\r\n")
        rest = sandbox.megabytes()
        rows.append(("at rest, after one small request", figure(rest), sandbox.status("Threads"), ""))
        if limited:
            seconds, answer = request(sandbox.port, post_head(size), size)
            rows.append(("%d MB body, default limits (%s)" % (size // MB, status_line(answer)),
                         figure(sandbox.megabytes()), sandbox.status("Threads"), "%.2f s" % seconds))
    finally:
        sandbox.stop()
    sandbox = Sandbox(path, *(["--max-request-size", str(2 * size)] if limited else []))
    try:
        request(sandbox.port, BALANCE + b"\r\n")
        body = len(FIELDS) + size
        seconds, answer = request(sandbox.port, post_head(body) + FIELDS, size)
        rows.append(("%d MB body read and recorded (%s)" % (size // MB, status_line(answer)),
                     figure(sandbox.megabytes()), sandbox.status("Threads"), "%.2f s" % seconds))
        rows.append(("  its peak while reading and parsing (VmHWM)", figure(sandbox.megabytes("VmHWM")), "", ""))
        request(sandbox.port, BALANCE + b"\r\n")
        forgotten = limited and body > KEPT
        rows.append(("  after one more request" + (" (over %d MB kept: forgotten)" % (KEPT // MB) if forgotten else ""),
                     figure(sandbox.megabytes()), sandbox.status("Threads"), ""))
    finally:
        sandbox.stop()
    return rows


def many_connections(path, count):
    """Threads while `count` slow clients hold half a request each; then every answer, and how long."""
    sandbox = Sandbox(path)
    socks = []
    try:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", sandbox.port), 60)
            sock.sendall(BALANCE)
            socks.append(sock)
        time.sleep(1)
        threads = sandbox.status("Threads")
        started = clock()
        for sock in socks:
            sock.sendall(b"Connection: close\r\n\r\n")
        answers = dict((sock, b"") for sock in socks)
        waiting = list(socks)
        while waiting and clock() - started < 120:
            for sock in select.select(waiting, [], [], 1)[0]:
                chunk = sock.recv(65536)
                answers[sock] += chunk
                if not chunk:
                    waiting.remove(sock)
        seconds = clock() - started
        answered = sum(1 for answer in answers.values() if answer.startswith(b"HTTP/1.1 200 OK"))
        return threads, answered, seconds, sandbox.status("Threads")
    finally:
        for sock in socks:
            sock.close()
        sandbox.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sandbox", default=os.path.join(ROOT, "smsc_sandbox.py"),
                        help="the smsc_sandbox.py to run (default: this checkout's)")
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--connections", type=int, default=500)
    args = parser.parse_args()
    print("smsc_sandbox under load: %s, Python %s, %s, %d CPUs; one run" % (
        args.sandbox, platform.python_version(), platform.platform(), multiprocessing.cpu_count()))
    print()
    print("%-62s %10s %8s %9s" % ("", "RSS", "threads", "time"))
    for label, rss, threads, seconds in big_bodies(args.sandbox, args.megabytes * MB):
        print("%-62s %10s %8s %9s" % (label, rss, "" if threads is None else threads, seconds))
    print()
    threads, answered, seconds, after = many_connections(args.sandbox, args.connections)
    print("%d connections at once, each holding half a request: %s threads in the gateway's process"
          % (args.connections, "n/a" if threads is None else threads))
    print("then each request completed: %d of %d answered 200 in %.2f s; %s threads after"
          % (answered, args.connections, seconds, "n/a" if after is None else after))


if __name__ == "__main__":
    main()
