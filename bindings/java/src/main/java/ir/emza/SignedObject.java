package ir.emza;

/** What a signature covers; {@link #wholeDocument()} false means only a part (PARTIAL_COVERAGE). */
public final class SignedObject {
    private final String uri, name, digestAlgorithm, mimeType;
    private final boolean whole;

    SignedObject(String uri, String name, String digestAlgorithm, String mimeType, boolean whole) {
        this.uri = uri;
        this.name = name;
        this.digestAlgorithm = digestAlgorithm;
        this.mimeType = mimeType;
        this.whole = whole;
    }

    public String uri() { return uri; }
    public String name() { return name; }
    public String digestAlgorithm() { return digestAlgorithm; }
    public String mimeType() { return mimeType; }
    public boolean wholeDocument() { return whole; }
}
