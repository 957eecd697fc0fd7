package headwise.engine.analysis.probe;

import headwise.engine.HeadwiseException;
import headwise.engine.load.LoadedModel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * Layer-wise probing ("Exploring Concept Depth", Jin et al.): at each block, a logistic regression reads the
 * label from the pooled representation; accuracy, F1 and AUC on the test split trace at which depth the model knows it.
 * Optionally an attentive probe per block (M learned queries over all tokens) beside it, and the same probes again
 * with noise on the input embeddings and on lower-precision copies of the model (the paper's robustness check).
 */
public final class LayerProbing {

    /** depth = the first block whose accuracy reaches this fraction of the best block's. */
    public static final double DEPTH_FRACTION = 0.9;

    /** Told what the run is doing: "features" per example, then "probes" per probe fitted; a variant's stages are prefixed by its name. */
    public interface Progress {
        void report(String stage, int done, int total);

        static Progress none() {
            return (stage, done, total) -> {
            };
        }
    }

    /**
     * Extracts the features of the model as loaded (in-process: {@code ProbeFeatures::extract}; the app runs it on
     * Spark for large data sets). Variants on other copies of the model are extracted in-process.
     */
    @FunctionalInterface
    public interface Extractor {
        ProbeFeatures extract(LoadedModel model, Path file, List<ProbeExample> examples, ProbeSettings settings, IntConsumer progress);
    }

    /** A second copy of the model to probe the same way (e.g. at lower precision), named for the chart. */
    public record Comparison(String name, LoadedModel model) {
    }

    private LayerProbing() {
    }

    /** {@code other}, when it has the blocks, width and vocabulary of {@code model}; else a one-line error naming it. */
    public static LoadedModel checkComparable(LoadedModel model, LoadedModel other, String name) {
        var a = model.spec();
        var b = other.spec();
        if (a.layers() != b.layers() || a.dModel() != b.dModel() || a.heads() != b.heads() || a.vocabSize() != b.vocabSize()) {
            throw new HeadwiseException(name + ": not a copy of " + model.name() + " (" + b.layers() + " blocks, width " + b.dModel()
                    + ", " + b.heads() + " heads, vocabulary " + b.vocabSize() + "; the model has " + a.layers() + ", " + a.dModel()
                    + ", " + a.heads() + ", " + a.vocabSize() + ")");
        }
        return other;
    }

    public static ProbeResult run(LoadedModel model, Path file, ProbeSettings settings, Progress progress) {
        return run(model, file, settings, List.of(), progress);
    }

    /**
     * The probes on {@code model} without noise, then (when settings.noise() > 0) with noise on its embeddings, then on
     * each comparison model (fed the token ids of {@code model}'s tokenizer, without noise, no head map).
     */
    public static ProbeResult run(LoadedModel model, Path file, ProbeSettings settings, List<Comparison> comparisons,
                                  Progress progress) {
        return run(model, file, settings, comparisons, progress, ProbeFeatures::extract);
    }

    /** As above, the features of {@code model} without noise extracted by {@code extractor}. */
    public static ProbeResult run(LoadedModel model, Path file, ProbeSettings settings, List<Comparison> comparisons,
                                  Progress progress, Extractor extractor) {
        List<ProbeExample> examples = ProbeDataFile.read(file);
        ProbeLabels labels = ProbeLabels.of(file, examples);
        ProbeSplit split = ProbeSplit.of(file, examples, labels, settings.seed());
        int example = attentionExample(settings, split, examples.size());
        ProbeSettings clean = settings.withNoise(0);
        ProbeFeatures features = extractor.extract(model, file, examples, clean,
                done -> progress.report("features", done, examples.size()));
        ProbeResult result = fit(features, labels, split, settings, example, "", progress); // settings: its noise names the variant
        if (result.attention() != null) {
            result = withTokens(result, model, examples.get(example), features.ids()[example]);
        }
        List<ProbeVariant> variants = new ArrayList<>();
        ProbeSettings variantSettings = settings.withHeadMap(false);
        if (settings.noise() > 0) {
            String name = String.format(Locale.ROOT, "noise σ=%s", trim(settings.noise()));
            variants.add(variant(name, model, file, examples, labels, split, variantSettings, progress));
        }
        List<ProbeExample> asIds = withIds(examples, features.ids());
        for (Comparison comparison : comparisons) {
            variants.add(variant(comparison.name(), comparison.model(), file, asIds, labels, split, variantSettings.withNoise(0), progress));
        }
        return result.withVariants(variants);
    }

    private static ProbeVariant variant(String name, LoadedModel model, Path file, List<ProbeExample> examples, ProbeLabels labels,
                                        ProbeSplit split, ProbeSettings settings, Progress progress) {
        ProbeFeatures features = ProbeFeatures.extract(model, file, examples, settings,
                done -> progress.report(name + ": features", done, examples.size()));
        ProbeResult result = fit(features, labels, split, settings, -1, name + ": ", progress);
        return new ProbeVariant(name, result.linear(), result.attentive());
    }

    /** The probes on features already extracted; {@code example} ≥ 0: the attentive probes' attention over it. */
    static ProbeResult fit(ProbeFeatures features, ProbeLabels labels, ProbeSplit split, ProbeSettings settings, int example,
                           String stagePrefix, Progress progress) {
        int layerCount = features.layers().length;
        boolean attentive = settings.attentiveQueries() > 0;
        int total = (1 + layerCount) * (attentive ? 2 : 1) + (settings.headMap() ? layerCount * features.heads() : 0);
        int[] done = {0};
        Runnable step = () -> progress.report(stagePrefix + "probes", ++done[0], total);
        ProbeScore embedding = probe(features.embedding(), labels, split, settings.c());
        step.run();
        List<ProbeScore> layers = new ArrayList<>();
        for (float[][] layer : features.layers()) {
            layers.add(probe(layer, labels, split, settings.c()));
            step.run();
        }
        ProbeCurve attentiveCurve = null;
        double[][][] attention = null;
        if (attentive) {
            AttentiveTraining.Settings training = AttentiveTraining.Settings.defaults(settings.attentiveQueries());
            List<ProbeScore> scores = new ArrayList<>();
            attention = example < 0 ? null : new double[layerCount][][];
            ProbeScore attentiveEmbedding = null;
            for (int l = -1; l < layerCount; l++) {
                float[][] tokens = features.tokens()[l + 1];
                int width = (l < 0 ? features.embedding() : features.layers()[l])[0].length;
                AttentiveProbing.Layer probe = AttentiveProbing.probe(tokens, width, labels, split, training, settings.seed(), l,
                        l < 0 ? -1 : example);
                if (l < 0) {
                    attentiveEmbedding = probe.score();
                } else {
                    scores.add(probe.score());
                    if (attention != null) {
                        attention[l] = probe.attention();
                    }
                }
                step.run();
            }
            attentiveCurve = new ProbeCurve(attentiveEmbedding, List.copyOf(scores), depth(scores));
        }
        double[][] heads = null;
        if (settings.headMap()) {
            heads = new double[layerCount][features.heads()];
            for (int l = 0; l < layerCount; l++) {
                for (int h = 0; h < features.heads(); h++) {
                    heads[l][h] = probe(features.head(l, h), labels, split, settings.c()).accuracy();
                    step.run();
                }
            }
        }
        ProbeAttention probeAttention = attention == null ? null
                : new ProbeAttention(example, -1, idStrings(features.ids()[example]), attention);
        return new ProbeResult(settings, labels.sorted(), split, new ProbeCurve(embedding, List.copyOf(layers), depth(layers)),
                attentiveCurve, heads, probeAttention, List.of());
    }

    /** Standardise on the training split, fit on it, score on the test split. */
    static ProbeScore probe(float[][] features, ProbeLabels labels, ProbeSplit split, double c) {
        Standardizer standardizer = Standardizer.fit(features, split.train());
        LogisticRegression model = LogisticRegression.fit(standardizer.apply(features, split.train()), labels.classes(split.train()),
                labels.count(), c);
        double[][] test = standardizer.apply(features, split.test());
        int[] predicted = new int[test.length];
        double[][] scores = new double[test.length][];
        for (int i = 0; i < test.length; i++) {
            predicted[i] = model.predict(test[i]);
            scores[i] = labels.count() == 2 ? model.decision(test[i]) : model.probabilities(test[i]);
        }
        return ProbeScore.of(labels.classes(split.test()), predicted, scores, labels.count());
    }

    /** The first layer whose accuracy reaches DEPTH_FRACTION of the best (accuracies are exact fractions; 1e-12 absorbs the product's rounding). */
    static int depth(List<ProbeScore> layers) {
        double best = layers.stream().mapToDouble(ProbeScore::accuracy).max().orElse(0);
        for (int l = 0; l < layers.size(); l++) {
            if (layers.get(l).accuracy() >= DEPTH_FRACTION * best - 1e-12) {
                return l;
            }
        }
        return 0;
    }

    /** The example whose attention is shown: the one asked for, else the first test example. */
    private static int attentionExample(ProbeSettings settings, ProbeSplit split, int count) {
        if (settings.attentiveQueries() == 0) {
            return -1;
        }
        int asked = settings.attentionExample();
        if (asked >= count) {
            throw new HeadwiseException("--attention-example: example " + asked + " does not exist; the file has " + count
                    + " examples (0-based)");
        }
        return asked >= 0 ? asked : split.test()[0];
    }

    /** The attention with the example's file row and its tokens as the tokenizer writes them (ids without a tokenizer). */
    private static ProbeResult withTokens(ProbeResult result, LoadedModel model, ProbeExample example, int[] ids) {
        String[] tokens = model.hasTokenizer() ? model.tokenizer().tokensOf(ids) : idStrings(ids);
        ProbeAttention attention = new ProbeAttention(result.attention().example(), example.row(), tokens, result.attention().weights());
        return new ProbeResult(result.settings(), result.labels(), result.split(), result.linear(), result.attentive(),
                result.headAccuracy(), attention, result.variants());
    }

    private static String[] idStrings(int[] ids) {
        return java.util.Arrays.stream(ids).mapToObj(Integer::toString).toArray(String[]::new);
    }

    /** The examples with their text replaced by the ids it was tokenized to, so another copy of the model reads the same tokens. */
    private static List<ProbeExample> withIds(List<ProbeExample> examples, int[][] ids) {
        List<ProbeExample> out = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            ProbeExample e = examples.get(i);
            out.add(new ProbeExample(e.row(), null, ids[i], e.label(), e.split()));
        }
        return out;
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
