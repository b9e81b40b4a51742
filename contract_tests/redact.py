"""The key is never printed: every text pytest reports has it replaced by `[Filtered]`.

The key reaches report text in ways no single call site controls: pytest shows the arguments
of the frames in a traceback (requests' `headers`), a server may echo the Authorization header
in a body that a failure quotes, and hypothesis or a check may repr anything. So the plugin
passes every report through `Redactor.report` before the terminal and the JUnit writer see it.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import pytest
from _pytest._code.code import TerminalRepr

MASK = "[Filtered]"  # as schemathesis shows the key in its curl lines
# The real server sets the `asc_auth_key` cookie on a call the header authenticates: the token itself,
# or, for Basic credentials, a session key the suite never knew. Its value is masked wherever the
# cookie is named (a Set-Cookie or Cookie header, quoted or not), whatever it is.
_COOKIE = re.compile(r"(asc_auth_key\s*=\s*)(\"(?:[^\"\\]|\\.)*\"|[^;,\s'\"\\]+)", re.IGNORECASE)
# A fragment this long, cut off where pytest's saferepr shortens a long repr ("..."), is masked too.
_FRAGMENT = 4


class Redactor:
    def __init__(self, *secrets: str) -> None:
        patterns = []
        for secret in secrets:
            # The secret as it is, and as repr(), JSON and URLs escape it; longest first.
            forms = {secret, repr(secret)[1:-1], json.dumps(secret)[1:-1], quote(secret, safe="")} - {""}
            ordered = sorted(forms, key=len, reverse=True)
            patterns += [re.escape(form) for form in ordered]
            # saferepr keeps the start and the end of a long repr around "...": either may end or
            # begin inside the secret.
            for form in ordered:
                heads = [re.escape(form[:n]) for n in range(len(form) - 1, _FRAGMENT - 1, -1)]
                tails = [re.escape(form[-n:]) for n in range(len(form) - 1, _FRAGMENT - 1, -1)]
                if heads:
                    patterns.append(f"(?:{'|'.join(heads)})(?=\\.\\.\\.)")
                    patterns.append(f"(?<=\\.\\.\\.)(?:{'|'.join(tails)})")
        self._pattern = re.compile("|".join(patterns)) if patterns else None

    def text(self, text: str) -> str:
        text = _COOKIE.sub(lambda m: m[1] + MASK, text)
        return text if self._pattern is None else self._pattern.sub(MASK, text)

    def value(self, value: Any, seen: set[int] | None = None) -> Any:
        """`value` with the key masked in every string it holds: pytest's repr objects are changed in
        place; strings, tuples and dicts are given anew."""
        seen = set() if seen is None else seen
        if isinstance(value, str):
            return self.text(value)
        if id(value) in seen:
            return value
        seen.add(id(value))
        if isinstance(value, list):
            value[:] = [self.value(item, seen) for item in value]
        elif isinstance(value, tuple):
            items = [self.value(item, seen) for item in value]
            return type(value)(*items) if hasattr(value, "_fields") else tuple(items)  # a namedtuple
        elif isinstance(value, dict):
            return {key: self.value(item, seen) for key, item in value.items()}
        elif isinstance(value, TerminalRepr):
            if not hasattr(value, "__dict__"):  # a repr of a kind this cannot walk: its text, masked
                return self.text(str(value))
            # Every attribute: the dataclass fields, and those set after (ExceptionChainRepr.reprcrash).
            for name, item in list(vars(value).items()):
                object.__setattr__(value, name, self.value(item, seen))
        return value

    def report(self, report: pytest.TestReport | pytest.CollectReport) -> None:
        """Mask the key in everything of `report` that is shown or written: the failure, the captured
        output and logs, and the user properties."""
        report.longrepr = self.value(report.longrepr)
        report.sections = [(self.text(title), self.text(content)) for title, content in report.sections]
        if isinstance(report, pytest.TestReport):
            report.user_properties = self.value(list(report.user_properties))
