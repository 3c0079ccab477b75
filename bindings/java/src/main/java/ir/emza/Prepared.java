package ir.emza;

import java.time.Instant;
import java.util.Objects;

/**
 * Two-step signing (prepare.h): {@link #prepare} without the key, have {@link #digest()} signed
 * elsewhere (the citizen's browser, a remote HSM) as {@link #signatureAlgorithm()} says, then
 * {@link #finalizeSigning}. Between the steps keep {@link #toJson()} (or {@link #save}) and rebuild
 * with {@link #fromJson} (or {@link #load}). The state is not secret but names the files finalize
 * reads: keep it on the server or authenticate it. Not modified after it is made: thread-safe.
 */
public final class Prepared extends Handle {
    private Prepared(long handle) {
        super(handle, Native::preparedFree, "prepared signing");
    }

    /**
     * Prepares the signing of {@code inputs} by {@code cert}'s key as {@link Signer#sign} would make it;
     * {@code chainPaths}: CA certificate files to embed. Nothing is written and no network is used.
     * EmzaException as Signer.sign before its signature, EUNSUPPORTED for a countersignature.
     */
    public static Prepared prepare(Certificate cert, SignOptions options, String[] chainPaths, String... inputs) {
        int format = options.formatNumber();
        byte[][] strings = options.strings();
        byte[][] in = Native.bytes(inputs);
        long chain = chainPaths == null || chainPaths.length == 0 ? 0 : Native.certListFromPaths(Native.bytes(chainPaths));
        try {
            return new Prepared(cert.use(c -> Native.prepare(c, chain, format, options.level, options.mode,
                    options.rsaPss, options.signingTime != null, options.signingTimeSeconds(), options.timeout,
                    strings, in)));
        } finally {
            Native.certListFree(chain);
        }
    }

    /** A state from {@link #toJson()}'s text, parsed strictly. EmzaException EFORMAT, ELIMIT. */
    public static Prepared fromJson(String json) {
        return new Prepared(Native.preparedFromJson(Native.bytes(json)));
    }

    /** A state written by {@link #save}. EmzaException EIO, EFORMAT, ELIMIT. */
    public static Prepared load(String path) {
        return new Prepared(Native.preparedLoad(Native.bytes(path)));
    }

    /**
     * A state from {@link #toJson(byte[])}'s text, read only when sealed with {@code key} (prepare.h,
     * "Sealed states"). EmzaException ECRYPTO (the seal refused: altered, another key, not sealed),
     * EINVAL (a key shorter than 32 bytes), ELIMIT (longer than 1024), EFORMAT.
     */
    public static Prepared fromJson(String json, byte[] key) {
        return new Prepared(Native.preparedSealedFromJson(Native.bytes(json), Objects.requireNonNull(key, "key")));
    }

    /** A state written by {@link #save(String, byte[])} with the same {@code key}; errors as above and EIO. */
    public static Prepared load(String path, byte[] key) {
        return new Prepared(Native.preparedSealedLoad(Native.bytes(path), Objects.requireNonNull(key, "key")));
    }

    /** The digest to sign as a pre-computed hash (32, 48 or 64 bytes). */
    public byte[] digest() { return use(Native::preparedDigest); }
    /** "sha256", "sha384" or "sha512". */
    public String digestAlgorithm() { return use(h -> Native.str(Native.preparedString(h, 0))); }
    /** "rsa-sha256", "rsa-pss-sha256", "ecdsa-sha256", ... */
    public String signatureAlgorithm() { return use(h -> Native.str(Native.preparedString(h, 1))); }
    /** The claimed signing time fixed at prepare. */
    public Instant signingTime() { return Instant.ofEpochSecond(use(Native::preparedSigningTime)); }
    /** The signing certificate (a reference of its own: close it or let the GC). */
    public Certificate certificate() { return new Certificate(use(Native::preparedCert)); }
    /** The state as JSON text. */
    public String toJson() { return use(h -> Native.str(Native.preparedString(h, 2))); }

    /**
     * The state as JSON text sealed with {@code key} (32 to 1024 bytes): an HMAC-SHA256 a client cannot
     * forge, for a state handed to it. EmzaException EINVAL, ELIMIT (the key's length).
     */
    public String toJson(byte[] key) {
        Objects.requireNonNull(key, "key");
        return use(h -> Native.str(Native.preparedSealedToJson(h, key)));
    }

    /** Writes the state sealed with {@code key}, atomically. EmzaException EIO, EINVAL, ELIMIT. */
    public void save(String path, byte[] key) {
        Objects.requireNonNull(key, "key");
        use(h -> {
            Native.preparedSealedSave(h, Native.bytes(path), key);
            return null;
        });
    }

    /** Writes the state as JSON to {@code path}, atomically. EmzaException EIO. */
    public void save(String path) {
        use(h -> {
            Native.preparedSave(h, Native.bytes(path));
            return null;
        });
    }

    /**
     * Completes the signing with {@code signature} over the digest (RSA bytes; ECDSA DER or raw r||s)
     * and writes the signed output atomically. EmzaException ECRYPTO (does not verify with the
     * certificate's key), EINVAL (an input changed since prepare), EFORMAT (an altered state), EIO;
     * nothing is written then. (Named so, not {@code finalize}, to stay clear of Object.finalize.)
     */
    public void finalizeSigning(byte[] signature, String output) {
        use(h -> {
            Native.preparedFinalize(h, signature, Native.bytes(output));
            return null;
        });
    }
}
