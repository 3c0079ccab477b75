"""Signing: key sources (Signer) and emza.sign(...).

A Signer holds a private key (a file's, a smart card's through PKCS#11, or
the application's own signing function); a key in memory is wiped when the
Signer is closed. One Signer signs one document at a time (a lock serialises
concurrent use); different Signers may sign in parallel threads.

Callbacks (an external signer's sign function, a PKCS#11 PIN function) are
called by the C library on the signing thread. An exception raised inside
one never crosses into C: it becomes the error code the operation returns
(the code of an emza.Error raised, else EMZA_ECANCELED), and the call that
started the operation raises the library's error with the callback's
exception as ``__cause__``.
"""
from __future__ import annotations

import ctypes
import os
import threading
from typing import Callable, Iterable, Optional, Sequence, Tuple, Union

from ._native import EXTERNAL_SIGN_FN, PIN_FN, lib
from ._util import Owned, TimeLike, c_string_array, enc, to_epoch
from .certificate import Certificate, CertificateList, PathLike
from .errors import Error, check, error_for

__all__ = ["Signer", "sign", "FORMATS", "LEVELS"]

FORMATS = ("xades-enveloped", "xades-detached", "xades-enveloping", "cades-detached", "cades-attached", "asice")
LEVELS = {"B": 0, "T": 1, "LT": 2, "LTA": 3}
_MODES = {"new": 0, "parallel": 1, "countersign": 2}
_ECANCELED, _ELIMIT = -14, -4

SignFunction = Callable[[str, bytes], bytes]
PinLike = Union[str, bytes, bytearray, Callable[[str, bool], Union[str, bytes, bytearray]]]


class _Callbacks:
    """What a Signer's C callbacks need: the ctypes function objects (kept alive with the Signer,
    since C calls them until the signer is freed) and the first exception one of them raised."""

    def __init__(self) -> None:
        self.keep: list = []
        self.error: Optional[BaseException] = None

    def code_for(self, e: BaseException) -> int:
        """Records the exception; the EMZA_E* code the callback returns to C instead of raising."""
        if self.error is None:
            self.error = e
        return e.code if isinstance(e, Error) and e.code < 0 else _ECANCELED

    def check(self, rc: int) -> int:
        """check(rc), chaining the exception a callback raised during the call (then forgotten)."""
        raised, self.error = self.error, None
        if rc < 0:
            err = error_for(rc)
            if raised is not None:
                raise err from raised
            raise err
        return rc


