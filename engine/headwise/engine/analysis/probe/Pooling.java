package headwise.engine.analysis.probe;

import headwise.engine.HeadwiseException;

import java.util.Locale;

/** Which token's representation is probed: the last, the mean over all tokens (special ones included), or the first (CLS). */
public enum Pooling {
    LAST, MEAN, CLS;

    /**
     * Pools the [tokens][width] row-major block of {@code values} that starts at {@code offset} into one vector of
     * {@code width} floats (the mean in double).
     */
    public float[] pool(float[] values, int offset, int tokens, int width) {
        float[] out = new float[width];
        switch (this) {
            case LAST -> System.arraycopy(values, offset + (tokens - 1) * width, out, 0, width);
            case CLS -> System.arraycopy(values, offset, out, 0, width);
            case MEAN -> {
                for (int j = 0; j < width; j++) {
                    double sum = 0;
                    for (int t = 0; t < tokens; t++) {
                        sum += values[offset + t * width + j];
                    }
                    out[j] = (float) (sum / tokens);
                }
            }
        }
        return out;
    }

    public static Pooling parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new HeadwiseException("--position: unknown position '" + name + "'; choose last, mean or cls");
        }
    }
}
