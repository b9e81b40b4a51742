"""The `onlyoffice-contract` command's entry point: the suite's dependencies (pytest, schemathesis,
hypothesis, requests) come with the `[suite]` extra, and an install of the base or of `[sandbox]`
alone gets the command too; say so in one line rather than with a traceback."""

from __future__ import annotations

import sys

USAGE_ERROR = 4  # pytest.ExitCode.USAGE_ERROR, which cannot be imported here
SUITE_NEEDS = ("pytest", "schemathesis", "hypothesis", "requests")


def main(argv: list[str] | None = None) -> int:
    try:
        from contract_tests import cli
    except ModuleNotFoundError as exc:
        if exc.name not in SUITE_NEEDS:
            raise
        print(
            f"onlyoffice-contract: {exc.name} is not installed; the suite needs the [suite] extra:"
            " pip install 'onlyoffice-send-contract[suite]'",
            file=sys.stderr,
        )
        return USAGE_ERROR
    return cli.main(argv)
