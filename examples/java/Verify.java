/*
 * Verify — check a signed document and print the verdict (the Java twin of examples/c/verify.c).
 *
 *   java -cp emza.jar Verify.java SIGNED-FILE TRUST-ANCHORS.pem [DETACHED-DATA...]
 *
 * Exit status as `emza verify`: 0 all passed, 1 any failed, 2 indeterminate, 3 no signature,
 * 4 when the file could not be verified at all.
 */
import ir.emza.EmzaException;
import ir.emza.Report;
import ir.emza.SignatureReport;
import ir.emza.TrustStore;
import ir.emza.Verifier;

import java.util.Arrays;

public final class Verify {
    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: Verify SIGNED-FILE TRUST-ANCHORS.pem [DETACHED-DATA...]");
            System.exit(4);
        }
        // The trust store owns C memory: try-with-resources releases it.
        try (TrustStore trust = TrustStore.load(args[1])) {
            Report report = new Verifier()
                    .trust(trust)
                    .data(Arrays.copyOfRange(args, 2, args.length))
                    .verify(args[0]);
            // A failed signature is a verdict in the report, not an exception.
            for (SignatureReport sig : report.signatures()) {
                String verdict = sig.indication() + (sig.subIndication() != null ? "/" + sig.subIndication() : "");
                String who = sig.signer() != null ? sig.signer().commonName() : "(unknown)";
                String code = sig.signer() != null && sig.signer().nationalCode() != null
                        ? sig.signer().nationalCode() : "(none)";
                System.out.println(sig.id() + " " + verdict + " signed by " + who + ", national code " + code);
            }
            System.exit(report.exitCode());
        } catch (EmzaException e) { // no report could be made: e.code(), e.name(), e.detail()
            System.err.println("verify: " + e.detail() + " (" + e.name() + ")");
            System.exit(4);
        }
    }
}
