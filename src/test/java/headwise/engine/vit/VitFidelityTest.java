package headwise.engine.vit;

import headwise.app.io.ImageFiles;
import headwise.engine.Fixtures;
import headwise.engine.HeadwiseException;
import headwise.engine.image.PatchGrid;
import headwise.engine.image.PixelImage;
import headwise.engine.image.PositionInterpolation;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ModelSpec;
import headwise.engine.npy.Npy;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ViT / DeiT against the independent float64 PyTorch forward of make_vit_fixtures.py, from the PNG through
 * preprocessing, patch embedding, the encoder and the head: within 1e-5 for F32 weights. The F16/BF16 references
 * run on the same rounded weights, so what is left is float32 arithmetic, and each has a bound about twice its
 * measured error (max|err| attention, output; 2-core x86 VM): vit_f16 8.6e-7, 2.9e-6; vit_bf16 9.5e-7, 7.2e-7.
 * The fixture images are already image_size, so resizing is the identity and the pixels must match exactly;
 * the *_interp_* images keep their own size (do_resize false), with position embeddings interpolated as Hugging
 * Face's interpolate_pos_encoding=True does.
 */
class VitFidelityTest {

    private static final Map<String, Double> HALF_PRECISION_TOLERANCE = Map.of("vit_f16", 6e-6, "vit_bf16", 2e-6);

