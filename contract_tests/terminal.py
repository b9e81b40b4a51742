"""Text from a server (or a sink), shown in a terminal without letting it act on the terminal.

A server's error body may carry escape sequences (clear a line, move the cursor, recolour) and
line breaks: raw, they could rewrite what the run printed, or forge a line such as
`CONFORMS: ...` that a person or a CI log search takes for the suite's verdict. `shown` writes
every control character of a value as its Python escape (`\\x1b`, `\\n`, `\\u202e`), so a value
stays one inert line. `report` does the same to every pytest report, except for the line breaks
and tabs of the report's own layout; there, a line that begins with a verdict word is indented,
since only the command (`cli.py`) prints the verdict, last.
"""

from __future__ import annotations

import re

import pytest

from contract_tests.redact import Redactor

# C0 and C1 controls, DEL, and the Unicode line separators and bidirectional overrides, which turn
# text around on screen.
_TURNING = "\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{_TURNING}]")
_CONTROL_BUT_LAYOUT = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_TURNING}]")  # tab and line feed kept
_VERDICT_LINE = re.compile(r"^(\s*)(CONFORMS|DOES NOT CONFORM|NO VERDICT|sink error|usage:)", re.M)


def _escaped(match: re.Match[str]) -> str:
    return match[0].encode("unicode_escape").decode("ascii")


def shown(text: str) -> str:
    """`text` as one line: each control character written as its escape."""
    return _CONTROL.sub(_escaped, text)


def report_text(text: str) -> str:
    """A report's text: control characters escaped but its own line breaks and tabs (a CR LF is a
    line break); a line that begins like a verdict, indented."""
    text = _CONTROL_BUT_LAYOUT.sub(_escaped, text.replace("\r\n", "\n"))
    return _VERDICT_LINE.sub(r"\1  \2", text)


class _Escaper(Redactor):
    """The redactor's walk over a report, with `report_text` for its masking."""

    def __init__(self) -> None:
        super().__init__()

    def text(self, text: str) -> str:
        return report_text(text)


_ESCAPER = _Escaper()


def report(given: pytest.TestReport | pytest.CollectReport) -> None:
    """Escape what `given` shows (its failure, captured output, properties), in place."""
    _ESCAPER.report(given)
