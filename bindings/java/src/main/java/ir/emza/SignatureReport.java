package ir.emza;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The verdict on one signature, the signer's identity and exactly what it covers. Immutable. */
public final class SignatureReport {
    private final String id, indication, subIndication, level, algorithm;
    private final Instant claimedSigningTime, bestSignatureTime;
    private final Identity signer;
    private final List<SignedObject> objects;
    private final List<Timestamp> timestamps;
    private final List<Finding> errors, warnings, infos;

    private SignatureReport(String id, String indication, String subIndication, String level, String algorithm,
                            Instant claimed, Instant best, Identity signer, List<SignedObject> objects,
                            List<Timestamp> timestamps, List<Finding> errors, List<Finding> warnings,
                            List<Finding> infos) {
        this.id = id;
        this.indication = indication;
        this.subIndication = subIndication;
        this.level = level;
        this.algorithm = algorithm;
        this.claimedSigningTime = claimed;
        this.bestSignatureTime = best;
        this.signer = signer;
        this.objects = objects;
        this.timestamps = timestamps;
        this.errors = errors;
        this.warnings = warnings;
        this.infos = infos;
    }

    private static String s(long sig, int which, int index) {
        return Native.str(Native.sigString(sig, which, index));
    }

    static SignatureReport from(long sig) {
        List<SignedObject> objects = new ArrayList<>();
        for (int i = 0; i < Native.sigLong(sig, 5); i++) {
            objects.add(new SignedObject(s(sig, 10, i), s(sig, 11, i), s(sig, 12, i), s(sig, 13, i),
                    "1".equals(s(sig, 14, i))));
        }
        List<Timestamp> stamps = new ArrayList<>();
        for (int i = 0; i < Native.sigLong(sig, 6); i++) {
            stamps.add(new Timestamp(s(sig, 20, i), Instant.ofEpochSecond(Native.sigTimestampTime(sig, i)),
                    s(sig, 21, i), s(sig, 22, i)));
        }
        List<Finding> errors = new ArrayList<>(), warnings = new ArrayList<>(), infos = new ArrayList<>();
        for (int i = 0; i < Native.sigLong(sig, 9); i++) {
            infos.add(new Finding(s(sig, 50, i), s(sig, 51, i)));
        }
        for (int i = 0; i < Native.sigLong(sig, 7); i++) {
            errors.add(new Finding(s(sig, 30, i), s(sig, 31, i)));
        }
        for (int i = 0; i < Native.sigLong(sig, 8); i++) {
            warnings.add(new Finding(s(sig, 40, i), s(sig, 41, i)));
        }
        long cert = Native.sigLong(sig, 4);
        Identity signer = null;
        if (cert != 0) {
            // borrowed from the report: take a reference of our own for the moment we read it
            try (Certificate c = new Certificate(Native.certDup(cert))) {
                signer = c.identity();
            }
        }
        long claimed = Native.sigLong(sig, 2);
        int sub = (int) Native.sigLong(sig, 1);
        return new SignatureReport(s(sig, 0, 0), ChainResult.INDICATIONS[(int) Native.sigLong(sig, 0)],
                sub == 0 ? null : Native.str(Native.subindicationName(sub)), s(sig, 1, 0), s(sig, 2, 0),
                claimed == Long.MIN_VALUE ? null : Instant.ofEpochSecond(claimed),
                Instant.ofEpochSecond(Native.sigLong(sig, 3)), signer, Collections.unmodifiableList(objects),
                Collections.unmodifiableList(stamps), Collections.unmodifiableList(errors),
                Collections.unmodifiableList(warnings), Collections.unmodifiableList(infos));
    }

    /** "S0", "S1", ... */
    public String id() { return id; }
    /** "TOTAL_PASSED", "TOTAL_FAILED" or "INDETERMINATE". */
    public String indication() { return indication; }
    /** "HASH_FAILURE", ...; null when passed. */
    public String subIndication() { return subIndication; }
    public boolean passed() { return "TOTAL_PASSED".equals(indication); }
    /** "XAdES-BASELINE-B", "CAdES-BASELINE-T", ...; null when not determined. */
    public String level() { return level; }
    public String signatureAlgorithm() { return algorithm; }
    /** Null when the signature claims no time. */
    public Instant claimedSigningTime() { return claimedSigningTime; }
    public Instant bestSignatureTime() { return bestSignatureTime; }
    /** Null when the signing certificate could not be identified. */
    public Identity signer() { return signer; }
    public List<SignedObject> signedObjects() { return objects; }
    public List<Timestamp> timestamps() { return timestamps; }
    public List<Finding> errors() { return errors; }
    public List<Finding> warnings() { return warnings; }
    /** Informational entries: policy constraints at level INFORM (the indication does not change). */
    public List<Finding> infos() { return infos; }

    @Override
    public String toString() {
        return id + " " + indication + (subIndication != null ? "/" + subIndication : "") + " " + signer;
    }
}
