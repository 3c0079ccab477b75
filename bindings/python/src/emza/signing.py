"""Signing: key sources (Signer) and emza.sign(...).

A Signer holds a private key; it is wiped when the Signer is closed. One
Signer signs one document at a time (a lock serialises concurrent use);
different Signers may sign in parallel threads.
"""
from __future__ import annotations

import ctypes
import os
import threading
from contextlib import ExitStack
from typing import Iterable, Optional, Sequence, Tuple, Union

from ._native import lib
from ._util import Owned, TimeLike, c_string_array, enc, to_epoch
from .certificate import Certificate, PathLike
from .errors import check, error_for

__all__ = ["Signer", "sign", "FORMATS", "LEVELS"]

FORMATS = ("xades-enveloped", "xades-detached", "xades-enveloping", "cades-detached", "cades-attached", "asice")
LEVELS = {"B": 0, "T": 1, "LT": 2, "LTA": 3}
_MODES = {"new": 0, "parallel": 1, "countersign": 2}


def _secret(password: Union[str, bytes, None]):
    """The password as a C buffer we own, so it can be wiped after use (Python str copies cannot)."""
    if password is None:
        return None
    raw = password.encode("utf-8") if isinstance(password, str) else bytes(password)
    return ctypes.create_string_buffer(raw, len(raw) + 1)


class Signer(Owned):
    """A signing key and its certificate. Release (and wipe the key) with close() or ``with``."""

    _free = staticmethod(lib.emza_signer_free)
    _what = "signer"

    def __init__(self, ptr: int) -> None:
        """Internal: use Signer.from_pkcs12() or Signer.from_pem()."""
        super().__init__(ptr)
        self._sign_lock = threading.Lock()

    @classmethod
    def from_pkcs12(cls, path: PathLike, password: Union[str, bytes] = "") -> "Signer":
        """Opens a PKCS#12 file. Raises FileError, FormatError, PasswordError (wrong password)."""
        buf = _secret(password if password is not None else "")
        try:
            out = ctypes.c_void_p()
            check(lib.emza_signer_open_pkcs12(ctypes.byref(out), enc(path), buf))
            return cls(out.value)
        finally:
            ctypes.memset(buf, 0, len(buf))

    @classmethod
    def from_pem(cls, key: PathLike, certificate: PathLike, *, chain: Optional[PathLike] = None,
                 key_password: Union[str, bytes, None] = None) -> "Signer":
        """Opens a PEM (or DER PKCS#8) key with its certificate and an optional CA chain bundle."""
        buf = _secret(key_password)
        try:
            out = ctypes.c_void_p()
            check(lib.emza_signer_open_pem(ctypes.byref(out), enc(key), buf, enc(certificate), enc(chain)))
            return cls(out.value)
        finally:
            if buf is not None:
                ctypes.memset(buf, 0, len(buf))

    @property
    def certificate(self) -> Certificate:
        """The signing certificate (a new reference: close it or let the GC)."""
        with self._use() as p:
            return Certificate._borrowed(lib.emza_signer_cert(p))

    def sign(self, inputs: Union[PathLike, Sequence[PathLike]], output: PathLike, **options) -> str:
        """Same as emza.sign(inputs, output, signer=self, **options)."""
        return sign(inputs, output, signer=self, **options)

    def __repr__(self) -> str:
        if self.closed:
            return "<emza.Signer closed>"
        with self.certificate as c:
            return f"<emza.Signer {c.subject!r}>"


def sign(inputs: Union[PathLike, Sequence[PathLike]], output: PathLike, *, signer: Signer, format: str,
         level: str = "B", digest: Optional[str] = None, rsa_pss: bool = False,
         signing_time: Optional[TimeLike] = None, mode: str = "new", existing: Optional[PathLike] = None,
         mime_type: Optional[str] = None, signer_role: Optional[str] = None,
         production_place: Optional[Tuple[Optional[str], Optional[str]]] = None,
         policy: Optional[Tuple[str, str]] = None, tsa_url: Optional[str] = None,
         timeout: Optional[int] = None) -> str:
    """Signs ``inputs`` into ``output`` (written atomically) and returns the output path.

    ``format``: one of FORMATS ("xades-enveloped", "cades-detached", ...).
    ``level``: "B" or "T" (with ``tsa_url``). ``digest``: "sha256" (default),
    "sha384", "sha512". ``mode``: "new", "parallel" (co-sign ``existing``) or
    "countersign" (countersign the signatures in ``existing``, CAdES).
    ``production_place``: (city, country); ``policy``: (oid, sha256_hex).
    Raises InvalidArgumentError, FileError, FormatError, UnsupportedError,
    NetworkError, CryptoError; nothing is written then.
    """
    fmt = lib.emza_format_from_name(enc(format))
    if fmt == 0:
        raise error_for(-1, f"unknown format {format!r} (one of {', '.join(FORMATS)})")
    if level not in LEVELS:
        raise error_for(-1, f"unknown level {level!r} (B, T, LT, LTA)")
    if mode not in _MODES:
        raise error_for(-1, f"unknown mode {mode!r} (new, parallel, countersign)")
    if isinstance(inputs, (str, bytes, os.PathLike)):
        inputs = [inputs]
    inputs = list(inputs)
    arr = c_string_array(inputs)
    # Every string handed to the options must outlive emza_sign: keep them here.
    keep = {k: enc(v) for k, v in dict(digest=digest, existing=existing, mime_type=mime_type,
                                       signer_role=signer_role, tsa_url=tsa_url).items()}
    city, country = production_place or (None, None)
    keep["city"], keep["country"] = enc(city), enc(country)
    oid, policy_hash = policy or (None, None)
    keep["oid"], keep["policy_hash"] = enc(oid), enc(policy_hash)
    with ExitStack() as stack:
        opts = ctypes.c_void_p()
        check(lib.emza_sign_options_new(ctypes.byref(opts), fmt))
        stack.callback(lib.emza_sign_options_free, opts)
        check(lib.emza_sign_options_set_level(opts, LEVELS[level]))
        check(lib.emza_sign_options_set_digest(opts, keep["digest"]))
        check(lib.emza_sign_options_set_rsa_pss(opts, 1 if rsa_pss else 0))
        if signing_time is not None:
            check(lib.emza_sign_options_set_signing_time(opts, to_epoch(signing_time)))
        check(lib.emza_sign_options_set_mode(opts, _MODES[mode], keep["existing"]))
        check(lib.emza_sign_options_set_mime_type(opts, keep["mime_type"]))
        check(lib.emza_sign_options_set_signer_role(opts, keep["signer_role"]))
        check(lib.emza_sign_options_set_production_place(opts, keep["city"], keep["country"]))
        check(lib.emza_sign_options_set_policy(opts, keep["oid"], keep["policy_hash"]))
        check(lib.emza_sign_options_set_tsa_url(opts, keep["tsa_url"]))
        if timeout is not None:
            check(lib.emza_sign_options_set_timeout(opts, int(timeout)))
        stack.enter_context(signer._sign_lock)
        sp = stack.enter_context(signer._use())
        check(lib.emza_sign(sp, opts, arr, len(inputs), enc(output)))
    return os.fspath(output)
