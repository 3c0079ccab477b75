/*
 * Tests of the Java bindings (package ir.emza) through their public surface, against the real
 * libemza and the test PKI (EMZA_PKI_DIR): round trips, failing verifications, error paths with
 * the library's codes, identity numbers and certificates, release, and 8 threads x 100
 * verifications; validation policies, citizen log-in (accepted, ORIGIN_MISMATCH, REPLAYED,
 * EXPIRED), external signers (openssl pkeyutl, a callback that throws), two-step signing, and a
 * PKCS#11 signer on the build's SoftHSM2 token when there is one (SOFTHSM2_CONF). A plain runner: each check either passes or is counted and reported as failed;
 * the exit status is non-zero when any failed.
 *
 * Run: java -Demza.jni.library=.../libemza_jni.so -cp emza.jar EmzaTest.java
 */
import ir.emza.Auth;
import ir.emza.AuthException;
import ir.emza.AuthIdentity;
import ir.emza.Certificate;
import ir.emza.Challenge;
import ir.emza.Policy;
import ir.emza.Prepared;
import ir.emza.ReplayCache;
import ir.emza.ChainResult;
import ir.emza.Emza;
import ir.emza.EmzaException;
import ir.emza.NationalId;
import ir.emza.Report;
import ir.emza.SignOptions;
import ir.emza.SignatureReport;
import ir.emza.Signer;
import ir.emza.TrustStore;
import ir.emza.Verifier;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CyclicBarrier;

public final class EmzaTest {
    private static final String PKI = System.getenv("EMZA_PKI_DIR");
    private static final String ROOT = PKI + "/trust/root.pem";
    private static final char[] PASSWORD = "emza-test".toCharArray();
    private static final String DEED = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<deed><seller nationalCode=\"0499370899\">علی رضایی</seller><price>1000000000</price></deed>\n";

    private static int passed, failed;
    private static Path dir;

    interface Body { void run() throws Exception; }

    private static void test(String name, Body body) {
        try {
            body.run();
            passed++;
            System.out.println("ok   " + name);
        } catch (Throwable t) {
            failed++;
            System.out.println("FAIL " + name + ": " + t);
            t.printStackTrace(System.out);
        }
    }

    private static void check(boolean cond, String what) {
        if (!cond) throw new AssertionError(what);
    }

    private static void eq(Object want, Object got) {
        if (want == null ? got != null : !want.equals(got)) throw new AssertionError("expected " + want + ", got " + got);
    }

    private static EmzaException raises(int code, String name, Body body) throws Exception {
        try {
            body.run();
        } catch (EmzaException e) {
            eq(code, e.code());
            eq(name, e.name());
            check(!e.detail().isEmpty(), "the exception has a message");
            return e;
        }
        throw new AssertionError("expected EmzaException " + name);
    }

    private static String pki(String name) { return PKI + "/" + name; }