def _pin_callback(pin: PinLike, callbacks: _Callbacks):
    """The emza_pin_fn for ``pin``: a constant (kept in a C buffer wiped when the signer closes) or a
    function called each time the token asks."""
    if isinstance(pin, (str, bytes, bytearray)):
        raw = pin.encode("utf-8") if isinstance(pin, str) else bytes(pin)
        held = ctypes.create_string_buffer(raw, max(len(raw), 1))
        length = len(raw)
        callbacks.keep.append(held)

        def ask(_label: str, _for_signature: bool):
            return held, length
    elif callable(pin):
        def ask(label: str, for_signature: bool):
            value = pin(label, for_signature)
            if isinstance(value, str):
                value = value.encode("utf-8")
            if not isinstance(value, (bytes, bytearray)):
                raise TypeError(f"the PIN function returned {type(value).__name__}, not str or bytes")
            return value, len(value)
    else:
        raise TypeError("pin must be a str, bytes or a function (token_label, for_signature) -> PIN")

    def c_pin(_ctx, token_label, for_signature, buf, size, out_len) -> int:
        try:
            value, n = ask((token_label or b"").decode("utf-8", "replace"), bool(for_signature))
            try:
                if n > size:
                    raise error_for(_ELIMIT, f"the PIN is longer than {size} bytes")
                if isinstance(value, bytearray):  # copied straight from the caller's buffer, no bytes copy
                    view = (ctypes.c_char * n).from_buffer(value)
                    ctypes.memmove(buf, view, n)
                    del view
                else:
                    ctypes.memmove(buf, value, n)
                out_len[0] = n
            finally:
                if isinstance(value, bytearray):  # the caller's own copy: wipe it now
                    value[:] = bytes(len(value))
            return 0
        except BaseException as e:  # noqa: BLE001 - must not cross into C
            return callbacks.code_for(e)

    fn = PIN_FN(c_pin)
    callbacks.keep.append(fn)
    return fn


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

    def __init__(self, ptr: int, callbacks: Optional[_Callbacks] = None) -> None:
        """Internal: use Signer.from_pkcs12(), from_pem(), from_pkcs11() or external()."""
        super().__init__(ptr)
        self._sign_lock = threading.Lock()
        self._callbacks = callbacks or _Callbacks()

    def close(self) -> None:
        """Releases the C signer now and wipes its key (and a PIN it holds); idempotent."""
        super().close()
        for held in getattr(self, "_callbacks", _Callbacks()).keep:
            if isinstance(held, ctypes.Array):
                ctypes.memset(held, 0, ctypes.sizeof(held))

    def _run(self, call: Callable[[int], int]) -> int:
        """Runs ``call(signer pointer)`` alone on this signer; raises its error (chaining a callback's)."""
        with self._sign_lock, self._use() as p:
            self._callbacks.error = None
            return self._callbacks.check(call(p))

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

    @classmethod
    def from_pkcs11(cls, module: PathLike, *, token: Optional[str] = None, slot: Optional[int] = None,
                    key_label: Optional[str] = None, key_id: Optional[str] = None, pin: Optional[PinLike] = None,
                    chain: Optional[PathLike] = None) -> "Signer":
        """Opens a signer on a smart card or token through the PKCS#11 module (.so) ``module``.

        ``token`` (its label) or ``slot`` choose the token (neither: the only
        one present); ``key_label`` and/or ``key_id`` (CKA_ID in hex) the key
        (neither: the only one). ``chain``: a PEM bundle of CA certificates
        instead of those on the token.

        ``pin``: None for a token that needs none (or has a PIN pad); a
        function ``(token_label, for_signature) -> PIN`` called when the token
        asks (at log-in, and before each signature by a key that needs the
        PIN every time); or the PIN itself. What Python can promise about the
        PIN: the library copies it into a C buffer it wipes right after the
        log-in, and never logs or keeps it. A PIN function's result is used
        once and dropped; return a ``bytearray`` and it is zeroed in place
        right after the copy. A ``str`` or ``bytes`` cannot be wiped (they are
        immutable, and Python may have copied them): they stay in memory
        until the garbage collector reuses it, so prefer a function that
        reads the PIN into a bytearray. A constant PIN is copied into a C
        buffer the Signer keeps (a key that asks at every signature needs it
        again) and wipes on close().

        Raises FileError (the module cannot be loaded), NotFoundError (no such
        token or key; the message names what was looked for), PinError (the
        token refused the PIN), PinLockedError, InvalidArgumentError (several
        tokens or keys match), or the error a PIN function raised (as its
        ``__cause__``; CancelledError unless it raised an emza.Error).
        """
        callbacks = _Callbacks()
        keep = {k: enc(v) for k, v in dict(module=module, token=token, key_label=key_label, key_id=key_id,
                                           chain=chain).items()}
        opts = ctypes.c_void_p()
        check(lib.emza_pkcs11_options_new(ctypes.byref(opts)))
        try:
            check(lib.emza_pkcs11_options_set_module(opts, keep["module"]))
            check(lib.emza_pkcs11_options_set_token_label(opts, keep["token"]))
            if slot is not None:
                check(lib.emza_pkcs11_options_set_slot(opts, int(slot)))
            check(lib.emza_pkcs11_options_set_key_label(opts, keep["key_label"]))
            check(lib.emza_pkcs11_options_set_key_id(opts, keep["key_id"]))
            check(lib.emza_pkcs11_options_set_chain(opts, keep["chain"]))
            if pin is not None:
                check(lib.emza_pkcs11_options_set_pin(opts, _pin_callback(pin, callbacks), None))
            out = ctypes.c_void_p()
            callbacks.check(lib.emza_signer_open_pkcs11(ctypes.byref(out), opts))
            return cls(out.value, callbacks)
        except BaseException:
            for held in callbacks.keep:
                if isinstance(held, ctypes.Array):
                    ctypes.memset(held, 0, ctypes.sizeof(held))
            raise
        finally:
            lib.emza_pkcs11_options_free(opts)

    @classmethod
    def external(cls, certificate: Union[Certificate, PathLike], sign_fn: SignFunction, *,
                 chain: Optional[Iterable[PathLike]] = None) -> "Signer":
        """A signer whose signatures come from ``sign_fn(algorithm, digest) -> signature bytes``.

        ``algorithm`` names what to make, as the report does: "rsa-sha256",
        "rsa-pss-sha256" (MGF1 with the same digest, salt as long as the
        digest), "ecdsa-sha384"...; ``digest`` is the hash to sign as a
        pre-computed hash (``openssl pkeyutl -sign -pkeyopt digest:sha256``,
        a remote HSM's "sign hash"). Return the RSA signature, or for ECDSA a
        DER Ecdsa-Sig-Value or raw r||s. Every signature is checked with the
        certificate's key before it is used. ``certificate``: a Certificate or
        a file; ``chain``: CA certificate files to embed.

        ``sign_fn`` is called on the signing thread. It is kept alive as long
        as the Signer; an exception it raises makes the signing fail with the
        library's error (CancelledError, or the code of an emza.Error it
        raised) whose ``__cause__`` is that exception.
        """
        if not callable(sign_fn):
            raise TypeError("sign_fn must be a function (algorithm, digest) -> signature")
        callbacks = _Callbacks()

        def c_sign(_ctx, algorithm, digest, digest_len, sig, size, out_len) -> int:
            try:
                result = sign_fn(algorithm.decode("ascii"), ctypes.string_at(digest, digest_len))
                data = bytes(result)
                if len(data) > size:
                    raise error_for(_ELIMIT, f"the external signature has {len(data)} bytes, more than {size}")
                ctypes.memmove(sig, data, len(data))
                out_len[0] = len(data)
                return 0
            except BaseException as e:  # noqa: BLE001 - must not cross into C
                return callbacks.code_for(e)

        fn = EXTERNAL_SIGN_FN(c_sign)
        callbacks.keep.append(fn)
        cert = certificate if isinstance(certificate, Certificate) else Certificate.load(certificate)
        try:
            with cert._use() as cp, CertificateList.of(chain) as extra, extra._use_or_none() as chp:
                out = ctypes.c_void_p()
                check(lib.emza_signer_new_external(ctypes.byref(out), cp, chp, fn, None))
            return cls(out.value, callbacks)
        finally:
            if cert is not certificate:
                cert.close()

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


