"""Two-step signing (include/emza/prepare.h): prepare on the server, sign the digest elsewhere (the
citizen's browser, a remote HSM), finalize on the server::

    p = emza.prepare("deed.xml", certificate=cert, format="xades-enveloped")
    signature = remote_sign(p.signature_algorithm, p.digest)   # anywhere, any time later
    p.finalize(signature, "deed.signed.xml")

Between the two steps a stateless server keeps ``p.to_json()`` (or
``p.save(path)``) and rebuilds it with ``Prepared.from_json()`` (or
``Prepared.load()``). The state is not secret, but it names the files
finalize reads: seal a state handed to a client — ``key=`` (32 to 1024 bytes)
on to_json()/save() and on from_json()/load() adds and checks an HMAC-SHA256
(prepare.h, "Sealed states"; a refused seal raises CryptoError) — or keep it
on the server. Prepare and finalize with the same libemza.

A Prepared is not changed after it is made; it may be read from several
threads. It owns a C object: release it with close() or ``with``.
"""
from __future__ import annotations

import ctypes
import datetime as _dt
import os
from typing import Iterable, Optional, Sequence, Tuple, Union

from ._native import lib
from ._util import Owned, TimeLike, c_string_array, dec, enc, from_epoch, take_string
from .certificate import Certificate, CertificateList, PathLike
from .errors import check
from .signing import _input_list, _SignOptions

__all__ = ["Prepared", "prepare"]


def _key(key: bytes) -> bytes:
    """The state key as bytes (bytes, bytearray or memoryview; a str is refused: keys are bytes)."""
    if isinstance(key, str) or not isinstance(key, (bytes, bytearray, memoryview)):
        raise TypeError("a state key is bytes")
    return bytes(key)


class Prepared(Owned):
    """A signing prepared without the key: the digest to sign and everything finalize needs."""

    _free = staticmethod(lib.emza_prepared_free)
    _what = "prepared signing"

    @property
    def digest(self) -> bytes:
        """The digest to sign as a pre-computed hash (32, 48 or 64 bytes)."""
        with self._use() as p:
            n = ctypes.c_size_t()
            data = lib.emza_prepared_digest(p, ctypes.byref(n))
            return ctypes.string_at(data, n.value)

    @property
    def digest_algorithm(self) -> str:
        """"sha256", "sha384" or "sha512"."""
        with self._use() as p:
            return dec(lib.emza_prepared_digest_algorithm(p)) or ""

    @property
    def signature_algorithm(self) -> str:
        """What to make of the digest: "rsa-sha256", "rsa-pss-sha256" (salt as long as the digest, MGF1 with
        the same digest), "ecdsa-sha256", ..."""
        with self._use() as p:
            return dec(lib.emza_prepared_signature_algorithm(p)) or ""

    @property
    def signing_time(self) -> _dt.datetime:
        """The claimed signing time fixed at prepare."""
        with self._use() as p:
            return from_epoch(lib.emza_prepared_signing_time(p))

    @property
    def certificate(self) -> Certificate:
        """The signing certificate (a new reference: close it or let the GC)."""
        with self._use() as p:
            return Certificate._borrowed(lib.emza_prepared_cert(p))

    def to_json(self, *, key: Optional[bytes] = None) -> str:
        """The state as JSON text, to keep between the two steps; sealed with ``key`` (bytes, 32 to 1024)
        when given. Raises InvalidArgumentError (a short key), LimitError (a long key)."""
        with self._use() as p:
            out = ctypes.c_void_p()
            if key is None:
                check(lib.emza_prepared_to_json(ctypes.byref(out), p))
            else:
                k = _key(key)
                check(lib.emza_prepared_to_json_sealed(ctypes.byref(out), p, k, len(k)))
            return take_string(out)

    def save(self, path: PathLike, *, key: Optional[bytes] = None) -> None:
        """Writes the state as JSON to ``path``, atomically; sealed with ``key`` when given. Raises FileError,
        and for the key as to_json()."""
        with self._use() as p:
            if key is None:
                check(lib.emza_prepared_save(p, enc(path)))
            else:
                k = _key(key)
                check(lib.emza_prepared_save_sealed(p, enc(path), k, len(k)))

    @classmethod
    def from_json(cls, text: Union[str, bytes], *, key: Optional[bytes] = None) -> "Prepared":
        """A state from to_json()'s text, parsed strictly (untrusted input). With ``key``, only a state sealed
        with it is read. Raises FormatError, LimitError, CryptoError (a seal refused: altered, another key,
        not sealed with a key given, sealed without one), and for the key as to_json()."""
        raw = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        out = ctypes.c_void_p()
        if key is None:
            check(lib.emza_prepared_from_json(ctypes.byref(out), raw, len(raw)))
        else:
            k = _key(key)
            check(lib.emza_prepared_from_json_sealed(ctypes.byref(out), raw, len(raw), k, len(k)))
        return cls(out.value)

    @classmethod
    def load(cls, path: PathLike, *, key: Optional[bytes] = None) -> "Prepared":
        """A state saved by save() (with the same ``key``, if it was sealed). Raises FileError, and as
        from_json()."""
        out = ctypes.c_void_p()
        if key is None:
            check(lib.emza_prepared_load(ctypes.byref(out), enc(path)))
        else:
            k = _key(key)
            check(lib.emza_prepared_load_sealed(ctypes.byref(out), enc(path), k, len(k)))
        return cls(out.value)

    def finalize(self, signature: bytes, output: PathLike) -> str:
        """Completes the signing with ``signature`` over digest (RSA bytes; ECDSA as DER or raw r||s) and
        writes the signed output atomically; returns its path. Raises CryptoError (the signature does not
        verify with the certificate's key), InvalidArgumentError (an input changed since prepare: prepare
        again), FormatError (an altered state), FileError; nothing is written then."""
        data = bytes(signature)
        with self._use() as p:
            check(lib.emza_sign_finalize(p, data, len(data), enc(output)))
        return os.fspath(output)

    def __repr__(self) -> str:
        if self.closed:
            return "<emza.Prepared closed>"
        return f"<emza.Prepared {self.signature_algorithm} {self.digest.hex()}>"


