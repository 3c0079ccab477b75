"""Certificates, the identity they carry, trust stores and chain validation.

A Certificate and a TrustStore are immutable after loading and may be shared
between threads. Both own a C object: release it with close() or ``with``;
the garbage collector releases it otherwise.
"""
from __future__ import annotations

import ctypes
import datetime as _dt
import os
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Sequence, Union

from ._native import lib
from ._util import Owned, TimeLike, c_string_array, dec, enc, from_epoch, to_epoch
from .errors import check, error_for

__all__ = ["Certificate", "Identity", "TrustStore", "ChainResult", "Finding", "CertificateList",
           "PathLike", "TrustLike"]

PathLike = Union[str, "os.PathLike[str]"]

_INDICATIONS = {0: "TOTAL_PASSED", 1: "TOTAL_FAILED", 2: "INDETERMINATE"}
_PURPOSES = {"any": 0, "sign": 1, "auth": 2, "timestamp": 3}


def indication_name(value: int) -> str:
    return _INDICATIONS.get(value, str(value))


def subindication_name(value: int) -> Optional[str]:
    return dec(lib.emza_subindication_name(value)) if value else None


@dataclass(frozen=True)
class Finding:
    """One error or warning: a stable ``code`` ("HASH_MISMATCH", "NO_KEY_USAGE", ...) and a ``message``."""
    code: str
    message: str


@dataclass(frozen=True)
class Identity:
    """Who a certificate names: the report's "signer" object (CONTRACT.md)."""
    subject: Optional[str]
    common_name: Optional[str]
    given_name: Optional[str]
    surname: Optional[str]
    national_code: Optional[str]
    legal_id: Optional[str]
    organization: Optional[str]
    certificate_sha256: str


