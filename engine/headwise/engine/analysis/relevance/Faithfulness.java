package headwise.engine.analysis.relevance;

import headwise.engine.HeadwiseException;
import headwise.engine.hooks.ActivationCache;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.image.PatchEmbedding;
import headwise.engine.image.PatchGrid;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.PromptBatches;
import headwise.engine.model.Transformer;
import headwise.engine.run.ModelInput;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * Deletion and insertion curves (docs/relevance.md, Faithfulness): remove the input units (tokens; for images the
 * patches, CLS kept) in decreasing relevance, or insert them into an all-removed input in that order, and record the
 * target's score after each step: its probability for logits (softmax over the row), its value for a bare encoder's
 * hidden dimension. A removed unit becomes the {@link FaithfulnessBaseline}: a token id, or a patch of zeros in every
 * normalised channel (the preprocessing's mean colour) or of the image's own mean colour. On text joined with an
 * image every position is a unit: a text position becomes the baseline token's embedding, an image position the
 * mean of the image's projected rows ({@link JoinedDeletion}). One forward per step,
 * the steps batched.
 *
 * @param baseline   what removed units became ({@link FaithfulnessBaseline#name})
 * @param fractions  fraction of the units removed (deletion) or inserted (insertion) at each step, 0 … 1
 * @param deletion   the score after each deletion step (the first is the clean input's)
 * @param insertion  the score after each insertion step (the last is the clean input's)
 */
public record Faithfulness(String method, String baseline, double[] fractions, double[] deletion, double[] insertion) {

    /** Steps at most (units are grouped evenly beyond this). */
    public static final int MAX_STEPS = 32;

    /** Trapezoid area under the deletion curve over fraction 0…1 (lower: the map found what matters). */
    public double deletionArea() {
        return area(deletion);
    }

    /** Area under the insertion curve (higher is better). */
    public double insertionArea() {
        return area(insertion);
    }

    private double area(double[] curve) {
        double a = 0;
        for (int s = 1; s < curve.length; s++) {
            a += (fractions[s] - fractions[s - 1]) * (curve[s] + curve[s - 1]) / 2;
        }
        return a;
    }

    /** The curves with removed tokens becoming {@code baselineId} (removed patches the zero patch). */
    public static Faithfulness compute(LoadedModel model, ModelInput input, RelevanceMap map, int baselineId) {
        return compute(model, input, map, input.pixels() != null ? FaithfulnessBaseline.ZERO_PATCH : FaithfulnessBaseline.token(baselineId));
    }

    /** The curves of {@code map} on the input it was computed for, removed units becoming {@code baseline}. */
    public static Faithfulness compute(LoadedModel model, ModelInput input, RelevanceMap map, FaithfulnessBaseline baseline) {
        boolean image = input.pixels() != null;
        if (baseline.patch() != image) {
            throw new HeadwiseException("baseline " + baseline.name() + " does not apply to " + (image ? "an image" : "text"));
        }
        Plan plan = plan(input, map);
        boolean probability = Relevance.readout(model) != headwise.engine.analysis.importance.Readout.HIDDEN;
        int imageTokenId = model.visionLanguage() != null ? model.visionLanguage().imageTokenId() : -1;
        double[] scores = scores(model.transformer(), input, plan.kept(), map.target(), baseline, imageTokenId, probability);
        int points = plan.fractions().length;
        return new Faithfulness(map.method(), baseline.name(), plan.fractions(), Arrays.copyOfRange(scores, 0, points),
                Arrays.copyOfRange(scores, points, 2 * points));
    }

    /**
     * The curves of every finite map (a map with an overflowed value has no order to follow), in the maps' order.
     * Each map's variants run in batches of their own, so that a map's curves do not depend on the other maps.
     */
    public static List<Faithfulness> computeAll(LoadedModel model, ModelInput input, List<RelevanceMap> maps,
                                                FaithfulnessBaseline baseline) {
        List<Faithfulness> out = new ArrayList<>();
        for (RelevanceMap map : maps) {
            if (map.finite()) {
                out.add(compute(model, input, map, baseline));
            }
        }
        return out;
    }

    /** One map's steps: the fraction at each, and which units stay in each variant (deletions, then insertions). */
    private record Plan(double[] fractions, List<boolean[]> kept) {
    }

    /** The units in decreasing relevance, grouped into at most {@link #MAX_STEPS} steps. */
    private static Plan plan(ModelInput input, RelevanceMap map) {
        int first = input.pixels() != null ? input.grid().specialTokens() : 0;
        int units = input.length() - first;
        Integer[] order = IntStream.range(0, units).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer u) -> -map.tokens()[first + u]).thenComparingInt(u -> u));
        int steps = Math.min(units, MAX_STEPS);
        double[] fractions = new double[steps + 1];
        int[] counts = new int[steps + 1];
        for (int s = 0; s <= steps; s++) {
            counts[s] = (int) Math.round((double) s * units / steps);
            fractions[s] = (double) counts[s] / units;
        }
        List<boolean[]> kept = new ArrayList<>();
        for (int s = 0; s <= steps; s++) {
            kept.add(keep(order, counts[s], units, true));
        }
        for (int s = 0; s <= steps; s++) {
            kept.add(keep(order, counts[s], units, false));
        }
        return new Plan(fractions, kept);
    }

    /** The number of steps after the clean (deletion) or empty (insertion) input. */
    public int steps() {
        return fractions.length - 1;
    }

    /** Which units stay: deletion removes the first {@code count} in order; insertion keeps only them. */
    private static boolean[] keep(Integer[] order, int count, int units, boolean deletion) {
        boolean[] keep = new boolean[units];
        Arrays.fill(keep, deletion);
        for (int k = 0; k < count; k++) {
            keep[order[k]] = !deletion;
        }
        return keep;
    }

    /**
     * Each variant's score. Variants run in batches of the same size as any padded forward's ({@link PromptBatches}:
     * at most 2,048 positions and 16 inputs), texts through {@link Transformer#runPadded}; the layers run without the
     * output head, which then runs on the rows read only: each variant's target row (a classifier's CLS rows), not
     * the logits of every position of every variant (8 × 128 × 50,257 floats a forward for GPT-2 before, a third of
     * its FLOPs).
     */
    private static double[] scores(Transformer transformer, ModelInput input, List<boolean[]> kept, RelevanceTarget target,
                                   FaithfulnessBaseline baseline, int imageTokenId, boolean probability) {
        double[] out = new double[kept.size()];
        int length = input.length();
        int perForward = Math.max(1, Math.min(PromptBatches.DEFAULT_PROMPTS, PromptBatches.DEFAULT_TOKENS / length));
        boolean classifier = transformer.spec().output() == ModelSpec.Output.CLASS_LOGITS;
        String lastResidual = HookNames.residPost(transformer.spec().layers() - 1);
        Transformer layers = transformer.withoutLogits();
        for (int from = 0; from < kept.size(); from += perForward) {
            int to = Math.min(kept.size(), from + perForward);
            Hooks hooks = Hooks.capturing(lastResidual::equals);
            Transformer.Result run;
            if (input.pixels() != null) {
                run = layers.runFromEmbeddings(embedImages(transformer, input, kept.subList(from, to), baseline), hooks);
            } else if (input.embeddings() != null) {
                run = layers.runFromEmbeddings(JoinedDeletion.embeddings(transformer, input, kept.subList(from, to),
                        baseline.tokenId(), imageTokenId), hooks);
            } else {
                int[][] ids = texts(input.ids(), kept.subList(from, to), baseline.tokenId());
                int[] lengths = new int[ids.length];
                Arrays.fill(lengths, length);
                run = layers.runPadded(ids, lengths, hooks);
            }
            close(run.output());
            INDArray residual = run.cache().get(lastResidual); // [variants, T, d]
            INDArray read = classifier ? residual : targetRows(residual, target.position());
            INDArray output = transformer.unembed(read, Hooks.none(), new ActivationCache()); // [variants, 1, width]
            for (int b = 0; b < to - from; b++) {
                double[] v = output.get(point(b), point(0), all()).castTo(DataType.DOUBLE).dup().data().asDouble();
                out[from + b] = probability ? softmaxAt(v, target.id()) : v[target.id()];
            }
            for (INDArray temporary : new INDArray[] {read, residual, output}) {
                close(temporary);
            }
        }
        return out;
    }

    /** Row {@code position} of each variant: [variants, 1, d]. */
    private static INDArray targetRows(INDArray residual, int position) {
        return residual.get(all(), interval(position, position + 1), all()).dup('c');
    }

    /** Native memory back now rather than at the next garbage collection. */
    private static void close(INDArray temporary) {
        if (temporary.closeable() && !temporary.wasClosed()) {
            temporary.close();
        }
    }

    private static int[][] texts(int[] ids, List<boolean[]> kept, int baselineId) {
        int[][] batch = new int[kept.size()][];
        for (int b = 0; b < batch.length; b++) {
            batch[b] = ids.clone();
            for (int t = 0; t < ids.length; t++) {
                if (!kept.get(b)[t]) {
                    batch[b][t] = baselineId;
                }
            }
        }
        return batch;
    }

    /** The variants' patch embeddings [variants, T, d], removed patches filled with the baseline's colour. */
    private static INDArray embedImages(Transformer transformer, ModelInput input, List<boolean[]> kept, FaithfulnessBaseline baseline) {
        PatchGrid grid = input.grid();
        int channels = transformer.spec().vision().channels();
        int p = grid.patchSize();
        float[] fill = baseline.equals(FaithfulnessBaseline.MEAN_PATCH) ? channelMeans(input.pixels(), channels) : new float[channels];
        List<INDArray> embedded = new ArrayList<>();
        for (boolean[] keep : kept) {
            float[] pixels = input.pixels().clone();
            int width = grid.width();
            int height = grid.height();
            for (int u = 0; u < keep.length; u++) {
                if (!keep[u]) {
                    int row = u / grid.cols();
                    int col = u % grid.cols();
                    for (int c = 0; c < channels; c++) {
                        for (int y = 0; y < p; y++) {
                            int start = (c * height + row * p + y) * width + col * p;
                            Arrays.fill(pixels, start, start + p, fill[c]);
                        }
                    }
                }
            }
            embedded.add(PatchEmbedding.embed(transformer.spec(), transformer.weights().vision(), pixels, grid));
        }
        return Nd4j.concat(0, embedded.toArray(INDArray[]::new));
    }

    /** The mean of each channel of planar pixels [C·H·W]. */
    static float[] channelMeans(float[] pixels, int channels) {
        int plane = pixels.length / channels;
        float[] means = new float[channels];
        for (int c = 0; c < channels; c++) {
            double s = 0;
            for (int i = 0; i < plane; i++) {
                s += pixels[c * plane + i];
            }
            means[c] = (float) (s / plane);
        }
        return means;
    }

    private static double softmaxAt(double[] row, int index) {
        double max = Arrays.stream(row).max().orElse(0);
        double sum = 0;
        for (double v : row) {
            sum += Math.exp(v - max);
        }
        return Math.exp(row[index] - max) / sum;
    }
}
