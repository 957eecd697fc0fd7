package headwise.engine.samples;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.app.io.ImageFiles;
import headwise.engine.analysis.HeadTypes;
import headwise.engine.analysis.Sinks;
import headwise.engine.analysis.VitSpatial;
import headwise.engine.load.BundledModels;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.Matrix;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped sample checkpoints show what samples/README.md says they show, measured with the engine's own
 * analyses: the decoder's previous-token head, induction head and first-token sink; the ViT's accuracy on its
 * example images and its local and global heads.
 */
class SampleModelsTest {

    /** Claims of samples/README.md, as {layer, head}. */
    private static final int[] PREVIOUS_TOKEN_HEAD = {0, 1};
    private static final int[] INDUCTION_HEAD = {1, 1};
    private static final int[] SINK_HEAD = {1, 3};
    private static final int[] LOCAL_HEAD = {0, 1};
    private static final int[] GLOBAL_HEAD = {1, 3};

    @Test
    void decoderHasPreviousTokenAndInductionHeads() {
        try (LoadedModel model = ModelLoader.load(BundledModels.DECODER_SAMPLE)) {
            HeadTypes.Scores s = HeadTypes.detect(model.transformer(),
                    HeadTypes.Options.defaults().withBos(0).withExclusions(true, false));
            System.out.println("previous-token " + Arrays.deepToString(s.previousToken()));
            System.out.println("induction      " + Arrays.deepToString(s.induction()));
            assertEquals(63, s.tokens().length, "<bos> + 31 random tokens twice fill the 64 positions");
            double prev = at(s.previousToken(), PREVIOUS_TOKEN_HEAD);
            double induction = at(s.induction(), INDUCTION_HEAD);
            assertTrue(prev >= 0.5, "previous-token score " + prev);
            assertTrue(induction > 0.5, "induction score " + induction);
            assertEquals(prev, max(s.previousToken()), "the claimed previous-token head is the strongest");
            assertEquals(induction, max(s.induction()), "the claimed induction head is the strongest");
        }
    }

    @Test
    void decoderExampleRunsWithASinkOnBosAndCopiesTheRepeat() {
        BundledModels.Sample sample = BundledModels.samples().get(0);
        assertEquals(BundledModels.DECODER_SAMPLE, sample.name());
        try (LoadedModel model = ModelLoader.load(sample.name())) {
            ModelInput input = ModelInput.fromText(model, sample.exampleText());
            assertEquals("<bos>", input.tokens()[0]);
            AnalysisResult result = Analyzer.analyze(model, input);
            double[][][] sinks = Sinks.scores(result.attention(), true);
            double sink = sinks[SINK_HEAD[0]][SINK_HEAD[1]][0];
            System.out.println("sink score of <bos> in " + Arrays.toString(SINK_HEAD) + ": " + sink);
            assertTrue(sink > Sinks.DEFAULT_EPSILON, "sink score " + sink);

            // the example is one sentence twice: in the second copy, a word seen once before is followed by what
            // followed it then (induction); words seen twice ("the") are ambiguous and not checked
            int[] ids = input.ids();
            int half = (ids.length - 1) / 2;
            assertEquals(ids[1], ids[1 + half], "the example repeats itself");
            Matrix logits = result.output();
            int checked = 0;
            for (int i = 1 + half; i < ids.length - 1; i++) {
                int token = ids[i];
                if (Arrays.stream(ids, 1, 1 + half).filter(id -> id == token).count() == 1) {
                    assertEquals(ids[i + 1], argmax(logits, i), "prediction after " + input.tokens()[i] + " at " + i);
                    checked++;
                }
            }
            assertTrue(checked >= half / 2, "checked " + checked + " of " + half);
        }
    }

    @Test
    void vitClassifiesItsExampleImages() throws IOException {
        Path folder = BundledModels.find(BundledModels.VIT_SAMPLE).orElseThrow();
        JsonObject labels = JsonParser.parseString(Files.readString(folder.resolve("config.json")))
                .getAsJsonObject().getAsJsonObject("id2label");
        List<Path> images = BundledModels.exampleImages(folder);
        assertTrue(images.size() >= 3, "example images " + images);
        try (LoadedModel model = ModelLoader.load(BundledModels.VIT_SAMPLE)) {
            for (Path image : images) {
                AnalysisResult result = Analyzer.analyze(model, ModelInput.fromImage(model, ImageFiles.read(image)));
                String predicted = labels.get(String.valueOf(argmax(result.output(), 0))).getAsString();
                String name = image.getFileName().toString();
                assertEquals(name.substring(name.indexOf('_') + 1, name.lastIndexOf('.')), predicted, name);
            }
        }
    }

    @Test
    void vitHasLocalAndGlobalHeads() {
        Path folder = BundledModels.find(BundledModels.VIT_SAMPLE).orElseThrow();
        try (LoadedModel model = ModelLoader.load(BundledModels.VIT_SAMPLE)) {
            double[][] mean = null;
            List<Path> images = BundledModels.exampleImages(folder);
            for (Path image : images) {
                ModelInput input = ModelInput.fromImage(model, ImageFiles.read(image));
                double[][] d = VitSpatial.meanDistancePixels(Analyzer.analyze(model, input).attention(), input.grid(), false);
                if (mean == null) {
                    mean = new double[d.length][d[0].length];
                }
                for (int l = 0; l < d.length; l++) {
                    for (int h = 0; h < d[l].length; h++) {
                        mean[l][h] += d[l][h] / images.size();
                    }
                }
            }
            System.out.println("mean attention distance (px) " + Arrays.deepToString(mean));
            double local = at(mean, LOCAL_HEAD);
            double global = at(mean, GLOBAL_HEAD);
            // attention spread evenly over the 8x8 patches would give about 16 px
            assertTrue(local < 8, "local head's mean distance " + local);
            assertEquals(local, Arrays.stream(mean).flatMapToDouble(Arrays::stream).min().orElseThrow(),
                    "the claimed local head is the most local");
            assertTrue(global > 15, "global head's mean distance " + global);
            assertEquals(global, max(mean), "the claimed global head is the most global");
        }
    }

    private static double at(double[][] scores, int[] head) {
        return scores[head[0]][head[1]];
    }

    private static double max(double[][] scores) {
        return Arrays.stream(scores).flatMapToDouble(Arrays::stream).max().orElseThrow();
    }

    private static int argmax(Matrix m, int row) {
        int best = 0;
        for (int c = 1; c < m.cols(); c++) {
            if (m.get(row, c) > m.get(row, best)) {
                best = c;
            }
        }
        return best;
    }
}
