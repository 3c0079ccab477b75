package ir.emza;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Verifies signed documents: configure once, then {@link #verify(String)} any number of files, from
 * any number of threads (the configuration is only read). A signature that does not validate is a
 * verdict in the {@link Report}; an EmzaException means no report could be made (EIO for an
 * unreadable file, ELIMIT, EINVAL).
 */
public final class Verifier {
    private TrustStore trust;
    private final List<String> data = new ArrayList<>();
    private final List<String> untrusted = new ArrayList<>();
    private Instant at;
    private boolean offline;
    private int timeout;
    private Policy policy;

    /** The trust anchors (borrowed: keep the store open while verifying). Without it nothing is trusted. */
    public Verifier trust(TrustStore store) { this.trust = store; return this; }
    /** Detached content files, matched by file name. */
    public Verifier data(String... paths) { data.addAll(List.of(paths)); return this; }
    /** Extra CA certificate files for chain building. */
    public Verifier untrusted(String... paths) { untrusted.addAll(List.of(paths)); return this; }
    /** Validate at this time instead of now. */
    public Verifier at(Instant time) { this.at = time; return this; }
    /** True forbids every network access. */
    public Verifier offline(boolean on) { this.offline = on; return this; }
    /** Seconds per OCSP/CRL request, 0 for the default. */
    public Verifier timeout(int seconds) { this.timeout = seconds; return this; }

    /** The validation policy (borrowed: keep it open while verifying); without it the built-in default. */
    public Verifier policy(Policy rules) { this.policy = rules; return this; }

    /** Validates every signature in the file at {@code path}. */
    public Report verify(String path) {
        byte[][] d = Native.bytes(data.toArray(new String[0]));
        long list = untrusted.isEmpty() ? 0 : Native.certListFromPaths(Native.bytes(untrusted.toArray(new String[0])));
        try {
            long report = policy == null ? withTrust(path, 0, list, d)
                    : policy.use(p -> withTrust(path, p, list, d));
            try {
                return Report.from(report);
            } finally {
                Native.reportFree(report);
            }
        } finally {
            Native.certListFree(list);
        }
    }

    private long withTrust(String path, long p, long list, byte[][] d) {
        return trust == null ? call(path, 0, list, d, p) : trust.use(t -> call(path, t, list, d, p));
    }

    private long call(String path, long t, long list, byte[][] d, long p) {
        return Native.verifyFile(Native.bytes(path), t, list, at != null, at == null ? 0 : at.getEpochSecond(),
                offline, timeout, d, p);
    }
}
