package headwise.engine.bench;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import headwise.engine.hooks.Hooks;
import headwise.engine.image.PixelImage;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.vlm.VisionLanguageAnalyzer;
import headwise.engine.vlm.VisionLanguageInput;
import headwise.engine.vlm.VisionLanguageModel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Forward time and peak memory of a LLaVA-1.5-shaped model with random BF16 weights: a CLIP ViT-L/14 tower at 336 px
 * (24 layers, 1024 wide, 16 heads, 577 tokens) and a TinyLlama-1.1B-shaped decoder (22 layers, 2048 wide, 32 / 4
 * heads, MLP 5632, vocabulary 32000), one image (576 positions, 'default') in 600 tokens. One forward is what
 * {@code analyze} does: the tower with its attention captured, the projector, the join, the decoder with its
 * attention captured. Run by hand (not a test): {@code java -cp … headwise.engine.bench.VisionLanguageBenchmark
 * [folder] [timed runs]}; the checkpoint is written into the folder (a temporary one by default) and left there.
 */
public final class VisionLanguageBenchmark {

    static final int TOWER_LAYERS = 24;
    static final int TOWER_WIDTH = 1024;
    static final int TOWER_HEADS = 16;
    static final int TOWER_MLP = 4096;
    static final int IMAGE = 336;
    static final int PATCH = 14;
    static final int LAYERS = 22;
    static final int WIDTH = 2048;
    static final int HEADS = 32;
    static final int KV_HEADS = 4;
    static final int MLP = 5632;
    static final int VOCAB = 32000;
    static final int IMAGE_TOKEN = 31999;
    static final int TOKENS = 600;

    private VisionLanguageBenchmark() {
    }

    /**
     * @param forwardMs    each timed forward, after one untimed one
     * @param towerMs      the tower alone (with the projector, no capture), once
     * @param maxAbsLogit  largest |logit| of the last forward: finite, or the random weights broke the numerics
     */
    public record Result(long checkpointBytes, double writeSeconds, double loadSeconds, int tokens, double[] forwardMs,
                         double towerMs, double maxAbsLogit, long peakResidentMib) {
    }

