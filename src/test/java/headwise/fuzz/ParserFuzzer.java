package headwise.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of every parser with Jazzer: the long run, one target per JVM (see README.md,
 * "Fuzzing"). Without JAZZER_FUZZ=1 each method only replays its seed corpus and the findings Jazzer saved
 * (src/test/resources/headwise/fuzz/ParserFuzzerInputs/METHOD/). The class name does not end in Test, so
 * the normal test suite leaves it out: installing Jazzer's agent costs ~25 s, and the suite's short fuzz run
 * is {@link ParserFuzzTest}, on the same targets.
 */
class ParserFuzzer {

    @FuzzTest(maxDuration = "5m")
    void safetensors(byte[] data) {
        FuzzTargets.safetensors(data);
    }

    @FuzzTest(maxDuration = "5m")
    void shardedIndex(byte[] data) {
        FuzzTargets.shardedIndex(data);
    }

    @FuzzTest(maxDuration = "5m")
    void config(byte[] data) {
        FuzzTargets.config(data);
    }

    @FuzzTest(maxDuration = "5m")
    void modelFolder(byte[] data) {
        FuzzTargets.modelFolder(data);
    }

    @FuzzTest(maxDuration = "5m")
    void onnx(byte[] data) {
        FuzzTargets.onnx(data);
    }

    @FuzzTest(maxDuration = "5m")
    void tokenizer(byte[] data) {
        FuzzTargets.tokenizer(data);
    }

    @FuzzTest(maxDuration = "5m")
    void preprocessor(byte[] data) {
        FuzzTargets.preprocessor(data);
    }

    @FuzzTest(maxDuration = "5m")
    void image(byte[] data) {
        FuzzTargets.image(data);
    }

    @FuzzTest(maxDuration = "5m")
    void llama2c(byte[] data) {
        FuzzTargets.llama2c(data);
    }

    @FuzzTest(maxDuration = "5m")
    void session(byte[] data) {
        FuzzTargets.session(data);
    }
}
