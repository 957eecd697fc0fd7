package headwise.app.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.engine.Fixtures;
import headwise.engine.npy.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code analyze --model LLAVA (--text | --ids) --image}: the decoder's attention over the joined sequence, the
 * tower's attention over its own tokens, the logits and tokens.json against make_llava_fixtures.py's reference; and
 * one-line errors for what is not supported or not given right.
 */
class LlavaCliTest {

    private static final String FIXTURE = "llava_clip_f32";

    @TempDir
    Path temp;

    @Test
    void writesDecoderAndVisionAttentionForIds() throws IOException {
        CliTestSupport.Run run = analyze(FIXTURE, "--ids", ids(FIXTURE), "--image", image(FIXTURE));
        assertEquals(0, run.exitCode(), run.err());
        Path out = temp.resolve("out");
        Npy.FloatArray attention = Npy.read(out.resolve("attention.npy"));
        assertArrayEquals(new long[] {2, 4, 22, 22}, attention.shape());
        assertArrayEquals(Fixtures.reference(FIXTURE, "attention.npy").values(), attention.values(), 1e-5f);
        Npy.FloatArray vision = Npy.read(out.resolve("vision_attention.npy"));
        assertArrayEquals(new long[] {3, 4, 17, 17}, vision.shape(), "every tower layer, CLS included");
        assertArrayEquals(Fixtures.reference(FIXTURE, "vision_attention.npy").values(), vision.values(), 1e-5f);
        Npy.FloatArray output = Npy.read(out.resolve("output.npy"));
        assertArrayEquals(new long[] {22, 300}, output.shape());
        assertArrayEquals(Fixtures.reference(FIXTURE, "output.npy").values(), output.values(), 1e-5f);

        JsonObject tokens = JsonParser.parseString(Files.readString(out.resolve("tokens.json"))).getAsJsonObject();
        assertEquals(22, tokens.getAsJsonArray("ids").size());
        JsonArray classes = tokens.getAsJsonArray("classes");
        assertEquals("text", classes.get(2).getAsString());
        assertEquals("image", classes.get(3).getAsString());
        assertEquals("image", classes.get(18).getAsString());
        assertEquals("text", classes.get(19).getAsString());
        assertEquals("patch(0,1)", tokens.getAsJsonArray("tokens").get(4).getAsString());
        JsonObject image = tokens.getAsJsonObject("image");
        assertEquals(3, image.get("start").getAsInt());
        assertEquals(16, image.get("positions").getAsInt());
        assertEquals(4, image.get("rows").getAsInt());
        assertEquals(4, image.get("cols").getAsInt());
        assertFalse(image.has("class_token_position"), "'default' drops CLS");
        JsonObject visionGrid = tokens.getAsJsonObject("vision");
        assertEquals(17, visionGrid.get("tokens").getAsInt());
        assertEquals(1, visionGrid.get("special_tokens").getAsInt());
    }

    /** 'full' keeps the tower's CLS: an image position (class "image") before the grid, named [image CLS]. */
    @Test
    void theTowersClsIsAnImagePositionBeforeTheGrid() throws IOException {
        String fixture = "llava_clip_full_f32";
        CliTestSupport.Run run = analyze(fixture, "--ids", ids(fixture), "--image", image(fixture));
        assertEquals(0, run.exitCode(), run.err());
        JsonObject tokens = JsonParser.parseString(Files.readString(temp.resolve("out").resolve("tokens.json"))).getAsJsonObject();
        JsonArray classes = tokens.getAsJsonArray("classes");
        assertEquals("text", classes.get(2).getAsString());
        assertEquals("image", classes.get(3).getAsString(), "the CLS is an image token");
        assertEquals("[image CLS]", tokens.getAsJsonArray("tokens").get(3).getAsString());
        assertEquals("patch(0,0)", tokens.getAsJsonArray("tokens").get(4).getAsString());
        JsonObject image = tokens.getAsJsonObject("image");
        assertEquals(4, image.get("start").getAsInt(), "the grid starts after the CLS");
        assertEquals(17, image.get("positions").getAsInt());
        assertEquals(3, image.get("class_token_position").getAsInt());
        assertEquals(17, classes.asList().stream().filter(c -> c.getAsString().equals("image")).count());
    }

    /** Text with '<image>' goes through the tokenizer; the one image token becomes the 16 patch positions. */
    @Test
    void tokenizesTextWithTheImageToken() throws IOException {
        CliTestSupport.Run run = analyze(FIXTURE, "--text", "hello <image> world", "--image", image(FIXTURE));
        assertEquals(0, run.exitCode(), run.err());
        JsonObject tokens = JsonParser.parseString(Files.readString(temp.resolve("out").resolve("tokens.json"))).getAsJsonObject();
        JsonArray classes = tokens.getAsJsonArray("classes");
        long images = classes.asList().stream().filter(c -> c.getAsString().equals("image")).count();
        assertEquals(16, images);
        assertTrue(tokens.has("offsets"), "text input keeps its offsets");
        assertEquals(classes.size(), tokens.getAsJsonArray("offsets").size());
        long length = classes.size();
        assertArrayEquals(new long[] {2, 4, length, length}, Npy.read(temp.resolve("out").resolve("attention.npy")).shape());
    }

