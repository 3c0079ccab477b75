package ir.emza;

/**
 * The application's signing operation for {@link Signer#external}: a remote HSM, a web signing flow.
 * Called on the signing thread, once per signature.
 */
@FunctionalInterface
public interface ExternalSigner {
    /**
     * Signs {@code digest} as a pre-computed hash. {@code algorithm} names what to make, as the report
     * does: "rsa-sha256", "rsa-pss-sha256" (MGF1 with the same digest, salt as long as the digest),
     * "ecdsa-sha384"... Returns the RSA signature, or for ECDSA a DER Ecdsa-Sig-Value or raw r||s.
     * Whatever it throws fails the signing: an {@link EmzaException} with its own code, anything else
     * with ECANCELED; the EmzaException the caller gets has the thrown exception as its cause.
     */
    byte[] sign(String algorithm, byte[] digest) throws Exception;
}