    @ParameterizedTest
    @ValueSource(strings = {"vit_f32", "vit_f16", "vit_bf16", "vit_bare_f32", "deit_distilled_f32", "vit_interp_f32", "deit_interp_f32"})
    void matchesPyTorch(String fixture) {
        double tolerance = HALF_PRECISION_TOLERANCE.getOrDefault(fixture, 1e-5);
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            ModelInput input = ModelInput.fromImage(model, ImageFiles.read(Fixtures.model(fixture).resolve("reference/image.png")));
            double pixelError = Fixtures.maxAbsDiff(Fixtures.reference(fixture, "pixels.npy").values(), input.pixels());
            AnalysisResult result = Analyzer.analyze(model, input);

            Fixtures.RunErrors errors = Fixtures.runErrors(fixture, result);
            double attentionError = errors.attention();
            double outputError = errors.output();

            System.out.printf("fidelity %-20s pixels max|err| %.2e  attention max|err| %.2e  output max|err| %.2e%n",
                    fixture, pixelError, attentionError, outputError);
            assertEquals(0.0, pixelError, fixture + " pixels");
            assertTrue(attentionError <= tolerance, fixture + " attention error " + attentionError);
            assertTrue(outputError <= tolerance, fixture + " output error " + outputError);
        }
    }

    @Test
    void specsFollowTheConfig() {
        try (LoadedModel vit = ModelLoader.load(Fixtures.model("vit_f32").toString());
             LoadedModel bare = ModelLoader.load(Fixtures.model("vit_bare_f32").toString());
             LoadedModel deit = ModelLoader.load(Fixtures.model("deit_distilled_f32").toString())) {
            ModelSpec spec = vit.spec();
            assertEquals(ModelSpec.Output.CLASS_LOGITS, spec.output());
            assertEquals(5, spec.vocabSize());
            assertEquals(17, spec.maxPositions());
            assertFalse(spec.causal());
            assertFalse(spec.postNorm());
            assertEquals(ModelSpec.Activation.GELU_ERF, spec.activation());
            assertEquals(1e-12, spec.normEps());
            assertNull(spec.rope());
            assertEquals(new ModelSpec.Vision(32, 8, 3, false), spec.vision());
            assertEquals(ModelSpec.Output.HIDDEN_STATE, bare.spec().output());
            assertEquals(new ModelSpec.Vision(32, 8, 3, true), deit.spec().vision());
            assertEquals(18, deit.spec().vision().tokens());
        }
    }

    @Test
    void tokensNameClsDistillationAndPatches() {
        try (LoadedModel deit = ModelLoader.load(Fixtures.model("deit_distilled_f32").toString())) {
            ModelInput input = ModelInput.fromImage(deit, ImageFiles.read(Fixtures.model("deit_distilled_f32").resolve("reference/image.png")));
            assertEquals(18, input.length());
            assertEquals("[CLS]", input.tokens()[0]);
            assertEquals("[DIST]", input.tokens()[1]);
            assertEquals("patch(0,0)", input.tokens()[2]);
            assertEquals("patch(0,3)", input.tokens()[5]);
            assertEquals("patch(1,0)", input.tokens()[6]);
            assertEquals("patch(3,3)", input.tokens()[17]);
            assertEquals(17, input.ids()[17]);
            assertNull(input.offsets());
        }
    }

    @Test
    void visionModelsRefuseTextAndIds() {
        try (LoadedModel vit = ModelLoader.load(Fixtures.model("vit_f32").toString())) {
            HeadwiseException ids = assertThrows(HeadwiseException.class, () -> ModelInput.fromIds(vit, new int[] {1, 2}));
            assertTrue(ids.getMessage().contains("is a vision model"), ids.getMessage());
            HeadwiseException text = assertThrows(HeadwiseException.class, () -> ModelInput.fromText(vit, "hello"));
            assertTrue(text.getMessage().contains("is a vision model"), text.getMessage());
        }
    }

    /** The interpolated position embeddings against torch's F.interpolate(bicubic, align_corners=False) in float64. */
    @ParameterizedTest
    @ValueSource(strings = {"vit_interp_f32", "deit_interp_f32"})
    void interpolatedPositionsMatchPyTorch(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            ModelInput input = ModelInput.fromImage(model, ImageFiles.read(Fixtures.model(fixture).resolve("reference/image.png")));
            PatchGrid grid = input.grid();
            Npy.FloatArray expected = Fixtures.reference(fixture, "positions.npy");
            assertArrayEquals(new long[] {grid.tokens(), model.spec().dModel()}, expected.shape());
            INDArray trained = model.transformer().weights().vision().positions();
            float[] ours = PositionInterpolation.interpolate(trained, grid).dup('c').data().asFloat();
            double error = Fixtures.maxAbsDiff(expected.values(), ours);
            System.out.printf("positions %-16s %dx%d grid from 4x4: max|err| %.2e%n", fixture, grid.rows(), grid.cols(), error);
            assertTrue(error <= 1e-6, fixture + " positions error " + error);
            // CLS (and DIST) rows unchanged
            float[] stored = trained.dup('c').data().asFloat();
            int special = grid.specialTokens() * model.spec().dModel();
            assertArrayEquals(java.util.Arrays.copyOf(stored, special), java.util.Arrays.copyOf(ours, special));
        }
    }

    @Test
    void interpolationGridsAndTokens() {
        try (LoadedModel vit = ModelLoader.load(Fixtures.model("vit_interp_f32").toString());
             LoadedModel deit = ModelLoader.load(Fixtures.model("deit_interp_f32").toString())) {
            ModelInput v = ModelInput.fromImage(vit, ImageFiles.read(Fixtures.model("vit_interp_f32").resolve("reference/image.png")));
            assertEquals(new PatchGrid(5, 6, 8, 1), v.grid());
            assertEquals(31, v.length());
            assertEquals("patch(0,5)", v.tokens()[6]);
            assertEquals("patch(1,0)", v.tokens()[7]);
            assertEquals("patch(4,5)", v.tokens()[30]);
            assertEquals(48, v.image().seen().width());
            assertEquals(40, v.image().seen().height());
            ModelInput d = ModelInput.fromImage(deit, ImageFiles.read(Fixtures.model("deit_interp_f32").resolve("reference/image.png")));
            assertEquals(new PatchGrid(3, 7, 8, 2), d.grid());
            assertEquals(23, d.length());
            assertEquals("[DIST]", d.tokens()[1]);
            assertEquals("patch(2,6)", d.tokens()[22]);
        }
    }

    /** --keep-image-size on a model that resizes gives what do_resize false gives: vit_interp_f32's reference. */
    @Test
    void keepImageSizeOverridesTheResize() {
        try (LoadedModel vit = ModelLoader.load(Fixtures.model("vit_f32").toString())) {
            PixelImage image = ImageFiles.read(Fixtures.model("vit_interp_f32").resolve("reference/image.png"));
            ModelInput input = ModelInput.fromImage(vit, image, true);
            assertEquals(new PatchGrid(5, 6, 8, 1), input.grid());
            AnalysisResult result = Analyzer.analyze(vit, input);
            double error = Math.max(
                    Fixtures.maxAbsDiff(Fixtures.reference("vit_interp_f32", "attention.npy").values(), result.attention().values()),
                    Fixtures.maxAbsDiff(Fixtures.reference("vit_interp_f32", "output.npy").values(), result.output().values()));
            assertTrue(error <= 1e-5, "error " + error);
            // without it the 48x40 image is resized to 32x32: the trained grid
            assertEquals(PatchGrid.trained(vit.spec().vision()), ModelInput.fromImage(vit, image).grid());
        }
    }

    /** At the trained size, keeping the size changes nothing: the stored positions are used as they are. */
    @Test
    void keepingTheTrainedSizeIsTheNormalRun() {
        try (LoadedModel vit = ModelLoader.load(Fixtures.model("vit_f32").toString())) {
            PixelImage image = ImageFiles.read(Fixtures.model("vit_f32").resolve("reference/image.png"));
            ModelInput kept = ModelInput.fromImage(vit, image, true);
            assertEquals(PatchGrid.trained(vit.spec().vision()), kept.grid());
            assertArrayEquals(Analyzer.analyze(vit, ModelInput.fromImage(vit, image)).output().values(),
                    Analyzer.analyze(vit, kept).output().values());
            INDArray positions = vit.transformer().weights().vision().positions();
            assertTrue(positions == PositionInterpolation.interpolate(positions, kept.grid()));
        }
    }

    @Test
    void interpolationKeepsConstantsAndIsIdentityOnTheTrainedGrid() {
        float[] values = new float[(1 + 9) * 2];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 2 == 0 ? 0.25f : (float) i; // channel 0 constant, channel 1 varies
        }
        values[0] = 7f; // CLS
        INDArray positions = Nd4j.create(values, new long[] {10, 2}, 'c');
        float[] up = PositionInterpolation.interpolate(positions, new PatchGrid(7, 2, 4, 1)).dup('c').data().asFloat();
        assertEquals(2 * (1 + 14), up.length);
        assertEquals(7f, up[0]);
        for (int t = 1; t < 15; t++) {
            assertEquals(0.25f, up[2 * t], 1e-7f, "bicubic weights sum to 1");
        }
    }

    @Test
    void keptSizeMustBeWholePatches() {
        try (LoadedModel vit = ModelLoader.load(Fixtures.model("vit_f32").toString())) {
            PixelImage odd = new PixelImage("odd.png", 45, 37, 3, new byte[45 * 37 * 3]);
            HeadwiseException e = assertThrows(HeadwiseException.class, () -> ModelInput.fromImage(vit, odd, true));
            assertEquals("odd.png: the image is 45x37, but to keep its own size both sides must be multiples of the patch size 8 "
                    + "(e.g. 40x32); crop it, or let it be resized to 32x32", e.getMessage());
        }
    }
}
