package headwise.engine.vlm.analysis;

import headwise.engine.Fixtures;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.AttentionMaps;
import headwise.engine.run.ModelInput;
import headwise.engine.vlm.TokenClasses;
import headwise.engine.vlm.TokenClasses.TokenClass;
import headwise.engine.vlm.VisionLanguageAnalyzer;
import headwise.engine.vlm.VisionLanguageInput;
import headwise.engine.vlm.VisionLanguageResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every vision-language analysis on the real tiny LLaVAs (make_llava_fixtures.py), loaded through the ordinary
 * loader and joined as the app and the command line join them ({@link JoinedRuns}). The fixtures are random, so the
 * checks are properties that hold for any weights: the rebuilt sequence is the analysed one, shares are
 * distributions that follow causality, sinks follow τ, VAR with nothing to move moves nothing, VHD is a norm that
 * the image makes non-zero, FlowCut's CLS relay is the tower's own CLS row, and pruning nothing or everything gives
 * the runs it must.
 */
class LlavaAnalysesTest {

    private static final double EPS = 1e-5;

    private record Run(LoadedModel model, ModelInput input, VisionLanguageInput vl, JoinedSequence sequence) implements AutoCloseable {
        @Override
        public void close() {
            model.close();
        }
    }

    private static Run open(String fixture) {
        LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString());
        VisionLanguageInput vl = Fixtures.visionLanguageInput(model, fixture);
        ModelInput input = VisionLanguageAnalyzer.joinedInput(model, vl);
        return new Run(model, input, vl, JoinedRuns.of(model, input));
    }

    @ParameterizedTest
    @ValueSource(strings = {"llava_clip_f32", "llava_clip_full_f32", "llava_siglip_f32"})
    void theRebuiltSequenceIsTheAnalysedOneAndItsSharesAreDistributions(String fixture) {
        try (Run run = open(fixture)) {
            VisionLanguageResult analysed = VisionLanguageAnalyzer.analyze(run.model(), run.vl());
            TokenClasses classes = run.sequence().classes();
            assertArrayEquals(analysed.classes().classes(), classes.classes(), fixture + " classes from the ids");
            assertEquals(analysed.classes().imageStart(), classes.imageStart());
            AttentionMaps maps = ClassShares.attention(run.sequence());
            assertTrue(Fixtures.maxAbsDiff(analysed.decoder().attention().values(), maps.values()) <= 1e-6,
                    fixture + ": the rebuilt sequence's attention is the analysed run's");

            ClassShares all = ClassShares.of(maps, classes, ClassShares.queries(classes, ClassShares.Rows.ALL));
            for (int l = 0; l < all.layers(); l++) {
                for (int h = 0; h < all.heads(); h++) {
                    double sum = 0;
                    for (TokenClass c : TokenClass.values()) {
                        sum += all.of(c)[l][h];
                    }
                    assertEquals(1.0, sum, EPS, fixture + " shares of head " + l + "." + h);
                    assertEquals(0.0, all.of(TokenClass.GENERATED)[l][h], 0.0, "nothing was generated");
                }
            }
            // queries before the image cannot see it (causal); the last query's image share is its patch grid's sum
            // plus, with 'full', the tower's CLS (an image token off the grid)
            int before = classes.imageFirst() - 1;
            ClassShares early = ClassShares.of(maps, classes, new int[] {before});
            int last = classes.length() - 1;
            ClassShares late = ClassShares.of(maps, classes, new int[] {last});
            for (int l = 0; l < maps.layers(); l++) {
                for (int h = 0; h < maps.heads(); h++) {
                    assertEquals(0.0, early.of(TokenClass.IMAGE)[l][h], 0.0);
                    double grid = Arrays.stream(PatchAttention.grid(maps, classes, l, h, last)).flatMapToDouble(Arrays::stream).sum();
                    double cls = classes.imageFirst() < classes.imageStart() ? maps.get(l, h, last, classes.imageFirst()) : 0;
                    assertEquals(late.of(TokenClass.IMAGE)[l][h], grid + cls, EPS);
                    assertTrue(grid > 0, fixture + ": a softmax gives every visible patch some attention; head " + l + "." + h);
                }
            }
            assertEquals(0.0, late.of(TokenClass.SYSTEM)[0][0], 0.0, "the tower's CLS, when kept, is an IMAGE key");
            assertEquals(fixture.contains("full") ? 1 : 0, classes.imageStart() - classes.imageFirst(), "image tokens off the grid");
        }
    }

    @Test
    void visualSinksFollowTauAndVarMovesTheOutputOnlyWhenItRedistributes() {
        try (Run run = open("llava_clip_f32")) {
            JoinedSequence seq = run.sequence();
            int width = run.model().spec().dModel();
            VisualSinks none = VisualSinks.find(seq, VisualSinks.Options.defaults().withFromLayer(0).withDimensions(new int[] {0, 1, 2})
                    .withTau(Math.sqrt(width) + 1));
            assertTrue(none.sinks().isEmpty(), "|x̂| ≤ sqrt(d): nothing passes τ = sqrt(d) + 1");
            // the median image φ at layer 0 as τ: about half of the patches are sinks there
            double[] phi0 = Arrays.stream(seq.imagePositions()).mapToDouble(p -> none.phi()[0][p]).sorted().toArray();
            double tau = phi0[phi0.length / 2];
            VisualSinks some = VisualSinks.find(seq, VisualSinks.Options.defaults().withFromLayer(0).withDimensions(new int[] {0, 1, 2}).withTau(tau));
            assertTrue(!some.sinks().isEmpty() && some.sinks().size() < seq.classes().imageCount(), some.sinks().toString());
            for (VisualSinks.VisualSink s : some.sinks()) {
                assertTrue(seq.classes().isImage(s.position()));
                assertEquals(s.position() - seq.classes().imageStart(), s.row() * seq.classes().gridCols() + s.col());
                assertTrue(s.score() > tau && s.score() <= Math.sqrt(width) + 1e-6, "score " + s.score());
            }

            VisualAttentionRedistribution.Options var = VisualAttentionRedistribution.Options.defaults().withFromLayer(0).withSkipLastLayer(false);
            VisualAttentionRedistribution.Result idle = VisualAttentionRedistribution.apply(seq, none, var, -1, null);
            assertEquals(0, Arrays.stream(idle.redirected()).flatMapToInt(Arrays::stream).sum());
            assertEquals(0.0, idle.shift().kl(), 1e-9, "no sinks: VAR leaves the output alone");
            VisualAttentionRedistribution.Result moved = VisualAttentionRedistribution.apply(seq, some, var, -1, null);
            int redirected = Arrays.stream(moved.redirected()).flatMapToInt(Arrays::stream).sum();
            assertTrue(redirected > 0, "image-centric rows after the image were redistributed");
            assertTrue(moved.shift().kl() > 1e-9, "KL " + moved.shift().kl());
            assertEquals(moved.clean().target(), moved.shifted().target(), "the shifted run reads the clean top token");
            assertEquals(idle.clean().logit(), moved.clean().logit(), 1e-6);
        }
    }

    /** 'full' keeps the tower's CLS: an image token off the grid that the image analyses count and the grid leaves out. */
    @Test
    void theTowersClsIsAnImageTokenOffTheGrid() {
        try (Run run = open("llava_clip_full_f32")) {
            JoinedSequence seq = run.sequence();
            TokenClasses classes = seq.classes();
            int cls = classes.imageFirst();
            assertEquals(classes.imageStart() - 1, cls);
            assertEquals(17, seq.imagePositions().length);
            assertEquals(cls, seq.imagePositions()[0]);
            assertEquals("[image CLS]", run.input().tokens()[cls]);
            // φ of the CLS at layer 0 as τ (minus a little): it is listed as a visual sink, off the grid
            VisualSinks probe = VisualSinks.find(seq, VisualSinks.Options.defaults().withFromLayer(0).withDimensions(new int[] {0, 1, 2}));
            double tau = probe.phi()[0][cls] - 1e-9;
            VisualSinks sinks = VisualSinks.find(seq, VisualSinks.Options.defaults().withFromLayer(0).withDimensions(new int[] {0, 1, 2}).withTau(tau));
            VisualSinks.VisualSink clsSink = sinks.sinks().stream().filter(s -> s.position() == cls).findFirst().orElseThrow();
            assertTrue(!clsSink.onGrid() && clsSink.row() == -1 && clsSink.col() == -1, clsSink.toString());
            assertEquals("image token off the grid", clsSink.label());
            sinks.sinks().stream().filter(VisualSinks.VisualSink::onGrid).forEach(s ->
                    assertEquals(s.position() - classes.imageStart(), s.row() * classes.gridCols() + s.col()));
            // FlowCut scores every image token, the CLS first; VHD's text-only run drops all 17
            ImageTokenFlow flow = ImageTokenFlow.compute(seq, null);
            assertEquals(17, flow.cumulative().length);
            assertEquals(17, flow.attention()[0].length);
            HeadDivergence vhd = HeadDivergence.compute(seq, new int[] {seq.length() - 1}, 2);
            assertTrue(vhd.ranked().get(0).vhd() > 0);
            double[][] grid = PatchAttention.grid(ClassShares.attention(seq), classes, 0, 0, seq.length() - 1);
            assertEquals(4, grid.length);
            assertEquals(4, grid[0].length);
        }
    }

    @Test
    void headDivergenceIsANormTheImageMakesNonZero() {
        try (Run run = open("llava_siglip_f32")) {
            JoinedSequence seq = run.sequence();
            int last = seq.length() - 1;
            HeadDivergence vhd = HeadDivergence.compute(seq, new int[] {last - 1, last}, 2);
            var spec = run.model().spec();
            assertEquals(spec.layers(), vhd.map().length);
            assertEquals(spec.heads(), vhd.map()[0].length);
            double max = 0;
            for (double[] row : vhd.map()) {
                for (double v : row) {
                    assertTrue(v >= 0 && Double.isFinite(v));
                    max = Math.max(max, v);
                }
            }
            assertTrue(max > 1e-4, "removing 16 of " + seq.length() + " positions changes some head's output: " + max);
            List<HeadDivergence.RankedHead> ranked = vhd.ranked();
            assertEquals(spec.layers() * spec.heads(), ranked.size());
            for (int i = 1; i < ranked.size(); i++) {
                assertTrue(ranked.get(i - 1).vhd() >= ranked.get(i).vhd());
            }
            assertEquals(max, ranked.get(0).vhd(), 1e-12);
            assertEquals(2, vhd.tokenVhd().length);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llava_clip_f32", "llava_clip_full_f32"})
    void theClsRelayIsTheTowersOwnClsRow(String fixture) {
        try (Run run = open(fixture)) {
            var vlm = run.model().visionLanguage();
            double[] row = JoinedRuns.towerClsRow(vlm, run.vl().image());
            assertEquals(17, row.length);
            assertEquals(1.0, Arrays.stream(row).sum(), EPS, "a softmax row");
            // the same row as the analysed run's tower attention at the last layer feeding the features (−2: layer 1 of 3)
            AttentionMaps tower = VisionLanguageAnalyzer.analyze(run.model(), run.vl()).visionAttention();
            int layer = Arrays.stream(vlm.featureLayers()).max().orElseThrow() - 1;
            for (int j = 0; j < row.length; j++) {
                double mean = 0;
                for (int h = 0; h < tower.heads(); h++) {
                    mean += tower.get(layer, h, 0, j) / tower.heads();
                }
                assertEquals(mean, row[j], 1e-6);
            }
            int n = run.sequence().classes().imageCount();
            double[] relay = JoinedRuns.flowRanking(row, ImageTokenFlow.compute(run.sequence(), null), n);
            if (fixture.contains("full")) { // the CLS is an image token of the sequence: it keeps its own value, first
                assertEquals(17, n);
                assertArrayEquals(row, relay, 0.0);
            } else {
                assertEquals(16, n);
                assertArrayEquals(Arrays.copyOfRange(row, 1, 17), relay, 0.0, "CLS's own value is left out; the patches stay in order");
            }
        }
    }

    @Test
    void aSiglipTowerHasNoClsSoFlowCutUsesTheMultiCriteriaScoreAndPruningBehaves() {
        try (Run run = open("llava_siglip_f32")) {
            JoinedSequence seq = run.sequence();
            int n = seq.classes().imageCount();
            assertNull(JoinedRuns.towerClsRow(run.model().visionLanguage(), run.vl().image()));
            ImageTokenFlow flow = ImageTokenFlow.compute(seq, null);
            assertEquals(seq.length() - 1, flow.query());
            double[] ranking = JoinedRuns.flowRanking(null, flow, n);
            assertArrayEquals(flow.cumulative(), ranking, 0.0);
            for (int l = 0; l < flow.scores().length; l++) {
                double attention = Arrays.stream(flow.attention()[l]).sum();
                assertTrue(attention > 0 && attention <= 1 + EPS, "the query's attention to the image " + attention);
                assertTrue(Arrays.stream(flow.scores()[l]).allMatch(s -> s > 0 && Double.isFinite(s)));
            }

            ImageTokenPruning pruning = ImageTokenPruning.compute(seq, ranking, flow.attention()[0], ImageTokenPruning.defaultFractions(), -1);
            double[] f = pruning.fractions();
            assertEquals(1.0, f[0]);
            assertEquals(n, pruning.kept()[0]);
            assertEquals(0, pruning.kept()[f.length - 1]);
            for (int i = 0; i < f.length; i++) {
                assertEquals(Math.round(f[i] * n), pruning.kept()[i]);
            }
            assertEquals(pruning.clean().logit(), pruning.byFlow()[0].logit(), EPS, "keeping every token is the clean run");
            assertEquals(pruning.clean().logit(), pruning.byAttention()[0].logit(), EPS);
            int none = f.length - 1;
            assertEquals(pruning.byFlow()[none].logit(), pruning.byAttention()[none].logit(), EPS, "with no image both orders are one run");
            int[] textOnly = seq.keptWithout(seq.imagePositions());
            double textLogit = Prediction.read(seq.decoder().runFromEmbeddings(seq.rows(textOnly), headwise.engine.hooks.Hooks.none()).output(),
                    0, textOnly.length - 1, pruning.clean().target()).logit();
            assertEquals(textLogit, pruning.byFlow()[none].logit(), EPS, "pruning every patch is the text-only run");
        }
    }
}