    public static void main(String[] args) throws IOException {
        Path folder = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("headwise-vlm-bench");
        int repeat = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Result r = run(folder, repeat);
        System.out.printf("checkpoint %s: %.2f GB BF16, written in %.1f s, loaded in %.1f s%n", folder,
                r.checkpointBytes() / 1e9, r.writeSeconds(), r.loadSeconds());
        for (int i = 0; i < r.forwardMs().length; i++) {
            System.out.printf("forward %d (%d tokens, attention of tower and decoder captured): %.1f s%n", i + 1, r.tokens(),
                    r.forwardMs()[i] / 1e3);
        }
        System.out.printf("tower and projector alone: %.1f s; max |logit| %.3g%n", r.towerMs() / 1e3, r.maxAbsLogit());
        System.out.printf("peak_rss_mib=%d OMP_NUM_THREADS=%s%n", r.peakResidentMib(),
                System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"));
    }

    public static Result run(Path folder, int repeat) throws IOException {
        long start = System.nanoTime();
        long bytes = Files.exists(folder.resolve("model.safetensors")) && Files.size(folder.resolve("model.safetensors")) > (1L << 30)
                ? Files.size(folder.resolve("model.safetensors")) : writeCheckpoint(folder, 42); // a second run reuses it
        double writeSeconds = (System.nanoTime() - start) / 1e9;
        start = System.nanoTime();
        try (LoadedModel model = ModelLoader.load(folder.toString())) {
            double loadSeconds = (System.nanoTime() - start) / 1e9;
            VisionLanguageModel vlm = model.visionLanguage();
            int text = TOKENS - vlm.imagePositions() + 1;
            int[] ids = new Random(42).ints(text, 0, IMAGE_TOKEN).toArray();
            ids[text / 4] = IMAGE_TOKEN;
            VisionLanguageInput input = VisionLanguageInput.fromIds(model, ids, randomImage());
            VisionLanguageAnalyzer.analyze(model, input);
            double[] times = new double[Math.max(1, repeat)];
            float[] logits = null;
            for (int r = 0; r < times.length; r++) {
                long t = System.nanoTime();
                logits = VisionLanguageAnalyzer.analyze(model, input).decoder().output().values();
                times[r] = (System.nanoTime() - t) / 1e6;
            }
            double maxAbs = 0;
            for (float v : logits) {
                maxAbs = Math.max(maxAbs, Math.abs(v));
                if (!Float.isFinite(v)) {
                    maxAbs = Double.NaN;
                    break;
                }
            }
            long t = System.nanoTime();
            vlm.imageFeatures(input.image(), Hooks.none());
            double towerMs = (System.nanoTime() - t) / 1e6;
            return new Result(bytes, writeSeconds, loadSeconds, TOKENS, times, towerMs, maxAbs, peakResidentMib());
        }
    }

    /** A 400x360 RGB image of noise (resized and cropped to 336 by the CLIP preprocessing). */
    private static PixelImage randomImage() {
        byte[] samples = new byte[400 * 360 * 3];
        new Random(7).nextBytes(samples);
        return new PixelImage("random.png", 400, 360, 3, samples);
    }

    /** VmHWM of this process in MiB (Linux), or −1. */
    static long peakResidentMib() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024).findFirst().orElse(-1);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** config.json, preprocessor_config.json and model.safetensors (BF16, newer key layout); returns the weights' bytes. */
    static long writeCheckpoint(Path folder, long seed) throws IOException {
        Files.createDirectories(folder);
        Gson gson = new Gson();
        Files.writeString(folder.resolve("config.json"), gson.toJson(config()), StandardCharsets.UTF_8);
        Map<String, Object> pre = new LinkedHashMap<>();
        pre.put("image_processor_type", "CLIPImageProcessor");
        pre.put("size", Map.of("shortest_edge", IMAGE));
        pre.put("crop_size", Map.of("height", IMAGE, "width", IMAGE));
        pre.put("do_center_crop", true);
        pre.put("resample", 3);
        Files.writeString(folder.resolve("preprocessor_config.json"), gson.toJson(pre), StandardCharsets.UTF_8);
        return writeBf16(folder.resolve("model.safetensors"), shapes(), seed);
    }

    private static JsonObject config() {
        JsonObject vision = new JsonObject();
        vision.addProperty("model_type", "clip_vision_model");
        vision.addProperty("hidden_size", TOWER_WIDTH);
        vision.addProperty("intermediate_size", TOWER_MLP);
        vision.addProperty("num_hidden_layers", TOWER_LAYERS);
        vision.addProperty("num_attention_heads", TOWER_HEADS);
        vision.addProperty("image_size", IMAGE);
        vision.addProperty("patch_size", PATCH);
        JsonObject text = new JsonObject();
        text.addProperty("model_type", "llama");
        text.addProperty("hidden_size", WIDTH);
        text.addProperty("intermediate_size", MLP);
        text.addProperty("num_hidden_layers", LAYERS);
        text.addProperty("num_attention_heads", HEADS);
        text.addProperty("num_key_value_heads", KV_HEADS);
        text.addProperty("vocab_size", VOCAB);
        text.addProperty("rms_norm_eps", 1e-5);
        JsonObject config = new JsonObject();
        config.addProperty("model_type", "llava");
        config.addProperty("image_token_index", IMAGE_TOKEN);
        config.addProperty("vision_feature_layer", -2);
        config.addProperty("vision_feature_select_strategy", "default");
        config.add("vision_config", vision);
        config.add("text_config", text);
        return config;
    }

