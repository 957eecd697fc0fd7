package headwise.engine.analysis.probe;

import headwise.engine.HeadwiseException;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Ops;
import headwise.engine.model.PromptBatches;
import headwise.engine.model.Transformer;
import headwise.engine.run.MemoryBudget;
import headwise.engine.run.ModelInput;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * The pooled representations of every example: at the embedding (hook_embed), at the chosen site of every block, and
 * (for the per-head map) every head's hook_z. Examples run together in right-padded forwards ({@link PromptBatches}),
 * each pooled over its own positions only; the hooks only read, and no logits are computed.
 *
 * @param embedding [n][d]
 * @param layers    [L][n][width] at the site (width d, or heads·d_head for hook_z)
 * @param z         [L][n][heads·d_head], head h at [h·d_head, (h+1)·d_head); null when no head map was asked for
 * @param tokens    [L+1][n][T_i·width] every token's state, [0] the embedding and [l+1] block l at the site (for the
 *                  attentive probes); null when no attentive probe was asked for
 * @param ids       [n][T_i] the token ids of each example
 */
public record ProbeFeatures(float[][] embedding, float[][][] layers, float[][][] z, int heads, int dHead, float[][][] tokens,
                            int[][] ids) {

    /** Most examples per forward: bounds the activations of one run (batch · T · d per hook). */
    static final int BATCH = 16;

    /**
     * @param progress told the number of examples done after each forward
     */
    public static ProbeFeatures extract(LoadedModel model, Path file, List<ProbeExample> examples, ProbeSettings settings,
                                        IntConsumer progress) {
        ProbeSite site = settings.site();
        Pooling pooling = settings.pooling();
        boolean headMap = settings.headMap();
        ModelSpec spec = model.spec();
        if (spec.vision() != null) {
            throw new HeadwiseException(file + ": " + model.name() + " is a vision model; probing takes text or token ids");
        }
        int n = examples.size();
        int layerCount = spec.layers();
        float[][] embedding = new float[n][];
        float[][][] layers = new float[layerCount][n][];
        float[][][] z = headMap ? new float[layerCount][n][] : null;
        float[][][] tokens = settings.attentiveQueries() > 0 ? new float[layerCount + 1][n][] : null;
        int[][] ids = new int[n][];
        for (int i = 0; i < n; i++) {
            ids[i] = idsOf(model, file, examples.get(i));
        }
        if (tokens != null) {
            checkTokenMemory(file, tokenStateBytes(ids, layerCount, site == ProbeSite.Z ? spec.heads() * spec.dHead() : spec.dModel()),
                    MemoryBudget.freeHeapBytes());
        }
        int done = 0;
        Transformer transformer = model.transformer().withoutLogits(); // the hooks are all that is read
        for (PromptBatches.Batch padded : PromptBatches.of(ids, PromptBatches.DEFAULT_TOKENS, BATCH)) {
            int[] batch = padded.prompts();
            int[] lengths = padded.lengths();
            Hooks hooks = Hooks.none();
            if (settings.noise() > 0) { // first, so that everything after (the embedding's features too) sees it
                hooks.intervene(HookNames.EMBED, x -> withNoise(x, settings.noise(), settings.seed(), batch));
            }
            hooks.intervene(HookNames.EMBED, x -> read(x, pooling, embedding, batch, lengths));
            if (tokens != null) {
                hooks.intervene(HookNames.EMBED, x -> keepTokens(x, tokens[0], batch, lengths));
            }
            for (int l = 0; l < layerCount; l++) {
                float[][] atSite = layers[l];
                hooks.intervene(site.hookName(l), x -> read(x, pooling, atSite, batch, lengths));
                if (tokens != null) {
                    float[][] states = tokens[l + 1];
                    hooks.intervene(site.hookName(l), x -> keepTokens(x, states, batch, lengths));
                }
                if (headMap && site != ProbeSite.Z) {
                    float[][] heads = z[l];
                    hooks.intervene(HookNames.z(l), x -> read(x, pooling, heads, batch, lengths));
                }
            }
            transformer.runPadded(padded.ids(), lengths, hooks);
            done += batch.length;
            progress.accept(done);
        }
        return new ProbeFeatures(embedding, layers, headMap && site == ProbeSite.Z ? layers : z, spec.heads(), spec.dHead(),
                tokens, ids);
    }

    /** The bytes of every token's state at the embedding and every block (float32), kept for the attentive probes. */
    static long tokenStateBytes(int[][] ids, int layers, int width) {
        long tokens = 0;
        for (int[] example : ids) {
            tokens += example.length;
        }
        return tokens * (layers + 1) * width * Float.BYTES;
    }

    /** Refuses, in one line, token states that would not fit the heap (the attentive probes keep them all). */
    static void checkTokenMemory(Path file, long bytes, long freeHeapBytes) {
        if (bytes > freeHeapBytes / 2) { // half: the probes' double copies of one block's states come on top
            throw new HeadwiseException(String.format(java.util.Locale.ROOT, "%s: the attentive probes keep every token's state,"
                    + " %.0f MB here, more than half the free Java heap (%.0f MB); give fewer or shorter examples, a larger -Xmx,"
                    + " or no attentive probe", file, bytes / 1e6, freeHeapBytes / 1e6));
        }
    }

    /**
     * Pools the first lengths[b] positions of each row b of x ([batch, T, d] or hook_z's [batch, T, heads, d_head],
     * right-padded) into {@code into[examples[b]]}; returns x.
     */
    private static INDArray read(INDArray x, Pooling pooling, float[][] into, int[] examples, int[] lengths) {
        int tokens = (int) x.size(1);
        int width = (int) (x.length() / x.size(0) / tokens);
        float[] values = Ops.floats(x);
        for (int b = 0; b < examples.length; b++) {
            into[examples[b]] = pooling.pool(values, b * tokens * width, lengths[b], width);
        }
        return x;
    }

    /** Copies the states of the first lengths[b] positions of each row b of x into {@code into[examples[b]]}; returns x. */
    private static INDArray keepTokens(INDArray x, float[][] into, int[] examples, int[] lengths) {
        int perRow = (int) (x.length() / x.size(0));
        int width = (int) (perRow / x.size(1));
        float[] values = Ops.floats(x);
        for (int b = 0; b < examples.length; b++) {
            into[examples[b]] = java.util.Arrays.copyOfRange(values, b * perRow, b * perRow + lengths[b] * width);
        }
        return x;
    }

    /**
     * x [batch, T, d] plus Gaussian noise of standard deviation sigma, as a new array; row b's noise depends only on
     * the seed and example index examples[b] (not on the batch it runs in, nor on the padding after the example).
     */
    static INDArray withNoise(INDArray x, double sigma, long seed, int[] examples) {
        int perRow = (int) (x.length() / x.size(0));
        float[] values = Ops.floats(x);
        for (int b = 0; b < examples.length; b++) {
            Random random = new Random(seed * 0x9E3779B97F4A7C15L + examples[b]);
            for (int j = 0; j < perRow; j++) {
                values[b * perRow + j] += (float) (sigma * random.nextGaussian());
            }
        }
        return Nd4j.create(values, x.shape(), 'c').castTo(x.dataType());
    }

    /** The ids of an example, checked against the model (length, vocabulary), naming the file and row when bad. */
    private static int[] idsOf(LoadedModel model, Path file, ProbeExample example) {
        String source = file + " row " + example.row();
        int[] ids = example.ids() != null ? example.ids() : model.tokenizer().encode(example.text()).ids();
        new ModelInput(ids, new String[ids.length], null, null).validate(model.spec(), source);
        return ids;
    }

    /** The features of head {@code head} at layer {@code layer}: [n][d_head]. */
    public float[][] head(int layer, int head) {
        float[][] all = z[layer];
        float[][] out = new float[all.length][dHead];
        for (int i = 0; i < all.length; i++) {
            System.arraycopy(all[i], head * dHead, out[i], 0, dHead);
        }
        return out;
    }
}
