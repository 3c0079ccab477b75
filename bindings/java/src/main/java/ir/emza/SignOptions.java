package ir.emza;

import java.time.Instant;

/**
 * How to sign: a builder. {@code new SignOptions("xades-enveloped")}, then optional settings.
 * Formats: xades-enveloped, xades-detached, xades-enveloping, cades-detached, cades-attached.
 */
public final class SignOptions {
    final String format;
    int level;
    int mode;
    boolean rsaPss;
    Instant signingTime;
    int timeout;
    String digest, existing, mimeType, signerRole, tsaUrl, city, country, policyOid, policySha256;

    public SignOptions(String format) {
        this.format = format;
    }

    /** "B" (default), "T" (needs {@link #tsaUrl}), "LT", "LTA". */
    public SignOptions level(String name) {
        switch (name) {
            case "B": level = 0; break;
            case "T": level = 1; break;
            case "LT": level = 2; break;
            case "LTA": level = 3; break;
            default: throw EmzaException.of(EmzaException.EINVAL, "unknown level " + name);
        }
        return this;
    }

    /** "sha256" (default), "sha384", "sha512". */
    public SignOptions digest(String name) { digest = name; return this; }
    public SignOptions rsaPss(boolean on) { rsaPss = on; return this; }
    /** The claimed signing time instead of now. */
    public SignOptions signingTime(Instant t) { signingTime = t; return this; }
    /** Add a signature beside those in {@code existingSignedFile} (co-signing). */
    public SignOptions parallel(String existingSignedFile) { mode = 1; existing = existingSignedFile; return this; }
    /** Countersign the signatures in {@code existingSignedFile} (CAdES). */
    public SignOptions countersign(String existingSignedFile) { mode = 2; existing = existingSignedFile; return this; }
    public SignOptions mimeType(String type) { mimeType = type; return this; }
    public SignOptions signerRole(String role) { signerRole = role; return this; }
    public SignOptions productionPlace(String cityName, String countryCode) { city = cityName; country = countryCode; return this; }
    public SignOptions policy(String oid, String sha256Hex) { policyOid = oid; policySha256 = sha256Hex; return this; }
    /** RFC 3161 time-stamping authority for level T. */
    public SignOptions tsaUrl(String url) { tsaUrl = url; return this; }
    /** Seconds per network request, 0 for the default. */
    public SignOptions timeout(int seconds) { timeout = seconds; return this; }

    /** The format's number; EINVAL for an unknown format. */
    int formatNumber() {
        int f = Native.formatFromName(Native.bytes(format));
        if (f == 0) {
            throw EmzaException.of(EmzaException.EINVAL, "unknown format " + format);
        }
        return f;
    }

    /** The strings as the JNI glue's sign_options() takes them, in its order. */
    byte[][] strings() {
        return new byte[][] {Native.bytes(digest), Native.bytes(existing), Native.bytes(mimeType),
            Native.bytes(signerRole), Native.bytes(tsaUrl), Native.bytes(city), Native.bytes(country),
            Native.bytes(policyOid), Native.bytes(policySha256)};
    }

    long signingTimeSeconds() {
        return signingTime == null ? 0 : signingTime.getEpochSecond();
    }
}
