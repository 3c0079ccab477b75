package ir.emza;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Citizen log-in by challenge and signed response (auth.h, docs/AUTH.md). The server makes a
 * {@link Challenge}; the citizen's side signs a token with {@link #signToken}; the server checks it
 * with a configured {@code Auth} (configure once, then {@link #verify} from any number of threads):
 * <pre>
 *   Auth auth = new Auth().trust(store).untrusted(chain).replayCache(cache);
 *   AuthIdentity who = auth.verify(token, challenge, "https://bank.example");
 * </pre>
 * A refused token throws {@link AuthException} with its {@link AuthException#reason()}.
 */
public final class Auth {
    private TrustStore trust;
    private final List<String> untrusted = new ArrayList<>();
    private Instant at;
    private boolean offline;
    private int clockSkew = -1;
    private int timeout;
    private ReplayCache replayCache;

    /**
     * The citizen's side: a token (JSON text) signing {@code origin} and the challenge's {@code nonce}
     * with the signer's key (any key source). {@code algorithm}: "ES256", "RS256", "PS256", ... or null
     * for the key's default. EmzaException EINVAL (bad origin or nonce, an algorithm that does not fit
     * the key), EPIN, or an external signer's failure (with its exception as cause).
     */
    public static String signToken(Signer signer, String origin, String nonce, String algorithm) {
        byte[] o = Native.bytes(origin), n = Native.bytes(nonce), a = Native.bytes(algorithm);
        return Native.str(signer.signing(h -> Native.authSign(h, o, n, a)));
    }

    /** "HTTPS://Bank.Example:443/" becomes "https://bank.example". EmzaException EINVAL. */
    public static String normalizeOrigin(String origin) {
        return Native.str(Native.originNormalize(Native.bytes(origin)));
    }

    /** The trust anchors (borrowed: keep the store open while verifying); required. */
    public Auth trust(TrustStore store) { this.trust = store; return this; }
    /** Intermediate CA certificate files. */
    public Auth untrusted(String... paths) { untrusted.addAll(List.of(paths)); return this; }
    /** Validate at this time instead of now. */
    public Auth at(Instant time) { this.at = time; return this; }
    /** True forbids the network (a declared revocation source then refuses as TRY_LATER). */
    public Auth offline(boolean on) { this.offline = on; return this; }
    /** Clock skew tolerated, seconds (default 60, at most 300). */
    public Auth clockSkew(int seconds) { this.clockSkew = seconds; return this; }
    /** Seconds per revocation request, 0 for the default. */
    public Auth timeout(int seconds) { this.timeout = seconds; return this; }
    /** The cache that records used nonces (borrowed); without it the process-wide default cache. */
    public Auth replayCache(ReplayCache cache) { this.replayCache = cache; return this; }

    /**
     * The server's side: verifies {@code token} for {@code challenge} and the server's own
     * {@code origin}. AuthException (with the reason) when refused; EmzaException EINVAL, ELIMIT (a
     * full replay cache) when no decision could be made. Thread-safe with shared trust and cache.
     */
    public AuthIdentity verify(String token, Challenge challenge, String origin) {
        if (trust == null) {
            throw EmzaException.of(EmzaException.EINVAL, "log-in verification needs trust anchors");
        }
        long list = untrusted.isEmpty() ? 0 : Native.certListFromPaths(Native.bytes(untrusted.toArray(new String[0])));
        try {
            byte[] t = Native.bytes(token), o = Native.bytes(origin);
            long id = trust.use(tr -> challenge.use(ch -> replayCache == null
                    ? call(t, ch, o, tr, list, 0)
                    : replayCache.use(rc -> call(t, ch, o, tr, list, rc))));
            return AuthIdentity.take(id);
        } finally {
            Native.certListFree(list);
        }
    }

    private long call(byte[] token, long challenge, byte[] origin, long tr, long list, long cache) {
        return Native.authVerify(token, challenge, origin, tr, list, at != null, at == null ? 0 : at.getEpochSecond(),
                offline, clockSkew, timeout, cache);
    }
}
