package headwise.engine.minilm;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bundled all-MiniLM-L6-v2, read from its ONNX initializers, against onnxruntime running the same file. */
class BundledMiniLmTest {

    private static LoadedModel model;
    private static OrtEnvironment environment;
    private static OrtSession session;
    private static final List<String> SOFTMAX_OUTPUTS = IntStream.range(0, 6)
            .mapToObj(l -> "/encoder/layer." + l + "/attention/self/Softmax_output_0").toList();

    @BeforeAll
    static void load() throws Exception {
        model = ModelLoader.load("all-MiniLM-L6-v2");
        byte[] onnx = Files.readAllBytes(model.folder().resolve("model.onnx"));
        environment = OrtEnvironment.getEnvironment();
        session = environment.createSession(OnnxAttentionOutputs.withFloatOutputs(onnx, SOFTMAX_OUTPUTS), new OrtSession.SessionOptions());
    }

    @AfterAll
    static void close() throws Exception {
        session.close();
        model.close();
    }

    @Test
    void tokenizesLikeBertUncased() {
        ModelInput input = ModelInput.fromText(model, "Hello world");
        assertArrayEquals(new int[] {101, 7592, 2088, 102}, input.ids());
        assertArrayEquals(new String[] {"[CLS]", "hello", "world", "[SEP]"}, input.tokens());
        assertArrayEquals(new int[] {0, 5}, input.offsets()[1]);
        assertArrayEquals(new int[] {6, 11}, input.offsets()[2]);
    }

    @Test
    void doesNotTruncateAt128Tokens() {
        String text = "word ".repeat(200);
        assertEquals(202, ModelInput.fromText(model, text).length());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "The cat sat on the mat because it was tired.",
            "Attention is all you need.",
            "Zoë's café serves crème brûlée — naïvely priced at €4.50!",
            "In 1905, Einstein published four papers that changed physics: on the photoelectric effect, Brownian motion, "
                    + "special relativity, and the equivalence of mass and energy. Each one would have been enough for a career."})
    void matchesOnnxRuntime(String sentence) throws Exception {
        ModelInput input = ModelInput.fromText(model, sentence);
        AnalysisResult ours = Analyzer.analyze(model, input);
        int length = input.length();
        long[][] ids = {IntStream.of(input.ids()).asLongStream().toArray()};
        long[][] mask = {new long[length]};
        java.util.Arrays.fill(mask[0], 1);
        long[][] types = {new long[length]};
        try (OnnxTensor idsTensor = OnnxTensor.createTensor(environment, ids);
             OnnxTensor maskTensor = OnnxTensor.createTensor(environment, mask);
             OnnxTensor typesTensor = OnnxTensor.createTensor(environment, types);
             OrtSession.Result result = session.run(Map.of("input_ids", idsTensor, "attention_mask", maskTensor,
                     "token_type_ids", typesTensor))) {
            float[][][] hidden = (float[][][]) result.get("last_hidden_state").orElseThrow().getValue();
            double hiddenError = 0;
            for (int t = 0; t < length; t++) {
                for (int c = 0; c < 384; c++) {
                    hiddenError = Math.max(hiddenError, Math.abs(hidden[0][t][c] - ours.output().get(t, c)));
                }
            }
            double attentionError = 0;
            List<Double> perLayer = new ArrayList<>();
            for (int layer = 0; layer < 6; layer++) {
                float[][][][] reference = (float[][][][]) result.get(SOFTMAX_OUTPUTS.get(layer)).orElseThrow().getValue();
                double layerError = 0;
                for (int h = 0; h < 12; h++) {
                    for (int i = 0; i < length; i++) {
                        for (int j = 0; j < length; j++) {
                            layerError = Math.max(layerError, Math.abs(reference[0][h][i][j] - ours.attention().get(layer, h, i, j)));
                        }
                    }
                }
                perLayer.add(layerError);
                attentionError = Math.max(attentionError, layerError);
            }
            System.out.printf("MiniLM vs onnxruntime, %d tokens: hidden max|err| %.2e, attention max|err| %.2e (72 maps)%n",
                    length, hiddenError, attentionError);
            assertEquals(6, perLayer.size());
            assertTrue(hiddenError <= 1e-4, "hidden state error " + hiddenError);
            assertTrue(attentionError <= 1e-4, "attention error " + attentionError);
        }
    }
}
