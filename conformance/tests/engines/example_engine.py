#!/usr/bin/env python3
"""A toy engine for PROTOCOL.md: runs machines made of Pass (with or without Result) and
Succeed states, and says `unsupported` to everything else."""
import json
import sys

KNOWN = {"Pass": {"Type", "Result", "Next", "End", "Comment"}, "Succeed": {"Type", "Comment"}}


def send(msg):
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()


def run(definition, data):
    if not isinstance(definition, dict):
        return {"type": "unsupported", "reason": "definition text"}
    states, name, route = definition.get("States", {}), definition.get("StartAt"), []
    for _ in range(1000):
        state = states.get(name)
        if not isinstance(state, dict) or not set(state) <= KNOWN.get(state.get("Type"), set()):
            return {"type": "unsupported", "reason": f"state {name!r}"}
        route.append(name)
        if "Result" in state:
            data = state["Result"]
        if state["Type"] == "Succeed" or state.get("End") is True:
            return {"type": "result", "status": "SUCCEEDED", "output": data, "states": route}
        name = state.get("Next")
    return {"type": "unsupported", "reason": "too many transitions"}


send({"type": "hello", "protocol": 1, "engine": "toy", "version": "0.1",
      "features": ["pass.result", "succeed"]})
for line in sys.stdin:
    msg = json.loads(line)
    if msg["type"] == "bye":
        break
    if msg["type"] == "run":
        answer = run(msg["definition"], msg.get("input", {}))
    else:
        answer = {"type": "unsupported", "reason": f"{msg['type']} requests"}
    send({**answer, "id": msg["id"]})
