"""Exceptions carrying libemza's error code, its symbolic name and the message in words.

An operational failure (unreadable file, bad argument, wrong password, ...)
raises :class:`Error` or one of its subclasses. A signature that does not
verify is *not* an exception: it is a verdict in the :class:`emza.Report`.
"""
from __future__ import annotations

from ._native import lib

__all__ = [
    "Error", "InvalidArgumentError", "OutOfMemoryError", "FileError", "LimitError", "FormatError",
    "CryptoError", "NotFoundError", "VersionError", "UnsupportedError", "StateError", "InternalError",
    "PasswordError", "NetworkError", "CancelledError", "PinError", "PinLockedError", "AuthError",
]


class Error(Exception):
    """A libemza failure: ``code`` (negative EMZA_E* value), ``name`` ("EMZA_EIO") and ``message``."""

    code: int = 0

    def __init__(self, code: int, name: str, message: str) -> None:
        super().__init__(f"{message} ({name})")
        self.code = code
        self.name = name
        self.message = message


class InvalidArgumentError(Error, ValueError):
    """EMZA_EINVAL: an argument is invalid."""
    code = -1


class OutOfMemoryError(Error, MemoryError):
    """EMZA_ENOMEM."""
    code = -2


class FileError(Error, OSError):
    """EMZA_EIO: a file could not be read or written."""
    code = -3

    def __str__(self) -> str:  # OSError would otherwise print its errno form
        return f"{self.message} ({self.name})"


class LimitError(Error):
    """EMZA_ELIMIT: an input crosses one of the library's limits."""
    code = -4


class FormatError(Error):
    """EMZA_EFORMAT: malformed input (PEM, DER, PKCS#12, XML, ...)."""
    code = -5


class CryptoError(Error):
    """EMZA_ECRYPTO: the cryptographic library failed an operation."""
    code = -6


class NotFoundError(Error):
    """EMZA_ENOTFOUND."""
    code = -7


class VersionError(Error):
    """EMZA_EVERSION: an options version this library does not know."""
    code = -8


class UnsupportedError(Error):
    """EMZA_EUNSUPPORTED: a valid request this build does not support."""
    code = -9


class StateError(Error):
    """EMZA_ESTATE: the object is in the wrong state (e.g. used after close())."""
    code = -10


class InternalError(Error):
    """EMZA_EINTERNAL: a bug in libemza."""
    code = -11


class PasswordError(Error):
    """EMZA_EPASSWORD: wrong password for a key or PKCS#12 file."""
    code = -12


class NetworkError(Error):
    """EMZA_ENETWORK: a network request failed, timed out, or network access is off."""
    code = -13


class CancelledError(Error):
    """EMZA_ECANCELED."""
    code = -14


class PinError(Error):
    """EMZA_EPIN: a token refused the PIN."""
    code = -15


class PinLockedError(Error):
    """EMZA_EPIN_LOCKED: the PIN is locked."""
    code = -16


class AuthError(Error):
    """EMZA_EAUTH: an authentication token was refused.

    ``reason`` says why, as auth.h's emza_auth_reason names it: "MALFORMED",
    "EXPIRED", "NOT_YET_VALID", "REPLAYED", "ORIGIN_MISMATCH", "ALGORITHM",
    "BAD_SIGNATURE", "UNTRUSTED", "REVOKED", "KEY_USAGE", "CERT_EXPIRED",
    "TRY_LATER" (None when the error did not come from emza.auth.verify_token).
    """
    code = -17
    reason = None


_BY_CODE = {cls.code: cls for cls in list(globals().values())
            if isinstance(cls, type) and issubclass(cls, Error) and cls is not Error}


def error_for(code: int, message: str | None = None) -> Error:
    """The exception for ``code``; the message is the calling thread's last libemza error unless given."""
    if message is None:
        if lib.emza_error_last_code() == code:
            message = lib.emza_error_last_message().decode("utf-8", "replace")
        else:
            message = lib.emza_error_describe(code).decode("utf-8", "replace")
    name = lib.emza_error_name(code).decode("ascii", "replace")
    cls = _BY_CODE.get(code, Error)
    return cls(code, name, message)


def check(rc: int) -> int:
    """Raises the matching :class:`Error` when ``rc`` is negative; returns it otherwise.

    Must be called on the thread that made the failing call, right after it
    (the C library keeps the detail in a thread-local record).
    """
    if rc < 0:
        raise error_for(rc)
    return rc
