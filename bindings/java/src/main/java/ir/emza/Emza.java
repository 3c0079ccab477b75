package ir.emza;

/**
 * libemza from Java: the entry points. Everything else is in {@link Verifier}, {@link Signer},
 * {@link Certificate}, {@link TrustStore} and {@link NationalId}.
 *
 * <pre>{@code
 * try (TrustStore trust = TrustStore.load("root.pem")) {
 *     Report report = new Verifier().trust(trust).verify("deed.signed.xml");
 *     System.out.println(report.summary());
 * }
 * }</pre>
 *
 * <p>Thread safety follows the C library: Certificate and TrustStore are immutable and shareable,
 * verifications run in many threads at once, a Signer signs one document at a time (calls on one
 * Signer are serialised). Citizen log-in (challenge and response) will come as an {@code Auth} class.
 */
public final class Emza {
    private Emza() {}

    /** The version of the loaded C library, "MAJOR.MINOR.PATCH". */
    public static String version() {
        return Native.str(Native.versionString());
    }

    /** The version as MAJOR * 10000 + MINOR * 100 + PATCH. */
    public static int versionNumber() {
        return Native.versionNumber();
    }

    /** Verifies {@code path} against the anchors in {@code trustPaths} (loaded for this call). */
    public static Report verify(String path, String... trustPaths) {
        try (TrustStore trust = TrustStore.load(trustPaths)) {
            return new Verifier().trust(trust).verify(path);
        }
    }
}
