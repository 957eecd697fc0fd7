package headwise.engine.corpus;

/**
 * Natural logarithm for the atlas's inner loop, about four times faster than {@link Math#log} and within a few ulps:
 * x = 2^e·m with m in [1, 2); m = c·(1 + r) with c the centre of m's 1/1024-wide bin (tabled, with 1/c and ln c) and
 * |r| ≤ 2^−11, so ln(1 + r) = r − r²/2 + r³/3 − r⁴/4 leaves an error below r⁵/5 ≈ 6·10^−18.
 */
final class FastLog {

    private static final int BITS = 10;
    private static final int BINS = 1 << BITS;
    private static final double LN2 = Math.log(2);
    private static final double[] INVERSE = new double[BINS];
    private static final double[] LOG = new double[BINS];

    static {
        for (int i = 0; i < BINS; i++) {
            double centre = 1 + (i + 0.5) / BINS;
            INVERSE[i] = 1 / centre;
            LOG[i] = Math.log(centre);
        }
    }

    private FastLog() {
    }

    /** ln x for x &gt; 0 (subnormal x, infinities and NaN go to {@link Math#log}). */
    static double log(double x) {
        long bits = Double.doubleToRawLongBits(x);
        int exponent = (int) (bits >>> 52) - 1023;
        if (exponent <= -1023 || exponent >= 1024) {
            return Math.log(x);
        }
        int bin = (int) (bits >>> (52 - BITS)) & (BINS - 1);
        double mantissa = Double.longBitsToDouble((bits & 0x000F_FFFF_FFFF_FFFFL) | 0x3FF0_0000_0000_0000L);
        double r = mantissa * INVERSE[bin] - 1;
        double series = r * (1 - r * (0.5 - r * (1.0 / 3 - r * 0.25)));
        return exponent * LN2 + LOG[bin] + series;
    }
}
