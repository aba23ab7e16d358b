#!/usr/bin/env python3
"""Runs a command (stdin from a file) RUNS times; prints the largest peak RSS in KiB.

    peak-rss.py RUNS STDIN_FILE COMMAND [ARGS...]
"""
import os
import subprocess
import sys

runs, stdin_path, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
peak = 0
for _ in range(runs):
    with open(stdin_path, "rb") as stdin:
        proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        if status != 0:
            sys.exit(f"{argv[0]} failed: status {status}")
        peak = max(peak, usage.ru_maxrss)
print(peak)
