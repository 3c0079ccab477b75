package ir.emza;

/**
 * Iranian identity numbers: the 10-digit national code and the 11-digit legal-entity id. ASCII,
 * Persian and Arabic-Indic digits are accepted, with surrounding white space. An invalid number is a
 * verdict ({@link Result#isValid()}), not an exception. Thread-safe.
 */
public final class NationalId {
    private NationalId() {}

    private static final String[] KINDS = {"any", "national_code", "legal_id"};
    private static final String[] VERDICTS = {"VALID", "EMPTY", "NOT_UTF8", "NON_DIGIT", "WRONG_LENGTH",
        "REPEATED_DIGITS", "BAD_CHECK_DIGIT"};

    /** The verdict on one number. */
    public static final class Result {
        private final String kind;
        private final String verdict;
        private final String reason;
        private final String digits;
        private final int position;
        private final int expectedCheck;

        Result(String kind, String verdict, String reason, String digits, int position, int expectedCheck) {
            this.kind = kind;
            this.verdict = verdict;
            this.reason = reason;
            this.digits = digits;
            this.position = position;
            this.expectedCheck = expectedCheck;
        }

        public boolean isValid() { return "VALID".equals(verdict); }
        /** "national_code" or "legal_id". */
        public String kind() { return kind; }
        /** "VALID", "BAD_CHECK_DIGIT", "WRONG_LENGTH", "NON_DIGIT", "REPEATED_DIGITS", "EMPTY", "NOT_UTF8". */
        public String verdict() { return verdict; }
        /** The verdict in words. */
        public String reason() { return reason; }
        /** The number in ASCII digits ("" unless all digits, right length). */
        public String digits() { return digits; }
        /** 1-based position of the first non-digit (NON_DIGIT), else 0. */
        public int position() { return position; }
        /** The check digit that would be valid (BAD_CHECK_DIGIT), else -1. */
        public int expectedCheck() { return expectedCheck; }

        @Override
        public String toString() { return kind + " " + verdict + (digits.isEmpty() ? "" : " " + digits); }
    }

    private static Result check(int kind, String text) {
        Object[] digits = new Object[1];
        int[] r = Native.idCheck(kind, Native.bytes(text == null ? "" : text), digits);
        return new Result(KINDS[r[0]], r[1] < VERDICTS.length ? VERDICTS[r[1]] : String.valueOf(r[1]),
                Native.str(Native.idVerdictDescribe(r[1])), Native.str((byte[]) digits[0]), r[2], r[3]);
    }

    /** Checks a national code (کد ملی). Throws EmzaException(ELIMIT) for text over 256 bytes. */
    public static Result checkNationalCode(String text) { return check(1, text); }

    /** Checks a legal-entity id (شناسه ملی). */
    public static Result checkLegalId(String text) { return check(2, text); }

    /** Checks a number as a national code (10 digits) or legal-entity id (11 digits). */
    public static Result check(String text) { return check(0, text); }
}
