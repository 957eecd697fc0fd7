package headwise.engine.load;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import headwise.engine.Fixtures;
import headwise.engine.HeadwiseException;
import headwise.engine.family.CheckpointBounds;
import headwise.engine.io.TensorSource;
import headwise.engine.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tiny fixture's real tensors under a config.json that claims a huge size: the loader must refuse it in one line
 * naming config.json and the field, quickly and before anything sized by the claim is allocated (a per-layer list of
 * a hundred million entries, a sliding-layer table…).
 */
class ConfigSizesBeyondCheckpointTest {

    private static final int HUGE = 100_000_000;
    /** What a refusal may allocate: the fixture's small tensors and the JSON, never the claimed size. */
    private static final long FEW_MB = 8L << 20;

    @TempDir
    Path temp;

    @BeforeAll
    static void startBackend() {
        ModelLoader.startBackend(); // ND4J's one-off start-up is not the refusal's cost
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "gpt2_f32, n_layer", "gpt2_f32, n_head", "gpt2_f32, n_embd", "gpt2_f32, vocab_size",
            "llama_f32, num_hidden_layers", "llama_f32, num_attention_heads", "llama_f32, hidden_size", "llama_f32, vocab_size",
            "llama_f32, intermediate_size", "llama_f32, num_key_value_heads",
            "qwen2_f32, num_hidden_layers", "gemma2_f32, num_hidden_layers", "gemma3_f32, num_hidden_layers",
            "bert_f32, num_hidden_layers", "bert_f32, num_attention_heads", "bert_f32, hidden_size", "bert_f32, vocab_size",
            "vit_f32, num_hidden_layers", "vit_f32, num_attention_heads", "vit_f32, hidden_size", "vit_f32, image_size",
            "pythia_f32, num_hidden_layers", "opt_f32, num_hidden_layers", "phi3_f32, num_hidden_layers",
            "llava_clip_f32, text_config.num_hidden_layers", "llava_clip_f32, text_config.num_attention_heads",
            "llava_clip_f32, text_config.hidden_size", "llava_clip_f32, text_config.vocab_size",
            "llava_clip_f32, vision_config.num_hidden_layers", "llava_clip_f32, vision_config.num_attention_heads",
            "llava_clip_f32, vision_config.hidden_size", "llava_siglip_f32, vision_config.num_hidden_layers",
    })
    void hugeConfigSizeIsRefusedInOneLine(String fixture, String field) throws IOException {
        Path folder = doctored(fixture, field);
        long before = allocated();
        long start = System.nanoTime();
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> ModelLoader.load(folder.toString()).close());
        long millis = (System.nanoTime() - start) / 1_000_000;
        long bytes = allocated() - before;
        String message = e.getMessage();
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.startsWith(folder.resolve("config.json") + ": "), message);
        String key = field.substring(field.lastIndexOf('.') + 1);
        assertTrue(message.contains(key) && message.contains(String.valueOf(HUGE)), message);
        assertTrue(bytes < FEW_MB, "allocated " + (bytes >> 20) + " MiB before refusing: " + message);
        assertTrue(millis < 1000, millis + " ms before refusing: " + message);
    }

    /** The bounds are loose enough for every real checkpoint: each fixture's config passes them. */
    @Test
    void everyFixtureIsWithinItsCheckpointsBounds() throws IOException {
        int checked = 0;
        try (Stream<Path> folders = Files.list(Fixtures.ROOT)) {
            for (Path folder : folders.filter(f -> Files.isRegularFile(f.resolve("config.json"))).sorted().toList()) {
                Path configFile = folder.resolve("config.json");
                try (TensorSource tensors = ModelLoader.openTensors(folder)) {
                    CheckpointBounds.check(configFile, Json.readObject(configFile), tensors);
                }
                checked++;
            }
        }
        assertTrue(checked > 30, checked + " fixtures");
    }

    /** The fixture's files with {@code field} (a dotted path into config.json) set to {@link #HUGE}. */
    private Path doctored(String fixture, String field) throws IOException {
        Path source = Fixtures.model(fixture);
        Path folder = Files.createDirectories(temp.resolve(fixture));
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, folder.resolve(file.getFileName()));
            }
        }
        JsonObject config = Json.readObject(source.resolve("config.json"));
        JsonObject holder = config;
        String[] path = field.split("\\.");
        for (int i = 0; i < path.length - 1; i++) {
            holder = holder.getAsJsonObject(path[i]);
        }
        holder.addProperty(path[path.length - 1], HUGE);
        Files.writeString(folder.resolve("config.json"), new GsonBuilder().setPrettyPrinting().create().toJson(config));
        return folder;
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
