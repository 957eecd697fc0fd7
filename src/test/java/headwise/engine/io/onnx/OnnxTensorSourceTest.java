package headwise.engine.io.onnx;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bundled all-MiniLM-L6-v2 ONNX export, read as BERT weights under Hugging Face names. */
class OnnxTensorSourceTest {

    private static OnnxTensorSource source;

    static Path modelFile() {
        String models = System.getProperty("headwise.models");
        if (models != null) {
            Path p = Path.of(models, "all-MiniLM-L6-v2", "model.onnx");
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return Path.of("target", "minilm-jar", "all-minilm-l6-v2.onnx");
    }

    @BeforeAll
    static void open() {
        Path file = modelFile();
        assertTrue(Files.isRegularFile(file), "the build unpacks the bundled MiniLM ONNX file to " + file);
        source = OnnxTensorSource.open(file);
    }

    @AfterAll
    static void close() {
        if (source != null) {
            source.close();
        }
    }

    @Test
    void everyLinearWeightIsNamedWithHfShape() {
        for (int i = 0; i < 6; i++) {
            String b = "encoder.layer." + i + ".";
            for (String linear : new String[]{"attention.self.query", "attention.self.key", "attention.self.value",
                "attention.output.dense"}) {
                assertArrayEquals(new long[]{384, 384}, source.shape(b + linear + ".weight"), b + linear);
                assertArrayEquals(new long[]{384}, source.shape(b + linear + ".bias"), b + linear);
            }
            assertArrayEquals(new long[]{1536, 384}, source.shape(b + "intermediate.dense.weight"));
            assertArrayEquals(new long[]{1536}, source.shape(b + "intermediate.dense.bias"));
            assertArrayEquals(new long[]{384, 1536}, source.shape(b + "output.dense.weight"));
            assertArrayEquals(new long[]{384}, source.shape(b + "output.LayerNorm.weight"));
            assertArrayEquals(new long[]{384}, source.shape(b + "attention.output.LayerNorm.bias"));
        }
        long renamed = source.names().stream().filter(n -> !source.onnxName(n).equals(n)).count();
        assertEquals(36, renamed);
    }

    @Test
    void embeddingsKeepTheirNamesAndIntegerAndGeneratedNamesAreHidden() {
        assertArrayEquals(new long[]{30522, 384}, source.shape("embeddings.word_embeddings.weight"));
        assertArrayEquals(new long[]{512, 384}, source.shape("embeddings.position_embeddings.weight"));
        assertArrayEquals(new long[]{2, 384}, source.shape("embeddings.token_type_embeddings.weight"));
        assertArrayEquals(new long[]{384}, source.shape("embeddings.LayerNorm.weight"));
        assertNull(source.shape("embeddings.position_ids"), "int64 initializer is not a weight");
        assertTrue(source.names().stream().noneMatch(n -> n.contains("::")), source.names().toString());
        // 65 named float initializers + 36 renamed Linear weights
        assertEquals(101, source.names().size());
        float[] words = source.floats("embeddings.word_embeddings.weight");
        assertEquals(30522 * 384, words.length);
        assertEquals(-0.017619397f, words[101 * 384]);
        assertEquals(0.0045700637f, words[30521 * 384 + 383]);
    }

    @Test
    void linearWeightsAreTransposedFromTheStoredInOutLayout() {
        String name = "encoder.layer.0.attention.self.query.weight";
        assertEquals("onnx::MatMul_787", source.onnxName(name));
        float[] hf = source.floats(name);        // [out, in]
        float[] stored = source.storedFloats("onnx::MatMul_787"); // [in, out]
        // values read with Python's onnx.numpy_helper: stored[0, 0..1] and stored[1, 0]
        assertEquals(-0.14861962f, stored[0]);
        assertEquals(0.035969656f, stored[1]);
        assertEquals(0.043580376f, stored[384]);
        assertEquals(-0.14861962f, hf[0]);
        assertEquals(0.035969656f, hf[384]);       // hf[out=1][in=0] = stored[in=0][out=1]
        assertEquals(0.043580376f, hf[1]);        // hf[out=0][in=1] = stored[in=1][out=0]

        // a non-square one: layer 3 intermediate, stored [in=384, out=1536], presented [1536, 384]
        String up = "encoder.layer.3.intermediate.dense.weight";
        String onnx = source.onnxName(up);
        assertNotNull(onnx);
        assertFalse(onnx.equals(up));
        float[] upHf = source.floats(up);
        float[] upStored = source.storedFloats(onnx);
        assertEquals(-0.031951282f, upStored[1]);                // stored[0, 1]
        assertEquals(-0.031951282f, upHf[384]);                  // hf[1, 0]
        assertEquals(-0.0035613289f, upHf[700 * 384 + 5]);      // hf[700, 5] = stored[5, 700]
        assertEquals(0.040421505f, upHf[1535 * 384 + 383]);      // hf[1535, 383] = stored[383, 1535]
        for (int in = 0; in < 384; in++) {
            for (int out = 0; out < 1536; out++) {
                if (upHf[out * 384 + in] != upStored[in * 1536 + out]) {
                    throw new AssertionError("mismatch at in=" + in + " out=" + out);
                }
            }
        }
        assertEquals(-0.083100684f, source.floats("encoder.layer.3.intermediate.dense.bias")[0]);
    }
}
