package headwise.engine.corpus;

import java.io.Serializable;
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
}
