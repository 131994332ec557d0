#!/usr/bin/env python3
"""Answers the 2nd run request with a line that is not JSON, and the 4th with an answer
for another id."""
import json

import proxy


def on_run(n, line):
    if n == 2:
        proxy.send("Traceback (most recent call last): this is not JSON")
        return None
    if n == 4:
        msg = json.loads(line)
        proxy.send(json.dumps({"type": "result", "id": msg["id"] + "-other", "status": "SUCCEEDED"}))
        return None
    return line


proxy.main("garbage", on_run=on_run)
