package ir.emza;

/** Asks for a token's PIN, for {@link Signer#fromPkcs11}. Called on the opening or signing thread. */
@FunctionalInterface
public interface PinCallback {
    /**
     * The PIN of the token labelled {@code tokenLabel}; {@code forSignature} is false at log-in, true
     * before each signature by a key that needs the PIN every time. The returned array is wiped
     * (filled with zeros) as soon as it is copied. Throw to decline: an {@link EmzaException} with its
     * own code, anything else fails with ECANCELED (the thrown exception becomes the cause).
     */
    char[] pin(String tokenLabel, boolean forSignature) throws Exception;
}
