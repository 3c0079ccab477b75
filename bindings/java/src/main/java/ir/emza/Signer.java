package ir.emza;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A signing key and its certificate, from a PKCS#12 file or PEM files. The key is wiped when the
 * signer is closed. One signer signs one document at a time (calls are serialised); different
 * signers may sign in parallel threads.
 */
public final class Signer extends Handle {
    private final Object signLock = new Object();

    private Signer(long handle) {
        super(handle, Native::signerFree, "signer");
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
        int format = Native.formatFromName(Native.bytes(options.format));
        if (format == 0) {
            throw EmzaException.of(EmzaException.EINVAL, "unknown format " + options.format);
        }
        byte[][] strings = {Native.bytes(options.digest), Native.bytes(options.existing),
            Native.bytes(options.mimeType), Native.bytes(options.signerRole), Native.bytes(options.tsaUrl),
            Native.bytes(options.city), Native.bytes(options.country), Native.bytes(options.policyOid),
            Native.bytes(options.policySha256)};
        byte[][] in = Native.bytes(inputs);
        synchronized (signLock) {
            use(h -> {
                Native.sign(h, format, options.level, options.mode, options.rsaPss, options.signingTime != null,
                        options.signingTime == null ? 0 : options.signingTime.getEpochSecond(), options.timeout,
                        strings, in, Native.bytes(output));
                return null;
            });
        }
    }
}
