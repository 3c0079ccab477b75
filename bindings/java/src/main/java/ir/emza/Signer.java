package ir.emza;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A signing key and its certificate: from a PKCS#12 file or PEM files, a smart card or token
 * (PKCS#11), or the application's own signing function (an external signer). A key in memory is
 * wiped when the signer is closed. One signer signs one document at a time (calls are serialised);
 * different signers may sign in parallel threads.
 */
public final class Signer extends Handle {
    private final Object signLock = new Object();
    private final Callbacks.Adapter adapter;

    private Signer(long handle) {
        super(handle, Native::signerFree, "signer");
        this.adapter = null;
    }

    /** A signer that calls back into Java through {@code ctx} (freed after the signer). */
    private Signer(long handle, long ctx, Callbacks.Adapter adapter) {
        super(handle, h -> {
            Native.signerFree(h);
            Native.callbackFree(ctx);
        }, "signer");
        this.adapter = adapter;
    }

    /**
     * A signer whose signatures come from {@code fn} for the key of {@code cert}; {@code chainPaths}
     * are CA certificate files to embed. {@code fn} stays referenced as long as the signer. Every
     * signature it returns is checked with the certificate's key. EmzaException EINVAL, EFORMAT.
     */
    public static Signer external(Certificate cert, ExternalSigner fn, String... chainPaths) {
        if (fn == null) {
            throw EmzaException.of(EmzaException.EINVAL, "no external signing function");
        }
        Callbacks.External adapter = new Callbacks.External(fn);
        long ctx = Native.callbackNew(adapter);
        long chain = 0;
        try {
            chain = chainPaths.length == 0 ? 0 : Native.certListFromPaths(Native.bytes(chainPaths));
            long list = chain;
            long handle = cert.use(c -> Native.signerNewExternal(c, list, ctx));
            return new Signer(handle, ctx, adapter);
        } catch (RuntimeException | Error e) {
            Native.callbackFree(ctx);
            throw e;
        } finally {
            Native.certListFree(chain);
        }
    }

    /**
     * Opens a signer on a smart card or token through the PKCS#11 module {@code module}: the token
     * labelled {@code tokenLabel} (null: the only one present), the key with CKA_LABEL
     * {@code keyLabel} and/or CKA_ID {@code keyIdHex} (null, null: the only key). {@code pin} is asked
     * at log-in and before each signature by a key that needs it every time; null for a token
     * without PIN (or with a PIN pad). The library wipes the PIN right after use; the char[] the
     * callback returns is wiped too. EmzaException EIO (module), ENOTFOUND, EPIN, EPIN_LOCKED, EINVAL,
     * or the callback's failure (ECANCELED with the thrown exception as cause).
     */
    public static Signer fromPkcs11(String module, String tokenLabel, String keyLabel, String keyIdHex,
                                    PinCallback pin) {
        return openPkcs11(module, tokenLabel, keyLabel, keyIdHex, pin == null ? null : new Callbacks.Pin(pin, null));
    }

    /**
     * As {@link #fromPkcs11(String, String, String, String, PinCallback)} with the PIN itself. The
     * signer keeps a copy (a key may ask again at each signature) and wipes it on close; wipe
     * {@code pin} yourself when done.
     */
    public static Signer fromPkcs11(String module, String tokenLabel, String keyLabel, String keyIdHex, char[] pin) {
        return openPkcs11(module, tokenLabel, keyLabel, keyIdHex, pin == null ? null : new Callbacks.Pin(null, pin));
    }

    private static Signer openPkcs11(String module, String tokenLabel, String keyLabel, String keyIdHex,
                                     Callbacks.Pin adapter) {
        if (module == null) {
            throw EmzaException.of(EmzaException.EINVAL, "no PKCS#11 module");
        }
        byte[][] strings = {Native.bytes(module), Native.bytes(tokenLabel), Native.bytes(keyLabel),
            Native.bytes(keyIdHex), null};
        long ctx = adapter == null ? 0 : Native.callbackNew(adapter);
        try {
            long handle = Callbacks.run(adapter, () -> Native.signerOpenPkcs11(strings, false, 0, ctx));
            return new Signer(handle, ctx, adapter);
        } catch (RuntimeException | Error e) {
            Native.callbackFree(ctx);
            if (adapter != null) {
                adapter.wipe();
            }
            throw e;
        }
    }

    /** Releases the signer, wipes its key and a PIN it keeps; idempotent. */
    @Override
    public void close() {
        super.close();
        if (adapter instanceof Callbacks.Pin) {
            ((Callbacks.Pin) adapter).wipe();
        }
    }

    /** Runs a call that signs through this signer: one at a time, a callback's exception as the cause. */
    <T> T signing(java.util.function.LongFunction<T> body) {
        synchronized (signLock) {
            return use(h -> Callbacks.run(adapter, () -> body.apply(h)));
        }
    }

    /** The password as UTF-8 bytes we can wipe (a String cannot be). */
    private static byte[] secret(char[] password) {
        if (password == null) {
            return null;
        }
        ByteBuffer b = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] out = Arrays.copyOf(b.array(), b.limit());
        Arrays.fill(b.array(), (byte) 0);
        return out;
    }

    /** Opens a PKCS#12 file. EmzaException EIO, EFORMAT, EPASSWORD (wrong password). */
    public static Signer openPkcs12(String path, char[] password) {
        byte[] pw = secret(password == null ? new char[0] : password);
        try {
            return new Signer(Native.signerOpenPkcs12(Native.bytes(path), pw));
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
    }

    /** Opens a PEM (or DER PKCS#8) key and its certificate; {@code chain} and {@code keyPassword} may be null. */
    public static Signer openPem(String keyPath, char[] keyPassword, String certPath, String chainPath) {
        byte[] pw = secret(keyPassword);
        try {
            return new Signer(Native.signerOpenPem(Native.bytes(keyPath), pw, Native.bytes(certPath),
                    Native.bytes(chainPath)));
        } finally {
            if (pw != null) {
                Arrays.fill(pw, (byte) 0);
            }
        }
    }

    /** The signing certificate (a reference of its own: close it or let the GC). */
    public Certificate certificate() {
        return new Certificate(use(Native::signerCert));
    }

    /**
     * Signs {@code inputs} into {@code output} (written atomically; nothing is written on failure).
     * EmzaException EINVAL, EIO, EFORMAT, EUNSUPPORTED, ENETWORK, ECRYPTO.
     */
    public void sign(SignOptions options, String output, String... inputs) {
        int format = options.formatNumber();
        byte[][] strings = options.strings();
        byte[][] in = Native.bytes(inputs);
        signing(h -> {
            Native.sign(h, format, options.level, options.mode, options.rsaPss, options.signingTime != null,
                    options.signingTimeSeconds(), options.timeout, strings, in, Native.bytes(output));
            return null;
        });
    }
}
