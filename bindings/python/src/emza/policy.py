"""Validation policies (include/emza/policy.h, docs/POLICY.md): what a validation accepts.

A Policy is immutable once built and may be shared by any number of threads
and verifications at once. It owns a C object: release it with close() or
``with``; the garbage collector releases it otherwise.
"""
from __future__ import annotations

import ctypes
from typing import Optional, Union

from ._native import lib
from ._util import Owned, dec, enc
from .certificate import PathLike
from .errors import check

__all__ = ["Policy", "PolicyLike"]


class Policy(Owned):
    """A validation policy, read from JSON (docs/POLICY.md) or the built-in default."""

    _free = staticmethod(lib.emza_policy_free)
    _what = "policy"

    @classmethod
    def load(cls, path: PathLike) -> "Policy":
        """Reads a policy file. Raises FileError, LimitError (too large), FormatError (the message names
        the JSON path at fault)."""
        out = ctypes.c_void_p()
        check(lib.emza_policy_load(ctypes.byref(out), enc(path)))
        return cls(out.value)

    @classmethod
    def parse(cls, text: Union[str, bytes]) -> "Policy":
        """Parses a policy from JSON text. Raises FormatError, LimitError."""
        raw = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        out = ctypes.c_void_p()
        check(lib.emza_policy_parse(ctypes.byref(out), raw, len(raw)))
        return cls(out.value)

    @classmethod
    def default(cls) -> "Policy":
        """The built-in default policy (CONTRACT.md), named "default"."""
        out = ctypes.c_void_p()
        check(lib.emza_policy_default(ctypes.byref(out)))
        return cls(out.value)

    @property
    def name(self) -> Optional[str]:
        """The policy's name, as the report's "policy" gives it."""
        with self._use() as p:
            return dec(lib.emza_policy_name(p))

    @classmethod
    def _coerce(cls, policy: "PolicyLike"):
        """A context giving a Policy: the one passed (kept open), or one loaded from a path (closed after)."""
        from contextlib import nullcontext
        if isinstance(policy, Policy):
            return nullcontext(policy)
        return cls.load(policy)

    def __repr__(self) -> str:
        return "<emza.Policy closed>" if self.closed else f"<emza.Policy {self.name!r}>"


PolicyLike = Union[Policy, PathLike]
