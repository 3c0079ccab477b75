package ir.emza;

import java.nio.charset.StandardCharsets;

/**
 * The JNI entry points (bindings/java/src/main/c/emza_jni.c): one per C call or getter family.
 * Package-private; strings cross as UTF-8 bytes, C objects as {@code long} handles.
 *
 * <p>The glue library is {@code libemza_jni.so}: loaded from the path in the system property
 * {@code emza.jni.library} or the environment variable {@code EMZA_JNI_LIBRARY}, else by
 * {@code System.loadLibrary("emza_jni")} from {@code java.library.path}. It links libemza.so.0.
 */
final class Native {
    private Native() {}

    static {
        String path = System.getProperty("emza.jni.library");
        if (path == null || path.isEmpty()) {
            path = System.getenv("EMZA_JNI_LIBRARY");
        }
        if (path != null && !path.isEmpty()) {
            System.load(path);
        } else {
            System.loadLibrary("emza_jni");
        }
    }

    static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[][] bytes(String[] items) {
        byte[][] out = new byte[items == null ? 0 : items.length][];
        for (int i = 0; i < out.length; i++) {
            if (items[i] == null) {
                throw new EmzaException(EmzaException.EINVAL, "EMZA_EINVAL", "a path is null");
            }
            out[i] = bytes(items[i]);
        }
        return out;
    }

    /** UTF-8 bytes from C as a String (also called from C for exception messages). */
    static String str(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    static native byte[] versionString();
    static native int versionNumber();
    static native byte[] errorName(int code);
    static native byte[] subindicationName(int sub);

    static native int[] idCheck(int kind, byte[] text, Object[] outDigits);
    static native byte[] idVerdictDescribe(int verdict);

    static native long certLoad(byte[] path);
    static native long certParse(byte[] data);
    static native long certDup(long cert);
    static native void certFree(long cert);
    static native byte[] certString(long cert, int which);
    static native long certLong(long cert, int which);
    static native byte[] certDer(long cert);
    static native long certListFromPaths(byte[][] paths);
    static native void certListFree(long list);

    static native long trustLoad(byte[][] paths);
    static native void trustFree(long trust);
    static native int trustCount(long trust);
    static native long trustVerify(long trust, long cert, int purpose, boolean hasTime, long at, long untrusted,
                                   boolean offline);
    static native void chainResultFree(long result);
    static native long chainLong(long result, int which);
    static native byte[] chainString(long result, int which, int index);

    static native long signerOpenPkcs12(byte[] path, byte[] password);
    static native long signerOpenPem(byte[] key, byte[] password, byte[] cert, byte[] chain);
    static native long signerCert(long signer);
    static native void signerFree(long signer);
    static native void sign(long signer, int format, int level, int mode, boolean rsaPss, boolean hasTime,
                            long signingTime, int timeout, byte[][] strings, byte[][] inputs, byte[] output);
    static native int formatFromName(byte[] name);

    static native long verifyFile(byte[] path, long trust, long untrusted, boolean hasTime, long at,
                                  boolean offline, int timeout, byte[][] data, long policy);
    static native void reportFree(long report);
    static native byte[] reportString(long report, int which);
    static native long reportLong(long report, int which);
    static native long reportSignature(long report, int index);
    static native long sigLong(long sig, int which);
    static native byte[] sigString(long sig, int which, int index);
    static native long sigTimestampTime(long sig, int index);

    static native long policyLoad(byte[] path);
    static native long policyParse(byte[] json);
    static native long policyDefault();
    static native byte[] policyName(long policy);
    static native void policyFree(long policy);

    static native long callbackNew(Object adapter);
    static native void callbackFree(long ctx);
    static native long signerNewExternal(long cert, long chain, long ctx);
    static native long signerOpenPkcs11(byte[][] strings, boolean hasSlot, long slot, long pinCtx);

    static native long prepare(long cert, long chain, int format, int level, int mode, boolean rsaPss,
                               boolean hasTime, long signingTime, int timeout, byte[][] strings, byte[][] inputs);
    static native void preparedFree(long prepared);
    static native byte[] preparedDigest(long prepared);
    static native byte[] preparedString(long prepared, int which);
    static native long preparedSigningTime(long prepared);
    static native long preparedCert(long prepared);
    static native long preparedFromJson(byte[] json);
    static native void preparedSave(long prepared, byte[] path);
    static native long preparedLoad(byte[] path);
    static native byte[] preparedSealedToJson(long prepared, byte[] key);
    static native long preparedSealedFromJson(byte[] json, byte[] key);
    static native void preparedSealedSave(long prepared, byte[] path, byte[] key);
    static native long preparedSealedLoad(byte[] path, byte[] key);
    static native void preparedFinalize(long prepared, byte[] signature, byte[] output);

    static native long challengeNew(int lifetime);
    static native long challengeRestore(byte[] nonce, long issuedAt, int lifetime);
    static native void challengeFree(long challenge);
    static native byte[] challengeNonce(long challenge);
    static native long challengeLong(long challenge, int which);
    static native long replayCacheNew(long maxEntries);
    static native void replayCacheFree(long cache);
    static native long replayCacheCount(long cache);
    static native byte[] originNormalize(byte[] origin);
    static native byte[] authSign(long signer, byte[] origin, byte[] nonce, byte[] algorithm);
    static native long authVerify(byte[] token, long challenge, byte[] origin, long trust, long untrusted,
                                  boolean hasTime, long at, boolean offline, int skew, int timeout, long cache);
    static native void identityFree(long identity);
    static native byte[] identityString(long identity, int which);
    static native byte[] identityCertDer(long identity);
}
