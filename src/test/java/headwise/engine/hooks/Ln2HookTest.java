package headwise.engine.hooks;

import headwise.engine.Fixtures;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ModelWeights;
import headwise.engine.model.Ops;
import headwise.engine.model.Transformer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** blocks.{l}.ln2.hook_normalized: the MLP's normalized input in pre-norm models, resid_post in post-norm ones. */
class Ln2HookTest {

    @Test
    void preNormIsLayerNormOfResidMidWithLn2Weights() {
        try (LoadedModel gpt2 = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            int[][] ids = {Fixtures.inputIds("gpt2_f32")};
            int layers = gpt2.spec().layers();
            Transformer.Result run = gpt2.transformer().run(ids, Hooks.capturing(n -> n.contains("resid_mid") || n.contains("ln2")));
            for (int l = 0; l < layers; l++) {
                float[] mid = Ops.floats(run.cache().get(HookNames.residMid(l)));
                float[] ln2 = Ops.floats(run.cache().get(HookNames.ln2Normalized(l)));
                ModelWeights.NormWeights norm = gpt2.transformer().weights().layers().get(l).mlpNorm();
                float[] expected = layerNorm(mid, Ops.floats(norm.gain()), Ops.floats(norm.bias()), gpt2.spec().normEps());
                assertArrayEquals(expected, ln2, 1e-5f, "layer " + l);
            }
        }
    }

    @Test
    void interveningOnItChangesTheMlpInput() {
        try (LoadedModel gpt2 = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            int[][] ids = {Fixtures.inputIds("gpt2_f32")};
            float[] clean = Ops.floats(gpt2.transformer().run(ids, Hooks.none()).output());
            float[] zeroed = Ops.floats(gpt2.transformer().run(ids, Hooks.none().intervene(HookNames.ln2Normalized(1), x -> x.mul(1))).output());
            float[] changed = Ops.floats(gpt2.transformer().run(ids, Hooks.none().intervene(HookNames.ln2Normalized(1), x -> x.mul(0))).output());
            assertArrayEquals(clean, zeroed, 0f, "x·1 is the identity");
            double difference = 0;
            for (int i = 0; i < clean.length; i++) {
                difference = Math.max(difference, Math.abs(clean[i] - changed[i]));
            }
            assertTrue(difference > 1e-3, "zeroing the MLP input changes the output, by " + difference);
        }
    }

    @Test
    void postNormEqualsResidPost() {
        try (LoadedModel bert = ModelLoader.load(Fixtures.model("bert_f32").toString())) {
            int[][] ids = {Fixtures.inputIds("bert_f32")};
            Transformer.Result run = bert.transformer().run(ids, Hooks.capturing(n -> n.contains("resid_post") || n.contains("ln2")));
            for (int l = 0; l < bert.spec().layers(); l++) {
                assertArrayEquals(Ops.floats(run.cache().get(HookNames.residPost(l))), Ops.floats(run.cache().get(HookNames.ln2Normalized(l))),
                        0f, "layer " + l);
            }
            assertEquals(bert.spec().layers() * 2, run.cache().names().size());
        }
    }

    private static float[] layerNorm(float[] x, float[] gain, float[] bias, double eps) {
        int d = gain.length;
        float[] out = new float[x.length];
        for (int row = 0; row < x.length / d; row++) {
            double mean = 0;
            for (int j = 0; j < d; j++) {
                mean += x[row * d + j];
            }
            mean /= d;
            double variance = 0;
            for (int j = 0; j < d; j++) {
                double c = x[row * d + j] - mean;
                variance += c * c;
            }
            double inverse = 1 / Math.sqrt(variance / d + eps);
            for (int j = 0; j < d; j++) {
                out[row * d + j] = (float) ((x[row * d + j] - mean) * inverse * gain[j] + bias[j]);
            }
        }
        return out;
    }
}
