package headwise.engine.corpus;

import headwise.engine.model.ForwardOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pieces of a corpus run that need no model: saved partitions, the run key, options on the wire, thumbnails, roles. */
class CorpusPartsTest {

    @TempDir
    Path temp;

    private static CorpusAccumulator part(int index, double value) {
        CorpusAccumulator a = new CorpusAccumulator();
        double[][][] values = new double[CorpusAnalysis.METRICS.size()][1][2];
        values[0][0][1] = value;
        a.add(new PromptMetrics(index, 3, values), new double[][] {{0, value}, {value, 0}}, new double[][] {{1, 2}, {3, 4}});
        return a;
    }

    @Test
    void savedPartitionsComeBackUnderTheSameKeyAndAChangedArgumentStartsOver() throws Exception {
        Path dir = temp.resolve("saved");
        Map<String, String> args = Map.of("model", "m", "data_sha256", "abc", "partitions", "4");
        PartitionStore store = PartitionStore.open(dir, args);
        store.save(2, part(5, 0.25));
        store.save(0, part(1, 0.5));
        Files.writeString(dir.resolve("part-00003.bin"), "half a file"); // as a crash mid-write cannot leave, but a bad disk can
        Map<Integer, CorpusAccumulator> finished = PartitionStore.open(dir, Map.of("partitions", "4", "data_sha256", "abc", "model", "m")).finished();
        assertEquals(java.util.Set.of(0, 2), finished.keySet(), "the same arguments in another order: the same key; the damaged file is unfinished");
        assertEquals(0.25, finished.get(2).prompts().get(0).values()[0][0][1]);
        assertEquals(0.25, finished.get(2).meanDistance()[0][1]);
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".partial")), "no partial files stay");
        }
        assertTrue(PartitionStore.open(dir, Map.of("model", "m", "data_sha256", "abd", "partitions", "4")).finished().isEmpty(),
                "another data file: nothing resumes");
        assertFalse(Files.exists(dir.resolve("part-00000.bin")));
    }

    @Test
    void mergedPartitionsAverageDistancesAndThumbnailsOverPrompts() {
        CorpusAccumulator all = part(0, 0.2).merge(part(1, 0.4));
        assertEquals(0.3, all.meanDistance()[1][0], 1e-15);
        assertArrayEquals(new double[] {3, 4}, all.meanThumbnails()[1], 0);
        assertEquals(2, all.prompts().size());
    }

    @Test
    void theRunKeyHashesDataAndTheModelsFiles() throws Exception {
        Path data = Files.writeString(temp.resolve("d.txt"), "hello\n");
        String before = RunKey.fileHash(data);
        assertEquals("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", before, "sha256 of hello\\n");
        Path model = Files.createDirectories(temp.resolve("model"));
        Files.writeString(model.resolve("config.json"), "{}");
        String fingerprint = RunKey.modelFingerprint(model.toString());
        Files.writeString(model.resolve("config.json"), "{ }");
        assertNotEquals(fingerprint, RunKey.modelFingerprint(model.toString()), "a changed model file changes the key");
        assertEquals("bundled-name", RunKey.modelFingerprint("bundled-name"));
    }

    @Test
    void forwardOptionsTravelToExecutorsWhole() throws Exception {
        ForwardOptions options = ForwardOptions.defaults().withQueryBlock(17).withBlockArena(false)
                .withAttentionStorage(ForwardOptions.AttentionStorage.F16);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(ExecutorOptions.of(options));
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(options, ((ExecutorOptions) in.readObject()).options());
        }
    }

    @Test
    void aThumbnailAveragesBandsOfQueriesAndKeys() {
        // 32 tokens: each 2×2 block is one cell; a causal "previous token" pattern
        int t = 32;
        float[] head = new float[t * t];
        head[0] = 1;
        for (int q = 1; q < t; q++) {
            head[q * t + q - 1] = 1;
        }
        double[] cells = PatternThumbnail.of(head, t);
        assertEquals(0.5, cells[0], 1e-12, "cell (0,0): rows 0,1, keys 0,1: weights 1 (0→0) and 1 (1→0) of 4");
        assertEquals(0.25, cells[PatternThumbnail.SIZE + 0], 1e-12, "cell (1,0): row 2 attends to key 1");
        assertEquals(0.25, cells[PatternThumbnail.SIZE + 1], 1e-12, "cell (1,1): row 3 attends to key 2");
        // shorter than the grid: 3 tokens repeat rows
        double[] small = PatternThumbnail.of(new float[] {1, 0, 0, 0.5f, 0.5f, 0, 0, 0, 1}, 3);
        assertEquals(1, small[0], 0);
        assertEquals(1, small[PatternThumbnail.SIZE * PatternThumbnail.SIZE - 1], 0);
    }

    @Test
    void aFolderThatIsNoCompleteRunIsOneLine() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("not-a-run"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(headwise.engine.HeadwiseException.class, () -> CorpusResults.read(dir));
        assertTrue(e.getMessage().endsWith("head_stats.json: missing: not a complete corpus output folder"), e.getMessage());
        String stats = "{\"prompts\": 1000000000, \"skipped\": 0, \"layers\": 12, \"heads\": 12, \"metrics\": {}}";
        Files.writeString(dir.resolve("head_stats.json"), stats);
        Files.writeString(dir.resolve("layer_stats.json"), "{\"metrics\": {}}");
        Files.writeString(dir.resolve("atlas.json"), "{}");
        Files.writeString(dir.resolve("per_prompt.jsonl"), "{}\n");
        e = org.junit.jupiter.api.Assertions.assertThrows(headwise.engine.HeadwiseException.class, () -> CorpusResults.read(dir));
        assertTrue(e.getMessage().contains("per_prompt.jsonl: 3 bytes cannot hold the 1000000000 prompts"), "no 55 GB allocation: " + e.getMessage());
    }

    @Test
    void headRolesTakeTheFirstRuleThatHolds() {
        Map<String, double[][]> m = Map.of("induction", new double[][] {{0.6, Double.NaN, 0.1}},
                "prev_token", new double[][] {{0.9, 0.7, 0.1}}, "entropy_normalised", new double[][] {{0, 0, 0.9}});
        HeadRoles.Role[][] roles = HeadRoles.classify(m, 1, 3);
        assertEquals(HeadRoles.Role.INDUCTION, roles[0][0]);
        assertEquals(HeadRoles.Role.PREVIOUS, roles[0][1]);
        assertEquals(HeadRoles.Role.BROAD, roles[0][2]);
    }
}
