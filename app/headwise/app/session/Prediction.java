package headwise.app.session;

import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Matrix;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What a run predicts, for the interventions page: the next-token distribution at the last position (language
 * models), the class probabilities (classifiers), or, for a bare encoder, its sentence embedding (mean of the last
 * hidden state over positions), which has no probabilities but can be compared by cosine similarity.
 *
 * @param title         what the numbers are
 * @param top           the most likely entries, most likely first (empty for an embedding)
 * @param probabilities the whole distribution, or null for an embedding
 * @param embedding     the sentence embedding, or null for a distribution
 */
public record Prediction(String title, List<Entry> top, double[] probabilities, double[] embedding) {

    public static final int TOP = 8;

    /** One outcome: token or class id, its label, its probability. */
    public record Entry(int id, String label, double probability) {
    }

    /** Computes the prediction of {@code result}; labels come from the model's tokenizer when it has one. */
    public static Prediction of(LoadedModel model, AnalysisResult result) {
        Matrix out = result.output();
        ModelSpec spec = result.spec();
        if (spec.output() == ModelSpec.Output.HIDDEN_STATE) {
            double[] mean = new double[out.cols()];
            for (int r = 0; r < out.rows(); r++) {
                for (int c = 0; c < out.cols(); c++) {
                    mean[c] += out.get(r, c) / out.rows();
                }
            }
            return new Prediction("sentence embedding (mean of the last hidden state over " + out.rows() + " positions, "
                    + out.cols() + " dimensions)", List.of(), null, mean);
        }
        boolean classes = spec.output() == ModelSpec.Output.CLASS_LOGITS;
        int row = out.rows() - 1;
        double[] p = softmax(out, row);
        int[] best = IntStream.range(0, p.length).boxed().sorted(Comparator.comparingDouble((Integer i) -> -p[i]))
                .limit(TOP).mapToInt(Integer::intValue).toArray();
        String[] labels = labels(model, best, classes);
        List<Entry> top = new ArrayList<>();
        for (int i = 0; i < best.length; i++) {
            top.add(new Entry(best[i], labels[i], p[best[i]]));
        }
        String title = classes ? "class probabilities" : spec.causal() ? "next-token distribution after the last token"
                : "output distribution at the last position";
        return new Prediction(title, top, p, null);
    }

    private static String[] labels(LoadedModel model, int[] ids, boolean classes) {
        if (!classes && model != null && model.hasTokenizer()) {
            try {
                return model.tokenizer().tokensOf(ids);
            } catch (RuntimeException e) {
                // fall back to ids: a label is not worth an error
            }
        }
        String[] out = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (classes ? "class " : "#") + ids[i];
        }
        return out;
    }

    private static double[] softmax(Matrix out, int row) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < out.cols(); c++) {
            max = Math.max(max, out.get(row, c));
        }
        double[] p = new double[out.cols()];
        double sum = 0;
        for (int c = 0; c < out.cols(); c++) {
            p[c] = Math.exp(out.get(row, c) - max);
            sum += p[c];
        }
        for (int c = 0; c < p.length; c++) {
            p[c] /= sum;
        }
        return p;
    }

    /** Probability of outcome {@code id}, or NaN for an embedding or an id outside the distribution. */
    public double probability(int id) {
        return probabilities == null || id < 0 || id >= probabilities.length ? Double.NaN : probabilities[id];
    }

    /** KL(original ‖ this) in nats for distributions of the same size; NaN otherwise. */
    public double klFrom(Prediction original) {
        if (probabilities == null || original.probabilities == null || probabilities.length != original.probabilities.length) {
            return Double.NaN;
        }
        double kl = 0;
        for (int i = 0; i < probabilities.length; i++) {
            double p = original.probabilities[i];
            if (p > 0) {
                kl += p * Math.log(p / Math.max(probabilities[i], 1e-300));
            }
        }
        return kl;
    }

    /** Cosine similarity of two embeddings of the same size; NaN otherwise. */
    public double cosineTo(Prediction other) {
        if (embedding == null || other.embedding == null || embedding.length != other.embedding.length) {
            return Double.NaN;
        }
        double dot = 0;
        double a = 0;
        double b = 0;
        for (int i = 0; i < embedding.length; i++) {
            dot += embedding[i] * other.embedding[i];
            a += embedding[i] * embedding[i];
            b += other.embedding[i] * other.embedding[i];
        }
        return a == 0 || b == 0 ? Double.NaN : dot / Math.sqrt(a * b);
    }

    /** The top entry, or null for an embedding. */
    public Entry best() {
        return top.isEmpty() ? null : top.get(0);
    }
}
