"""The validation report of a signed document (CONTRACT.md, "Validation report").

A Report is a plain, immutable Python object: everything is copied out of the
C report when verify() returns, and the C report is released at once. It
holds no C resource, so it may be kept, shared between threads and pickled.
"""
from __future__ import annotations

import ctypes
import datetime as _dt
import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from ._native import lib
from ._util import dec, from_epoch, take_string
from .certificate import Certificate, Finding, Identity, indication_name, subindication_name
from .errors import check

__all__ = ["Report", "SignatureReport", "SignedObject", "Timestamp"]

_SUMMARIES = {0: "ALL_PASSED", 1: "ANY_FAILED", 2: "INDETERMINATE", 3: "NO_SIGNATURE"}


@dataclass(frozen=True)
class SignedObject:
    """What a signature covers: ``whole_document`` False means only a part (PARTIAL_COVERAGE)."""
    uri: Optional[str]
    name: Optional[str]
    digest_algorithm: Optional[str]
    mime_type: Optional[str]
    whole_document: bool


@dataclass(frozen=True)
class Timestamp:
    """A timestamp on a signature: type ("SIGNATURE", ...), time, TSA name, indication ("PASSED", ...)."""
    type: Optional[str]
    time: _dt.datetime
    tsa: Optional[str]
    indication: Optional[str]


@dataclass(frozen=True)
class SignatureReport:
    """The verdict on one signature, with the signer's identity and exactly what it covers."""
    id: str
    indication: str
    sub_indication: Optional[str]
    level: Optional[str]
    signature_algorithm: Optional[str]
    claimed_signing_time: Optional[_dt.datetime]
    best_signature_time: _dt.datetime
    signer: Optional[Identity]
    signer_certificate_der: Optional[bytes]
    signed_objects: List[SignedObject] = field(default_factory=list)
    timestamps: List[Timestamp] = field(default_factory=list)
    errors: List[Finding] = field(default_factory=list)
    warnings: List[Finding] = field(default_factory=list)
    infos: List[Finding] = field(default_factory=list)
    """Informational entries: policy constraints at level INFORM (the indication does not change)."""

    @property
    def passed(self) -> bool:
        return self.indication == "TOTAL_PASSED"

    def signer_certificate(self) -> Optional[Certificate]:
        """The signing certificate as a new Certificate (close it when done), or None."""
        return Certificate.from_bytes(self.signer_certificate_der) if self.signer_certificate_der else None


@dataclass(frozen=True)
class Report:
    """What was validated, when, under which policy, and a SignatureReport per signature found.

    ``summary`` is "ALL_PASSED", "ANY_FAILED", "INDETERMINATE" or
    "NO_SIGNATURE"; ``exit_code`` the matching `emza verify` exit code (0..3).
    """
    document_path: str
    format: str
    sha256: str
    validation_time: _dt.datetime
    policy: str
    summary: str
    exit_code: int
    signatures: List[SignatureReport]
    _json: str = field(repr=False)
    _text: str = field(repr=False)

    @property
    def passed(self) -> bool:
        """True when there is at least one signature and every one is TOTAL_PASSED."""
        return self.summary == "ALL_PASSED"

    def to_json(self) -> str:
        """The report as CONTRACT.md's JSON text ("emzaReport": 1), exactly as `emza verify --json`."""
        return self._json

    def to_dict(self) -> Dict[str, Any]:
        """The JSON report parsed into Python objects."""
        return json.loads(self._json)

    def to_text(self) -> str:
        """The human report (UTC and Solar Hijri times, what was signed, the reasons)."""
        return self._text

    def __str__(self) -> str:
        return self._text

    @classmethod
    def _from_c(cls, r: int) -> "Report":
        sigs = [_signature(lib.emza_report_signature(r, i)) for i in range(lib.emza_report_signature_count(r))]
        buf = ctypes.c_void_p()
        check(lib.emza_report_to_json(ctypes.byref(buf), r))
        as_json = take_string(buf)
        buf = ctypes.c_void_p()
        check(lib.emza_report_to_text(ctypes.byref(buf), r))
        as_text = take_string(buf)
        summary = lib.emza_report_summarize(r)
        return cls(document_path=dec(lib.emza_report_document_path(r)) or "",
                   format=dec(lib.emza_report_document_format(r)) or "unknown",
                   sha256=dec(lib.emza_report_document_sha256(r)) or "",
                   validation_time=from_epoch(lib.emza_report_validation_time(r)),
                   policy=dec(lib.emza_report_policy(r)) or "",
                   summary=_SUMMARIES.get(summary, str(summary)), exit_code=int(summary),
                   signatures=sigs, _json=as_json, _text=as_text)


def _signature(s: int) -> SignatureReport:
    def findings(kind: str) -> List[Finding]:
        n = getattr(lib, f"emza_signature_{kind}_count")(s)
        return [Finding(dec(getattr(lib, f"emza_signature_{kind}_code")(s, i)) or "",
                        dec(getattr(lib, f"emza_signature_{kind}_message")(s, i)) or "") for i in range(n)]

    present = ctypes.c_int(0)
    claimed = lib.emza_signature_claimed_signing_time(s, ctypes.byref(present))
    signer = der = None
    cert = lib.emza_signature_signer(s)
    if cert:
        def get(name: str) -> Optional[str]:
            return dec(getattr(lib, "emza_cert_" + name)(cert))
        signer = Identity(subject=get("subject"), common_name=get("common_name"), given_name=get("given_name"),
                          surname=get("surname"), national_code=get("national_code"), legal_id=get("legal_id"),
                          organization=get("organization"), certificate_sha256=get("sha256_hex") or "")
        n = ctypes.c_size_t()
        data = lib.emza_cert_der(cert, ctypes.byref(n))
        der = ctypes.string_at(data, n.value)
    objects = [SignedObject(uri=dec(lib.emza_signature_object_uri(s, i)),
                            name=dec(lib.emza_signature_object_name(s, i)),
                            digest_algorithm=dec(lib.emza_signature_object_digest_algorithm(s, i)),
                            mime_type=dec(lib.emza_signature_object_mime_type(s, i)),
                            whole_document=lib.emza_signature_object_whole_document(s, i) == 1)
               for i in range(lib.emza_signature_object_count(s))]
    stamps = [Timestamp(type=dec(lib.emza_signature_timestamp_type(s, i)),
                        time=from_epoch(lib.emza_signature_timestamp_time(s, i)),
                        tsa=dec(lib.emza_signature_timestamp_tsa(s, i)),
                        indication=dec(lib.emza_signature_timestamp_indication(s, i)))
              for i in range(lib.emza_signature_timestamp_count(s))]
    return SignatureReport(
        id=dec(lib.emza_signature_id(s)) or "",
        indication=indication_name(lib.emza_signature_indication(s)),
        sub_indication=subindication_name(lib.emza_signature_subindication(s)),
        level=dec(lib.emza_signature_level(s)),
        signature_algorithm=dec(lib.emza_signature_algorithm(s)),
        claimed_signing_time=from_epoch(claimed) if present.value else None,
        best_signature_time=from_epoch(lib.emza_signature_best_signature_time(s)),
        signer=signer, signer_certificate_der=der, signed_objects=objects, timestamps=stamps,
        errors=findings("error"), warnings=findings("warning"), infos=findings("info"))
