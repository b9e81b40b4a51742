"""Generating the client: the one place that says how openapi-python-client is run on openapi.yaml.

`make generate` and `make check-generated` call `python -m codegen`; the test suite
calls `generate()` too, so plain `pytest` catches a stale `generated/`.
"""

from codegen.generate import LITTER, differences, generate

__all__ = ["LITTER", "differences", "generate"]
