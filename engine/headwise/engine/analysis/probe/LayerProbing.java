package headwise.engine.analysis.probe;

import headwise.engine.load.LoadedModel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Layer-wise linear probing ("Exploring Concept Depth", Jin et al.): at each block, a logistic regression reads the
 * label from the pooled representation; accuracy, F1 and AUC on the test split trace at which depth the model knows it.
 */
public final class LayerProbing {

    /** depth = the first block whose accuracy reaches this fraction of the best block's. */
    public static final double DEPTH_FRACTION = 0.9;

    /** Told what the run is doing: "features" per example, then "probes" per probe fitted. */
    public interface Progress {
        void report(String stage, int done, int total);

        static Progress none() {
            return (stage, done, total) -> {
            };
        }
    }

    private LayerProbing() {
    }

    public static ProbeResult run(LoadedModel model, Path file, ProbeSettings settings, Progress progress) {
        List<ProbeExample> examples = ProbeDataFile.read(file);
        ProbeLabels labels = ProbeLabels.of(file, examples);
        ProbeSplit split = ProbeSplit.of(file, examples, labels, settings.seed());
        ProbeFeatures features = ProbeFeatures.extract(model, file, examples, settings,
                done -> progress.report("features", done, examples.size()));
        return fit(features, labels, split, settings, progress);
    }

    /** The probes on features already extracted. */
    static ProbeResult fit(ProbeFeatures features, ProbeLabels labels, ProbeSplit split, ProbeSettings settings, Progress progress) {
        int layerCount = features.layers().length;
        int total = 1 + layerCount + (settings.headMap() ? layerCount * features.heads() : 0);
        int done = 0;
        ProbeScore embedding = probe(features.embedding(), labels, split, settings.c());
        progress.report("probes", ++done, total);
        List<ProbeScore> layers = new ArrayList<>();
        for (float[][] layer : features.layers()) {
            layers.add(probe(layer, labels, split, settings.c()));
            progress.report("probes", ++done, total);
        }
        double[][] heads = null;
        if (settings.headMap()) {
            heads = new double[layerCount][features.heads()];
            for (int l = 0; l < layerCount; l++) {
                for (int h = 0; h < features.heads(); h++) {
                    heads[l][h] = probe(features.head(l, h), labels, split, settings.c()).accuracy();
                    progress.report("probes", ++done, total);
                }
            }
        }
        return new ProbeResult(settings, labels.sorted(), split, embedding, List.copyOf(layers),
                depth(layers), heads);
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
}
