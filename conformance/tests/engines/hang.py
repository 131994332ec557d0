#!/usr/bin/env python3
"""Never answers the 2nd run request it ever receives."""
import time

import proxy


def on_run(n, line):
    if n == 2:
        time.sleep(3600)
    return line


proxy.main("hang", on_run=on_run)
