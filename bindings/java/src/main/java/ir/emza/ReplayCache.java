package ir.emza;

/**
 * A thread-safe, bounded, in-memory record of used nonces for one process: share one between the
 * log-in verifications of a process. Full of unexpired nonces, it fails closed (ELIMIT). A server
 * that runs several processes needs a shared store instead (auth.h, emza_replay_fn).
 */
public final class ReplayCache extends Handle {
    /** An empty cache for at most {@code maxEntries} nonces (0: 65536). */
    public ReplayCache(long maxEntries) {
        super(Native.replayCacheNew(maxEntries), Native::replayCacheFree, "replay cache");
    }

    /** Nonces held now (expired ones not yet evicted included). */
    public long size() {
        return use(Native::replayCacheCount);
    }
}
