#!/usr/bin/env python3
"""bank_login.py — a bank logs a citizen in by challenge and response (the Python twin of
examples/c/bank_login.c).

    EMZA_PASS=... python3 bank_login.py CITIZEN-AUTH.p12 TRUST-ANCHORS.pem INTERMEDIATES.pem

Both sides run here to show the flow (docs/AUTH.md): the bank makes a
challenge, the citizen's side signs a token with the card's authentication
key, the bank verifies it and prints who logged in, then shows that the same
token, replayed, is refused. Exit status: 0 logged in (and the replay
refused), 1 the token was refused, 4 an operational error.
"""
import os
import sys

import emza

ORIGIN = "https://bank.example"

if len(sys.argv) != 4:
    sys.exit(f"usage: EMZA_PASS=... {sys.argv[0]} CITIZEN-AUTH.p12 TRUST-ANCHORS.pem INTERMEDIATES.pem")
key, anchors, intermediates = sys.argv[1:]

try:
    # The bank, once at start-up: trust anchors and a replay cache shared by all log-ins.
    trust = emza.TrustStore(anchors)
    cache = emza.auth.ReplayCache()

    # 1. The bank makes a challenge and keeps three values in the citizen's session.
    with emza.auth.Challenge.new() as challenge:
        session = (challenge.nonce, challenge.issued_at, challenge.lifetime)
    print(f"bank: challenge {session[0]} (valid {session[2]} s)")

    # 2. The citizen's side signs a token for the bank's origin and the nonce.
    with emza.Signer.from_pkcs12(key, os.environ.get("EMZA_PASS", "")) as citizen:
        token = emza.auth.sign_token(citizen, ORIGIN, session[0])
    print(f"citizen: signed a token for {ORIGIN}")

    # 3. The bank rebuilds the challenge from the session and verifies the token for its own origin.
    with emza.auth.Challenge.restore(*session) as challenge:
        try:
            who = emza.auth.verify_token(token, challenge, ORIGIN, trust=trust, untrusted=[intermediates],
                                         offline=True, replay_cache=cache)
        except emza.AuthError as e:
            print(f"bank: log-in refused: {e.reason} ({e.message})")
            sys.exit(1)
        print(f"bank: logged in: {who.common_name}, national code {who.national_code or '(none)'} ({who.algorithm})")

        # An attacker who captured the token sends it again: the nonce was used, so it is refused.
        try:
            emza.auth.verify_token(token, challenge, ORIGIN, trust=trust, untrusted=[intermediates],
                                   offline=True, replay_cache=cache)
            print("bank: the replayed token was NOT refused")
            sys.exit(1)
        except emza.AuthError as e:
            print(f"bank: the replayed token is refused: {e.reason}")
except emza.Error as e:  # no decision could be made: e.code, e.name, e.message
    print(f"bank_login: {e.message} ({e.name})", file=sys.stderr)
    sys.exit(4)
