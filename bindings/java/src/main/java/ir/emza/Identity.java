package ir.emza;

/** Who a certificate names: the report's "signer" object. Strings may be null when absent. */
public final class Identity {
    private final String subject, commonName, givenName, surname, nationalCode, legalId, organization, sha256;

    Identity(String subject, String commonName, String givenName, String surname, String nationalCode,
             String legalId, String organization, String sha256) {
        this.subject = subject;
        this.commonName = commonName;
        this.givenName = givenName;
        this.surname = surname;
        this.nationalCode = nationalCode;
        this.legalId = legalId;
        this.organization = organization;
        this.sha256 = sha256;
    }

    public String subject() { return subject; }
    public String commonName() { return commonName; }
    public String givenName() { return givenName; }
    public String surname() { return surname; }
    public String nationalCode() { return nationalCode; }
    public String legalId() { return legalId; }
    public String organization() { return organization; }
    public String certificateSha256() { return sha256; }

    @Override
    public String toString() { return commonName + (nationalCode != null ? " (" + nationalCode + ")" : ""); }
}