    private record Shape(String name, long... dims) {
        long elements() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }
    }

    private static List<Shape> shapes() {
        List<Shape> s = new ArrayList<>();
        String v = "model.vision_tower.vision_model.";
        int patches = (IMAGE / PATCH) * (IMAGE / PATCH);
        s.add(new Shape(v + "embeddings.patch_embedding.weight", TOWER_WIDTH, 3, PATCH, PATCH));
        s.add(new Shape(v + "embeddings.class_embedding", TOWER_WIDTH));
        s.add(new Shape(v + "embeddings.position_embedding.weight", patches + 1, TOWER_WIDTH));
        layerNorm(s, v + "pre_layrnorm", TOWER_WIDTH);
        for (int i = 0; i < TOWER_LAYERS; i++) {
            String b = v + "encoder.layers." + i + ".";
            layerNorm(s, b + "layer_norm1", TOWER_WIDTH);
            for (String p : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                linear(s, b + "self_attn." + p, TOWER_WIDTH, TOWER_WIDTH, true);
            }
            layerNorm(s, b + "layer_norm2", TOWER_WIDTH);
            linear(s, b + "mlp.fc1", TOWER_WIDTH, TOWER_MLP, true);
            linear(s, b + "mlp.fc2", TOWER_MLP, TOWER_WIDTH, true);
        }
        linear(s, "model.multi_modal_projector.linear_1", TOWER_WIDTH, WIDTH, true);
        linear(s, "model.multi_modal_projector.linear_2", WIDTH, WIDTH, true);
        String t = "model.language_model.";
        int kv = WIDTH / HEADS * KV_HEADS;
        s.add(new Shape(t + "embed_tokens.weight", VOCAB, WIDTH));
        for (int i = 0; i < LAYERS; i++) {
            String b = t + "layers." + i + ".";
            s.add(new Shape(b + "input_layernorm.weight", WIDTH));
            linear(s, b + "self_attn.q_proj", WIDTH, WIDTH, false);
            linear(s, b + "self_attn.k_proj", WIDTH, kv, false);
            linear(s, b + "self_attn.v_proj", WIDTH, kv, false);
            linear(s, b + "self_attn.o_proj", WIDTH, WIDTH, false);
            s.add(new Shape(b + "post_attention_layernorm.weight", WIDTH));
            linear(s, b + "mlp.gate_proj", WIDTH, MLP, false);
            linear(s, b + "mlp.up_proj", WIDTH, MLP, false);
            linear(s, b + "mlp.down_proj", MLP, WIDTH, false);
        }
        s.add(new Shape(t + "norm.weight", WIDTH));
        s.add(new Shape("lm_head.weight", VOCAB, WIDTH));
        return s;
    }

    private static void layerNorm(List<Shape> s, String name, int d) {
        s.add(new Shape(name + ".weight", d));
        s.add(new Shape(name + ".bias", d));
    }

    private static void linear(List<Shape> s, String name, int in, int out, boolean bias) {
        s.add(new Shape(name + ".weight", out, in));
        if (bias) {
            s.add(new Shape(name + ".bias", out));
        }
    }

    /**
     * A BF16 safetensors file, tensor by tensor: norm gains 1, everything else uniform in ±0.035 (standard deviation
     * 0.02, the usual initialisation), from a fast generator (a 1.4-billion-value file).
     */
    private static long writeBf16(Path file, List<Shape> shapes, long seed) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        long offset = 0;
        for (Shape s : shapes) {
            long size = 2 * s.elements();
            header.put(s.name(), Map.of("dtype", "BF16", "shape", s.dims(), "data_offsets", new long[] {offset, offset + size}));
            offset += size;
        }
        byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer buffer = ByteBuffer.allocate(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
        long state = seed * 0x9E3779B97F4A7C15L + 1;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            buffer.putLong(padded).put(json);
            for (int i = json.length; i < padded; i++) {
                buffer.put((byte) ' ');
            }
            for (Shape s : shapes) {
                boolean gain = s.dims().length == 1 && s.name().endsWith(".weight") && !s.name().contains("embedding");
                for (long i = 0; i < s.elements(); i++) {
                    if (buffer.remaining() < 2) {
                        drain(buffer, out);
                    }
                    state ^= state << 13;
                    state ^= state >>> 7;
                    state ^= state << 17;
                    float value = gain ? 1f : (float) ((state >>> 11) * 0x1.0p-53 * 2 - 1) * 0.035f;
                    buffer.putShort((short) (Float.floatToRawIntBits(value) >>> 16));
                }
            }
            drain(buffer, out);
        }
        return offset;
    }

    private static void drain(ByteBuffer buffer, FileChannel out) throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
        buffer.clear();
    }
}