class Certificate(Owned):
    """An X.509 certificate (PEM or DER). Thread-safe; release with close() or ``with``."""

    _free = staticmethod(lib.emza_cert_free)
    _what = "certificate"

    def __init__(self, ptr: int) -> None:
        """Internal: use Certificate.load() or Certificate.from_bytes()."""
        super().__init__(ptr)

    @classmethod
    def load(cls, path: PathLike) -> "Certificate":
        """Reads a certificate from a file. Raises FileError, FormatError, LimitError."""
        out = ctypes.c_void_p()
        check(lib.emza_cert_load(ctypes.byref(out), enc(path)))
        return cls(out.value)

    @classmethod
    def from_bytes(cls, data: bytes) -> "Certificate":
        """Parses a certificate from PEM or DER bytes. Raises FormatError, LimitError."""
        data = bytes(data)
        out = ctypes.c_void_p()
        check(lib.emza_cert_parse(ctypes.byref(out), data, len(data)))
        return cls(out.value)

    @classmethod
    def _borrowed(cls, ptr: int) -> "Certificate":
        """A new reference to a certificate borrowed from another C object."""
        return cls(lib.emza_cert_dup(ptr))

    def _str(self, getter: str) -> Optional[str]:
        with self._use() as p:
            return dec(getattr(lib, "emza_cert_" + getter)(p))

    subject = property(lambda self: self._str("subject"), doc="Subject, RFC 2253 order, UTF-8.")
    issuer = property(lambda self: self._str("issuer"), doc="Issuer, like subject.")
    common_name = property(lambda self: self._str("common_name"))
    given_name = property(lambda self: self._str("given_name"))
    surname = property(lambda self: self._str("surname"))
    organization = property(lambda self: self._str("organization"))
    country = property(lambda self: self._str("country"))
    serial_number = property(lambda self: self._str("subject_serial_number"),
                             doc="The subject's serialNumber attribute as written (\"PNOIR-0499370899\").")
    organization_identifier = property(lambda self: self._str("organization_identifier"))
    national_code = property(lambda self: self._str("national_code"),
                             doc="The checksum-valid 10-digit national code, or None.")
    legal_id = property(lambda self: self._str("legal_id"),
                        doc="The checksum-valid 11-digit legal-entity id, or None.")
    serial_hex = property(lambda self: self._str("serial_hex"), doc="Certificate serial number, hex.")
    sha256_hex = property(lambda self: self._str("sha256_hex"), doc="SHA-256 of the DER, hex.")
    key_algorithm = property(lambda self: self._str("key_algorithm"))
    signature_algorithm = property(lambda self: self._str("signature_algorithm"))

    @property
    def not_before(self) -> _dt.datetime:
        with self._use() as p:
            return from_epoch(lib.emza_cert_not_before(p))

    @property
    def not_after(self) -> _dt.datetime:
        with self._use() as p:
            return from_epoch(lib.emza_cert_not_after(p))

    @property
    def key_bits(self) -> int:
        with self._use() as p:
            return int(lib.emza_cert_key_bits(p))

    @property
    def is_ca(self) -> bool:
        with self._use() as p:
            return lib.emza_cert_is_ca(p) == 1

    @property
    def der(self) -> bytes:
        """The DER encoding."""
        with self._use() as p:
            n = ctypes.c_size_t()
            data = lib.emza_cert_der(p, ctypes.byref(n))
            return ctypes.string_at(data, n.value)

    @property
    def identity(self) -> Identity:
        return Identity(subject=self.subject, common_name=self.common_name, given_name=self.given_name,
                        surname=self.surname, national_code=self.national_code, legal_id=self.legal_id,
                        organization=self.organization, certificate_sha256=self.sha256_hex or "")

    def verify(self, *, trust: "TrustLike", at: Optional[TimeLike] = None, purpose: str = "sign",
               untrusted: Optional[Iterable[PathLike]] = None, offline: bool = False,
               timeout: Optional[int] = None, policy=None) -> "ChainResult":
        """Validates this certificate's chain to ``trust`` (ETSI EN 319 102-1 verdict, not an exception).

        ``purpose`` is "sign", "auth", "timestamp" or "any"; ``at`` a datetime,
        epoch seconds or ISO 8601 text (default now); ``untrusted`` extra CA
        files for chain building; ``offline`` forbids all network access;
        ``policy`` an emza.Policy or a policy file's path (default: the built-in one).
        """
        from .policy import Policy  # policy.py imports this module
        if purpose not in _PURPOSES:
            raise error_for(-1, f"unknown purpose {purpose!r} (sign, auth, timestamp, any)")
        with TrustStore._coerce(trust) as store, CertificateList.of(untrusted) as extra, \
                (Policy._coerce(policy) if policy is not None else _NO_POLICY) as rules:
            opts = ctypes.c_void_p()
            check(lib.emza_chain_options_new(ctypes.byref(opts)))
            try:
                check(lib.emza_chain_options_set_purpose(opts, _PURPOSES[purpose]))
                check(lib.emza_chain_options_set_offline(opts, 1 if offline else 0))
                if at is not None:
                    check(lib.emza_chain_options_set_validation_time(opts, to_epoch(at)))
                if timeout is not None:
                    check(lib.emza_chain_options_set_timeout(opts, int(timeout)))
                out = ctypes.c_void_p()
                with store._use() as tp, self._use() as cp, extra._use_or_none() as up, \
                        (rules._use() if rules is not None else _NO_POLICY) as pp:
                    check(lib.emza_chain_options_set_untrusted(opts, up))
                    check(lib.emza_chain_options_set_policy(opts, pp))
                    check(lib.emza_trust_verify(ctypes.byref(out), tp, cp, opts))
            finally:
                lib.emza_chain_options_free(opts)
            try:
                return ChainResult._from_c(out.value)
            finally:
                lib.emza_chain_result_free(out)

    def __repr__(self) -> str:
        if self.closed:
            return "<emza.Certificate closed>"
        return f"<emza.Certificate {self.subject!r}>"


class CertificateList(Owned):
    """Internal: an emza_cert_list filled from paths (untrusted certificates)."""

    _free = staticmethod(lib.emza_cert_list_free)
    _what = "certificate list"

    @classmethod
    def of(cls, paths: Optional[Iterable[PathLike]]) -> "CertificateList":
        if paths is None:
            return _NO_LIST
        if isinstance(paths, (str, bytes, os.PathLike)):
            paths = [paths]
        out = ctypes.c_void_p()
        check(lib.emza_cert_list_new(ctypes.byref(out)))
        self = cls(out.value)
        try:
            with self._use() as p:
                for path in paths:
                    check(lib.emza_cert_list_add_path(p, enc(path)))
        except BaseException:
            self.close()
            raise
        return self

    def _use_or_none(self):
        return self._use()


