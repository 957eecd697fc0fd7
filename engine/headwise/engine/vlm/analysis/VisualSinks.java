package headwise.engine.vlm.analysis;

import headwise.engine.HeadwiseException;
import headwise.engine.analysis.Residuals;
import headwise.engine.analysis.SinkDimensions;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.model.Ops;
import headwise.engine.vlm.TokenClasses;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Visual attention sinks (Kang et al. 2025, "See What You Are Told"). With x the hidden state entering layer l
 * (hook_resid_pre) and x̂ = x / sqrt(mean(x²) + 1e-6) (RMS-normalised without weights):
 * the sink dimensions D are the channels where the sink token's x̂ (BOS, position 0 by default) exceeds τ in at least
 * {@code minLayers} layers (the paper reads them off the language model's BOS sink; known dimensions can be given
 * instead); the sink value of a token is φ_l(t) = max_{c∈D} |x̂_{t,c}|; a token is a sink at layer l when φ_l(t) &gt; τ.
 * Image tokens (on the patch grid or not) that are sinks in at least one layer ≥ {@code fromLayer} are the visual sink
 * tokens.
 *
 * @param dimensions D, ascending
 * @param phi        [layer][position] φ_l (0 when D is empty)
 * @param sinks      the visual sink tokens, by descending score
 */
public record VisualSinks(Options options, int[] dimensions, double[][] phi, List<VisualSink> sinks) {

    /** τ = 20 as the paper; from layer 2 on, as the paper's code selects sinks. */
    public static final double DEFAULT_TAU = 20;
    public static final int DEFAULT_FROM_LAYER = 2;

    /**
     * @param tau        τ (|x̂| ≤ sqrt(d), so narrow models need a smaller τ)
     * @param sinkToken  the position whose massive dimensions define D (BOS)
     * @param minLayers  layers in which the sink token must exceed τ in a channel for it to join D
     * @param fromLayer  first layer whose sinks count (earlier layers are reported in φ but not listed)
     * @param dimensions known sink dimensions (e.g. {1415, 2533} in LLaMA-2-7B), or null to find them
     */
    public record Options(double tau, int sinkToken, int minLayers, int fromLayer, int[] dimensions) {
        public static Options defaults() {
            return new Options(DEFAULT_TAU, 0, 1, DEFAULT_FROM_LAYER, null);
        }

        public Options withTau(double value) {
            return new Options(value, sinkToken, minLayers, fromLayer, dimensions);
        }

        public Options withFromLayer(int value) {
            return new Options(tau, sinkToken, minLayers, value, dimensions);
        }

        public Options withDimensions(int[] value) {
            return new Options(tau, sinkToken, minLayers, fromLayer, value == null ? null : value.clone());
        }
    }

    /**
     * One visual sink token.
     *
     * @param position the sequence position
     * @param row      patch grid row; −1 for an image token off the grid (the tower's CLS)
     * @param col      patch grid column; −1 off the grid
     * @param score    max over the counted layers of φ_l
     * @param layers   how many counted layers have it as a sink
     */
    public record VisualSink(int position, int row, int col, double score, int layers) {

        public boolean onGrid() {
            return row >= 0;
        }

        /** "patch(row,col)", or "image token off the grid" (the tower's CLS). */
        public String label() {
            return onGrid() ? "patch(" + row + "," + col + ")" : "image token off the grid";
        }
    }

    /** Visual sink tokens (sequence positions) at {@code layer}: image positions with φ_l &gt; τ. */
    public int[] imageSinksAt(int layer, TokenClasses classes) {
        return sinksAt(phi[layer], options.tau(), classes, true);
    }