def prepare(inputs: Union[PathLike, Sequence[PathLike]], *, certificate: Union[Certificate, PathLike],
            chain: Optional[Iterable[PathLike]] = None, format: str, level: str = "B",
            digest: Optional[str] = None, rsa_pss: bool = False, signing_time: Optional[TimeLike] = None,
            mode: str = "new", existing: Optional[PathLike] = None, mime_type: Optional[str] = None,
            signer_role: Optional[str] = None,
            production_place: Optional[Tuple[Optional[str], Optional[str]]] = None,
            policy: Optional[Tuple[str, str]] = None, tsa_url: Optional[str] = None,
            timeout: Optional[int] = None) -> Prepared:
    """Prepares the signing of ``inputs`` by ``certificate``'s key, as emza.sign() would make it (same
    keywords), without the key. ``chain``: CA certificate files to embed. Nothing is written and no network
    is used (level T is applied by finalize). Raises what emza.sign() raises before its signature, and
    UnsupportedError for mode "countersign"."""
    inputs = _input_list(inputs)
    arr = c_string_array(inputs)
    cert = certificate if isinstance(certificate, Certificate) else Certificate.load(certificate)
    try:
        with _SignOptions(format=format, level=level, digest=digest, rsa_pss=rsa_pss,
                          signing_time=signing_time, mode=mode, existing=existing, mime_type=mime_type,
                          signer_role=signer_role, production_place=production_place, policy=policy,
                          tsa_url=tsa_url, timeout=timeout) as opts, \
                cert._use() as cp, CertificateList.of(chain) as extra, extra._use_or_none() as chp:
            out = ctypes.c_void_p()
            check(lib.emza_sign_prepare(ctypes.byref(out), cp, chp, opts.ptr, arr, len(inputs)))
            return Prepared(out.value)
    finally:
        if cert is not certificate:
            cert.close()
