package headwise.app.cli;

import com.google.gson.GsonBuilder;
import headwise.app.export.QuietStdout;
import headwise.app.session.Session;
import headwise.engine.HeadwiseException;
import headwise.engine.analysis.importance.Readout;
import headwise.engine.analysis.relevance.Faithfulness;
import headwise.engine.analysis.relevance.FaithfulnessBaseline;
import headwise.engine.analysis.relevance.Relevance;
import headwise.engine.analysis.relevance.RelevanceMap;
import headwise.engine.analysis.relevance.RelevanceMethod;
import headwise.engine.load.LoadedModel;
import headwise.engine.npy.Npy;
import headwise.engine.run.ModelInput;
import headwise.engine.vlm.TokenClasses;
import headwise.engine.vlm.analysis.JoinedRuns;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code analyze}'s relevance options: relevance.npy + relevance.json, faithfulness.json (docs/relevance.md); for text
 * joined with an image the maps cover every position of the joined sequence and relevance.json says where the image is.
 */
final class RelevanceOptions {

    @Option(names = "--relevance", paramLabel = "METHOD|all", description = "Relevance of each input token for one "
            + "output: grad-input, attnlrp, cp-lrp, chefer, rollout, or all (one relevance-METHOD.npy/.json each).")
    String relevance;

    @Option(names = "--target", paramLabel = "ID|CLASS", description = "With --relevance: the token id (language models), "
            + "class (classifiers) or hidden dimension (bare encoders) to explain (default: the top one).")
    Integer target;

    @Option(names = "--position", paramLabel = "P", description = "With --relevance: the output position "
            + "(default: the last token; CLS for bare encoders).")
    Integer position;

    @Option(names = "--faithfulness", description = "Also write faithfulness.json: each relevance map's deletion and "
            + "insertion curves and their areas (with --relevance: its methods; without: every method).")
    boolean faithfulness;

    @Option(names = "--baseline", paramLabel = "NAME|ID", description = "With --faithfulness: what a removed token becomes "
            + "(mask, pad, unk where the tokenizer has one, or a token id; default the first of those, else id 0) or a "
            + "removed patch (zero: the normalised mean colour, the default; mean: the image's own mean colour).")
    String baseline;

    /** The methods asked for (empty without --relevance or --faithfulness); checks the name before any run. */
    List<RelevanceMethod> methods() {
        if (baseline != null && !faithfulness) {
            throw new HeadwiseException("--baseline needs --faithfulness");
        }
        if (relevance == null) {
            if (faithfulness) {
                return List.of(RelevanceMethod.values());
            }
            if (target != null || position != null) {
                throw new HeadwiseException("--target and --position need --relevance");
            }
            return List.of();
        }
        return relevance.equalsIgnoreCase("all") ? List.of(RelevanceMethod.values()) : List.of(RelevanceMethod.parse(relevance));
    }

    /**
     * Computes and writes each method's map into {@code out}; non-finite maps are written and reported. With
     * --faithfulness also faithfulness.json.
     */
    void write(LoadedModel model, ModelInput input, List<RelevanceMethod> methods, Path out, PrintWriter report) {
        FaithfulnessBaseline removedAs = faithfulness ? FaithfulnessBaseline.parse(baseline, model, input.pixels() != null) : null;
        Relevance.Prepared prepared = Relevance.prepare(model, input, position, target);
        Map<String, Object> imageGrid = input.embeddings() != null ? imageGrid(model, input) : null;
        boolean one = methods.size() == 1;
        List<RelevanceMap> maps = new ArrayList<>();
        for (RelevanceMethod method : methods) {
            RelevanceMap map = QuietStdout.call(() -> Relevance.compute(model, prepared, method));
            maps.add(map);
            String stem = one ? "relevance" : "relevance-" + method.id();
            float[] values = new float[map.tokens().length];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) map.tokens()[i];
            }
            Npy.write(out.resolve(stem + ".npy"), new int[] {values.length}, values);
            Map<String, Object> json = json(map);
            if (imageGrid != null) {
                json.put("image", imageGrid);
            }
            writeJson(out.resolve(stem + ".json"), json);
            if (!map.finite()) {
                report.printf("%s: relevance is not finite (overflow?); written to %s.npy, not drawn%n", method.id(), stem);
            }
        }
        if (removedAs != null) {
            List<Faithfulness> curves = Faithfulness.computeAll(model, input, maps, removedAs);
            writeJson(out.resolve("faithfulness.json"), faithfulnessJson(maps.get(0), removedAs, curves,
                    Relevance.readout(model) != Readout.HIDDEN));
        }
    }

    /**
     * {"target", "position", "baseline", "baseline_id", "score", "steps", "methods": [{"method", "fractions",
     * "deletion", "insertion", "deletion_auc", "insertion_auc"}]}.
     */
    static Map<String, Object> faithfulnessJson(RelevanceMap any, FaithfulnessBaseline baseline, List<Faithfulness> curves,
                                                boolean probability) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("target", any.target().id());
        json.put("position", any.target().position());
        json.put("baseline", baseline.name());
        json.put("baseline_id", baseline.patch() ? null : baseline.tokenId());
        json.put("score", probability ? "probability" : "value");
        json.put("steps", curves.isEmpty() ? 0 : curves.get(0).steps());
        List<Map<String, Object>> methods = new ArrayList<>();
        for (Faithfulness f : curves) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", f.method());
            m.put("fractions", f.fractions());
            m.put("deletion", f.deletion());
            m.put("insertion", f.insertion());
            m.put("deletion_auc", f.deletionArea());
            m.put("insertion_auc", f.insertionArea());
            methods.add(m);
        }
        json.put("methods", methods);
        return json;
    }

    /** {@code session} with the curves of its relevance maps (for export --view faithfulness). */
    static Session withFaithfulness(LoadedModel model, ModelInput input, Session session, FaithfulnessBaseline baseline) {
        List<Faithfulness> curves = Faithfulness.computeAll(model, input, session.results().relevance(), baseline);
        return new Session(session.results().withFaithfulness(curves), session.selection());
    }

    static Map<String, Object> json(RelevanceMap map) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("method", map.method());
        json.put("target", map.target().id());
        json.put("position", map.target().position());
        json.put("logit", finiteOrNull(map.logit()));
        json.put("sum", finiteOrNull(map.sum()));
        json.put("position_share", finiteOrNull(map.positionShare()));
        json.put("type_share", finiteOrNull(map.typeShare()));
        json.put("finite", map.finite());
        if (map.heads() != null) {
            List<List<Double>> heads = new ArrayList<>();
            for (double[] layer : map.heads()) {
                List<Double> row = new ArrayList<>();
                for (double h : layer) {
                    row.add(finiteOrNull(h));
                }
                heads.add(row);
            }
            json.put("heads", heads);
        }
        return json;
    }

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /**
     * Where a joined input's image is: {"start", "rows", "cols"}; position start + row·cols + col is patch (row, col)
     * (the tower's CLS, when the model keeps it, is the position before start).
     */
    private static Map<String, Object> imageGrid(LoadedModel model, ModelInput input) {
        TokenClasses classes = JoinedRuns.classes(model.visionLanguage(), input.ids());
        Map<String, Object> grid = new LinkedHashMap<>();
        grid.put("start", classes.imageStart());
        grid.put("rows", classes.gridRows());
        grid.put("cols", classes.gridCols());
        return grid;
    }

    private static void writeJson(Path file, Map<String, Object> json) {
        try {
            Files.writeString(file, new GsonBuilder().serializeNulls().create().toJson(json) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot write: " + e.getMessage());
        }
    }
}
