package headwise.app.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.engine.Fixtures;
import headwise.engine.llama2c.Llama2cReference;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code generate}: its last line is the JSON object of ENGINE.md, and the ids are the reference's greedy ones. */
class GenerateCommandTest {

    static final String STORIES = Llama2cReference.STORIES260K.toString();

    @Test
    void idsFromBosMatchTheReference() throws IOException {
        CliTestSupport.Run run = CliTestSupport.run("generate", "--model", STORIES, "--ids", "1", "--max-new", "40");
        assertEquals(0, run.exitCode(), run.err());
        JsonObject json = lastLineJson(run.out());
        assertEquals(List.of("ids", "text"), List.copyOf(json.keySet()));
        List<Integer> expected = new Llama2cReference(Llama2cReference.STORIES260K.resolve("stories260K.bin")).greedy(new int[] {1}, 40, 2, 1);
        assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), ints(json.getAsJsonArray("ids")));
        assertTrue(json.get("text").getAsString().startsWith("Once upon a time, there was a little girl named Lily."),
                json.get("text").getAsString());
    }

    @Test
    void textPromptGetsBosAndOnlyTheContinuationIsPrinted() throws IOException {
        CliTestSupport.Run run = CliTestSupport.run("generate", "--model", STORIES, "--text", "Once upon a time", "--max-new", "10");
        assertEquals(0, run.exitCode(), run.err());
        JsonObject json = lastLineJson(run.out());
        // the prompt is BOS " Once" " upon" " a" " time"; run.c runs the prompt then continues greedily
        List<Integer> expected = new Llama2cReference(Llama2cReference.STORIES260K.resolve("stories260K.bin"))
                .greedy(new int[] {1, 403, 407, 261, 378}, 5 + 9, 2, 1);
        assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), ints(json.getAsJsonArray("ids")));
        assertTrue(json.get("text").getAsString().startsWith(", there was"), json.get("text").getAsString());
    }

    @Test
    void idsAreUsedExactlyWithoutBos() throws IOException {
        CliTestSupport.Run run = CliTestSupport.run("generate", "--model", STORIES, "--ids", "403,407", "--max-new", "6");
        assertEquals(0, run.exitCode(), run.err());
        List<Integer> expected = new Llama2cReference(Llama2cReference.STORIES260K.resolve("stories260K.bin"))
                .greedy(new int[] {403, 407}, 2 + 5, 2, 1);
        assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), ints(lastLineJson(run.out()).getAsJsonArray("ids")));
    }

    @Test
    void huggingFaceModelStopsAtItsEosAndAgreesWithFullForwards() {
        String gpt2 = Fixtures.model("gpt2_lmhead_f32").toString();
        CliTestSupport.Run run = CliTestSupport.run("generate", "--model", gpt2, "--ids", "5,17,3", "--max-new", "12");
        assertEquals(0, run.exitCode(), run.err());
        int[] ids = ints(lastLineJson(run.out()).getAsJsonArray("ids"));
        // greedy without a cache: one full forward per step
        try (LoadedModel model = ModelLoader.load(gpt2)) {
            int[] sequence = {5, 17, 3};
            for (int k = 0; k < ids.length; k++) {
                var logits = Analyzer.analyze(model, ModelInput.fromIds(model, sequence)).output();
                int last = logits.rows() - 1;
                int best = 0;
                for (int v = 1; v < logits.cols(); v++) {
                    if (logits.get(last, v) > logits.get(last, best)) {
                        best = v;
                    }
                }
                assertEquals(best, ids[k], "step " + k);
                sequence = Arrays.copyOf(sequence, sequence.length + 1);
                sequence[sequence.length - 1] = best;
            }
            assertTrue(ids.length == 12 || ids[ids.length - 1] == 96, "stops at eos_token_id 96 or after --max-new");
        }
    }

    @Test
    void explicitStopIds() {
        CliTestSupport.Run all = CliTestSupport.run("generate", "--model", STORIES, "--ids", "1", "--max-new", "5");
        int[] ids = ints(lastLineJson(all.out()).getAsJsonArray("ids"));
        CliTestSupport.Run stopped = CliTestSupport.run("generate", "--model", STORIES, "--ids", "1", "--max-new", "5",
                "--eos", String.valueOf(ids[2]));
        assertArrayEquals(Arrays.copyOf(ids, 3), ints(lastLineJson(stopped.out()).getAsJsonArray("ids")));
    }

    @Test
    void encoderModelsCannotGenerate() {
        CliTestSupport.Run run = CliTestSupport.run("generate", "--model", Fixtures.model("bert_f32").toString(), "--ids", "1,2");
        assertEquals(Cli.USER_ERROR, run.exitCode());
        assertOneLine(run.err(), "not a causal language model");
    }

    @Test
    void badArguments() {
        assertOneLine(CliTestSupport.run("generate", "--model", STORIES, "--max-new", "3").err(), "give exactly one of --text, --ids");
        assertOneLine(CliTestSupport.run("generate", "--model", STORIES, "--ids", "1", "--max-new", "-1").err(), "--max-new");
        assertOneLine(CliTestSupport.run("generate", "--model", STORIES, "--ids", "1,999").err(), "token id 999 is outside the vocabulary");
    }

    static JsonObject lastLineJson(String out) {
        List<String> lines = out.lines().toList();
        assertFalse(lines.isEmpty(), "no output");
        return JsonParser.parseString(lines.get(lines.size() - 1)).getAsJsonObject();
    }

    static int[] ints(JsonArray array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsInt();
        }
        return out;
    }

    private static void assertOneLine(String err, String problem) {
        List<String> lines = err.lines().toList();
        assertEquals(1, lines.size(), err);
        assertTrue(lines.get(0).startsWith("error: ") && lines.get(0).contains(problem), err);
    }
}
