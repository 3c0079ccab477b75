package ir.emza;

/**
 * A validation policy (docs/POLICY.md): what a validation accepts. Immutable and thread-safe once
 * built: share one between verifications and threads. Owns a C object: close it or let the GC.
 */
public final class Policy extends Handle {
    private Policy(long handle) {
        super(handle, Native::policyFree, "policy");
    }

    /** Reads a policy file. EmzaException EIO, ELIMIT, EFORMAT (the message names the JSON path). */
    public static Policy load(String path) {
        return new Policy(Native.policyLoad(Native.bytes(path)));
    }

    /** Parses a policy from JSON text. EmzaException EFORMAT, ELIMIT. */
    public static Policy parse(String json) {
        return new Policy(Native.policyParse(Native.bytes(json)));
    }

    /** The built-in default policy (CONTRACT.md), named "default". */
    public static Policy defaultPolicy() {
        return new Policy(Native.policyDefault());
    }

    /** The policy's name, as the report's "policy" gives it. */
    public String name() {
        return use(h -> Native.str(Native.policyName(h)));
    }
}
