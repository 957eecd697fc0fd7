package headwise.engine.vlm.analysis;

import headwise.engine.Fixtures;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.Ops;
import headwise.engine.run.ModelInput;
import headwise.engine.vlm.TokenClasses;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * VAR with the paper's layer rule (sinks from layer 2, the last layer left alone) on a LLaVA deep enough for it:
 * llava_sinks_f32 (4 decoder layers, so layer 2 is redistributed) with BOS and patches (1,2), (2,0) massive in
 * channel 7. Checks what moves where in layer 2, that layers 0, 1 and 3 are not redistributed, and that the output moves.
 */
class VarOnLlavaTest {

    private static final String FIXTURE = "llava_sinks_f32";
    private static final double TAU = 4; // min(20, sqrt(64)/2), as the app and export use

    @Test
    void theDefaultLayersMoveSinkAttentionToTheOtherImageTokens() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(FIXTURE).toString())) {
            ModelInput input = Fixtures.joinedInput(model, FIXTURE);
            JoinedSequence seq = JoinedRuns.of(model, input);
            TokenClasses classes = seq.classes();
            var spec = model.spec();
            assertEquals(4, spec.layers());

            VisualSinks sinks = VisualSinks.find(seq, VisualSinks.Options.defaults().withTau(TAU));
            assertArrayEquals(new int[] {7}, sinks.dimensions(), "BOS's massive channel");
            int[][] cells = sinks.sinks().stream().map(s -> new int[] {s.row(), s.col()})
                    .sorted((a, b) -> a[0] != b[0] ? a[0] - b[0] : a[1] - b[1]).toArray(int[][]::new);
            assertArrayEquals(new int[][] {{1, 2}, {2, 0}}, cells, "the two patches built as sinks, and only they");
            int[] sinkAt2 = VisualSinks.sinksAt(sinks.phi()[2], TAU, classes, false);
            assertArrayEquals(new int[] {0, classes.imageStart() + 6, classes.imageStart() + 8}, sinkAt2, "BOS and the two patches at layer 2");

            var options = VisualAttentionRedistribution.Options.defaults();
            assertEquals(2, options.fromLayer());
            int[][] redirected = new int[spec.layers()][spec.heads()];
            Hooks var = VisualAttentionRedistribution.hooks(spec.layers(), spec.dModel(), classes, sinks, options, redirected)
                    .capture(name -> name.endsWith("hook_pattern"));
            var shifted = seq.run(var);
            var clean = seq.run(Hooks.capturing(name -> name.endsWith("hook_pattern")));
            for (int l : new int[] {0, 1, 3}) {
                assertEquals(0, Arrays.stream(redirected[l]).sum(), "layer " + l + " is not redistributed");
            }
            for (int l : new int[] {0, 1}) {
                assertArrayEquals(Ops.floats(clean.cache().get(HookNames.pattern(l))), Ops.floats(shifted.cache().get(HookNames.pattern(l))),
                        0f, "layers before the first redistributed one are untouched");
            }

            float[] before = Ops.floats(clean.cache().get(HookNames.pattern(2)));
            float[] after = Ops.floats(shifted.cache().get(HookNames.pattern(2)));
            int t = seq.length();
            int first = classes.imageFirst();
            int end = classes.imageEnd();
            boolean[] sink = new boolean[t];
            for (int j : sinkAt2) {
                sink[j] = true;
            }
            double p = options.p();
            int rows = 0;
            double moved = 0;
            for (int h = 0; h < spec.heads(); h++) {
                int changed = 0;
                for (int i = 0; i < t; i++) {
                    int row = (h * t + i) * t;
                    double image = 0;
                    double imageSinks = 0;
                    double allSinks = 0;
                    double sumAfter = 0;
                    for (int j = 0; j <= i; j++) {
                        boolean inImage = j >= first && j < end;
                        image += inImage ? before[row + j] : 0;
                        imageSinks += inImage && sink[j] ? before[row + j] : 0;
                        allSinks += sink[j] ? before[row + j] : 0;
                        sumAfter += after[row + j];
                    }
                    boolean centric = i >= end && image >= options.minImageAttention() && imageSinks <= options.rho() * image;
                    if (!centric) {
                        assertArrayEquals(Arrays.copyOfRange(before, row, row + t), Arrays.copyOfRange(after, row, row + t), 0f,
                                "head " + h + " row " + i + " is not image-centric: left alone");
                        continue;
                    }
                    changed++;
                    double gain = (1 - p) * allSinks / (image - imageSinks);
                    double receivedByImage = 0;
                    for (int j = 0; j <= i; j++) {
                        boolean inImage = j >= first && j < end;
                        double expected = sink[j] ? p * before[row + j] : inImage ? before[row + j] * (1 + gain) : before[row + j];
                        assertEquals(expected, after[row + j], 1e-6, "head " + h + " row " + i + " key " + j);
                        receivedByImage += inImage && !sink[j] ? after[row + j] - before[row + j] : 0;
                    }
                    assertEquals((1 - p) * allSinks, receivedByImage, 1e-5, "the sinks' freed attention goes to the other image tokens");
                    assertEquals(1.0, sumAfter, 1e-5, "head " + h + " row " + i + " still sums to 1");
                    moved += receivedByImage;
                }
                assertEquals(changed, redirected[2][h], "redistributed rows of head " + h);
                rows += changed;
            }
            assertTrue(rows > 0 && moved > 1e-3, "image-centric rows after the image: " + rows + ", mass moved " + moved);

            VisualAttentionRedistribution.Result result = VisualAttentionRedistribution.apply(seq, sinks, options, -1, null);
            assertArrayEquals(redirected, result.redirected());
            System.out.printf("VAR on %s: %d rows redistributed in layer 2 (%s per head), %.4f attention moved to non-sink "
                    + "patches, KL at the last position %.3e%n", FIXTURE, rows, Arrays.toString(redirected[2]), moved, result.shift().kl());
            assertTrue(result.shift().kl() > 1e-8, "the output moves: KL " + result.shift().kl());
        }
    }
}
