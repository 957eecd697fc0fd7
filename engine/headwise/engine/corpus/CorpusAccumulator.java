package headwise.engine.corpus;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A part of a corpus run (one partition, or all of them merged): every prompt's metrics, the sum of the prompts'
 * head-distance matrices ([n·n] row-major, n = layers·heads) and the sum of their pattern thumbnails.
 */
public final class CorpusAccumulator implements Serializable {

    private final List<PromptMetrics> prompts = new ArrayList<>();
    private double[] distanceSum;
    private double[][] thumbnailSum;

    /** @param thumbnails [n][PatternThumbnail.SIZE²], each head's pattern on this prompt */
    public void add(PromptMetrics prompt, double[][] distance, double[][] thumbnails) {
        prompts.add(prompt);
        int n = distance.length;
        if (distanceSum == null) {
            distanceSum = new double[n * n];
            thumbnailSum = new double[n][thumbnails[0].length];
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                distanceSum[i * n + j] += distance[i][j];
            }
            addInto(thumbnailSum[i], thumbnails[i]);
        }
    }

    private static void addInto(double[] sum, double[] more) {
        for (int k = 0; k < sum.length; k++) {
            sum[k] += more[k];
        }
    }

    /** Adds {@code other}'s prompts and distances to this one. */
    public CorpusAccumulator merge(CorpusAccumulator other) {
        prompts.addAll(other.prompts);
        if (other.distanceSum != null) {
            if (distanceSum == null) {
                distanceSum = other.distanceSum.clone();
                thumbnailSum = new double[other.thumbnailSum.length][other.thumbnailSum[0].length];
            } else {
                addInto(distanceSum, other.distanceSum);
            }
            for (int i = 0; i < thumbnailSum.length; i++) {
                addInto(thumbnailSum[i], other.thumbnailSum[i]);
            }
        }
        return this;
    }

    /** The prompts in corpus order. */
    public List<PromptMetrics> prompts() {
        List<PromptMetrics> sorted = new ArrayList<>(prompts);
        sorted.sort(Comparator.comparingInt(PromptMetrics::index));
        return sorted;
    }

    /** The mean over prompts of the head-distance matrices, [n][n]. */
    public double[][] meanDistance() {
        int n = (int) Math.round(Math.sqrt(distanceSum.length));
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                out[i][j] = distanceSum[i * n + j] / prompts.size();
            }
        }
        return out;
    }

    /** The mean over prompts of each head's pattern thumbnail, [n][SIZE²]. */
    public double[][] meanThumbnails() {
        double[][] out = new double[thumbnailSum.length][];
        for (int i = 0; i < out.length; i++) {
            out[i] = thumbnailSum[i].clone();
            for (int k = 0; k < out[i].length; k++) {
                out[i][k] /= prompts.size();
            }
        }
        return out;
    }

    private static final int FORMAT = 0x48574331; // "HWC1": a saved partition, see writeTo

    /**
     * Writes this part as plain numbers (no Java serialisation, so reading a file back runs no code from it): the
     * format tag, the prompt count, per prompt its index, tokens, the metrics' three sizes and values, then whether
     * sums follow, the distance sum's length and values and the thumbnail sum's two sizes and values.
     */
    public void writeTo(DataOutputStream out) throws IOException {
        out.writeInt(FORMAT);
        out.writeInt(prompts.size());
        for (PromptMetrics p : prompts) {
            double[][][] v = p.values();
            out.writeInt(p.index());
            out.writeInt(p.tokens());
            out.writeInt(v.length);
            out.writeInt(v.length == 0 ? 0 : v[0].length);
            out.writeInt(v.length == 0 || v[0].length == 0 ? 0 : v[0][0].length);
            for (double[][] metric : v) {
                for (double[] layer : metric) {
                    for (double x : layer) {
                        out.writeDouble(x);
                    }
                }
            }
        }
        out.writeBoolean(distanceSum != null);
        if (distanceSum != null) {
            out.writeInt(distanceSum.length);
            for (double x : distanceSum) {
                out.writeDouble(x);
            }
            out.writeInt(thumbnailSum.length);
            out.writeInt(thumbnailSum[0].length);
            for (double[] row : thumbnailSum) {
                for (double x : row) {
                    out.writeDouble(x);
                }
            }
        }
    }

    /** Reads what {@link #writeTo} wrote; null for anything else (another version, a damaged or truncated file). */
    public static CorpusAccumulator readFrom(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            if (in.getInt() != FORMAT) {
                return null;
            }
            CorpusAccumulator part = new CorpusAccumulator();
            int count = size(in, 1, 20);
            for (int i = 0; i < count; i++) {
                int index = in.getInt();
                int tokens = in.getInt();
                int metrics = size(in, 1, 0);
                int layers = size(in, 1, 0);
                int heads = size(in, 1, 0);
                if ((long) metrics * layers * heads * Double.BYTES > in.remaining()) {
                    return null;
                }
                double[][][] values = new double[metrics][layers][heads];
                for (double[][] metric : values) {
                    for (double[] layer : metric) {
                        for (int h = 0; h < heads; h++) {
                            layer[h] = in.getDouble();
                        }
                    }
                }
                part.prompts.add(new PromptMetrics(index, tokens, values));
            }
            if (in.get() != 0) {
                part.distanceSum = new double[size(in, Double.BYTES, 0)];
                for (int k = 0; k < part.distanceSum.length; k++) {
                    part.distanceSum[k] = in.getDouble();
                }
                int rows = size(in, 1, 0);
                int cols = size(in, 1, 0);
                if ((long) rows * cols * Double.BYTES > in.remaining()) {
                    return null;
                }
                part.thumbnailSum = new double[rows][cols];
                for (double[] row : part.thumbnailSum) {
                    for (int k = 0; k < cols; k++) {
                        row[k] = in.getDouble();
                    }
                }
            }
            return in.hasRemaining() ? null : part;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return null;
        }
    }

    /** A count read from the file, refused when its elements ({@code bytesEach}, plus {@code overhead} each) cannot fit what is left. */
    private static int size(ByteBuffer in, int bytesEach, int overhead) {
        int n = in.getInt();
        if (n < 0 || (long) n * (bytesEach + overhead) > in.remaining()) {
            throw new IllegalArgumentException("count " + n + " past the end of the file");
        }
        return n;
    }
}
