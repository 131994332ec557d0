"""Shared by the broken test engines: speaks the protocol by forwarding every request to
`aslcheck serve`, and misbehaves on cue.

Usage: python3 <engine>.py <path to aslcheck> <state dir> [mode]
The state dir holds two counters that survive restarts: `starts` (processes started) and
`runs` (run requests received), so a script can misbehave exactly once."""
import json
import os
import subprocess
import sys


def bump(state_dir, counter):
    path = os.path.join(state_dir, counter)
    n = 1
    if os.path.exists(path):
        with open(path) as f:
            n = int(f.read() or "0") + 1
    with open(path, "w") as f:
        f.write(str(n))
    return n


def send(text):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main(name, on_start=None, on_run=None):
    """on_start(start_number) and on_run(run_number, line) may misbehave; on_run returns the
    line to forward, or None to forward nothing."""
    aslcheck, state_dir = sys.argv[1], sys.argv[2]
    start = bump(state_dir, "starts")
    if on_start:
        on_start(start)
    serve = subprocess.Popen([aslcheck, "serve"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    hello = json.loads(serve.stdout.readline())
    hello["engine"] = name
    send(json.dumps(hello))
    for line in sys.stdin:
        msg = json.loads(line)
        if msg.get("type") == "bye":
            break
        if msg.get("type") == "run" and on_run:
            line = on_run(bump(state_dir, "runs"), line)
            if line is None:
                continue
        serve.stdin.write(line if line.endswith("\n") else line + "\n")
        serve.stdin.flush()
        send(serve.stdout.readline().rstrip("\n"))
    serve.stdin.close()
    serve.wait()
