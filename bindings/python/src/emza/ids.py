"""Iranian identity numbers: the national code (10 digits) and the legal-entity id (11 digits).

ASCII, Persian (U+06F0..) and Arabic-Indic (U+0660..) digits are accepted,
with surrounding white space. An invalid number is a verdict, not an
exception; only text longer than the library's limit raises LimitError.
Thread-safe.
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Optional

from ._native import IdResult, lib
from ._util import dec
from .errors import check

__all__ = ["IdCheck", "check_id", "check_national_code", "check_legal_id", "is_valid_national_code",
           "is_valid_legal_id"]

_KINDS = {0: "any", 1: "national_code", 2: "legal_id"}
_VERDICTS = {0: "VALID", 1: "EMPTY", 2: "NOT_UTF8", 3: "NON_DIGIT", 4: "WRONG_LENGTH", 5: "REPEATED_DIGITS",
             6: "BAD_CHECK_DIGIT"}


@dataclass(frozen=True)
class IdCheck:
    """The verdict on one number.

    ``kind`` is "national_code" or "legal_id" (resolved by digit count for
    check_id); ``verdict`` is "VALID" or why not ("BAD_CHECK_DIGIT", ...);
    ``reason`` says it in words; ``digits`` is the number in ASCII digits
    (empty unless it is all digits of the right length); ``position`` the
    1-based position of a non-digit; ``expected_check`` the check digit that
    would be valid (BAD_CHECK_DIGIT), else None.
    """
    text: str
    kind: str
    verdict: str
    reason: str
    digits: str
    position: int
    expected_check: Optional[int]

    @property
    def valid(self) -> bool:
        return self.verdict == "VALID"

    def __bool__(self) -> bool:
        return self.valid


def _check(text: str, kind: int) -> IdCheck:
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    out = IdResult()
    check(lib.emza_id_check(ctypes.byref(out), kind, raw, len(raw)))
    return IdCheck(
        text=text if isinstance(text, str) else raw.decode("utf-8", "replace"),
        kind=_KINDS.get(out.kind, str(out.kind)),
        verdict=_VERDICTS.get(out.verdict, str(out.verdict)),
        reason=dec(lib.emza_id_verdict_describe(out.verdict)) or "",
        digits=out.digits.decode("ascii"),
        position=out.position,
        expected_check=None if out.expected_check < 0 else out.expected_check,
    )


def check_national_code(text: str) -> IdCheck:
    """Checks a 10-digit national code (کد ملی)."""
    return _check(text, 1)


def check_legal_id(text: str) -> IdCheck:
    """Checks an 11-digit legal-entity id (شناسه ملی)."""
    return _check(text, 2)


def check_id(text: str) -> IdCheck:
    """Checks a number as a national code (10 digits) or a legal-entity id (11 digits)."""
    return _check(text, 0)


def is_valid_national_code(text: str) -> bool:
    return check_national_code(text).valid


def is_valid_legal_id(text: str) -> bool:
    return check_legal_id(text).valid
