"""Checks an answer of the sandbox's own API against sandbox-api.yaml: a declared status, a body that fits."""

from __future__ import annotations

from typing import Any

import httpx
from openapi_schema_validator import OAS30Validator

from onlyoffice_sandbox import api_spec


def conforms(response: httpx.Response, operation_id: str, status: int | None = None) -> Any:
    """The answer's JSON body, once its status is declared for the operation (and is `status`, if given)
    and the body matches the schema declared for it."""
    declared = api_spec.operation(operation_id)["responses"]
    assert str(response.status_code) in declared, (operation_id, response.status_code, response.text[:300])
    if status is not None:
        assert response.status_code == status, response.text[:500]
    content = declared[str(response.status_code)].get("content", {})
    if "application/json" not in content:
        return None
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    errors = list(OAS30Validator(content["application/json"]["schema"]).iter_errors(body))
    assert errors == [], [f"{e.json_path}: {e.message}" for e in errors][:5]
    return body
