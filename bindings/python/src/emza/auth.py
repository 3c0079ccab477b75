"""Citizen authentication by challenge and signed response (include/emza/auth.h, docs/AUTH.md).

A bank logs a citizen in with the authentication key of the national card::

    # server: make a challenge, keep (nonce, issued_at, lifetime) in the session, send the nonce
    challenge = emza.auth.Challenge.new()
    # citizen's side: sign a token for the bank's origin and the nonce
    token = emza.auth.sign_token(signer, "https://bank.example", challenge.nonce)
    # server: rebuild the challenge from the session and verify the token
    challenge = emza.auth.Challenge.restore(nonce, issued_at, lifetime)
    who = emza.auth.verify_token(token, challenge, "https://bank.example", trust=trust, replay_cache=cache)
    print(who.national_code)

A refused token raises emza.AuthError whose ``reason`` says why
("EXPIRED", "REPLAYED", "ORIGIN_MISMATCH", "BAD_SIGNATURE", "UNTRUSTED", ...).
Other exceptions mean no decision could be made.

Threads: Challenge and ReplayCache objects may be shared between threads;
verify_token runs in many threads at once with a shared TrustStore and
ReplayCache. A Signer signs one token at a time.
"""
from __future__ import annotations

import ctypes
import datetime as _dt
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Iterable, Optional, Union

from ._native import lib
from ._util import Owned, TimeLike, dec, enc, from_epoch, take_string, to_epoch
from .certificate import Certificate, CertificateList, PathLike, TrustLike, TrustStore
from .errors import AuthError, check, error_for
from .signing import Signer

__all__ = ["Challenge", "ReplayCache", "Identity", "sign_token", "verify_token", "normalize_origin",
           "AuthError"]

_EAUTH = AuthError.code
# The C function a ReplayCache is used through (emza_replay_fn), by address.
_REPLAY_CACHE_USE = ctypes.cast(lib.emza_replay_cache_use, ctypes.c_void_p)


class Challenge(Owned):
    """A challenge: a random nonce, its issue time and lifetime. Immutable and shareable."""

    _free = staticmethod(lib.emza_auth_challenge_free)
    _what = "challenge"

    @classmethod
    def new(cls, lifetime: int = 0) -> "Challenge":
        """A fresh challenge (256 random bits) issued now, valid ``lifetime`` seconds (0: 300; at most 900).
        Raises InvalidArgumentError for a lifetime above the maximum."""
        if lifetime < 0:
            raise error_for(-1, "a challenge lifetime cannot be negative")
        out = ctypes.c_void_p()
        check(lib.emza_auth_challenge_new(ctypes.byref(out), int(lifetime)))
        return cls(out.value)

    @classmethod
    def restore(cls, nonce: str, issued_at: TimeLike, lifetime: int = 0) -> "Challenge":
        """The challenge a server kept in its session: the nonce it sent, when it was issued (datetime,
        epoch seconds or ISO 8601 text) and its lifetime. Raises InvalidArgumentError (a bad nonce, ...)."""
        if lifetime < 0:
            raise error_for(-1, "a challenge lifetime cannot be negative")
        out = ctypes.c_void_p()
        check(lib.emza_auth_challenge_restore(ctypes.byref(out), enc(nonce), to_epoch(issued_at), int(lifetime)))
        return cls(out.value)

    @property
    def nonce(self) -> str:
        """The nonce in base64: send it to the citizen's side."""
        with self._use() as p:
            return dec(lib.emza_auth_challenge_nonce(p)) or ""

    @property
    def issued_at(self) -> _dt.datetime:
        with self._use() as p:
            return from_epoch(lib.emza_auth_challenge_issued_at(p))

    @property
    def expires_at(self) -> _dt.datetime:
        with self._use() as p:
            return from_epoch(lib.emza_auth_challenge_expires_at(p))

    @property
    def lifetime(self) -> int:
        """Seconds."""
        with self._use() as p:
            return int(lib.emza_auth_challenge_lifetime(p))

    def __repr__(self) -> str:
        return "<emza.auth.Challenge closed>" if self.closed else f"<emza.auth.Challenge {self.nonce}>"


class ReplayCache(Owned):
    """A thread-safe, bounded, in-memory record of used nonces for one process (auth.h).

    Share one between the verifications of a process. Full of unexpired nonces,
    it fails closed: verify_token raises LimitError rather than forget a nonce.
    A server that runs several processes needs a shared store instead.
    """

    _free = staticmethod(lib.emza_replay_cache_free)
    _what = "replay cache"

    def __init__(self, max_entries: int = 0) -> None:
        """An empty cache for at most ``max_entries`` nonces (0: 65536)."""
        if max_entries < 0:
            raise error_for(-1, "max_entries cannot be negative")
        out = ctypes.c_void_p()
        check(lib.emza_replay_cache_new(ctypes.byref(out), int(max_entries)))
        super().__init__(out.value)

    def __len__(self) -> int:
        """Nonces held now (expired ones not yet evicted included)."""
        with self._use() as p:
            return int(lib.emza_replay_cache_count(p))


@dataclass(frozen=True)
class Identity:
    """Who logged in: the identity in the authenticating certificate, and what the token was verified for."""
    national_code: Optional[str]
    legal_id: Optional[str]
    given_name: Optional[str]
    surname: Optional[str]
    common_name: Optional[str]
    origin: str
    algorithm: str
    certificate_der: bytes

    def certificate(self) -> Certificate:
        """The authenticating certificate as a new Certificate (close it when done)."""
        return Certificate.from_bytes(self.certificate_der)


