package ir.emza;

import java.time.Instant;

/**
 * A log-in challenge: a random nonce, its issue time and lifetime (auth.h). The server keeps
 * {@link #nonce()}, {@link #issuedAt()} and {@link #lifetime()} in its session, sends the nonce, and
 * rebuilds the challenge with {@link #restore} to verify the answer. Immutable and thread-safe.
 */
public final class Challenge extends Handle {
    private Challenge(long handle) {
        super(handle, Native::challengeFree, "challenge");
    }

    /** A fresh challenge (256 random bits) valid {@code lifetimeSeconds} (0: 300; at most 900). EINVAL. */
    public static Challenge create(int lifetimeSeconds) {
        return new Challenge(Native.challengeNew(lifetimeSeconds));
    }

    /** The challenge a server kept in its session. EmzaException EINVAL (a bad nonce, lifetime). */
    public static Challenge restore(String nonce, Instant issuedAt, int lifetimeSeconds) {
        return new Challenge(Native.challengeRestore(Native.bytes(nonce), issuedAt.getEpochSecond(), lifetimeSeconds));
    }

    /** The nonce in base64: send it to the citizen's side. */
    public String nonce() { return use(h -> Native.str(Native.challengeNonce(h))); }
    public Instant issuedAt() { return Instant.ofEpochSecond(use(h -> Native.challengeLong(h, 0))); }
    public Instant expiresAt() { return Instant.ofEpochSecond(use(h -> Native.challengeLong(h, 1))); }
    /** Seconds. */
    public int lifetime() { return use(h -> (int) Native.challengeLong(h, 2)); }
}
