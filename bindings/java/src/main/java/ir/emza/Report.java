package ir.emza;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The validation report of a signed document (CONTRACT.md "Validation report"): a plain immutable
 * Java object, copied out of the C report, which is released before {@link Verifier#verify} returns.
 */
public final class Report {
    private static final String[] SUMMARIES = {"ALL_PASSED", "ANY_FAILED", "INDETERMINATE", "NO_SIGNATURE"};

    private final String path, format, sha256, policy, summary, json, text;
    private final int exitCode;
    private final Instant validationTime;
    private final List<SignatureReport> signatures;

    private Report(String path, String format, String sha256, String policy, int summary, String json, String text,
                   Instant validationTime, List<SignatureReport> signatures) {
        this.path = path;
        this.format = format;
        this.sha256 = sha256;
        this.policy = policy;
        this.exitCode = summary;
        this.summary = summary >= 0 && summary < SUMMARIES.length ? SUMMARIES[summary] : String.valueOf(summary);
        this.json = json;
        this.text = text;
        this.validationTime = validationTime;
        this.signatures = signatures;
    }

    static Report from(long r) {
        List<SignatureReport> sigs = new ArrayList<>();
        for (int i = 0; i < Native.reportLong(r, 2); i++) {
            sigs.add(SignatureReport.from(Native.reportSignature(r, i)));
        }
        return new Report(Native.str(Native.reportString(r, 0)), Native.str(Native.reportString(r, 1)),
                Native.str(Native.reportString(r, 2)), Native.str(Native.reportString(r, 3)),
                (int) Native.reportLong(r, 1), Native.str(Native.reportString(r, 4)),
                Native.str(Native.reportString(r, 5)), Instant.ofEpochSecond(Native.reportLong(r, 0)),
                Collections.unmodifiableList(sigs));
    }

    public String documentPath() { return path; }
    /** "XAdES", "XMLDSig", "CAdES", ... or "unknown". */
    public String format() { return format; }
    public String sha256() { return sha256; }
    public String policy() { return policy; }
    public Instant validationTime() { return validationTime; }
    /** "ALL_PASSED", "ANY_FAILED", "INDETERMINATE" or "NO_SIGNATURE". */
    public String summary() { return summary; }
    /** The `emza verify` exit code: 0 all passed, 1 any failed, 2 indeterminate, 3 no signature. */
    public int exitCode() { return exitCode; }
    /** True when there is a signature and every one is TOTAL_PASSED. */
    public boolean passed() { return exitCode == 0; }
    public List<SignatureReport> signatures() { return signatures; }
    /** CONTRACT.md's JSON, as `emza verify --json` prints it. */
    public String toJson() { return json; }
    /** The human report. */
    public String toText() { return text; }

    @Override
    public String toString() { return text; }
}
