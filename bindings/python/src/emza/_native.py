"""The ctypes declarations of libemza's C ABI (include/emza/*.h).

Internal: the rest of the package calls the library only through ``lib``.
Every function used is declared here with its argument and result types, so a
wrong call fails in Python instead of corrupting memory. Only opaque pointers,
integers and strings cross the boundary: no struct layout is mirrored (options
go through the setters of include/emza/options.h), except ``emza_id_result``,
which docs/ABI.md declares frozen.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from ctypes import (POINTER, Structure, c_char, c_char_p, c_int, c_int64, c_size_t, c_uint, c_void_p)

__all__ = ["lib", "load", "IdResult", "EXTERNAL_SIGN_FN", "PIN_FN", "REPLAY_FN"]

_SONAME = "libemza.so.0"


class IdResult(Structure):
    """emza_id_result (include/emza/id.h), frozen by the ABI promise."""
    _fields_ = [
        ("kind", c_int),
        ("verdict", c_int),
        ("position", c_size_t),
        ("digit_count", c_size_t),
        ("expected_check", c_int),
        ("digits", c_char * 12),
    ]


# Callback types (signer.h, auth.h). A ctypes callback object must stay referenced as long as C may call it.
EXTERNAL_SIGN_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_char_p, POINTER(ctypes.c_uint8), c_size_t,
                                    POINTER(ctypes.c_uint8), c_size_t, POINTER(c_size_t))
PIN_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_char_p, c_int, POINTER(c_char), c_size_t, POINTER(c_size_t))
REPLAY_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_char_p, c_int64, c_int64)


def _declare(L: ctypes.CDLL) -> None:
    vp, cp, sz, i, u, i64 = c_void_p, c_char_p, c_size_t, c_int, c_uint, c_int64
    pvp = POINTER(c_void_p)

    def fn(name: str, res, *args) -> None:
        f = getattr(L, name)
        f.restype = res
        f.argtypes = list(args)

    # core, errors, memory
    fn("emza_init", i)
    fn("emza_version_string", cp)
    fn("emza_version_number", u)
    fn("emza_free", None, vp)
    fn("emza_error_last_code", i)
    fn("emza_error_last_message", cp)
    fn("emza_error_clear", None)
    fn("emza_error_name", cp, i)
    fn("emza_error_describe", cp, i)
    # identity numbers
    fn("emza_id_check", i, POINTER(IdResult), i, cp, sz)
    fn("emza_id_verdict_describe", cp, i)
    fn("emza_id_kind_describe", cp, i)
    # indications, formats
    fn("emza_indication_name", cp, i)
    fn("emza_subindication_name", cp, i)
    fn("emza_format_from_name", i, cp)
    fn("emza_format_name", cp, i)
    # certificates
    fn("emza_cert_parse", i, pvp, vp, sz)
    fn("emza_cert_load", i, pvp, cp)
    fn("emza_cert_dup", vp, vp)
    fn("emza_cert_free", None, vp)
    for getter in ("subject", "issuer", "common_name", "given_name", "surname", "organization", "country",
                   "subject_serial_number", "organization_identifier", "national_code", "legal_id",
                   "serial_hex", "sha256_hex", "key_algorithm", "signature_algorithm"):
        fn("emza_cert_" + getter, cp, vp)
    fn("emza_cert_not_before", i64, vp)
    fn("emza_cert_not_after", i64, vp)
    fn("emza_cert_der", POINTER(ctypes.c_uint8), vp, POINTER(c_size_t))
    fn("emza_cert_key_bits", u, vp)
    fn("emza_cert_is_ca", i, vp)
    fn("emza_cert_is_self_signed", i, vp)
    fn("emza_cert_key_usage", u, vp)
    fn("emza_cert_ext_key_usage", u, vp)
    fn("emza_cert_list_new", i, pvp)
    fn("emza_cert_list_free", None, vp)
    fn("emza_cert_list_add_path", i, vp, cp)
    fn("emza_cert_list_count", sz, vp)
    # trust and chains
    fn("emza_trust_load", i, pvp, POINTER(c_char_p), sz)
    fn("emza_trust_free", None, vp)
    fn("emza_trust_count", sz, vp)
    fn("emza_trust_get", vp, vp, sz)
    fn("emza_trust_verify", i, pvp, vp, vp, vp)
    fn("emza_chain_result_free", None, vp)
    fn("emza_chain_result_indication", i, vp)
    fn("emza_chain_result_subindication", i, vp)
    fn("emza_chain_result_message", cp, vp)
    fn("emza_chain_result_validation_time", i64, vp)
    fn("emza_chain_result_chain_length", sz, vp)
    fn("emza_chain_result_chain_cert", vp, vp, sz)
    for kind in ("warning", "error"):
        fn(f"emza_chain_result_{kind}_count", sz, vp)
        fn(f"emza_chain_result_{kind}_code", cp, vp, sz)
        fn(f"emza_chain_result_{kind}_message", cp, vp, sz)
    fn("emza_chain_options_new", i, pvp)
    fn("emza_chain_options_free", None, vp)
    fn("emza_chain_options_set_purpose", i, vp, i)
    fn("emza_chain_options_set_validation_time", i, vp, i64)
    fn("emza_chain_options_set_untrusted", i, vp, vp)
    fn("emza_chain_options_set_offline", i, vp, i)
    fn("emza_chain_options_set_timeout", i, vp, i)
    fn("emza_chain_options_set_policy", i, vp, vp)
    fn("emza_chain_result_info_count", sz, vp)
    fn("emza_chain_result_info_code", cp, vp, sz)
    fn("emza_chain_result_info_message", cp, vp, sz)
    # validation policies
    fn("emza_policy_load", i, pvp, cp)
    fn("emza_policy_parse", i, pvp, cp, sz)
    fn("emza_policy_default", i, pvp)
    fn("emza_policy_name", cp, vp)
    fn("emza_policy_free", None, vp)
    # signers and signing
    fn("emza_signer_open_pkcs12", i, pvp, cp, cp)
    fn("emza_signer_open_pem", i, pvp, cp, cp, cp, cp)
    fn("emza_signer_cert", vp, vp)
    fn("emza_signer_new_external", i, pvp, vp, vp, EXTERNAL_SIGN_FN, vp)
    fn("emza_signer_open_pkcs11", i, pvp, vp)
    fn("emza_pkcs11_options_new", i, pvp)
    fn("emza_pkcs11_options_free", None, vp)
    for setter in ("module", "token_label", "key_label", "key_id", "chain"):
        fn("emza_pkcs11_options_set_" + setter, i, vp, cp)
    fn("emza_pkcs11_options_set_slot", i, vp, ctypes.c_ulong)
    fn("emza_pkcs11_options_set_pin", i, vp, PIN_FN, vp)
    fn("emza_wipe", None, vp, sz)
    fn("emza_signer_free", None, vp)
    fn("emza_sign_options_new", i, pvp, i)
    fn("emza_sign_options_free", None, vp)
    fn("emza_sign_options_set_level", i, vp, i)
    fn("emza_sign_options_set_digest", i, vp, cp)
    fn("emza_sign_options_set_rsa_pss", i, vp, i)
    fn("emza_sign_options_set_signing_time", i, vp, i64)
    fn("emza_sign_options_set_mode", i, vp, i, cp)
    fn("emza_sign_options_set_mime_type", i, vp, cp)
    fn("emza_sign_options_set_signer_role", i, vp, cp)
    fn("emza_sign_options_set_production_place", i, vp, cp, cp)
    fn("emza_sign_options_set_policy", i, vp, cp, cp)
    fn("emza_sign_options_set_tsa_url", i, vp, cp)
    fn("emza_sign_options_set_timeout", i, vp, i)
    fn("emza_sign", i, vp, vp, POINTER(c_char_p), sz, cp)
    # two-step signing
    fn("emza_sign_prepare", i, pvp, vp, vp, vp, POINTER(c_char_p), sz)
    fn("emza_prepared_digest", POINTER(ctypes.c_uint8), vp, POINTER(c_size_t))
    fn("emza_prepared_digest_algorithm", cp, vp)
    fn("emza_prepared_signature_algorithm", cp, vp)
    fn("emza_prepared_signing_time", i64, vp)
    fn("emza_prepared_cert", vp, vp)
    fn("emza_prepared_to_json", i, POINTER(c_void_p), vp)
    fn("emza_prepared_from_json", i, pvp, cp, sz)
    fn("emza_prepared_save", i, vp, cp)
    fn("emza_prepared_load", i, pvp, cp)
    fn("emza_prepared_to_json_sealed", i, POINTER(c_void_p), vp, cp, sz)
    fn("emza_prepared_save_sealed", i, vp, cp, cp, sz)
    fn("emza_prepared_from_json_sealed", i, pvp, cp, sz, cp, sz)
    fn("emza_prepared_load_sealed", i, pvp, cp, cp, sz)
    fn("emza_sign_finalize", i, vp, cp, sz, cp)
    fn("emza_prepared_free", None, vp)
    # citizen authentication
    fn("emza_auth_challenge_new", i, pvp, u)
    fn("emza_auth_challenge_restore", i, pvp, cp, i64, u)
    fn("emza_auth_challenge_free", None, vp)
    fn("emza_auth_challenge_nonce", cp, vp)
    fn("emza_auth_challenge_issued_at", i64, vp)
    fn("emza_auth_challenge_expires_at", i64, vp)
    fn("emza_auth_challenge_lifetime", u, vp)
    fn("emza_auth_origin_normalize", i, POINTER(c_void_p), cp)
    fn("emza_auth_sign_options_new", i, pvp)
    fn("emza_auth_sign_options_free", None, vp)
    fn("emza_auth_sign_options_set_algorithm", i, vp, cp)
    fn("emza_auth_sign", i, POINTER(c_void_p), vp, cp, cp, vp)
    fn("emza_replay_cache_new", i, pvp, sz)
    fn("emza_replay_cache_free", None, vp)
    fn("emza_replay_cache_count", sz, vp)
    fn("emza_auth_reason_name", cp, i)
    fn("emza_auth_verify_options_new", i, pvp)
    fn("emza_auth_verify_options_free", None, vp)
    fn("emza_auth_verify_options_set_trust", i, vp, vp)
    fn("emza_auth_verify_options_set_untrusted", i, vp, vp)
    fn("emza_auth_verify_options_set_validation_time", i, vp, i64)
    fn("emza_auth_verify_options_set_clock_skew", i, vp, u)
    fn("emza_auth_verify_options_set_offline", i, vp, i)
    fn("emza_auth_verify_options_set_timeout", i, vp, i)
    fn("emza_auth_verify_options_set_replay", i, vp, vp, vp)  # the C function's address, as a pointer
    fn("emza_auth_verify", i, pvp, POINTER(c_int), cp, sz, vp, cp, vp)
    fn("emza_auth_identity_free", None, vp)
    fn("emza_auth_identity_cert", vp, vp)
    for getter in ("national_code", "legal_id", "given_name", "surname", "common_name", "origin", "algorithm"):
        fn("emza_auth_identity_" + getter, cp, vp)
    # verification and the report
    fn("emza_verify_options_new", i, pvp)
    fn("emza_verify_options_free", None, vp)
    fn("emza_verify_options_set_trust", i, vp, vp)
    fn("emza_verify_options_set_untrusted", i, vp, vp)
    fn("emza_verify_options_set_validation_time", i, vp, i64)
    fn("emza_verify_options_set_offline", i, vp, i)
    fn("emza_verify_options_set_data", i, vp, POINTER(c_char_p), sz)
    fn("emza_verify_options_set_timeout", i, vp, i)
    fn("emza_verify_options_set_policy", i, vp, vp)
    fn("emza_verify_file", i, pvp, cp, vp)
    fn("emza_report_free", None, vp)
    for getter in ("document_path", "document_format", "document_sha256", "policy"):
        fn("emza_report_" + getter, cp, vp)
    fn("emza_report_validation_time", i64, vp)
    fn("emza_report_summarize", i, vp)
    fn("emza_report_signature_count", sz, vp)
    fn("emza_report_signature", vp, vp, sz)
    fn("emza_report_to_json", i, POINTER(c_void_p), vp)
    fn("emza_report_to_text", i, POINTER(c_void_p), vp)
    fn("emza_signature_id", cp, vp)
    fn("emza_signature_indication", i, vp)
    fn("emza_signature_subindication", i, vp)
    fn("emza_signature_level", cp, vp)
    fn("emza_signature_algorithm", cp, vp)
    fn("emza_signature_claimed_signing_time", i64, vp, POINTER(c_int))
    fn("emza_signature_best_signature_time", i64, vp)
    fn("emza_signature_signer", vp, vp)
    fn("emza_signature_object_count", sz, vp)
    for getter in ("uri", "name", "digest_algorithm", "mime_type"):
        fn("emza_signature_object_" + getter, cp, vp, sz)
    fn("emza_signature_object_whole_document", i, vp, sz)
    fn("emza_signature_timestamp_count", sz, vp)
    for getter in ("type", "tsa", "indication"):
        fn("emza_signature_timestamp_" + getter, cp, vp, sz)
    fn("emza_signature_timestamp_time", i64, vp, sz)
    for kind in ("error", "warning", "info"):
        fn(f"emza_signature_{kind}_count", sz, vp)
        fn(f"emza_signature_{kind}_code", cp, vp, sz)
        fn(f"emza_signature_{kind}_message", cp, vp, sz)


_lock = threading.Lock()
_lib: ctypes.CDLL | None = None


def load() -> ctypes.CDLL:
    """Loads libemza once (EMZA_LIBRARY, else the system loader) and declares its functions."""
    global _lib
    with _lock:
        if _lib is None:
            path = os.environ.get("EMZA_LIBRARY") or ctypes.util.find_library("emza") or _SONAME
            try:
                L = ctypes.CDLL(path)
            except OSError as e:
                raise ImportError(
                    f"emza: cannot load the C library {path!r} ({e}); install libemza or set "
                    "EMZA_LIBRARY=/path/to/libemza.so.0") from None
            _declare(L)
            if L.emza_init() != 0:
                raise ImportError("emza: the C library failed to initialise: "
                                  + L.emza_error_last_message().decode("utf-8", "replace"))
            _lib = L
        return _lib


lib = load()
