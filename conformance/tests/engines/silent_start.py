#!/usr/bin/env python3
"""Prints nothing at all on its 2nd start (mode `always`: on every start). To get restarted,
it exits without answering the 2nd run request it ever receives."""
import sys
import time

import proxy


def on_start(n):
    if n == 2 or sys.argv[3:] == ["always"]:
        sys.stderr.write("silent_start: saying nothing\n")
        sys.stderr.flush()
        time.sleep(3600)


def on_run(n, line):
    if n == 2:
        sys.exit(1)
    return line


proxy.main("silent-start", on_start=on_start, on_run=on_run)
