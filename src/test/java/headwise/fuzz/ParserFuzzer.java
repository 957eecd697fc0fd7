package headwise.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The long fuzz run: Jazzer on one parser per JVM (Jazzer fuzzes one {@code @FuzzTest} per run), for
 * {@code maxDuration} unless told otherwise (docs/reliability.md, "Fuzzing"). Without JAZZER_FUZZ=1 each method only
 * replays its seed corpus and the findings Jazzer saved (src/test/resources/headwise/fuzz/ParserFuzzerInputs/METHOD/).
 * The class name does not end in Test, so the suite leaves it out; its short fuzz run is {@link ParserFuzzTest},
 * on the same targets and seeds.
 */
class ParserFuzzer {

    @FuzzTest(maxDuration = "5m")
    void safetensors(byte[] data) {
        FuzzTargets.Target.SAFETENSORS.runChecked(data);
    }

    @FuzzTest(maxDuration = "5m")
    void shardedIndex(byte[] data) {
        FuzzTargets.Target.SHARDED_INDEX.runChecked(data);
    }

    @FuzzTest(maxDuration = "5m")
    void config(byte[] data) {
        FuzzTargets.Target.CONFIG.runChecked(data);
    }

    @FuzzTest(maxDuration = "5m")
    void modelFolder(byte[] data) {
        FuzzTargets.Target.MODEL_FOLDER.runChecked(data);
    }

    @FuzzTest(maxDuration = "5m")
    void onnx(byte[] data) {
        FuzzTargets.Target.ONNX.runChecked(data);
    }

    @FuzzTest(maxDuration = "5m")
    void tokenizer(byte[] data) {
        FuzzTargets.Target.TOKENIZER.runChecked(data);
    }

    @FuzzTest(maxDuration = "5m")
    void preprocessor(byte[] data) {
        FuzzTargets.Target.PREPROCESSOR.runChecked(data);
    }

    @FuzzTest(maxDuration = "5m")
    void image(byte[] data) {
        FuzzTargets.Target.IMAGE.runChecked(data);
    }

    @FuzzTest(maxDuration = "5m")
    void llama2c(byte[] data) {
        FuzzTargets.Target.LLAMA2C.runChecked(data);
    }

    @FuzzTest(maxDuration = "5m")
    void session(byte[] data) {
        FuzzTargets.Target.SESSION.runChecked(data);
    }

    @FuzzTest(maxDuration = "5m")
    void gguf(byte[] data) {
        FuzzTargets.Target.GGUF.runChecked(data);
    }
}
