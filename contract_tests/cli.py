"""`onlyoffice-contract` (and `python -m contract_tests`): the conformance run.

Exit status 0: the server conforms. 1: it does not (the output names each
failure). 4: a usage error (the message says what to set). Arguments after
`--` go to pytest.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pytest

from contract_tests import settings as suite_settings
from contract_tests.plugin import ContractRun

USAGE_ERROR = int(pytest.ExitCode.USAGE_ERROR)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="onlyoffice-contract",
        description="Check a server's PUT /api/2.0/mail/messages/send against openapi.yaml. With no BASE_URL,"
        " an embedded sandbox is started for the run.",
        epilog="Each setting is also read from its environment variable (shown in capitals); an option"
        " given here wins. API_KEY is read from the environment only. Exit status: 0 conforms,"
        " 1 does not conform, 4 usage error.",
    )
    for variable, f in suite_settings.FIELDS.items():
        if f.metadata["secret"]:
            continue
        default = f" [default: {f.default}]" if f.default not in (None, "") else ""
        parser.add_argument(
            "--" + variable.lower().replace("_", "-"),
            dest=variable,
            metavar=variable,
            help=f.metadata["help"] + default,
        )
    parser.add_argument("pytest_args", nargs="*", metavar="-- PYTEST_ARGS", help="passed to pytest")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a bad option (2, argparse's own): the suite's usage status
        return 0 if exc.code == 0 else USAGE_ERROR
    given = {name: value for name, value in vars(args).items() if name.isupper() and value is not None}
    try:
        settings = suite_settings.load({**os.environ, **given})
    except suite_settings.UsageError as exc:
        print(f"usage: {exc}", file=sys.stderr)
        return USAGE_ERROR
    settings.report_dir.mkdir(parents=True, exist_ok=True)
    junit = settings.report_dir / "contract-junit.xml"
    # Only the plugins the suite uses, named: pytest loads every installed plugin otherwise, and
    # rewrites the asserts of each one's whole distribution (all of schemathesis) on every start.
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    run = ContractRun(settings)
    status = int(
        pytest.main(
            [
                str(Path(__file__).parent),
                "-p",
                "schemathesis.pytest.plugin",
                "-p",
                "_hypothesis_pytestplugin",
                "-p",
                "no:cacheprovider",
                f"--junitxml={junit}",
                "-o",
                "junit_suite_name=contract",
                # No ini file: a pytest configuration around the installed package must not change the run.
                "-c",
                os.devnull,
                "--rootdir",
                str(Path(__file__).parent),
                *args.pytest_args,
            ],
            plugins=[run],
        )
    )
    # The last line of the output, whatever pytest printed before it.
    print(run.verdict(status), flush=True)
    return status
