# aslcheck's scripted Lambda: one step of a scripted behaviour per invocation.
# Payload: {"behaviour": steps, "attempt": n, "item": i or null, "input": x} (see README.md).
# Stateless: the step is chosen by attempt (and Map item) alone. Python 3.8+, stdlib only.
# This file is inlined in engines/aws/aslcheck-stack.yaml; keep it under 4096 characters.
import json
import time


class BadPayload(Exception):
    """The payload is not what aslcheck sends (reported as errorType BadPayload)."""


def error_class(name):
    # Lambda reports an unhandled exception's type(e).__name__ as errorType. type() takes any
    # string as a class name ("States.Foo", "my error", ""), except one holding a NUL character
    # or a lone surrogate: those cannot be reported and raise BadPayload instead.
    try:
        return type(name, (Exception,), {})
    except (ValueError, UnicodeError):
        raise BadPayload("error name %r cannot be an exception class name" % (name,)) from None


def choose(behaviour, item, attempt):
    """The step for this attempt: like aslcheck's behaviours, the last step repeats."""
    if isinstance(behaviour, str):  # JSON text: keeps keys ending in ".$" away from Parameters
        try:
            behaviour = json.loads(behaviour)
        except ValueError as e:
            raise BadPayload("behaviour is a string but not JSON: %s" % e) from None
    steps = behaviour
    if isinstance(behaviour, dict):
        steps = behaviour.get("steps", [])
        items = behaviour.get("items") or {}
        if item is not None and str(item) in items:
            steps = items[str(item)]
    if not isinstance(steps, list):
        raise BadPayload("behaviour must be a list of steps or {items, steps}")
    covered = 0
    for step in steps:
        if not isinstance(step, dict):
            raise BadPayload("a step must be an object: %r" % (step,))
        covered += step.get("times", 1)
        if attempt < covered:
            return step
    return steps[-1] if steps else {}


def handler(event, context):
    if not isinstance(event, dict):
        raise BadPayload("the payload must be an object")
    attempt = event.get("attempt") or 0
    step = choose(event.get("behaviour") or [], event.get("item"), attempt)
    sleep = step.get("sleep", 0)
    if sleep:
        time.sleep(sleep)
    if "throw" in step:
        throw = step["throw"]
        if not isinstance(throw, dict) or not isinstance(throw.get("error"), str):
            raise BadPayload("throw needs an 'error' string")
        raise error_class(throw["error"])(throw.get("cause") or "")
    if "return" in step:
        return step["return"]
    return event.get("input")
