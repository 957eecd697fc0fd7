package headwise.app.cli;

import com.google.gson.GsonBuilder;
import headwise.app.export.QuietStdout;
import headwise.engine.HeadwiseException;
import headwise.engine.analysis.relevance.Relevance;
import headwise.engine.analysis.relevance.RelevanceMap;
import headwise.engine.analysis.relevance.RelevanceMethod;
import headwise.engine.load.LoadedModel;
import headwise.engine.npy.Npy;
import headwise.engine.run.ModelInput;
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

/** {@code analyze}'s relevance options: relevance.npy + relevance.json (docs/relevance.md). */
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

    /** The methods asked for (empty without --relevance); checks the name before any run. */
    List<RelevanceMethod> methods() {
        if (relevance == null) {
            if (target != null || position != null) {
                throw new HeadwiseException("--target and --position need --relevance");
            }
            return List.of();
        }
        return relevance.equalsIgnoreCase("all") ? List.of(RelevanceMethod.values()) : List.of(RelevanceMethod.parse(relevance));
    }

    /** Computes and writes each method's map into {@code out}; non-finite maps are written and reported. */
    void write(LoadedModel model, ModelInput input, List<RelevanceMethod> methods, Path out, PrintWriter report) {
        Relevance.Prepared prepared = Relevance.prepare(model, input, position, target);
        boolean one = methods.size() == 1;
        for (RelevanceMethod method : methods) {
            RelevanceMap map = QuietStdout.call(() -> Relevance.compute(model, prepared, method));
            String stem = one ? "relevance" : "relevance-" + method.id();
            float[] values = new float[map.tokens().length];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) map.tokens()[i];
            }
            Npy.write(out.resolve(stem + ".npy"), new int[] {values.length}, values);
            writeJson(out.resolve(stem + ".json"), map);
            if (!map.finite()) {
                report.printf("%s: relevance is not finite (overflow?); written to %s.npy, not drawn%n", method.id(), stem);
            }
        }
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

    private static void writeJson(Path file, RelevanceMap map) {
        try {
            Files.writeString(file, new GsonBuilder().serializeNulls().create().toJson(json(map)) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot write: " + e.getMessage());
        }
    }
}
