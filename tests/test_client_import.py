"""The client's cold import (issue 31): the models are imported when first named, not with the package
or the call's module, and everything a user names is there as before."""

from __future__ import annotations

import subprocess
import sys

import onlyoffice_send_client.models as models
import pytest
from onlyoffice_send_client.api.messages import send_message

IMPORTED = (
    "import sys, onlyoffice_send_client.api.messages.send_message, onlyoffice_send_client.models;"
    " print(sorted(m for m in sys.modules if m.startswith('onlyoffice_send_client.models.')))"
)


@pytest.mark.subprocess
def test_importing_the_call_and_the_models_package_builds_no_model() -> None:
    out = subprocess.run([sys.executable, "-c", IMPORTED], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_model_is_named_by_the_package_as_by_its_module() -> None:
    for name in models.__all__:
        cls = getattr(models, name)
        assert cls.__name__ == name
        assert getattr(sys.modules[cls.__module__], name) is cls
    assert set(models.__all__) <= set(dir(models))
    star: dict[str, object] = {}
    exec("from onlyoffice_send_client.models import *", star)  # noqa: S102 - the star import a user writes
    assert {name for name in star if not name.startswith("__")} == set(models.__all__)


def test_a_name_the_package_does_not_have_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchModel"):
        models.NoSuchModel  # noqa: B018 - the lookup is the test


def test_the_call_still_builds_its_request_from_the_model() -> None:
    body = models.SendMessageRequest(from_="a@example.invalid", to=["b@example.invalid"])
    assert send_message._get_kwargs(body=body)["json"]["to"] == ["b@example.invalid"]