class _NoList(CertificateList):
    """No list: a stand-in whose handle is NULL and that closes nothing."""

    def __init__(self) -> None:
        super().__init__(None)  # type: ignore[arg-type]

    def close(self) -> None:
        pass

    def _use_or_none(self):
        from contextlib import nullcontext
        return nullcontext(None)


_NO_LIST = _NoList()
_NO_POLICY = nullcontext(None)


class TrustStore(Owned):
    """Trust anchors from PEM bundles, DER files or directories of them. Immutable and thread-safe.

    Every certificate given is an anchor, an intermediate CA included.
    Reuse one store for many verifications: loading is the expensive part.
    """

    _free = staticmethod(lib.emza_trust_free)
    _what = "trust store"

    def __init__(self, paths: Union[PathLike, Sequence[PathLike]]) -> None:
        """Loads the anchors. Raises FileError, FormatError, InvalidArgumentError (no path)."""
        if isinstance(paths, (str, bytes, os.PathLike)):
            paths = [paths]
        paths = list(paths)
        if not paths:
            raise error_for(-1, "a trust store needs at least one path")
        arr = c_string_array(paths)
        out = ctypes.c_void_p()
        check(lib.emza_trust_load(ctypes.byref(out), arr, len(paths)))
        super().__init__(out.value)

    def __len__(self) -> int:
        with self._use() as p:
            return int(lib.emza_trust_count(p))

    @property
    def anchors(self) -> List[Certificate]:
        """The anchor certificates (each a new reference; close them or let the GC)."""
        with self._use() as p:
            return [Certificate._borrowed(lib.emza_trust_get(p, i)) for i in range(lib.emza_trust_count(p))]

    @classmethod
    def _coerce(cls, trust: "TrustLike"):
        """A context giving a TrustStore: the one passed (kept open), or one loaded from paths (closed after)."""
        from contextlib import nullcontext
        if isinstance(trust, TrustStore):
            return nullcontext(trust)
        return cls(trust)

    def __repr__(self) -> str:
        return "<emza.TrustStore closed>" if self.closed else f"<emza.TrustStore {len(self)} anchors>"


TrustLike = Union[TrustStore, PathLike, Sequence[PathLike]]


@dataclass(frozen=True)
class ChainResult:
    """The verdict on a certificate chain: indication, sub_indication, message, errors, warnings, infos
    (policy constraints at level INFORM), chain."""
    indication: str
    sub_indication: Optional[str]
    message: str
    validation_time: _dt.datetime
    chain_sha256: List[str] = field(default_factory=list)
    errors: List[Finding] = field(default_factory=list)
    warnings: List[Finding] = field(default_factory=list)
    infos: List[Finding] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.indication == "TOTAL_PASSED"

    @classmethod
    def _from_c(cls, r: int) -> "ChainResult":
        def findings(kind: str) -> List[Finding]:
            n = getattr(lib, f"emza_chain_result_{kind}_count")(r)
            return [Finding(dec(getattr(lib, f"emza_chain_result_{kind}_code")(r, i)) or "",
                            dec(getattr(lib, f"emza_chain_result_{kind}_message")(r, i)) or "")
                    for i in range(n)]
        chain = [dec(lib.emza_cert_sha256_hex(lib.emza_chain_result_chain_cert(r, i))) or ""
                 for i in range(lib.emza_chain_result_chain_length(r))]
        return cls(indication=indication_name(lib.emza_chain_result_indication(r)),
                   sub_indication=subindication_name(lib.emza_chain_result_subindication(r)),
                   message=dec(lib.emza_chain_result_message(r)) or "",
                   validation_time=from_epoch(lib.emza_chain_result_validation_time(r)),
                   chain_sha256=chain, errors=findings("error"), warnings=findings("warning"),
                   infos=findings("info"))