def normalize_origin(origin: str) -> str:
    """A web origin as tokens are signed and compared ("HTTPS://Bank.Example:443/" -> "https://bank.example").
    Raises InvalidArgumentError for a path, query, user information or anything that is not an origin."""
    out = ctypes.c_void_p()
    check(lib.emza_auth_origin_normalize(ctypes.byref(out), enc(origin)))
    return take_string(out)


def sign_token(signer: Signer, origin: str, nonce: Union[str, Challenge], algorithm: Optional[str] = None) -> str:
    """The citizen's side: a token (JSON text) signing ``origin`` and the challenge's ``nonce`` with the
    signer's key (a file, a card through PKCS#11, an external signer).

    ``algorithm``: "ES256", "ES384", "ES512" (EC keys), "RS256", "PS256", ...
    (RSA keys); None: the key's default. Raises InvalidArgumentError (a bad
    origin or nonce, an algorithm that does not fit the key), PinError, or
    the error an external signer raised (as ``__cause__``).
    """
    if isinstance(nonce, Challenge):
        nonce = nonce.nonce
    raw_alg, raw_origin, raw_nonce = enc(algorithm), enc(origin), enc(nonce)
    opts = ctypes.c_void_p()
    check(lib.emza_auth_sign_options_new(ctypes.byref(opts)))
    try:
        check(lib.emza_auth_sign_options_set_algorithm(opts, raw_alg))
        out = ctypes.c_void_p()
        signer._run(lambda sp: lib.emza_auth_sign(ctypes.byref(out), sp, raw_origin, raw_nonce, opts))
        return take_string(out)
    finally:
        lib.emza_auth_sign_options_free(opts)


def verify_token(token: Union[str, bytes], challenge: Challenge, origin: str, *, trust: TrustLike,
                 untrusted: Optional[Iterable[PathLike]] = None, at: Optional[TimeLike] = None,
                 offline: bool = False, replay_cache: Optional[ReplayCache] = None,
                 clock_skew: Optional[int] = None, timeout: Optional[int] = None) -> Identity:
    """The server's side: verifies ``token`` for ``challenge`` and the server's own ``origin``; returns who
    logged in.

    ``trust``: a TrustStore or anchor files; ``untrusted``: intermediate CA
    files; ``at``: validate at this time instead of now; ``offline``: no
    network (a declared revocation source then refuses as TRY_LATER);
    ``replay_cache``: the ReplayCache that records used nonces (None: the
    process-wide default cache); ``clock_skew``: seconds tolerated (default
    60, at most 300); ``timeout``: seconds per revocation request.

    Raises AuthError with ``reason`` ("MALFORMED", "EXPIRED", "NOT_YET_VALID",
    "REPLAYED", "ORIGIN_MISMATCH", "ALGORITHM", "BAD_SIGNATURE", "UNTRUSTED",
    "REVOKED", "KEY_USAGE", "CERT_EXPIRED", "TRY_LATER") when the token is
    refused; InvalidArgumentError, LimitError (a full replay cache) and others
    when no decision could be made. The nonce is consumed only by a token that
    passed every other check. Thread-safe with shared trust and cache.
    """
    raw = token.encode("utf-8") if isinstance(token, str) else bytes(token)
    raw_origin = enc(origin)
    with ExitStack() as stack:
        store = stack.enter_context(TrustStore._coerce(trust))
        extra = stack.enter_context(CertificateList.of(untrusted))
        opts = ctypes.c_void_p()
        check(lib.emza_auth_verify_options_new(ctypes.byref(opts)))
        stack.callback(lib.emza_auth_verify_options_free, opts)
        check(lib.emza_auth_verify_options_set_offline(opts, 1 if offline else 0))
        if at is not None:
            check(lib.emza_auth_verify_options_set_validation_time(opts, to_epoch(at)))
        if clock_skew is not None:
            if clock_skew < 0:
                raise error_for(-1, "clock_skew cannot be negative")
            check(lib.emza_auth_verify_options_set_clock_skew(opts, int(clock_skew)))
        if timeout is not None:
            check(lib.emza_auth_verify_options_set_timeout(opts, int(timeout)))
        check(lib.emza_auth_verify_options_set_trust(opts, stack.enter_context(store._use())))
        check(lib.emza_auth_verify_options_set_untrusted(opts, stack.enter_context(extra._use_or_none())))
        if replay_cache is not None:
            cp = stack.enter_context(replay_cache._use())
            check(lib.emza_auth_verify_options_set_replay(opts, _REPLAY_CACHE_USE, cp))
        cp = stack.enter_context(challenge._use())
        out = ctypes.c_void_p()
        reason = ctypes.c_int(0)
        rc = lib.emza_auth_verify(ctypes.byref(out), ctypes.byref(reason), raw, len(raw), cp, raw_origin, opts)
        if rc == _EAUTH:
            err = error_for(rc)
            err.reason = dec(lib.emza_auth_reason_name(reason.value))
            raise err
        check(rc)
        ident = out.value
        try:
            def get(name: str) -> Optional[str]:
                return dec(getattr(lib, "emza_auth_identity_" + name)(ident))
            cert = lib.emza_auth_identity_cert(ident)
            n = ctypes.c_size_t()
            der = lib.emza_cert_der(cert, ctypes.byref(n))
            return Identity(national_code=get("national_code"), legal_id=get("legal_id"),
                            given_name=get("given_name"), surname=get("surname"), common_name=get("common_name"),
                            origin=get("origin") or "", algorithm=get("algorithm") or "",
                            certificate_der=ctypes.string_at(der, n.value))
        finally:
            lib.emza_auth_identity_free(ident)
