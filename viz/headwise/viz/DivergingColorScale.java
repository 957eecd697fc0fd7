package headwise.viz;

/**
 * A diverging colour map for signed differences: blue (lowest) through near-white (middle) to red (highest),
 * ColorBrewer's RdBu with 11 classes (Cynthia Brewer, Apache-2.0), interpolated linearly between its colours.
 * Colour-blind safe; the middle is not pure white so zero cells still show against the background.
 */
public final class DivergingColorScale {

    /** RdBu from blue to red. */
    private static final int[] STOPS = {
        0x053061, 0x2166AC, 0x4393C3, 0x92C5DE, 0xD1E5F0, 0xF7F7F7, 0xFDDBC7, 0xF4A582, 0xD6604D, 0xB2182B, 0x67001F};

    private DivergingColorScale() {
    }

    /** The colour of {@code fraction} in [0, 1] (0 blue, ½ the middle, 1 red; clamped; NaN gives grey). */
    public static int argb(double fraction) {
        if (Double.isNaN(fraction)) {
            return ColorScale.NAN_ARGB;
        }
        double position = Math.max(0.0, Math.min(1.0, fraction)) * (STOPS.length - 1);
        int low = Math.min(STOPS.length - 2, (int) Math.floor(position));
        double t = position - low;
        int a = STOPS[low];
        int b = STOPS[low + 1];
        int out = 0xFF000000;
        for (int shift = 0; shift <= 16; shift += 8) {
            double channel = (1 - t) * (a >> shift & 0xFF) + t * (b >> shift & 0xFF);
            out |= (int) Math.round(channel) << shift;
        }
        return out;
    }
}
