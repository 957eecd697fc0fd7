package headwise.engine.run;

/** Test helper: the same maps stored another way (the precisions are otherwise chosen by the run's memory budget). */
public final class AttentionMapsCopies {

    private AttentionMapsCopies() {
    }

    /** {@code a} held as float16. */
    public static AttentionMaps asHalves(AttentionMaps a) {
        AttentionMaps out = AttentionMaps.allocate(a.layers(), a.heads(), a.length(), AttentionMaps.Precision.F16);
        for (int l = 0; l < a.layers(); l++) {
            for (int h = 0; h < a.heads(); h++) {
                out.setHead(l, h, a.head(l, h), 0);
            }
        }
        return out;
    }
}
