"""A polite run: at most RATE_LIMIT requests a second to the call, and a server that throttles is waited for.

A 429, or a 503 that says when to come back (`Retry-After`), means the server did not take the
request: it is sent again after Retry-After (seconds or an HTTP date), or after a back-off of 1, 2,
4, 8 s when the answer names no time, at most RETRIES times. The waits of the whole run share
THROTTLE_BUDGET seconds. Past either bound the run has no verdict (`Throttled`): the server was
never shown to break the contract, and a red run would be false.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import requests

RETRIES = 5
# A whisker more than 1/RATE_LIMIT between two requests: the server sees arrivals with some jitter,
# and must never count more than RATE_LIMIT in a second.
MARGIN = 0.005
NO_VERDICT = 75  # EX_TEMPFAIL (sysexits.h): no verdict; run again later


class Throttled(Exception):
    """The server throttled the run past its budget: no verdict."""


def retry_after(response: requests.Response, attempt: int) -> float | None:
    """Seconds to wait before sending `response`'s request again, or None: the answer stands."""
    given = response.headers.get("Retry-After")
    if response.status_code != 429 and not (response.status_code == 503 and given is not None):
        return None
    if given is not None:
        text = given.strip()
        if text.isdigit():
            return float(text)
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            return max(0.0, (when - datetime.now(UTC)).total_seconds())
    return float(2**attempt)  # 1, 2, 4, 8...


class Pacer:
    """The rate and the throttling budget of one run; shared by every thread that sends."""

    def __init__(
        self,
        per_second: float | None,
        budget: float,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = 1.0 / per_second + MARGIN if per_second else 0.0
        self.budget = budget
        self.waited = 0.0  # seconds spent waiting on throttled answers
        self.throttled = 0  # answers 429/503 that were waited on and sent again
        self.exhausted: str | None = None  # why the run has no verdict, once Throttled was raised
        self._sleep, self._clock = sleep, clock
        self._next = 0.0
        self._lock = threading.Lock()

    def before(self) -> None:
        """Wait for this request's turn."""
        if not self.interval:
            return
        with self._lock:
            now = self._clock()
            at = max(now, self._next)
            self._next = at + self.interval
        if at > now:
            self._sleep(at - now)

    def after(self, response: requests.Response, attempt: int, where: str) -> bool:
        """Whether to send the request again (having waited); raises Throttled past the bounds."""
        wait = retry_after(response, attempt)
        if wait is None:
            return False
        status = response.status_code
        if attempt >= RETRIES:
            self._give_up(
                f"NO VERDICT: the server still answered {status} to {where} after {RETRIES} waits;"
                " run again later, or with a lower RATE_LIMIT"
            )
        if self.waited + wait > self.budget:
            self._give_up(
                f"NO VERDICT: the server throttled the run ({status}, Retry-After"
                f" {response.headers.get('Retry-After', 'none')}) past THROTTLE_BUDGET={self.budget:g} s"
                f" ({self.waited:g} s waited, {self.throttled} answers throttled); run again later, or"
                " with a lower RATE_LIMIT or a higher THROTTLE_BUDGET"
            )
        self.throttled += 1
        self.waited += wait
        self._sleep(wait)
        return True

    def _give_up(self, why: str) -> None:
        self.exhausted = self.exhausted or why
        raise Throttled(self.exhausted)
