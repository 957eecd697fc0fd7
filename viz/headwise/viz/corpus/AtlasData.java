package headwise.viz.corpus;

import headwise.engine.corpus.CorpusAnalysis;
import headwise.engine.corpus.CorpusResults;
import headwise.engine.corpus.HeadAtlas;
import headwise.engine.run.AnalysisResult;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the atlas draws, from one prompt or a corpus run: the heads' places and mean patterns, their metrics (one
 * prompt's values, or a corpus's means) and an importance score where one was computed.
 *
 * @param metrics    metric name → [layer][head]
 * @param importance [layer][head], or null
 * @param source     "this input (12 tokens)", "corpus: 200 prompts"
 * @param corpus     over a corpus (patterns and metrics are means over its prompts)
 */
public record AtlasData(HeadAtlas atlas, Map<String, double[][]> metrics, double[][] importance, String importanceName, String source,
                        boolean corpus) {

    /** The atlas of one run's attention (its distances and MDS cost a moment: call off the FX thread). */
    public static AtlasData ofPrompt(AnalysisResult r, double[][] importance, String importanceName) {
        boolean causal = r.spec().causal();
        int[] ids = r.input().image() == null ? r.input().ids() : java.util.stream.IntStream.range(0, r.input().length()).toArray();
        double[][][] values = CorpusAnalysis.metrics(r.attention(), causal, ids); // an image's patches never repeat
        Map<String, double[][]> metrics = new LinkedHashMap<>();
        for (int m = 0; m < values.length; m++) {
            metrics.put(CorpusAnalysis.METRICS.get(m), values[m]);
        }
        return new AtlasData(HeadAtlas.ofPrompt(r.attention(), causal), metrics, importance, importanceName,
                "this input (" + r.input().length() + " tokens)", false);
    }

    public static AtlasData ofCorpus(CorpusResults c) {
        Map<String, double[][]> metrics = new LinkedHashMap<>();
        c.headStats().forEach((name, stats) -> metrics.put(name, stats.get("mean")));
        return new AtlasData(c.atlas(), metrics, null, null, "corpus: " + c.prompts() + " prompts", true);
    }
}
