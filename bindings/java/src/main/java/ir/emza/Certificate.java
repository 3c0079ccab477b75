package ir.emza;

import java.time.Instant;

/**
 * An X.509 certificate and the identity it carries. Immutable and thread-safe; owns a C object:
 * close it (try-with-resources) or let the garbage collector release it.
 */
public final class Certificate extends Handle {
    Certificate(long handle) {
        super(handle, Native::certFree, "certificate");
    }

    /** Reads a certificate (PEM or DER) from a file. EmzaException EIO, EFORMAT, ELIMIT. */
    public static Certificate load(String path) {
        return new Certificate(Native.certLoad(Native.bytes(path)));
    }

    /** Parses a certificate from PEM or DER bytes. EmzaException EFORMAT, ELIMIT. */
    public static Certificate fromBytes(byte[] data) {
        return new Certificate(Native.certParse(data));
    }

    private String s(int which) {
        return use(h -> Native.str(Native.certString(h, which)));
    }

    private long l(int which) {
        return use(h -> Native.certLong(h, which));
    }

    // The order of the getters in emza_jni.c's certString.
    public String subject() { return s(0); }
    public String issuer() { return s(1); }
    public String commonName() { return s(2); }
    public String givenName() { return s(3); }
    public String surname() { return s(4); }
    public String organization() { return s(5); }
    public String country() { return s(6); }
    /** The subject's serialNumber attribute as written ("PNOIR-0499370899"). */
    public String serialNumber() { return s(7); }
    public String organizationIdentifier() { return s(8); }
    /** The checksum-valid national code, or null. */
    public String nationalCode() { return s(9); }
    /** The checksum-valid legal-entity id, or null. */
    public String legalId() { return s(10); }
    public String serialHex() { return s(11); }
    public String sha256Hex() { return s(12); }
    public String keyAlgorithm() { return s(13); }
    public String signatureAlgorithm() { return s(14); }
    public Instant notBefore() { return Instant.ofEpochSecond(l(0)); }
    public Instant notAfter() { return Instant.ofEpochSecond(l(1)); }
    public int keyBits() { return (int) l(2); }
    public boolean isCa() { return l(3) == 1; }
    /** The DER encoding. */
    public byte[] der() { return use(Native::certDer); }

    /** Who the certificate names. */
    public Identity identity() {
        return new Identity(subject(), commonName(), givenName(), surname(), nationalCode(), legalId(),
                organization(), sha256Hex());
    }

    /**
     * Validates this certificate's chain to {@code trust}: a verdict, not an exception.
     *
     * @param purpose "sign", "auth", "timestamp" or "any"
     * @param at the validation time, or null for now
     * @param offline true forbids every network access
     * @param untrusted extra CA certificate files for chain building
     */
    public ChainResult verify(TrustStore trust, String purpose, Instant at, boolean offline, String... untrusted) {
        int p;
        switch (purpose == null ? "sign" : purpose) {
            case "any": p = 0; break;
            case "sign": p = 1; break;
            case "auth": p = 2; break;
            case "timestamp": p = 3; break;
            default: throw EmzaException.of(EmzaException.EINVAL, "unknown purpose " + purpose);
        }
        long list = untrusted.length == 0 ? 0 : Native.certListFromPaths(Native.bytes(untrusted));
        try {
            long r = trust.use(t -> use(c -> Native.trustVerify(t, c, p, at != null,
                    at == null ? 0 : at.getEpochSecond(), list, offline)));
            try {
                return ChainResult.from(r);
            } finally {
                Native.chainResultFree(r);
            }
        } finally {
            Native.certListFree(list);
        }
    }

    @Override
    public String toString() {
        return isClosed() ? "Certificate(closed)" : "Certificate(" + subject() + ")";
    }
}
