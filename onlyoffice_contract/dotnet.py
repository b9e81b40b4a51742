"""How the real server turns text into a number, a boolean or an enum member: .NET's converters, modelled.

The real server binds every value from text (`Utils/ConvertUtils.cs`:
`TypeDescriptor.GetConverter(type).ConvertFromString(text)`, invariant culture). Each
function here gives what that converter gives, or raises `NotConvertible` where it throws:
- Int32Converter, Int64Converter (BaseNumberConverter): the text is trimmed; `#1F`, `0x1F`
  and `&h1F` are hexadecimal, read unsigned and then as two's complement (`0xFFFFFFFF` is -1);
  anything else is `Int32.Parse(text, NumberStyles.Integer)`: a sign, ASCII digits, spaces
  around (and trailing NULs, which .NET's number parser allows).
- BooleanConverter: `Boolean.Parse` of the trimmed text: `true` or `false` in any case.
- EnumConverter: a list separated by `,` is OR-ed; each part is `Enum.Parse(type, part,
  ignoreCase: true)`: a member name in any case, or any integer of the underlying type.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping


class NotConvertible(ValueError):
    """The text does not convert to the type: the real server answers 400."""


# char.IsWhiteSpace: what String.Trim() removes (Unicode spaces, not only ASCII ones).
WHITESPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
# NumberStyles.Integer: ASCII white space around, one sign, ASCII digits; then trailing NULs.
_DECIMAL = re.compile(r"[\t-\r ]*([+-]?[0-9]+)[\t-\r ]*\x00*\Z")
# Convert.ToInt32(text, 16): an optional 0x again, then hexadecimal digits only.
_HEX = re.compile(r"(?:0[xX])?([0-9A-Fa-f]+)\Z")


def trim(text: str) -> str:
    return text.strip(WHITESPACE)


def _in_range(value: int, bits: int) -> int:
    if not -(1 << (bits - 1)) <= value < (1 << (bits - 1)):
        raise NotConvertible(f"{value} is outside Int{bits}")
    return value


def _hexadecimal(digits: str, bits: int) -> int:
    found = _HEX.match(digits)
    if found is None:
        raise NotConvertible("not hexadecimal digits")
    value = int(found[1], 16)
    if value >= (1 << bits):
        raise NotConvertible(f"more than {bits} bits")
    return value - (1 << bits) if value >= (1 << (bits - 1)) else value  # two's complement


def decimal(text: str, bits: int) -> int:
    """`Int32.Parse(text, NumberStyles.Integer)` (or Int64): no hexadecimal, no trimming of Unicode spaces."""
    found = _DECIMAL.match(text)
    if found is None:
        raise NotConvertible("not a whole number")
    sign, digits = found[1][:1] if found[1][:1] in "+-" else "", found[1].lstrip("+-").lstrip("0") or "0"
    # Past Int64 whatever the digits are; and int() of more than 4,300 digits raises ValueError.
    if len(digits) > 20:
        raise NotConvertible(f"outside Int{bits}")
    return _in_range(int(sign + digits), bits)


def integer(text: str, bits: int = 32) -> int:
    """Int32Converter (bits 32) or Int64Converter (bits 64)."""
    text = trim(text)
    if not text:
        raise NotConvertible("empty")
    if text[0] == "#":
        return _hexadecimal(text[1:], bits)
    if text[:2] in ("0x", "0X", "&h", "&H"):
        return _hexadecimal(text[2:], bits)
    return decimal(text, bits)


def _same_ignoring_case(text: str, word: str) -> bool:
    """StringComparison.OrdinalIgnoreCase: character by character, each upper-cased on its own."""
    return len(text) == len(word) and all(c.upper() == w.upper() for c, w in zip(text, word, strict=True))


def boolean(text: str) -> bool:
    """BooleanConverter: `Boolean.Parse`, which also trims NULs."""
    text = trim(text).strip(WHITESPACE + "\x00")
    if _same_ignoring_case(text, "true"):
        return True
    if _same_ignoring_case(text, "false"):
        return False
    raise NotConvertible("not true or false")


def _enum_parse(text: str, members: Mapping[str, int], bits: int) -> int:
    """`Enum.Parse(type, text, ignoreCase: true)`: a number of the underlying type, or names joined by `,`."""
    text = trim(text)
    if not text:
        raise NotConvertible("empty")
    if text[0].isdigit() or text[0] in "+-":
        try:
            return decimal(text, bits)
        except NotConvertible:
            if _DECIMAL.match(text):
                raise  # a number out of range: .NET's OverflowException is not caught
    value = 0
    for part in text.split(","):
        name = trim(part)
        found = [v for member, v in members.items() if _same_ignoring_case(name, member)]
        if not found:
            raise NotConvertible(f"no member named {name!r}")
        value |= int(found[0])
    return value


def enum_member(text: str, members: Mapping[str, int], bits: int = 32) -> int:
    """EnumConverter: each part of a `,`-separated list parsed, the values OR-ed, as the underlying type."""
    value = 0
    for part in text.split(",") if "," in text else [text]:
        value |= _enum_parse(part, members, bits)
    value &= (1 << bits) - 1  # Enum.ToObject keeps the underlying type's bits
    return value - (1 << bits) if value >= (1 << (bits - 1)) else value


def double_text(value: float) -> str:
    """A JSON number that is not an integer, as Newtonsoft writes it into XML (XmlConvert.ToString, "R").

    "R" is 15 significant digits ("G15") when they read back as the same double, else 17
    ("G17"); "G" writes an exponent when it is below -5 or not below the precision. So `1.0` is
    `1`, `1e15` is `1E+15`, and 6.0569656990807976e16, which needs 17 digits, is
    `60569656990807976` (seen on Mono: tests/test_binder_oracle.py)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    if value == 0:
        return "0"  # -0.0 too: .NET Framework and Mono write no sign on zero
    text = f"{value:.15g}"
    if float(text) != value:
        text = f"{value:.17g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        text = f"{mantissa}E{sign}{exponent.lstrip('+-').zfill(2)}"
    return text
