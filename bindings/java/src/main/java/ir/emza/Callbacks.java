package ir.emza;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The objects the JNI glue calls back (emza_jni.c, "callbacks into Java"). Each catches whatever
 * the application's code throws, keeps it, and answers the glue's {@code errorCode()} with the
 * EMZA_E* code to return, so no exception ever crosses the C library.
 */
final class Callbacks {
    private Callbacks() {}

    /** The common part: the first exception thrown during the current operation. */
    abstract static class Adapter {
        private Throwable error;

        final synchronized void failed(Throwable t) {
            if (error == null) {
                error = t;
            }
        }

        /** Called by C after a failed callback. */
        final synchronized int errorCode() {
            if (error instanceof EmzaException && ((EmzaException) error).code() < 0) {
                return ((EmzaException) error).code();
            }
            return EmzaException.ECANCELED;
        }

        /** The kept exception (then forgotten), or null. */
        final synchronized Throwable take() {
            Throwable t = error;
            error = null;
            return t;
        }
    }

    /** Runs {@code call}; an EmzaException it throws gets the adapter's kept exception as its cause. */
    static <T> T run(Adapter adapter, java.util.function.Supplier<T> call) {
        if (adapter == null) {
            return call.get();
        }
        adapter.take();
        try {
            return call.get();
        } catch (EmzaException e) {
            Throwable cause = adapter.take();
            if (cause != null && e.getCause() == null) {
                e.initCause(cause);
            }
            throw e;
        }
    }

    static final class External extends Adapter {
        private final ExternalSigner fn;

        External(ExternalSigner fn) {
            this.fn = fn;
        }

        /** Called by C: the signature, or null after a failure. */
        byte[] sign(byte[] algorithm, byte[] digest) {
            try {
                byte[] sig = fn.sign(Native.str(algorithm), digest);
                if (sig == null) {
                    throw new NullPointerException("the external signer returned null");
                }
                return sig.clone(); // C wipes what it copies: never the application's own array
            } catch (Throwable t) {
                failed(t);
                return null;
            }
        }
    }

    static final class Pin extends Adapter {
        private final PinCallback fn;
        private final char[] constant;

        Pin(PinCallback fn, char[] constant) {
            this.fn = fn;
            this.constant = constant == null ? null : constant.clone();
        }

        /** Called by C: the PIN as UTF-8 bytes (C copies then zeroes them), or null after a failure. */
        byte[] ask(byte[] label, boolean forSignature) {
            char[] pin = null;
            try {
                pin = constant != null ? constant.clone() : fn.pin(Native.str(label), forSignature);
                if (pin == null) {
                    throw new NullPointerException("the PIN callback returned null");
                }
                ByteBuffer b = StandardCharsets.UTF_8.encode(CharBuffer.wrap(pin));
                byte[] out = Arrays.copyOf(b.array(), b.limit());
                Arrays.fill(b.array(), (byte) 0);
                return out;
            } catch (Throwable t) {
                failed(t);
                return null;
            } finally {
                if (pin != null) {
                    Arrays.fill(pin, '\0');
                }
            }
        }

        void wipe() {
            if (constant != null) {
                Arrays.fill(constant, '\0');
            }
        }
    }
}
