package ir.emza;

/**
 * An authentication token was refused (EAUTH): {@link #reason()} says why, as auth.h names it:
 * "MALFORMED", "EXPIRED", "NOT_YET_VALID", "REPLAYED", "ORIGIN_MISMATCH", "ALGORITHM",
 * "BAD_SIGNATURE", "UNTRUSTED", "REVOKED", "KEY_USAGE", "CERT_EXPIRED", "TRY_LATER".
 */
public final class AuthException extends EmzaException {
    private static final long serialVersionUID = 1L;

    private final String reason;

    public AuthException(int code, String name, String message, String reason) {
        super(code, name, message);
        this.reason = reason;
    }

    /** Why the token was refused. */
    public String reason() {
        return reason;
    }
}
