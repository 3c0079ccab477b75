package ir.emza;

/**
 * Trust anchors from PEM bundles, DER files or directories of them; every certificate given is an
 * anchor. Immutable and thread-safe: build one and share it between verifications and threads.
 */
public final class TrustStore extends Handle {
    private TrustStore(long handle) {
        super(handle, Native::trustFree, "trust store");
    }

    /** Loads the anchors. EmzaException EIO, EFORMAT, EINVAL (no path). */
    public static TrustStore load(String... paths) {
        if (paths == null || paths.length == 0) {
            throw EmzaException.of(EmzaException.EINVAL, "a trust store needs at least one path");
        }
        return new TrustStore(Native.trustLoad(Native.bytes(paths)));
    }

    /** The number of anchors. */
    public int size() {
        return use(Native::trustCount);
    }
}
