"""`onlyoffice-sandbox` (and `python -m onlyoffice_sandbox`): run the sandbox in the foreground.

Settings come from SANDBOX_* environment variables or a TOML file named by
SANDBOX_CONFIG, as `make serve` passes them; `--help` lists them. Exit status:
0 after a clean stop, 2 for settings it cannot use.
"""

from __future__ import annotations

import argparse
import sys

from onlyoffice_contract.environment import SettingError
from onlyoffice_sandbox.server import serve
from onlyoffice_sandbox.settings import CONFIG_VARIABLE, Settings, described

USAGE_ERROR = 2  # argparse's own status for a usage error


def _parser() -> argparse.ArgumentParser:
    rows = "\n".join(f"  {row.variable:<27} {row.help} [default: {row.default}]" for row in described())
    return argparse.ArgumentParser(
        prog="onlyoffice-sandbox",
        description="A sandbox of ONLYOFFICE Workspace's PUT /api/2.0/mail/messages/send, with a durable"
        " outbox and SMTP delivery.",
        epilog=f"settings (environment variables; or a TOML file named by {CONFIG_VARIABLE}, keys in lower"
        f" case without SANDBOX_; the environment wins):\n{rows}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def main(argv: list[str] | None = None) -> int:
    _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except (SettingError, OSError) as exc:  # a value it cannot use, or a TOML file it cannot read
        print(f"onlyoffice-sandbox: {exc}", file=sys.stderr)
        return USAGE_ERROR
    serve(settings)
    return 0