    private static String write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, text.getBytes(StandardCharsets.UTF_8));
        return p.toString();
    }

    private static String signedXml(String name) throws Exception {
        String doc = write(name + ".xml", DEED);
        String out = dir.resolve(name + ".signed.xml").toString();
        try (Signer s = Signer.openPkcs12(pki("citizen-rsa.p12"), PASSWORD)) {
            s.sign(new SignOptions("xades-enveloped"), out, doc);
        }
        return out;
    }

    public static void main(String[] args) throws Exception {
        dir = Files.createTempDirectory("emza-java-");
        try {
            run();
        } finally {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.out.println(passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }

    private static void run() throws Exception {
        test("version", () -> {
            String[] v = Emza.version().split("\\.");
            eq(Integer.parseInt(v[0]) * 10000 + Integer.parseInt(v[1]) * 100 + Integer.parseInt(v[2]),
                    Emza.versionNumber());
        });

        test("national codes and legal ids", () -> {
            check(NationalId.checkNationalCode("0499370899").isValid(), "valid code");
            NationalId.Result r = NationalId.checkNationalCode("۰۷۹۰۴۱۹۹۰۴");
            eq("VALID", r.verdict());
            eq("0790419904", r.digits());
            r = NationalId.checkNationalCode("0499370898");
            eq("BAD_CHECK_DIGIT", r.verdict());
            eq(9, r.expectedCheck());
            eq("REPEATED_DIGITS", NationalId.checkNationalCode("1111111111").verdict());
            eq("NON_DIGIT", NationalId.checkNationalCode("04993x0899").verdict());
            eq("legal_id", NationalId.check("10380284790").kind());
            check(NationalId.checkLegalId("10380284790").isValid(), "valid legal id");
            raises(EmzaException.ELIMIT, "EMZA_ELIMIT", () -> NationalId.checkNationalCode("1".repeat(257)));
        });

        test("certificate identity and chain", () -> {
            try (Certificate c = Certificate.load(pki("citizen-rsa.cert.pem"));
                 TrustStore trust = TrustStore.load(ROOT)) {
                eq("0499370899", c.nationalCode());
                eq("علی", c.givenName());
                eq("PNOIR-0499370899", c.serialNumber());
                eq(2048, c.keyBits());
                check(!c.isCa(), "not a CA");
                try (Certificate again = Certificate.fromBytes(c.der())) {
                    eq(c.sha256Hex(), again.sha256Hex());
                }
                eq(1, trust.size());
                ChainResult r = c.verify(trust, "sign", null, true, pki("citizen-rsa.chain.pem"));
                check(r.passed(), "chain passes: " + r);
                eq(3, r.chainSha256().size());
                r = c.verify(trust, "sign", null, true);
                eq("NO_CERTIFICATE_CHAIN_FOUND", r.subIndication());
            }
            try (Certificate c = Certificate.load(pki("expired.cert.pem")); TrustStore trust = TrustStore.load(ROOT)) {
                ChainResult r = c.verify(trust, "sign", null, true, pki("expired.chain.pem"));
                eq("INDETERMINATE", r.indication());
                eq("OUT_OF_BOUNDS_NO_POE", r.subIndication());
                r = c.verify(trust, "sign", Instant.parse("2020-06-01T00:00:00Z"), true, pki("expired.chain.pem"));
                check(r.passed(), "valid in 2020");
            }
            try (Certificate c = Certificate.load(pki("org-seal.cert.der"))) {
                eq("10380284790", c.legalId());
            }
        });

        test("XAdES round trip", () -> {
            try (TrustStore trust = TrustStore.load(ROOT)) {
                Report report = new Verifier().trust(trust).offline(true).verify(signedXml("xades"));
                eq("ALL_PASSED", report.summary());
                eq("XAdES", report.format());
                SignatureReport sig = report.signatures().get(0);
                eq("TOTAL_PASSED", sig.indication());
                eq(null, sig.subIndication());
                eq("XAdES-BASELINE-B", sig.level());
                eq("0499370899", sig.signer().nationalCode());
                check(sig.signedObjects().get(0).wholeDocument(), "covers the whole document");
                check(report.toJson().contains("\"emzaReport\": 1") || report.toJson().contains("\"emzaReport\":1"),
                        "JSON report");
                check(report.toText().contains("0499370899"), "text report names the national code");
            }
        });

        test("CAdES detached round trip and countersignature", () -> {
            String data = write("deed.txt", "deed of sale\n");
            String p7s = dir.resolve("deed.txt.p7s").toString();
            Instant when = Instant.parse("2026-01-02T03:04:05Z");
            try (Signer s = Signer.openPem(pki("citizen-ec.key.pem"), null, pki("citizen-ec.cert.pem"),
                    pki("citizen-ec.chain.pem"))) {
                s.sign(new SignOptions("cades-detached").digest("sha384").signingTime(when), p7s, data);
            }
            try (TrustStore trust = TrustStore.load(ROOT)) {
                Report report = new Verifier().trust(trust).offline(true).data(data).verify(p7s);
                SignatureReport sig = report.signatures().get(0);
                eq("CAdES", report.format());
                eq("TOTAL_PASSED", sig.indication());
                eq("ecdsa-sha384", sig.signatureAlgorithm());
                eq(when, sig.claimedSigningTime());
                eq("0790419904", sig.signer().nationalCode());

                String p7m = dir.resolve("deed.p7m").toString();
                String sealed = dir.resolve("deed.sealed.p7m").toString();
                try (Signer citizen = Signer.openPkcs12(pki("citizen-rsa.p12"), PASSWORD);
                     Signer notary = Signer.openPkcs12(pki("org-seal.p12"), PASSWORD)) {
                    citizen.sign(new SignOptions("cades-attached"), p7m, data);
                    notary.sign(new SignOptions("cades-attached").countersign(p7m), sealed, data);
                }
                report = new Verifier().trust(trust).offline(true).verify(sealed);
                eq("ALL_PASSED", report.summary());
                eq(2, report.signatures().size());
            }
        });

        test("tampered document is TOTAL_FAILED/HASH_FAILURE", () -> {
            Path signed = Path.of(signedXml("tampered"));
            String text = Files.readString(signed);
            check(text.contains("1000000000"), "the price is there");
            Files.writeString(signed, text.replace("1000000000", "9000000000"));
            Report report = Emza.verify(signed.toString(), ROOT);
            eq("ANY_FAILED", report.summary());
            eq(1, report.exitCode());
            eq("TOTAL_FAILED", report.signatures().get(0).indication());
            eq("HASH_FAILURE", report.signatures().get(0).subIndication());
        });

        test("error paths carry the library's code", () -> {
            EmzaException e = raises(EmzaException.EIO, "EMZA_EIO",
                    () -> Emza.verify(dir.resolve("missing.xml").toString(), ROOT));
            check(e.detail().contains("missing.xml"), "the message names the file: " + e.detail());
            raises(EmzaException.EPASSWORD, "EMZA_EPASSWORD",
                    () -> Signer.openPkcs12(pki("citizen-rsa.p12"), "wrong".toCharArray()));
            raises(EmzaException.EFORMAT, "EMZA_EFORMAT", () -> Certificate.fromBytes(new byte[] {1, 2, 3}));
            raises(EmzaException.EINVAL, "EMZA_EINVAL", () -> TrustStore.load());
            String doc = write("err.xml", DEED);
            try (Signer s = Signer.openPkcs12(pki("citizen-rsa.p12"), PASSWORD)) {
                raises(EmzaException.EINVAL, "EMZA_EINVAL",
                        () -> s.sign(new SignOptions("no-such-format"), dir.resolve("o").toString(), doc));
                raises(EmzaException.EINVAL, "EMZA_EINVAL",
                        () -> s.sign(new SignOptions("xades-enveloped"), doc, doc));
                raises(EmzaException.EUNSUPPORTED, "EMZA_EUNSUPPORTED",
                        () -> s.sign(new SignOptions("cades-detached").level("T"), dir.resolve("o").toString(), doc));
            }
            check(!Files.exists(dir.resolve("o")), "nothing written on failure");
        });

        test("use after close is ESTATE, close is idempotent", () -> {
            Certificate c = Certificate.load(pki("citizen-ec.cert.pem"));
            c.close();
            c.close();
            check(c.isClosed(), "closed");
            raises(EmzaException.ESTATE, "EMZA_ESTATE", c::subject);
            TrustStore t = TrustStore.load(ROOT);
            t.close();
            raises(EmzaException.ESTATE, "EMZA_ESTATE", () -> new Verifier().trust(t).verify(ROOT));
        });

        test("8 threads x 100 verifications share one trust store", () -> {
            String signed = signedXml("threads");
            List<String> errors = Collections.synchronizedList(new ArrayList<>());
            int[] done = new int[1];
            try (TrustStore trust = TrustStore.load(ROOT)) {
                Verifier verifier = new Verifier().trust(trust).offline(true);
                CyclicBarrier start = new CyclicBarrier(8);
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    Thread th = new Thread(() -> {
                        try {
                            start.await();
                            for (int i = 0; i < 100; i++) {
                                Report r = verifier.verify(signed);
                                if (!r.passed() || !"0499370899".equals(r.signatures().get(0).signer().nationalCode())) {
                                    errors.add("verdict " + r.summary());
                                }
                                try {
                                    verifier.verify(signed + ".missing");
                                    errors.add("no exception for a missing file");
                                } catch (EmzaException e) {
                                    if (e.code() != EmzaException.EIO || !e.detail().contains(".missing")) {
                                        errors.add("another thread's error: " + e);
                                    }
                                }
                                synchronized (done) {
                                    done[0]++;
                                }
                            }
                        } catch (Exception e) {
                            errors.add(e.toString());
                        }
                    });
                    threads.add(th);
                    th.start();
                }
                for (Thread th : threads) {
                    th.join();
                }
            }
            eq(List.of(), errors);
            eq(800, done[0]);
        });

        test("garbage-collected objects are released by the cleaner", () -> {
            for (int i = 0; i < 2000; i++) {
                Certificate.load(pki("citizen-rsa.cert.pem")); // never closed: the Cleaner frees it
            }
            System.gc();
        });

        runNewSurface();
    }

    private static final String ORIGIN = "https://bank.example";
    private static final String AUTH_CODE = "1583250689"; // the test PKI's citizen-auth certificate
    private static final String NEED_T = "{\"emzaPolicy\": 1, \"name\": \"need-t\", "
            + "\"signatureLevel\": {\"level\": \"%s\", \"minimum\": \"T\"}}";

    /** Signs a pre-computed hash with `openssl pkeyutl`, as a remote HSM would. */
    private static byte[] opensslSign(String key, String algorithm, byte[] digest) throws Exception {
        String md = algorithm.substring(algorithm.lastIndexOf('-') + 1);
        List<String> cmd = new ArrayList<>(List.of("openssl", "pkeyutl", "-sign", "-inkey", key, "-pkeyopt", "digest:" + md));
        if (algorithm.startsWith("rsa-pss")) {
            cmd.addAll(List.of("-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:digest",
                    "-pkeyopt", "rsa_mgf1_md:" + md));
        }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (var in = p.getOutputStream()) {
            in.write(digest);
        }
        byte[] sig = p.getInputStream().readAllBytes();
        eq(0, p.waitFor());
        return sig;
    }

    private static AuthException refused(String reason, Body body) throws Exception {
        try {
            body.run();
        } catch (AuthException e) {
            eq(EmzaException.EAUTH, e.code());
            eq(reason, e.reason());
            return e;
        }
        throw new AssertionError("expected AuthException " + reason);
    }

    private static void runNewSurface() throws Exception {
        test("policies: default.json, a tightened one, INFORM", () -> {
            String signed = signedXml("policy");
            String source = System.getenv("EMZA_SOURCE_ROOT");
            try (TrustStore trust = TrustStore.load(ROOT);
                 Policy def = Policy.load(source + "/policies/default.json");
                 Policy strict = Policy.parse(String.format(NEED_T, "FAIL"));
                 Policy inform = Policy.parse(String.format(NEED_T, "INFORM"))) {
                eq("default", def.name());
                Report r = new Verifier().trust(trust).offline(true).policy(def).verify(signed);
                eq("ALL_PASSED", r.summary());
                eq("default", r.policy());
                r = new Verifier().trust(trust).offline(true).policy(strict).verify(signed);
                eq("need-t", r.policy());
                eq("INDETERMINATE", r.signatures().get(0).indication());
                eq("SIG_CONSTRAINTS_FAILURE", r.signatures().get(0).subIndication());
                SignatureReport s = new Verifier().trust(trust).offline(true).policy(inform).verify(signed)
                        .signatures().get(0);
                eq("TOTAL_PASSED", s.indication());
                eq("SIGNATURE_LEVEL", s.infos().get(0).code());
            }
            raises(EmzaException.EFORMAT, "EMZA_EFORMAT", () -> Policy.parse("{\"emzaPolicy\": 1, \"bad\": 1}"));
        });

        test("log-in: accepted, ORIGIN_MISMATCH, REPLAYED, EXPIRED", () -> {
            try (TrustStore trust = TrustStore.load(ROOT); ReplayCache cache = new ReplayCache(64);
                 Signer citizen = Signer.openPkcs12(pki("citizen-auth.p12"), PASSWORD)) {
                Auth server = new Auth().trust(trust).untrusted(pki("citizen-auth.chain.pem")).offline(true)
                        .replayCache(cache);
                String nonce;
                Instant issued;
                int lifetime;
                try (Challenge c = Challenge.create(120)) {
                    nonce = c.nonce();
                    issued = c.issuedAt();
                    lifetime = c.lifetime();
                    eq(120, lifetime);
                }
                String token = Auth.signToken(citizen, "HTTPS://Bank.Example:443/", nonce, null);
                try (Challenge again = Challenge.restore(nonce, issued, lifetime)) {
                    String evil = Auth.signToken(citizen, "https://evil.example", nonce, "ES256");
                    refused("ORIGIN_MISMATCH", () -> server.verify(evil, again, ORIGIN));
                    AuthIdentity who = server.verify(token, again, ORIGIN);
                    eq(AUTH_CODE, who.nationalCode());
                    eq(ORIGIN, who.origin());
                    eq("ES256", who.algorithm());
                    try (Certificate c = who.certificate()) {
                        eq(AUTH_CODE, c.nationalCode());
                    }
                    eq(1L, cache.size());
                    refused("REPLAYED", () -> server.verify(token, again, ORIGIN));
                }
                try (Challenge old = Challenge.restore(nonce, Instant.now().minusSeconds(3600), 60)) {
                    String late = Auth.signToken(citizen, ORIGIN, old.nonce(), null);
                    refused("EXPIRED", () -> server.verify(late, old, ORIGIN));
                }
                eq(ORIGIN, Auth.normalizeOrigin("HTTPS://Bank.Example:443/"));
                raises(EmzaException.EINVAL, "EMZA_EINVAL", () -> Auth.signToken(citizen, ORIGIN, nonce, "RS256"));
                raises(EmzaException.EINVAL, "EMZA_EINVAL", () -> Challenge.create(901));
            }
        });

        test("external signer: openssl round trip, a throwing callback", () -> {
            String doc = write("ext.xml", DEED);
            String out = dir.resolve("ext.signed.xml").toString();
            List<String> calls = new ArrayList<>();
            try (Certificate cert = Certificate.load(pki("citizen-ec.cert.pem"));
                 Signer ext = Signer.external(cert, (alg, digest) -> {
                     calls.add(alg + "/" + digest.length);
                     return opensslSign(pki("citizen-ec.key.pem"), alg, digest);
                 }, pki("citizen-ec.chain.pem"))) {
                System.gc(); // the callback is referenced only through the signer
                ext.sign(new SignOptions("xades-enveloped"), out, doc);
            }
            eq(List.of("ecdsa-sha256/32"), calls);
            try (TrustStore trust = TrustStore.load(ROOT)) {
                eq("ALL_PASSED", new Verifier().trust(trust).offline(true).verify(out).summary());
            }
            String none = dir.resolve("never.xml").toString();
            try (Certificate cert = Certificate.load(pki("citizen-ec.cert.pem"));
                 Signer broken = Signer.external(cert, (alg, digest) -> {
                     throw new IllegalStateException("the HSM is unplugged");
                 });
                 Signer pinless = Signer.external(cert, (alg, digest) -> {
                     throw EmzaExceptionFactory.pin();
                 });
                 Signer garbage = Signer.external(cert, (alg, digest) -> new byte[] {0x30, 0})) {
                EmzaException e = raises(EmzaException.ECANCELED, "EMZA_ECANCELED",
                        () -> broken.sign(new SignOptions("xades-enveloped"), none, doc));
                check(e.getCause() instanceof IllegalStateException, "the callback's exception is the cause");
                raises(EmzaException.EPIN, "EMZA_EPIN", () -> pinless.sign(new SignOptions("xades-enveloped"), none, doc));
                raises(EmzaException.ECRYPTO, "EMZA_ECRYPTO", () -> garbage.sign(new SignOptions("xades-enveloped"), none, doc));
                e = raises(EmzaException.ECANCELED, "EMZA_ECANCELED", () -> Auth.signToken(broken, ORIGIN,
                        "A".repeat(43) + "=", null));
                check(e.getCause() instanceof IllegalStateException, "the cause, for a token too");
            }
            check(!Files.exists(Path.of(none)), "nothing written");
        });

        test("two-step: prepare, sign elsewhere, finalize, verify", () -> {
            String doc = write("two.xml", DEED);
            String out = dir.resolve("two.signed.xml").toString();
            String state, alg;
            byte[] digest;
            try (Certificate cert = Certificate.load(pki("citizen-rsa.cert.pem"));
                 Prepared p = Prepared.prepare(cert, new SignOptions("xades-enveloped"),
                         new String[] {pki("citizen-rsa.chain.pem")}, doc)) {
                eq("sha256", p.digestAlgorithm());
                alg = p.signatureAlgorithm();
                eq("rsa-sha256", alg);
                digest = p.digest();
                eq(32, digest.length);
                state = p.toJson();
            }
            byte[] sig = opensslSign(pki("citizen-rsa.key.pem"), alg, digest);
            try (Prepared p = Prepared.fromJson(state)) {
                check(Arrays.equals(digest, p.digest()), "the same digest from the state");
                raises(EmzaException.ECRYPTO, "EMZA_ECRYPTO", () -> p.finalizeSigning(new byte[sig.length], out));
                check(!Files.exists(Path.of(out)), "nothing written");
                p.finalizeSigning(sig, out);
            }
            try (TrustStore trust = TrustStore.load(ROOT)) {
                SignatureReport s = new Verifier().trust(trust).offline(true).verify(out).signatures().get(0);
                eq("TOTAL_PASSED", s.indication());
                eq("0499370899", s.signer().nationalCode());
            }
            raises(EmzaException.EFORMAT, "EMZA_EFORMAT", () -> Prepared.fromJson("{}"));
        });

        test("two-step: a sealed state, refused when altered or read with another key", () -> {
            String doc = write("sealed.txt", "deed of sale\n");
            byte[] key = new byte[32], other = new byte[32];
            Arrays.fill(key, (byte) 1);
            Arrays.fill(other, (byte) 2);
            String sealed, plain;
            try (Certificate cert = Certificate.load(pki("citizen-rsa.cert.pem"));
                 Prepared p = Prepared.prepare(cert, new SignOptions("cades-attached"),
                         new String[] {pki("citizen-rsa.chain.pem")}, doc)) {
                sealed = p.toJson(key);
                plain = p.toJson();
                p.save(dir.resolve("sealed.json").toString(), key);
                raises(EmzaException.EINVAL, "EMZA_EINVAL", () -> p.toJson(new byte[31]));
                raises(EmzaException.ELIMIT, "EMZA_ELIMIT", () -> p.toJson(new byte[1025]));
            }
            check(sealed.contains("\"mac\""), "a mac member");
            try (Prepared p = Prepared.load(dir.resolve("sealed.json").toString(), key)) {
                eq("rsa-sha256", p.signatureAlgorithm());
            }
            String altered = sealed.replace(doc, "/etc/passwd");
            check(!altered.equals(sealed), "the input path is in the state");
            raises(EmzaException.ECRYPTO, "EMZA_ECRYPTO", () -> Prepared.fromJson(altered, key));
            raises(EmzaException.ECRYPTO, "EMZA_ECRYPTO", () -> Prepared.fromJson(sealed, other));
            raises(EmzaException.ECRYPTO, "EMZA_ECRYPTO", () -> Prepared.fromJson(plain, key));
            raises(EmzaException.ECRYPTO, "EMZA_ECRYPTO", () -> Prepared.fromJson(sealed));
        });

        String module = System.getenv("EMZA_SOFTHSM_MODULE");
        if (module != null && !module.isEmpty() && System.getenv("SOFTHSM2_CONF") != null) {
            test("PKCS#11: sign with a card key, a PIN callback that declines", () -> {
                String doc = write("card.xml", DEED);
                String out = dir.resolve("card.signed.xml").toString();
                List<String> asked = new ArrayList<>();
                char[][] given = new char[1][];
                try (Signer card = Signer.fromPkcs11(module, "citizen", "citizen-ec", null, (label, forSig) -> {
                    asked.add(label + "/" + forSig);
                    given[0] = "123456".toCharArray();
                    return given[0];
                })) {
                    card.sign(new SignOptions("xades-enveloped"), out, doc);
                }
                eq(List.of("citizen/false"), asked);
                check(Arrays.equals(new char[6], given[0]), "the PIN the callback gave was wiped");
                try (TrustStore trust = TrustStore.load(ROOT)) {
                    eq("ALL_PASSED", new Verifier().trust(trust).offline(true).verify(out).summary());
                }
                EmzaException e = raises(EmzaException.ECANCELED, "EMZA_ECANCELED",
                        () -> Signer.fromPkcs11(module, "citizen", "citizen-ec", null, (label, forSig) -> {
                            throw new InterruptedException("the user closed the PIN dialog");
                        }));
                check(e.getCause() instanceof InterruptedException, "the callback's exception is the cause");
                raises(EmzaException.ENOTFOUND, "EMZA_ENOTFOUND",
                        () -> Signer.fromPkcs11(module, "no-such-token", null, null, "123456".toCharArray()));
            });
        } else {
            System.out.println("skip PKCS#11: no SoftHSM2 token in this build");
        }
    }

    /** An EmzaException with EPIN as a callback would throw it (the constructor is public). */
    private static final class EmzaExceptionFactory {
        static EmzaException pin() {
            return new EmzaException(EmzaException.EPIN, "EMZA_EPIN", "the citizen typed a wrong PIN");
        }
    }
}
