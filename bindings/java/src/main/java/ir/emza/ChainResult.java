package ir.emza;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The verdict on a certificate chain (ETSI EN 319 102-1): a plain immutable object. */
public final class ChainResult {
    static final String[] INDICATIONS = {"TOTAL_PASSED", "TOTAL_FAILED", "INDETERMINATE"};

    private final String indication, subIndication, message;
    private final Instant validationTime;
    private final List<String> chainSha256;
    private final List<Finding> errors, warnings;

    private ChainResult(String indication, String subIndication, String message, Instant validationTime,
                        List<String> chainSha256, List<Finding> errors, List<Finding> warnings) {
        this.indication = indication;
        this.subIndication = subIndication;
        this.message = message;
        this.validationTime = validationTime;
        this.chainSha256 = chainSha256;
        this.errors = errors;
        this.warnings = warnings;
    }

    static ChainResult from(long r) {
        List<String> chain = new ArrayList<>();
        for (int i = 0; i < Native.chainLong(r, 3); i++) {
            chain.add(Native.str(Native.chainString(r, 5, i)));
        }
        List<Finding> errors = new ArrayList<>(), warnings = new ArrayList<>();
        for (int i = 0; i < Native.chainLong(r, 4); i++) {
            errors.add(new Finding(Native.str(Native.chainString(r, 1, i)), Native.str(Native.chainString(r, 2, i))));
        }
        for (int i = 0; i < Native.chainLong(r, 5); i++) {
            warnings.add(new Finding(Native.str(Native.chainString(r, 3, i)), Native.str(Native.chainString(r, 4, i))));
        }
        int sub = (int) Native.chainLong(r, 1);
        return new ChainResult(INDICATIONS[(int) Native.chainLong(r, 0)],
                sub == 0 ? null : Native.str(Native.subindicationName(sub)),
                Native.str(Native.chainString(r, 0, 0)), Instant.ofEpochSecond(Native.chainLong(r, 2)),
                Collections.unmodifiableList(chain), Collections.unmodifiableList(errors),
                Collections.unmodifiableList(warnings));
    }

    public boolean passed() { return "TOTAL_PASSED".equals(indication); }
    public String indication() { return indication; }
    /** Null when passed. */
    public String subIndication() { return subIndication; }
    public String message() { return message; }
    public Instant validationTime() { return validationTime; }
    /** SHA-256 of each certificate of the chain built, the validated one first. */
    public List<String> chainSha256() { return chainSha256; }
    public List<Finding> errors() { return errors; }
    public List<Finding> warnings() { return warnings; }

    @Override
    public String toString() { return indication + (subIndication != null ? "/" + subIndication : ""); }
}
