"""Settings from environment variables: how one is declared, read, converted, shown and redacted.

The suite (`contract_tests/settings.py`), the sandbox (`onlyoffice_sandbox/settings.py`) and
the sandbox's delivery process (`onlyoffice_sandbox/delivery/settings.py`) each declare their
settings as the fields of a frozen dataclass, with `setting()`, and this module does the rest:

- read: `read(cls, environ, prefix)` takes each field's variable (`variable=` or PREFIX + NAME);
  empty text is unset (the default), except for a secret, whose empty text stays empty so that
  an empty secret store is refused, never replaced by a documented default;
- converted, by the field's type: str, int, float (finite), bool, Path, `Secret`, tuples of str
  or `Secret` (split at `separator`, ',' unless given), and `X | None`; then `minimum`,
  `maximum` and `choices` are checked on the typed value, also when a program builds the class
  itself (`check()` from `__post_init__`);
- shown: `described(cls, prefix)` gives each setting as a `Row` (variable, default as shown,
  help, secret?) for `--help`, listings and the docs' tables; `shown(self)` is a repr;
- redacted: a secret is a `Secret`, whose repr and str are `[Filtered]`; error messages quote a
  value only when it is not a secret; `mask=` hides part of a value (a password in a URL).

Why not pydantic-settings (locked, and with `SecretStr`): speed did not decide. It is imported
already, by the spec's validator (openapi-schema-validator), and a model of the suite's size
builds in about 1 ms here (alone, its import took 1.1 s on this shared machine: a cost that
would return if that validator dropped it). The errors decided: pydantic says "max_examples /
Input should be a valid integer, unable to parse string as an integer [type=int_parsing,
input_value='many', ...] For further information visit https://errors.pydantic.dev/...",
naming the field, not the variable, where the suite says "MAX_EXAMPLES must be a whole number,
not 'many'". Keeping today's words meant translating every error type back (a converter table
of its own), beside custom sources for the TOML file and the sandbox's ';'-separated
mailboxes. This module is that table, once: a read of either program's settings takes under a
millisecond.
"""

from __future__ import annotations

import dataclasses
import functools
import hmac
import math
import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

MASK = "[Filtered]"
UNSET = "(unset)"  # how a default of None (or empty text) is shown
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class SettingError(ValueError):
    """A setting's value cannot be used: the message names its variable and never shows a secret."""


class Secret:
    """A secret setting's text (a token, a password): `reveal()` gives it; repr and str never do."""

    __slots__ = ("_text",)

    def __init__(self, text: str) -> None:
        self._text = text

    def reveal(self) -> str:
        return self._text

    def __repr__(self) -> str:  # settings reprs read `password=[Filtered]`
        return MASK

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return format(MASK, spec)

    def __bool__(self) -> bool:
        return bool(self._text)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._text.encode(), other._text.encode())

    def __hash__(self) -> int:
        return hash((Secret, self._text))


class Row(NamedTuple):
    """One setting as `--help`, listings and the docs' tables show it."""

    variable: str
    default: str
    help: str
    secret: bool


def setting(
    default: Any,
    help: str,
    *,
    variable: str | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
    choices: tuple[str, ...] | None = None,
    separator: str = ",",
    mask: Callable[[str], str] | None = None,
) -> Any:
    """A field of a settings class. `default` may be a function of no arguments (a fact read from
    the spec when first needed); `variable` replaces PREFIX + NAME; `mask` hides part of the value
    wherever it is shown (never needed for a `Secret`, which shows nothing)."""
    metadata = {
        "help": help,
        "variable": variable,
        "minimum": minimum,
        "maximum": maximum,
        "choices": choices,
        "separator": separator,
        "mask": mask,
    }
    if callable(default):
        return dataclasses.field(default_factory=default, metadata=metadata)
    if isinstance(default, (list, dict, set)):
        raise TypeError("a setting's default is immutable: a tuple, not a list")
    return dataclasses.field(default=default, metadata=metadata)


def variables(cls: type, prefix: str = "") -> dict[str, dataclasses.Field[Any]]:
    """Each setting's environment variable, with its field, in declaration order."""
    return {variable_of(f, prefix): f for f in dataclasses.fields(cls)}


def variable_of(f: dataclasses.Field[Any], prefix: str = "") -> str:
    return f.metadata["variable"] or prefix + f.name.upper()


def default_of(f: dataclasses.Field[Any]) -> Any:
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return f.default


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)  # evaluates every annotation: once per class, not per value


def _kind(cls: type, f: dataclasses.Field[Any]) -> tuple[Any, bool]:
    """The field's type without `| None`, and whether None is allowed."""
    kind = _hints(cls)[f.name]
    if isinstance(kind, types.UnionType) and type(None) in typing.get_args(kind):
        [kind] = [k for k in typing.get_args(kind) if k is not type(None)]
        return kind, True
    return kind, False


def _is_secret(kind: Any) -> bool:
    return kind is Secret or (typing.get_origin(kind) is tuple and typing.get_args(kind)[0] is Secret)


def is_secret(cls: type, f: dataclasses.Field[Any]) -> bool:
    return _is_secret(_kind(cls, f)[0])


def _quoted(value: Any, secret: bool, mask: Callable[[str], str] | None) -> str:
    """`value` as an error message may quote it: never a secret, a masked value masked."""
    if secret:
        return "(not shown: a secret)"
    text = value if isinstance(value, str) else str(value)
    return repr(mask(text) if mask else text)


