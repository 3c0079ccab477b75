package ir.emza;

/**
 * An operational failure of libemza: the library's error {@code code} (a negative EMZA_E* value),
 * its symbolic {@link #name()} ("EMZA_EIO") and the message in words.
 *
 * <p>A signature that does not verify is never an exception: it is a verdict in the {@link Report}.
 * Unchecked, like {@link java.io.UncheckedIOException}; compare {@link #code()} with the constants here.
 */
public class EmzaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public static final int EINVAL = -1;
    public static final int ENOMEM = -2;
    public static final int EIO = -3;
    public static final int ELIMIT = -4;
    public static final int EFORMAT = -5;
    public static final int ECRYPTO = -6;
    public static final int ENOTFOUND = -7;
    public static final int EVERSION = -8;
    public static final int EUNSUPPORTED = -9;
    public static final int ESTATE = -10;
    public static final int EINTERNAL = -11;
    public static final int EPASSWORD = -12;
    public static final int ENETWORK = -13;
    public static final int ECANCELED = -14;
    public static final int EPIN = -15;
    public static final int EPIN_LOCKED = -16;
    public static final int EAUTH = -17;

    private final int code;
    private final String name;
    private final String detail;

    public EmzaException(int code, String name, String message) {
        super(message + " (" + name + ")");
        this.code = code;
        this.name = name;
        this.detail = message;
    }

    /** The negative EMZA_E* code. */
    public int code() {
        return code;
    }

    /** The code's symbolic name, e.g. "EMZA_EIO". */
    public String name() {
        return name;
    }

    /** The library's message in words, without the name. */
    public String detail() {
        return detail;
    }

    static EmzaException of(int code, String message) {
        return new EmzaException(code, Native.str(Native.errorName(code)), message);
    }
}
