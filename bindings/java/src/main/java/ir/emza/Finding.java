package ir.emza;

/** One error or warning: a stable code ("HASH_MISMATCH", "NO_KEY_USAGE", ...) and a message. */
public final class Finding {
    private final String code;
    private final String message;

    Finding(String code, String message) {
        this.code = code;
        this.message = message;
    }

    public String code() { return code; }
    public String message() { return message; }

    @Override
    public String toString() { return code + ": " + message; }
}
