package headwise.engine.image;

/**
 * PIL's resampling filters, by the codes preprocessor_config.json's "resample" uses (PILImageResampling).
 * {@link #support} is the filter's radius at scale 1; PIL widens it by the scale factor when downscaling.
 */
public enum Resample {
    NEAREST(0, 0.0),
    LANCZOS(1, 3.0),
    BILINEAR(2, 1.0),
    BICUBIC(3, 2.0),
    BOX(4, 0.5),
    HAMMING(5, 1.0);

    private final int pilCode;
    private final double support;

    Resample(int pilCode, double support) {
        this.pilCode = pilCode;
        this.support = support;
    }

    public int pilCode() {
        return pilCode;
    }

    public double support() {
        return support;
    }

    /** The filter for a PIL code, or null if there is none. */
    public static Resample ofPilCode(int code) {
        for (Resample r : values()) {
            if (r.pilCode == code) {
                return r;
            }
        }
        return null;
    }

    /** The kernel at distance {@code x}, exactly as PIL's Resample.c writes it. */
    double weight(double x) {
        return switch (this) {
            case NEAREST -> throw new IllegalStateException("nearest neighbour has no kernel");
            case BOX -> x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
            case BILINEAR -> Math.abs(x) < 1.0 ? 1.0 - Math.abs(x) : 0.0;
            case HAMMING -> hamming(Math.abs(x));
            case BICUBIC -> bicubic(Math.abs(x));
            case LANCZOS -> -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
        };
    }

    private static double hamming(double x) {
        if (x == 0.0) {
            return 1.0;
        }
        if (x >= 1.0) {
            return 0.0;
        }
        x = x * Math.PI;
        return Math.sin(x) / x * (0.54 + 0.46 * Math.cos(x));
    }

    /** Keys' cubic with a = −0.5. */
    private static double bicubic(double x) {
        double a = -0.5;
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    private static double sinc(double x) {
        if (x == 0.0) {
            return 1.0;
        }
        x = x * Math.PI;
        return Math.sin(x) / x;
    }
}
