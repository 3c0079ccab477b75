package ir.emza;

import java.time.Instant;

/** A timestamp on a signature: type ("SIGNATURE", ...), time, TSA name, indication ("PASSED", ...). */
public final class Timestamp {
    private final String type, tsa, indication;
    private final Instant time;

    Timestamp(String type, Instant time, String tsa, String indication) {
        this.type = type;
        this.time = time;
        this.tsa = tsa;
        this.indication = indication;
    }

    public String type() { return type; }
    public Instant time() { return time; }
    public String tsa() { return tsa; }
    public String indication() { return indication; }
}
