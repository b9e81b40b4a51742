"""Accepted sends per second and latency of the sandbox, against Prism's mock, with wrk as the load."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.client import MESSAGE
from bench.servers import TOKEN
from onlyoffice_contract import spec

CONNECTIONS = 10
THREADS = 2
SECONDS = 10
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


@dataclass
class WrkFigures:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    requests: int

    @property
    def accepted_per_second(self) -> float:
        return self.requests_per_second * (1 - self.non_2xx / max(self.requests, 1))


# Each request has a recipient of its own (bob+<thread>-<n>@...), so that nothing the server
# remembers of one request (a parsed address, say) makes the next one cheaper than in real use.
_LUA = """
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = %(token)s
local template = %(template)s
local threads = 0
local sent = 0
function setup(thread)
  threads = threads + 1
  thread:set("tag", "t" .. threads)
end
function request()
  sent = sent + 1
  return wrk.format(nil, nil, nil, string.format(template, tag .. "-" .. sent))
end
"""


def _script(folder: Path, extra: str = "") -> Path:
    recipient = MESSAGE["to"][0].replace("@", "+%s@")
    template = json.dumps({**MESSAGE, "to": [recipient]})
    script = folder / "put.lua"
    script.write_text(_LUA % {"token": json.dumps(TOKEN), "template": json.dumps(template)} + extra)
    return script


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * _UNITS[unit]


def wrk(url: str, extra_lua: str = "") -> WrkFigures:
    """`extra_lua`: more of the script (a `delay()` that paces each connection, say)."""
    with tempfile.TemporaryDirectory() as folder:
        command = [
            "wrk",
            f"-t{THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{SECONDS}s",
            "--latency",
            "-s",
            str(_script(Path(folder), extra_lua)),
            url + spec.OPERATION_PATH,
        ]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return WrkFigures(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),  # type: ignore[index]
        p50_ms=_ms(latency["50"]),
        p99_ms=_ms(latency["99"]),
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
        requests=int(re.search(r"(\d+) requests in", out)[1]),  # type: ignore[index]
    )
