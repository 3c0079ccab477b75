package ir.emza;

import java.lang.ref.Cleaner;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;

/**
 * A C object owned by a Java object: released exactly once, by {@link #close()} or, when the owner
 * is garbage-collected without being closed, by a {@link Cleaner}. Calls hold a read lock while they
 * use the handle, so {@code close()} from another thread waits for running calls; use after close
 * throws EmzaException(ESTATE).
 */
abstract class Handle implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    /** What the cleaner needs: the handle and how to free it, never the owner itself. */
    private static final class State implements Runnable {
        private long handle;
        private final LongConsumer free;

        State(long handle, LongConsumer free) {
            this.handle = handle;
            this.free = free;
        }

        @Override
        public synchronized void run() {
            if (handle != 0) {
                free.accept(handle);
                handle = 0;
            }
        }
    }

    private final State state;
    private final Cleaner.Cleanable cleanable;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final String what;
    private boolean closed;

    Handle(long handle, LongConsumer free, String what) {
        this.state = new State(handle, free);
        this.cleanable = CLEANER.register(this, state);
        this.what = what;
    }

    /** Runs {@code body} with the live handle; the object cannot be released meanwhile. */
    final <T> T use(LongFunction<T> body) {
        lock.readLock().lock();
        try {
            if (closed) {
                throw EmzaException.of(EmzaException.ESTATE, "this " + what + " is closed");
            }
            return body.apply(state.handle);
        } finally {
            lock.readLock().unlock();
            java.lang.ref.Reference.reachabilityFence(this); // no cleaning while C uses the handle
        }
    }

    /** Releases the C object now; idempotent. Waits for calls running in other threads. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                cleanable.clean();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    public final boolean isClosed() {
        lock.readLock().lock();
        try {
            return closed;
        } finally {
            lock.readLock().unlock();
        }
    }
}
