"""Unit tests of the scripted Lambda: `python3 -m unittest` in this folder (stdlib only)."""

import os
import sys
import traceback
import unittest
from unittest import mock

import handler

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = os.path.join(HERE, "..", "aws", "aslcheck-stack.yaml")


def run(behaviour, attempt=0, item=None, input=None):
    return handler.handler(
        {"behaviour": behaviour, "attempt": attempt, "item": item, "input": input}, None
    )


def lambda_error(exc_info):
    """The error document the Lambda Python runtime posts for an unhandled exception.

    Mirrors awslambdaric's bootstrap.handle_event_request (the runtime interface client the
    managed Python runtimes use): errorMessage = str(value), errorType = etype.__name__.
    Step Functions reports errorType as the state's Error.
    """
    etype, value, tb = exc_info
    return {
        "errorMessage": str(value),
        "errorType": etype.__name__,
        "stackTrace": traceback.format_list(traceback.extract_tb(tb)),
    }


def invoke(event):
    """Invokes the handler as the runtime does: a result, or the runtime's error document."""
    try:
        return {"result": handler.handler(event, None)}
    except Exception:
        return {"error": lambda_error(sys.exc_info())}


class Steps(unittest.TestCase):
    def test_return_echo_and_the_default(self):
        self.assertEqual(run([{"return": {"ok": True}}], input=1), {"ok": True})
        self.assertIsNone(run([{"return": None}], input=1))
        self.assertEqual(run([{"echo": True}], input={"a": [1]}), {"a": [1]})
        self.assertEqual(run([{}], input="x"), "x")  # a step without an outcome echoes
        self.assertEqual(run([], input=7), 7)  # no behaviour echoes
        self.assertEqual(handler.handler({"input": 3}, None), 3)

    def test_attempt_chooses_the_step_and_the_last_repeats(self):
        b = [{"return": "a"}, {"return": "b", "times": 2}, {"return": "c"}]
        got = [run(b, attempt=n) for n in range(6)]
        self.assertEqual(got, ["a", "b", "b", "c", "c", "c"])

    def test_times_counts_consecutive_throws(self):
        b = [{"throw": {"error": "Busy"}, "times": 2}, {"return": 1}]
        for n in (0, 1):
            with self.assertRaises(Exception) as ctx:
                run(b, attempt=n)
            self.assertEqual(type(ctx.exception).__name__, "Busy")
        self.assertEqual(run(b, attempt=2), 1)

    def test_map_items_pick_steps_by_index(self):
        b = {"items": {"1": [{"return": "one"}]}, "steps": [{"echo": True}]}
        self.assertEqual(run(b, item=1, input="x"), "one")
        self.assertEqual(run(b, item=0, input="x"), "x")
        self.assertEqual(run(b, item=None, input="x"), "x")
        self.assertEqual(run({"items": {"0": [{"return": 0}]}}, item=5, input="x"), "x")

    def test_behaviour_as_json_text(self):
        # Parameters would evaluate a ".$" key inside a literal behaviour; JSON text is opaque.
        b = '[{"throw": {"error": "E"}}, {"return": {"x.$": "$.a"}}]'
        self.assertEqual(run(b, attempt=1), {"x.$": "$.a"})
        b = '{"items": {"2": [{"return": 2}]}}'
        self.assertEqual(run(b, item=2), 2)
        self.assertEqual(invoke({"behaviour": "[nope"})["error"]["errorType"], "BadPayload")

    def test_sleep_then_outcome(self):
        with mock.patch.object(handler.time, "sleep") as sleep:
            self.assertEqual(run([{"sleep": 2.5, "return": 1}]), 1)
        sleep.assert_called_once_with(2.5)
        with mock.patch.object(handler.time, "sleep") as sleep:
            run([{"return": 1}])
        sleep.assert_not_called()

    def test_real_sleep(self):
        import time

        t0 = time.monotonic()
        run([{"sleep": 0.2}])
        self.assertGreaterEqual(time.monotonic() - t0, 0.19)


class Errors(unittest.TestCase):
    def test_error_name_reaches_lambdas_error_type(self):
        b = [{"throw": {"error": "Busy", "cause": "try later"}}]
        out = invoke({"behaviour": b, "attempt": 0, "item": None, "input": {}})
        self.assertEqual(out["error"]["errorType"], "Busy")
        self.assertEqual(out["error"]["errorMessage"], "try later")

    def test_names_that_are_not_python_identifiers(self):
        for name in ["States.Foo", "Lambda.Unknown", "my error", "", "123", "Ünïcode", "class",
                     "a\nb", "x" * 256, "ValueError"]:
            b = [{"throw": {"error": name, "cause": "c"}}]
            out = invoke({"behaviour": b, "attempt": 0})
            self.assertEqual(out["error"]["errorType"], name)
            self.assertEqual(out["error"]["errorMessage"], "c")

    def test_a_builtin_name_is_a_fresh_class(self):
        cls = handler.error_class("ValueError")
        self.assertIsNot(cls, ValueError)
        self.assertEqual(cls.__name__, "ValueError")

    def test_missing_cause_is_an_empty_message(self):
        out = invoke({"behaviour": [{"throw": {"error": "E"}}]})
        self.assertEqual(out["error"], {**out["error"], "errorType": "E", "errorMessage": ""})
        out = invoke({"behaviour": [{"throw": {"error": "E", "cause": None}}]})
        self.assertEqual(out["error"]["errorMessage"], "")

    def test_names_no_class_can_have_are_bad_payloads(self):
        for name in ["a\0b", "\ud800"]:
            out = invoke({"behaviour": [{"throw": {"error": name}}]})
            self.assertEqual(out["error"]["errorType"], "BadPayload")
            self.assertIn("cannot be an exception class name", out["error"]["errorMessage"])

    def test_malformed_payloads(self):
        for event in [[], {"behaviour": "x"}, {"behaviour": [1]}, {"behaviour": [{"throw": {}}]},
                      {"behaviour": [{"throw": "E"}]}]:
            out = invoke(event)
            self.assertEqual(out["error"]["errorType"], "BadPayload", event)


class Template(unittest.TestCase):
    def test_the_stack_template_inlines_this_handler(self):
        self.assertEqual(
            inline_code(TEMPLATE),
            read(os.path.join(HERE, "handler.py")),
            "paste handler.py under ZipFile: | in engines/aws/aslcheck-stack.yaml, indented 10 spaces",
        )

    def test_handler_fits_cloudformations_inline_limit(self):
        self.assertLessEqual(len(read(os.path.join(HERE, "handler.py"))), 4096)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def inline_code(template):
    """The literal block under `ZipFile: |` in the template, de-indented (no YAML library)."""
    lines = read(template).split("\n")
    start = next(i for i, l in enumerate(lines) if l.strip() == "ZipFile: |")
    indent = None
    body = []
    for line in lines[start + 1:]:
        if line.strip() == "":
            body.append("")
            continue
        width = len(line) - len(line.lstrip(" "))
        if indent is None:
            indent = width
        if width < indent:
            break
        body.append(line[indent:])
    while body and body[-1] == "":
        body.pop()
    return "\n".join(body) + "\n"  # YAML's `|` keeps exactly one final newline


if __name__ == "__main__":
    unittest.main()