    /**
     * --metrics and the head analyses run on the decoder over the joined sequence (22 positions, 16 of them image):
     * the attention metrics agree with attention.npy, the residual-stream metrics and importance cover every position,
     * the head-type probe runs the decoder alone on its repeated random tokens.
     */
    @Test
    void metricsAndHeadAnalysesRunOnTheJoinedSequence() throws IOException {
        CliTestSupport.Run run = analyze(FIXTURE, "--ids", ids(FIXTURE), "--image", image(FIXTURE), "--metrics",
                "--importance", "zero,gradient", "--zerotuning", "1.5", "--act", "--heads", "1.0", "--retrieval");
        assertEquals(0, run.exitCode(), run.err());
        Path out = temp.resolve("out");
        JsonObject metrics = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject();
        assertEquals(22, metrics.getAsJsonObject("meta").get("tokens").getAsInt());
        Npy.FloatArray attention = Npy.read(out.resolve("attention.npy"));
        JsonArray entropy = metrics.getAsJsonArray("entropy"); // [L][H]: the mean over the 22 queries of the row entropy
        assertEquals(2, entropy.size());
        for (int l = 0; l < 2; l++) {
            for (int h = 0; h < 4; h++) {
                double mean = 0;
                for (int i = 0; i < 22; i++) {
                    for (int j = 0; j <= i; j++) {
                        double a = attention.values()[((l * 4 + h) * 22 + i) * 22 + j];
                        mean -= a > 0 ? a * Math.log(a) / 22 : 0;
                    }
                }
                assertEquals(mean, entropy.get(l).getAsJsonArray().get(h).getAsDouble(), 1e-5, "entropy of head " + l + "." + h);
            }
        }
        JsonObject massive = metrics.getAsJsonObject("massive_activations");
        assertEquals(2, massive.getAsJsonArray("median_abs").size());
        assertTrue(metrics.has("sink_dimensions"));
        assertEquals(3, metrics.getAsJsonObject("logit_lens").getAsJsonArray("top_ids").size(), "the decoder's logit lens, L + 1 rows");
        JsonObject headTypes = metrics.getAsJsonObject("head_types");
        assertEquals(2, headTypes.getAsJsonArray("induction").size(), "the probe runs on the decoder alone: " + headTypes);
        assertTrue(headTypes.getAsJsonArray("tokens").size() > 22, "its own repeated random tokens");
        JsonObject importance = metrics.getAsJsonObject("importance");
        assertEquals(2, importance.getAsJsonObject("gradient").getAsJsonArray("importance").size());
        assertEquals("mean next-token NLL over text targets (image positions left out)",
                importance.getAsJsonObject("gradient").get("objective").getAsString());
        JsonObject zero = importance.getAsJsonObject("ablation_zero");
        assertEquals(21, zero.get("position").getAsInt());
        assertTrue(Double.isFinite(zero.get("baseline_loss").getAsDouble()));
        assertEquals(zero.get("baseline_loss").getAsDouble(), importance.getAsJsonObject("gradient").get("loss").getAsDouble(), 1e-4,
                "both score the same loss (image targets left out)");
        for (String key : new String[] {"zerotuning", "sink_calibration", "retrieval"}) {
            assertTrue(metrics.has(key), key + " in " + String.join(",", metrics.keySet()));
        }

        assertOneLineError(analyze(FIXTURE, "--ids", ids(FIXTURE), "--image", image(FIXTURE), "--context-span", "0:2"),
                "--context-span", "not images");
    }

    @Test
    void refusesInputsWithoutOrWithSeveralImageTokens() {
        assertOneLineError(analyze(FIXTURE, "--ids", "1,270,268", "--image", image(FIXTURE)), "--ids", "no image token");
        assertOneLineError(analyze(FIXTURE, "--ids", "1,277,268,277", "--image", image(FIXTURE)), "--ids", "2 image tokens");
        assertOneLineError(analyze(FIXTURE, "--text", "hello world", "--image", image(FIXTURE)), "--text", "no image token");
    }

