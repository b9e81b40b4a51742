"""`python -m contract_tests`: the conformance run, as `make contract` starts it.

Exit status 0: the server conforms. 1: it does not (the output names each
failure). 4: a usage error (the message says what to set). Extra arguments go
to pytest.
"""

import os
import sys
from pathlib import Path

import pytest

from contract_tests.settings import UsageError, load

try:
    suite = load()
except UsageError as exc:
    print(f"usage: {exc}", file=sys.stderr)
    sys.exit(pytest.ExitCode.USAGE_ERROR)
os.environ["SEED"] = str(suite.seed)  # a random seed, chosen once, is the one the run uses and prints
suite.report_dir.mkdir(parents=True, exist_ok=True)
junit = suite.report_dir / "contract-junit.xml"
# Only the plugins the suite uses, named: pytest loads every installed plugin otherwise, and
# rewrites the asserts of each one's whole distribution (all of schemathesis) on every start.
os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
sys.exit(
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
            *sys.argv[1:],
        ]
    )
)
