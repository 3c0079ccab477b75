"""emza — Python bindings for libemza (ctypes; nothing to compile).

Iranian citizen identity (national codes, legal-entity ids, certificate
identity) and XAdES/CAdES signing and validation with ETSI EN 319 102-1
verdicts::

    import emza
    report = emza.verify("deed.xml", trust=["root.pem"])
    print(report.summary, report.signatures[0].signer.national_code)

The C library is found through EMZA_LIBRARY (a path to libemza.so.0) or the
system loader. Operational failures raise emza.Error (with ``code``,
``name``, ``message``); a signature that does not verify is a verdict in the
Report, never an exception. Objects that own C memory (Certificate,
TrustStore, Signer) are context managers and are also released by the
garbage collector; reports are plain Python objects.

Thread safety follows the C library: Certificate and TrustStore are
immutable and shareable; verify() runs in many threads at once; a Signer
signs one document at a time. The GIL is released during every C call.

Validation policies: ``emza.Policy.load(path)`` / ``Policy.parse(text)`` and
``emza.verify(..., policy=...)``. Citizen log-in by challenge and signed
response: ``emza.auth`` (Challenge, sign_token, verify_token, ReplayCache).
Key sources: ``Signer.from_pkcs12/from_pem``, smart cards through
``Signer.from_pkcs11``, and ``Signer.external(cert, sign_fn)``. Two-step
signing: ``emza.prepare(...) -> Prepared`` then ``Prepared.finalize``.
"""
from __future__ import annotations

from ._native import lib as _lib
from .certificate import Certificate, ChainResult, Finding, Identity, TrustStore
from .errors import (AuthError, CancelledError, CryptoError, Error, FileError, FormatError, InternalError,
                     InvalidArgumentError, LimitError, NetworkError, NotFoundError, OutOfMemoryError,
                     PasswordError, PinError, PinLockedError, StateError, UnsupportedError, VersionError)
from .ids import (IdCheck, check_id, check_legal_id, check_national_code, is_valid_legal_id,
                  is_valid_national_code)
from .policy import Policy
from .report import Report, SignatureReport, SignedObject, Timestamp
from .signing import FORMATS, LEVELS, Signer, sign
from .prepare import Prepared, prepare
from .verify import verify
from . import auth

__version__ = "0.1.0"


def version() -> str:
    """The version of the loaded C library ("MAJOR.MINOR.PATCH")."""
    return _lib.emza_version_string().decode("ascii")


def version_number() -> int:
    """The C library version as MAJOR * 10000 + MINOR * 100 + PATCH."""
    return int(_lib.emza_version_number())


__all__ = [
    "version", "version_number", "verify", "sign", "Signer", "FORMATS", "LEVELS", "Policy", "auth",
    "prepare", "Prepared",
    "Certificate", "TrustStore", "ChainResult", "Identity", "Finding",
    "Report", "SignatureReport", "SignedObject", "Timestamp",
    "IdCheck", "check_id", "check_national_code", "check_legal_id", "is_valid_national_code", "is_valid_legal_id",
    "Error", "InvalidArgumentError", "OutOfMemoryError", "FileError", "LimitError", "FormatError", "CryptoError",
    "NotFoundError", "VersionError", "UnsupportedError", "StateError", "InternalError", "PasswordError",
    "NetworkError", "CancelledError", "PinError", "PinLockedError", "AuthError",
]
