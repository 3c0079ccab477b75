"""Internal helpers shared by the modules: owned C handles, strings and times."""
from __future__ import annotations

import ctypes
import datetime as _dt
import os
import threading
from contextlib import contextmanager
from typing import Callable, Iterator, Optional, Union

from ._native import lib
from .errors import error_for

TimeLike = Union[_dt.datetime, int, float, str]

_UTC = _dt.timezone.utc
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_UTC)


def enc(text: Optional[Union[str, os.PathLike]]) -> Optional[bytes]:
    """A str or path as the UTF-8 (or file-system) bytes C expects; None stays None."""
    if text is None:
        return None
    if isinstance(text, bytes):
        return text
    return os.fsencode(text) if isinstance(text, os.PathLike) else str(text).encode("utf-8")


def dec(raw: Optional[bytes]) -> Optional[str]:
    """Borrowed C string (already copied by ctypes) as str; None stays None."""
    return None if raw is None else raw.decode("utf-8", "replace")


def to_epoch(at: TimeLike) -> int:
    """Seconds since the epoch from a datetime (naive means UTC), a number, or ISO 8601 text."""
    if isinstance(at, bool):
        raise TypeError("a time cannot be a bool")
    if isinstance(at, (int, float)):
        return int(at)
    if isinstance(at, str):
        text = at.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        at = _dt.datetime.fromisoformat(text)
    if isinstance(at, _dt.datetime):
        if at.tzinfo is None:
            at = at.replace(tzinfo=_UTC)
        return int((at - _EPOCH).total_seconds())
    raise TypeError(f"not a time: {at!r}")


def from_epoch(seconds: int) -> _dt.datetime:
    """An aware UTC datetime."""
    return _EPOCH + _dt.timedelta(seconds=seconds)


def c_string_array(items) -> "ctypes.Array[ctypes.c_char_p]":
    """A C array of char* over `items` (keep the result alive while C uses it)."""
    encoded = [enc(x) for x in items]
    return (ctypes.c_char_p * max(len(encoded), 1))(*encoded)


def take_string(ptr: ctypes.c_void_p) -> str:
    """A string the library allocated (released with emza_free) as str; frees it."""
    try:
        return ctypes.string_at(ptr.value).decode("utf-8", "replace")
    finally:
        lib.emza_free(ptr)


class Owned:
    """A C object this Python object owns, released exactly once.

    Released by close() (also through ``with``), or by the garbage collector.
    While a call uses the handle (``with self._use() as ptr``) the object
    cannot be released under it: close() from another thread then defers the
    release to the end of that call. Use after close() raises StateError.
    """

    _free: Callable[[int], None]
    _what = "object"

    def __init__(self, ptr: int) -> None:
        self._ptr: Optional[int] = ptr
        self._lock = threading.Lock()
        self._users = 0
        self._closed = False

    @contextmanager
    def _use(self) -> Iterator[int]:
        with self._lock:
            if self._closed:
                raise error_for(-10, f"this {self._what} is closed")
            self._users += 1
        try:
            yield self._ptr  # type: ignore[misc]
        finally:
            release = None
            with self._lock:
                self._users -= 1
                if self._closed and self._users == 0:
                    release, self._ptr = self._ptr, None
            if release:
                type(self)._free(release)

    def close(self) -> None:
        """Releases the C object now (idempotent)."""
        lock = getattr(self, "_lock", None)
        if lock is None:  # __init__ did not run to the end
            return
        with lock:
            if self._closed:
                return
            self._closed = True
            if self._users:
                return
            release, self._ptr = self._ptr, None
        if release:
            type(self)._free(release)

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: nothing sensible to do
            pass
