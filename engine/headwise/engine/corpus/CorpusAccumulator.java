package headwise.engine.corpus;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A part of a corpus run (one partition, or all of them merged): every prompt's metrics and the sum of the prompts'
 * head-distance matrices ([n·n] row-major, n = layers·heads).
 */
public final class CorpusAccumulator implements Serializable {

    private final List<PromptMetrics> prompts = new ArrayList<>();
    private double[] distanceSum;

    public void add(PromptMetrics prompt, double[][] distance) {
        prompts.add(prompt);
        int n = distance.length;
        if (distanceSum == null) {
            distanceSum = new double[n * n];
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                distanceSum[i * n + j] += distance[i][j];
            }
        }
    }

    /** Adds {@code other}'s prompts and distances to this one. */
    public CorpusAccumulator merge(CorpusAccumulator other) {
        prompts.addAll(other.prompts);
        if (other.distanceSum != null) {
            if (distanceSum == null) {
                distanceSum = other.distanceSum.clone();
            } else {
                for (int k = 0; k < distanceSum.length; k++) {
                    distanceSum[k] += other.distanceSum[k];
                }
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
}
