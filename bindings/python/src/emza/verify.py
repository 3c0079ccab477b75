"""Verifying signed documents: emza.verify(path, trust=[...]) -> Report."""
from __future__ import annotations

import ctypes
import os
from contextlib import ExitStack
from typing import Iterable, Optional

from ._native import lib
from ._util import TimeLike, c_string_array, enc, to_epoch
from .certificate import CertificateList, PathLike, TrustLike, TrustStore
from .errors import check
from .policy import PolicyLike, Policy
from .report import Report

__all__ = ["verify"]


def verify(path: PathLike, *, trust: Optional[TrustLike] = None, data: Optional[Iterable[PathLike]] = None,
           untrusted: Optional[Iterable[PathLike]] = None, at: Optional[TimeLike] = None,
           offline: bool = False, timeout: Optional[int] = None, policy: Optional[PolicyLike] = None) -> Report:
    """Validates every signature in the file at ``path`` and returns the Report.

    ``trust``: a TrustStore, or a path or list of paths (PEM bundles, DER
    files, directories) loaded for this call; without it nothing is trusted.
    Reuse a TrustStore when verifying many files. ``data``: the detached
    content files, matched by file name. ``untrusted``: extra CA
    certificates for chain building. ``at``: validate at this time (datetime,
    epoch seconds or ISO 8601 text) instead of now. ``offline``: no network
    access at all. ``timeout``: seconds per OCSP/CRL request. ``policy``: a
    Policy, or the path of a policy file loaded for this call (docs/POLICY.md);
    without it the built-in default policy applies (the report's ``policy``
    names the one used).

    A signature that does not validate is a verdict in the report. Raises
    FileError (unreadable file or data file), LimitError (file too large),
    FormatError (a trust file that holds no certificate, a malformed policy file), InvalidArgumentError.
    Thread-safe: any number of threads may verify at once, sharing a TrustStore.
    """
    data_list = [data] if isinstance(data, (str, bytes, os.PathLike)) else list(data or [])
    data_arr = c_string_array(data_list)
    with ExitStack() as stack:
        store = stack.enter_context(TrustStore._coerce(trust)) if trust is not None else None
        extra = stack.enter_context(CertificateList.of(untrusted))
        rules = stack.enter_context(Policy._coerce(policy)) if policy is not None else None
        opts = ctypes.c_void_p()
        check(lib.emza_verify_options_new(ctypes.byref(opts)))
        stack.callback(lib.emza_verify_options_free, opts)
        check(lib.emza_verify_options_set_offline(opts, 1 if offline else 0))
        if at is not None:
            check(lib.emza_verify_options_set_validation_time(opts, to_epoch(at)))
        if timeout is not None:
            check(lib.emza_verify_options_set_timeout(opts, int(timeout)))
        if data_list:
            check(lib.emza_verify_options_set_data(opts, data_arr, len(data_list)))
        # The store and list cannot be closed by another thread while the C call runs.
        tp = stack.enter_context(store._use()) if store is not None else None
        up = stack.enter_context(extra._use_or_none())
        check(lib.emza_verify_options_set_trust(opts, tp))
        check(lib.emza_verify_options_set_untrusted(opts, up))
        pp = stack.enter_context(rules._use()) if rules is not None else None
        check(lib.emza_verify_options_set_policy(opts, pp))
        out = ctypes.c_void_p()
        check(lib.emza_verify_file(ctypes.byref(out), enc(path), opts))
        try:
            return Report._from_c(out.value)
        finally:
            lib.emza_report_free(out)
