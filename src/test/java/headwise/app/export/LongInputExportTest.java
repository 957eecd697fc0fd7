package headwise.app.export;

import headwise.app.session.Session;
import headwise.engine.Fixtures;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ForwardOptions;
import headwise.engine.run.ModelInput;
import headwise.viz.FigureChecks;
import headwise.viz.export.FigureFormat;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An input whose [heads, T, T] scores pass the whole-score limit (the forward attends in query blocks, so no hook
 * sees a whole pattern) exports its model view, and its metrics hold the same flow keys as the usual run: the extra
 * forward of FlowMetrics recomputes the patterns per head instead of asking for whole ones (it was refused:
 * "blocks.0.attn.hook_pattern needs the whole [heads, queries, keys] tensor"). The limit is lowered to one score
 * below the input's here, so a fixture's short input takes the path a 4,501-token input takes on a 4-head model at
 * the usual 64M (head-type detection runs its own shorter sequence, within the limit, as it is in real use).
 */
class LongInputExportTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama_f32", "pythia_f32"})
    @SuppressWarnings("unchecked")
    void modelViewAndFlowKeysOfAnInputPastTheWholeScoreLimit(String fixture, @TempDir Path dir) throws Exception {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            ModelInput input = ModelInput.fromIds(model, longestIds(model));
            long scores = (long) model.spec().heads() * input.length() * input.length();
            LoadedModel limited = model.withOptions(ForwardOptions.defaults().withMaxWholeScores(scores - 1));
            List<String> notes = new ArrayList<>();
            Session session = SessionAnalysis.run(limited, input, SessionAnalysis.partsFor(ViewKind.MODEL_VIEW),
                    SessionAnalysis.Options.defaults(), notes::add);
            assertTrue(notes.isEmpty(), notes.toString());
            assertNotNull(session.ablation());
            assertNotNull(session.gradient(), "a short input's backward pass fits");

            Path png = dir.resolve("model-view.png");
            Exporter.exportView(ViewKind.MODEL_VIEW, session, FigureFormat.PNG, png);
            BufferedImage image = ImageIO.read(png.toFile());
            assertTrue(FigureChecks.colours(image) > 20, "not blank: " + FigureChecks.colours(image) + " colours");

            Map<String, Object> metrics = session.metrics();
            Map<String, Object> usual = SessionAnalysis.run(model, input, SessionAnalysis.partsFor(ViewKind.LAYERS),
                    SessionAnalysis.Options.defaults()).metrics();
            for (String key : new String[] {"contribution_graph", "value_norms", "logit_lens"}) {
                assertTrue(metrics.containsKey(key), key + ": a " + input.length() + "-token input is within its limit");
            }
            assertEquals(usual.keySet(), metrics.keySet());
            assertFalse(metrics.containsKey("attention_flow"), "past its 64 tokens, as in the usual run");
            List<Map<String, Object>> edges = (List<Map<String, Object>>) ((Map<String, Object>) metrics.get("contribution_graph")).get("edges");
            List<Map<String, Object>> usualEdges = (List<Map<String, Object>>) ((Map<String, Object>) usual.get("contribution_graph")).get("edges");
            assertEquals(usualEdges.size(), edges.size());
            for (int e = 0; e < edges.size(); e++) {
                for (String field : new String[] {"layer", "from", "to", "kind"}) {
                    assertEquals(usualEdges.get(e).get(field), edges.get(e).get(field), "edge " + e + " " + field);
                }
                assertEquals(((Number) usualEdges.get(e).get("weight")).doubleValue(),
                        ((Number) edges.get(e).get("weight")).doubleValue(), 1e-5, "edge " + e);
            }
            List<List<List<Double>>> norms = (List<List<List<Double>>>) metrics.get("value_norms");
            List<List<List<Double>>> usualNorms = (List<List<List<Double>>>) usual.get("value_norms");
            int t = input.length();
            assertEquals(usualNorms.get(1).get(t - 1).get(2), norms.get(1).get(t - 1).get(2), 1e-5);
            // the query-block forward rounds differently from the usual one: the lens agrees to float rounding
            List<Double> klMean = (List<Double>) ((Map<String, Object>) metrics.get("logit_lens")).get("kl_mean");
            List<Double> usualKlMean = (List<Double>) ((Map<String, Object>) usual.get("logit_lens")).get("kl_mean");
            assertEquals(usualKlMean.size(), klMean.size());
            for (int l = 0; l < klMean.size(); l++) {
                assertEquals(usualKlMean.get(l), klMean.get(l), 1e-5, "logit_lens.kl_mean " + l);
            }
        }
    }

    /**
     * `export --view model-view --keys classes` of a joined text-and-image input past the whole-score limit: its maps
     * are recomputed per head (no whole pattern was captured), and the keys-by-class figure reads every head of them;
     * each head's class shares equal the usual run's.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llava_clip_f32", "llava_siglip_f32"})
    void keysByClassOfAJoinedInputPastTheWholeScoreLimit(String fixture) throws Exception {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            ModelInput joined = Fixtures.joinedInput(model, fixture);
            long scores = (long) model.spec().heads() * joined.length() * joined.length();
            // past the limit, and too long for its maps to be stored (a 4k-token joined input at the usual 64M)
            LoadedModel limited = model.withOptions(ForwardOptions.defaults().withMaxWholeScores(scores - 1)
                    .withAttentionStorage(ForwardOptions.AttentionStorage.RECOMPUTE));
            Session blocked = SessionAnalysis.run(limited, joined, java.util.Set.of(), SessionAnalysis.Options.defaults());
            Session usual = SessionAnalysis.run(model, joined, java.util.Set.of(), SessionAnalysis.Options.defaults());
            assertEquals(headwise.engine.run.AttentionMaps.Precision.RECOMPUTE, blocked.result().attention().precision(),
                    "past the limit no whole pattern exists: the maps are recomputed per head");
            headwise.engine.vlm.TokenClasses classes = VlmViews.classes(limited, joined);
            assertNotNull(classes);

            Path png = java.nio.file.Files.createDirectories(Path.of("target", "screenshots")).resolve("long-" + fixture + "-model-view-classes.png");
            Exporter.writeFigure(ViewFigures.byClass(ViewKind.MODEL_VIEW, blocked, classes), "model view", FigureFormat.PNG, 1, png);
            BufferedImage image = ImageIO.read(png.toFile());
            assertTrue(FigureChecks.colours(image) > 20, "not blank: " + FigureChecks.colours(image) + " colours");

            var shares = headwise.engine.vlm.analysis.KeyClassMaps.of(blocked.result().attention(), classes);
            var usualShares = headwise.engine.vlm.analysis.KeyClassMaps.of(usual.result().attention(), classes);
            assertTrue(shares.classes() >= 2, "text and image");
            for (int layer = 0; layer < shares.layers(); layer++) {
                for (int head = 0; head < shares.heads(); head++) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(usualShares.shares(layer, head), shares.shares(layer, head),
                            1e-5, "layer " + layer + " head " + head);
                }
            }
        }
    }

    /**
     * 128 ids (value_norms' limit), longer than head-type detection's own 101-token sequence: RoPE fixtures, whose
     * positions are unbounded (GPT-2's fixture has 32, all of which head-type detection uses).
     */
    private static int[] longestIds(LoadedModel model) {
        return java.util.stream.IntStream.range(0, 128).map(i -> (i * 7 + 3) % model.spec().vocabSize()).toArray();
    }
}