    @Test
    void refusesMissingImageAndUnreadableImage() throws IOException {
        assertOneLineError(analyze(FIXTURE, "--ids", ids(FIXTURE)), FIXTURE, "give --image FILE");
        Path broken = temp.resolve("broken.png");
        Files.write(broken, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        assertOneLineError(analyze(FIXTURE, "--ids", ids(FIXTURE), "--image", broken.toString()), "broken.png", "");
        assertOneLineError(analyze(FIXTURE, "--ids", ids(FIXTURE), "--image", temp.resolve("absent.png").toString()), "absent.png", "");
        CliTestSupport.Run textOnly = CliTestSupport.run("generate", "--model", Fixtures.model(FIXTURE).toString(), "--ids",
                ids(FIXTURE), "--max-new", "1");
        assertOneLineError(textOnly, "--ids", "image token");
    }

    /** --image's help and the text-only commands' refusals name every command that takes a LLaVA's image. */
    @Test
    void imageHelpNamesTheCommandsThatTakeAnImage() {
        for (String command : new String[] {"analyze", "export", "report", "generate"}) {
            CliTestSupport.Run help = CliTestSupport.run(command, "--help");
            String text = help.out().replaceAll("\\s+", " ");
            assertTrue(text.contains("for a vision-language model (LLaVA) together with --text or --ids holding one image token, in "
                    + "analyze, and export with --view vlm-shares, vlm-overlay, vlm-vhd, vlm-pruning, relevance or faithfulness, "
                    + "or model-view or heatmap with --keys classes."),
                    command + " --help: " + text);
            assertFalse(text.contains("analyze only"), text);
        }
        CliTestSupport.Run report = CliTestSupport.run("report", "--model", Fixtures.model(FIXTURE).toString(), "--ids", ids(FIXTURE),
                "--image", image(FIXTURE), "--out", temp.resolve("report").toString());
        assertOneLineError(report, "--image", "export with --view vlm-shares");
    }

    @Test
    void namesWhatIsNotSupportedInOneLine() throws IOException {
        assertOneLineError(analyzeEdited(c -> c.addProperty("model_type", "qwen2_vl")), "config.json", "M-RoPE");
        assertOneLineError(analyzeEdited(c -> c.addProperty("model_type", "llava_next")), "config.json", "anyres");
        assertOneLineError(analyzeEdited(c -> c.addProperty("model_type", "mllama")), "config.json", "cross-attention");
        assertOneLineError(analyzeEdited(c -> c.add("image_grid_pinpoints", JsonParser.parseString("[[336, 672]]"))),
                "config.json", "image_grid_pinpoints");
        assertOneLineError(analyzeEdited(c -> c.getAsJsonObject("vision_config").addProperty("model_type", "pixtral")),
                "config.json", "vision_config: model_type 'pixtral' is not supported");
        assertOneLineError(analyzeEdited(c -> c.addProperty("vision_feature_select_strategy", "spatial")),
                "config.json", "'spatial' is not supported");
        assertOneLineError(analyzeEdited(c -> c.addProperty("vision_feature_layer", -5)), "config.json", "vision_feature_layer");
        assertOneLineError(analyzeEdited(c -> c.getAsJsonObject("text_config").addProperty("model_type", "gpt2")),
                "config.json", "text_config: model_type 'gpt2'");
    }

    @Test
    void siglipNeedsTheFullStrategy() throws IOException {
        Path model = copy("llava_siglip_f32");
        edit(model, c -> c.addProperty("vision_feature_select_strategy", "default"));
        assertOneLineError(CliTestSupport.run("analyze", "--model", model.toString(), "--ids", ids("llava_siglip_f32"),
                "--image", image("llava_siglip_f32"), "--out", temp.resolve("out").toString()), "config.json", "use 'full'");
    }

    private CliTestSupport.Run analyzeEdited(Consumer<JsonObject> change) throws IOException {
        Path model = copy(FIXTURE);
        edit(model, change);
        return CliTestSupport.run("analyze", "--model", model.toString(), "--ids", ids(FIXTURE), "--image", image(FIXTURE),
                "--out", temp.resolve("out").toString());
    }

    private CliTestSupport.Run analyze(String fixture, String... input) {
        String[] args = Stream.concat(Stream.of("analyze", "--model", Fixtures.model(fixture).toString()),
                Stream.concat(Arrays.stream(input), Stream.of("--out", temp.resolve("out").toString()))).toArray(String[]::new);
        return CliTestSupport.run(args);
    }

    private static String ids(String fixture) {
        return Arrays.stream(Fixtures.inputIds(fixture)).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    private static String image(String fixture) {
        return Fixtures.model(fixture).resolve("reference/image.png").toString();
    }

    private Path copy(String fixture) throws IOException {
        Path target = temp.resolve("copy-" + System.nanoTime());
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(Fixtures.model(fixture))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, target.resolve(f.getFileName()));
            }
        }
        return target;
    }

    private static void edit(Path model, Consumer<JsonObject> change) throws IOException {
        Path config = model.resolve("config.json");
        JsonObject json = JsonParser.parseString(Files.readString(config)).getAsJsonObject();
        change.accept(json);
        Files.writeString(config, json.toString());
    }

    private static void assertOneLineError(CliTestSupport.Run run, String names, String problem) {
        String err = run.err().strip();
        assertEquals(Cli.USER_ERROR, run.exitCode(), err);
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.contains(names), "names " + names + ": " + err);
        assertTrue(err.contains(problem), "says " + problem + ": " + err);
        assertFalse(err.contains("Exception"), err);
    }
}