def convert(cls: type, f: dataclasses.Field[Any], value: Any, prefix: str = "") -> Any:
    """`value` (environment text, or a value of a TOML file) as the field's type; raises SettingError."""
    kind, optional = _kind(cls, f)
    secret = _is_secret(kind)
    name = variable_of(f, prefix)
    if isinstance(value, str) and value.strip() == "" and not secret:
        return default_of(f)  # empty text is unset
    if value is None:
        if optional:
            return None
        raise SettingError(f"{name} must be set")
    quoted = _quoted(value, secret, f.metadata["mask"])
    if typing.get_origin(kind) is tuple:
        [item] = typing.get_args(kind)[:1]
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(f.metadata["separator"])]
        elif isinstance(value, (list, tuple)):
            parts = [p.strip() if isinstance(p, str) else p for p in value]
        else:
            raise SettingError(f"{name} must be a list, not {quoted}")
        if not all(isinstance(p, str) for p in parts):
            raise SettingError(f"{name} must be a list of text, not {quoted}")
        return tuple(item(p) if item is Secret else p for p in parts if p)
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
            return value.strip().lower() in _TRUE
        raise SettingError(f"{name} must be true or false, not {quoted}")
    if kind is int:
        try:
            if isinstance(value, (bool, float)):
                raise ValueError
            return int(value)
        except ValueError:
            raise SettingError(f"{name} must be a whole number, not {quoted}") from None
    if kind is float:
        try:
            if isinstance(value, bool):
                raise ValueError
            number = float(value)
        except ValueError:
            raise SettingError(f"{name} must be a number, not {quoted}") from None
        if not math.isfinite(number):
            raise SettingError(f"{name} must be a number, not {quoted}")
        return number
    if not isinstance(value, str):
        raise SettingError(f"{name} must be text, not {quoted}")
    if kind is Secret:
        return Secret(value)
    if kind is Path:
        return Path(value)
    return value


def check(instance: Any, prefix: str = "") -> None:
    """The declared bounds of every setting of `instance`; raises SettingError. Call it from
    `__post_init__`, so a program that builds the class itself is held to them too. A `Secret`
    given as text (`Settings(password="...")`) becomes one here."""
    cls = type(instance)
    for f in dataclasses.fields(instance):
        value = getattr(instance, f.name)
        kind, _ = _kind(cls, f)
        if kind is Secret and isinstance(value, str):
            object.__setattr__(instance, f.name, value := Secret(value))
        elif _is_secret(kind) and isinstance(value, tuple):
            value = tuple(Secret(v) if isinstance(v, str) else v for v in value)
            object.__setattr__(instance, f.name, value)
        if value is None:
            continue
        name = variable_of(f, prefix)
        meta = f.metadata
        if meta["choices"] is not None and value not in meta["choices"]:
            quoted = _quoted(value, False, meta["mask"])
            raise SettingError(f"{name} must be one of {', '.join(meta['choices'])}, not {quoted}")
        if meta["minimum"] is not None and value < meta["minimum"]:
            raise SettingError(f"{name} must be at least {_number(meta['minimum'])}, not {_number(value)}")
        if meta["maximum"] is not None and value > meta["maximum"]:
            raise SettingError(f"{name} must be at most {_number(meta['maximum'])}, not {_number(value)}")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def read(cls: type, environ: Mapping[str, Any], prefix: str = "", **overrides: Any) -> Any:
    """An instance of `cls` from `environ` (variable: text or a TOML value); a setting that is not
    there keeps its default; `overrides` (field: typed value) win. Raises SettingError."""
    fields = variables(cls, prefix)
    values = {f.name: convert(cls, f, environ[name], prefix) for name, f in fields.items() if name in environ}
    known = {f.name for f in fields.values()}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise SettingError(f"unknown settings: {', '.join(unknown)}")
    return cls(**{**values, **overrides})


def as_text(f: dataclasses.Field[Any], value: Any) -> str:
    """`value` as its environment variable takes it (a secret revealed: for a child's environment,
    never for display), so that `read()` gives it back."""
    if isinstance(value, tuple):
        separator: str = f.metadata["separator"]
        return separator.join(v.reveal() if isinstance(v, Secret) else str(v) for v in value)
    if isinstance(value, Secret):
        return value.reveal()
    return "" if value is None else str(value)


def as_environment(instance: Any, prefix: str = "") -> dict[str, str]:
    """Every setting of `instance` as its variable's text, which `read()` reads back."""
    return {
        variable_of(f, prefix): as_text(f, getattr(instance, f.name)) for f in dataclasses.fields(instance)
    }


def described(cls: type, prefix: str = "") -> list[Row]:
    """Each setting as a row: its variable, its default as shown (a secret's declared default is
    a documented literal, never a value given at run time), its help and whether it is secret."""
    return [
        Row(name, as_text(f, default_of(f)) or UNSET, f.metadata["help"], is_secret(cls, f))
        for name, f in variables(cls, prefix).items()
    ]


def shown(instance: Any) -> str:
    """A repr of `instance` in which no secret, and no masked part of a value, shows."""
    parts = []
    for f in dataclasses.fields(instance):
        value = getattr(instance, f.name)
        mask = f.metadata.get("mask")
        if mask is not None and isinstance(value, str):
            value = mask(value)
        parts.append(f"{f.name}={value!r}")
    return f"{type(instance).__name__}({', '.join(parts)})"
