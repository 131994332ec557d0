#!/usr/bin/env python3
"""Dies in the middle of the 2nd run request it ever receives (exit status 3)."""
import os
import sys

import proxy


def on_run(n, line):
    if n == 2:
        sys.stdout.write('{"type": "result", "id": ')
        sys.stdout.flush()
        sys.stderr.write("crash_second: dying on purpose\n")
        sys.stderr.flush()
        os._exit(3)
    return line


proxy.main("crash-second", on_run=on_run)