class _SignOptions:
    """An emza_sign_options built from emza.sign()'s keywords, with the strings it borrows kept alive.
    Use as a context manager: the C options are freed on exit."""

    def __init__(self, *, format: str, level: str = "B", digest: Optional[str] = None, rsa_pss: bool = False,
                 signing_time: Optional[TimeLike] = None, mode: str = "new", existing: Optional[PathLike] = None,
                 mime_type: Optional[str] = None, signer_role: Optional[str] = None,
                 production_place: Optional[Tuple[Optional[str], Optional[str]]] = None,
                 policy: Optional[Tuple[str, str]] = None, tsa_url: Optional[str] = None,
                 timeout: Optional[int] = None) -> None:
        fmt = lib.emza_format_from_name(enc(format))
        if fmt == 0:
            raise error_for(-1, f"unknown format {format!r} (one of {', '.join(FORMATS)})")
        if level not in LEVELS:
            raise error_for(-1, f"unknown level {level!r} (B, T, LT, LTA)")
        if mode not in _MODES:
            raise error_for(-1, f"unknown mode {mode!r} (new, parallel, countersign)")
        # Every string handed to the options must outlive the call that uses them: keep them here.
        keep = {k: enc(v) for k, v in dict(digest=digest, existing=existing, mime_type=mime_type,
                                           signer_role=signer_role, tsa_url=tsa_url).items()}
        city, country = production_place or (None, None)
        keep["city"], keep["country"] = enc(city), enc(country)
        oid, policy_hash = policy or (None, None)
        keep["oid"], keep["policy_hash"] = enc(oid), enc(policy_hash)
        self._keep = keep
        self.ptr = ctypes.c_void_p()
        check(lib.emza_sign_options_new(ctypes.byref(self.ptr), fmt))
        try:
            opts = self.ptr
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
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        lib.emza_sign_options_free(self.ptr)
        self.ptr = ctypes.c_void_p()

    def __enter__(self) -> "_SignOptions":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _input_list(inputs: Union[PathLike, Sequence[PathLike]]) -> list:
    if isinstance(inputs, (str, bytes, os.PathLike)):
        return [inputs]
    return list(inputs)


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
    NetworkError, CryptoError, PinError (a card key), or the error an external
    signer's function raised (as ``__cause__``); nothing is written then.
    """
    inputs = _input_list(inputs)
    arr = c_string_array(inputs)
    with _SignOptions(format=format, level=level, digest=digest, rsa_pss=rsa_pss, signing_time=signing_time,
                      mode=mode, existing=existing, mime_type=mime_type, signer_role=signer_role,
                      production_place=production_place, policy=policy, tsa_url=tsa_url,
                      timeout=timeout) as opts:
        out = enc(output)
        signer._run(lambda sp: lib.emza_sign(sp, opts.ptr, arr, len(inputs), out))
    return os.fspath(output)
