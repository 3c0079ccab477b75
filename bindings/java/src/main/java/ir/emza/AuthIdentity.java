package ir.emza;

/** Who logged in: the identity of the authenticating certificate and what the token was verified for. */
public final class AuthIdentity {
    private final String nationalCode, legalId, givenName, surname, commonName, origin, algorithm;
    private final byte[] certificateDer;

    private AuthIdentity(String[] s, byte[] der) {
        nationalCode = s[0];
        legalId = s[1];
        givenName = s[2];
        surname = s[3];
        commonName = s[4];
        origin = s[5];
        algorithm = s[6];
        certificateDer = der;
    }

    /** Copies everything out of the C identity, then releases it. */
    static AuthIdentity take(long handle) {
        try {
            String[] s = new String[7];
            for (int i = 0; i < s.length; i++) {
                s[i] = Native.str(Native.identityString(handle, i));
            }
            return new AuthIdentity(s, Native.identityCertDer(handle));
        } finally {
            Native.identityFree(handle);
        }
    }

    /** The checksum-valid national code, or null. */
    public String nationalCode() { return nationalCode; }
    /** The legal-entity id, or null. */
    public String legalId() { return legalId; }
    public String givenName() { return givenName; }
    public String surname() { return surname; }
    public String commonName() { return commonName; }
    /** The normalised origin the token was verified for. */
    public String origin() { return origin; }
    /** The token's algorithm ("ES256", ...). */
    public String algorithm() { return algorithm; }
    /** The authenticating certificate (DER). */
    public byte[] certificateDer() { return certificateDer.clone(); }
    /** The authenticating certificate as a new Certificate (close it when done). */
    public Certificate certificate() { return Certificate.fromBytes(certificateDer); }

    @Override
    public String toString() { return commonName + (nationalCode != null ? " (" + nationalCode + ")" : ""); }
}