    /** Runs the decoder once, capturing every layer's hidden state. */
    public static VisualSinks find(JoinedSequence sequence, Options options) {
        var spec = sequence.decoder().spec();
        if (options.sinkToken() < 0 || options.sinkToken() >= sequence.length()) {
            throw new HeadwiseException("sink token " + options.sinkToken() + " is outside the " + sequence.length() + "-position sequence");
        }
        if (options.fromLayer() < 0 || options.fromLayer() >= spec.layers()) {
            throw new HeadwiseException("visual sinks: from layer " + options.fromLayer() + " is outside 0.." + (spec.layers() - 1));
        }
        int t = sequence.length();
        int d = spec.dModel();
        float[] all = new float[spec.layers() * t * d];
        Hooks hooks = Hooks.none();
        for (int layer = 0; layer < spec.layers(); layer++) {
            int offset = layer * t * d;
            hooks.intervene(HookNames.residPre(layer), x -> { // copied to the heap as the run goes: no native copy is kept
                System.arraycopy(Ops.floats(x), 0, all, offset, t * d);
                return x;
            });
        }
        sequence.run(hooks);
        return of(new Residuals(spec.layers(), t, d, all), sequence.classes(), options);
    }

    /** From hidden states [layer, T, d] (here: each layer's input). */
    public static VisualSinks of(Residuals hidden, TokenClasses classes, Options options) {
        int[] dims = options.dimensions() != null ? options.dimensions().clone() : dimensions(hidden, options);
        Arrays.sort(dims);
        for (int c : dims) {
            if (c < 0 || c >= hidden.width()) {
                throw new HeadwiseException("sink dimension " + c + " is outside the " + hidden.width() + " channels");
            }
        }
        double[][] phi = new double[hidden.layers()][hidden.tokens()];
        for (int l = 0; l < hidden.layers(); l++) {
            for (int t = 0; t < hidden.tokens(); t++) {
                phi[l][t] = phi(hidden, l, t, dims);
            }
        }
        List<VisualSink> list = new ArrayList<>();
        for (int p : classes.imagePositions()) {
            int n = p - classes.imageStart(); // negative off the grid
            double score = 0;
            int count = 0;
            for (int l = options.fromLayer(); l < hidden.layers(); l++) {
                if (phi[l][p] > options.tau()) {
                    count++;
                    score = Math.max(score, phi[l][p]);
                }
            }
            if (count > 0) {
                boolean onGrid = classes.onGrid(p);
                list.add(new VisualSink(p, onGrid ? n / classes.gridCols() : -1, onGrid ? n % classes.gridCols() : -1, score, count));
            }
        }
        list.sort((a, b) -> Double.compare(b.score(), a.score()));
        return new VisualSinks(options, dims, phi, List.copyOf(list));
    }

    /** D from the sink token's rows: SinkDimensions' count over its layers. */
    private static int[] dimensions(Residuals hidden, Options options) {
        int d = hidden.width();
        float[] rows = new float[hidden.layers() * d];
        for (int l = 0; l < hidden.layers(); l++) {
            System.arraycopy(hidden.values(), (l * hidden.tokens() + options.sinkToken()) * d, rows, l * d, d);
        }
        return SinkDimensions.find(new Residuals(hidden.layers(), 1, d, rows), options.tau(), options.minLayers()).dimensions();
    }

    /** φ = max_{c∈D} |x_c| / sqrt(mean(x²) + ε) of one hidden-state row. */
    static double phi(float[] values, int offset, int width, int[] dims) {
        if (dims.length == 0) {
            return 0;
        }
        double sq = 0;
        for (int c = 0; c < width; c++) {
            sq += (double) values[offset + c] * values[offset + c];
        }
        double max = 0;
        for (int c : dims) {
            max = Math.max(max, Math.abs(values[offset + c]));
        }
        return max / Math.sqrt(sq / width + SinkDimensions.EPSILON);
    }

    private static double phi(Residuals hidden, int layer, int token, int[] dims) {
        return phi(hidden.values(), (layer * hidden.tokens() + token) * hidden.width(), hidden.width(), dims);
    }

    /** Positions with φ &gt; τ: image positions only, or all. */
    static int[] sinksAt(double[] phi, double tau, TokenClasses classes, boolean imageOnly) {
        List<Integer> out = new ArrayList<>();
        for (int t = 0; t < phi.length; t++) {
            if (phi[t] > tau && (!imageOnly || classes.isImage(t))) {
                out.add(t);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
