package headwise.engine.bench;

import headwise.engine.family.CheckpointTensors;
import headwise.engine.family.Gpt2Mapper;
import headwise.engine.io.TensorSource;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Transformer;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** GPT-2 models of any shape with random weights, for benchmarks and memory measurements that need real sizes. */
public final class RandomGpt2 {

    private RandomGpt2() {
    }

    /** A GPT-2 shape: {@code layers} × {@code heads} of 64 channels, MLP 4·d, GPT-2's vocabulary and 1024 positions. */
    public static ModelSpec spec(int layers, int heads) {
        int d = 64 * heads;
        return new ModelSpec("gpt2", "GPT2LMHeadModel", layers, heads, heads, d, 64, 4 * d, 50257, 1024, true,
                ModelSpec.Norm.LAYER_NORM, false, 1e-5, ModelSpec.Activation.GELU_TANH, ModelSpec.Output.LM_LOGITS, null, 0, null);
    }

    /** A GPT-2 of {@code spec}'s shape: weights N(0, 0.02), norms 1, biases 0 (what GPT-2 is initialised with). */
    public static LoadedModel load(ModelSpec spec) {
        int d = spec.dModel();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("wte.weight", new long[] {spec.vocabSize(), d});
        shapes.put("wpe.weight", new long[] {spec.maxPositions(), d});
        shapes.put("ln_f.weight", new long[] {d});
        shapes.put("ln_f.bias", new long[] {d});
        for (int i = 0; i < spec.layers(); i++) {
            String b = "h." + i + ".";
            shapes.put(b + "ln_1.weight", new long[] {d});
            shapes.put(b + "ln_1.bias", new long[] {d});
            shapes.put(b + "ln_2.weight", new long[] {d});
            shapes.put(b + "ln_2.bias", new long[] {d});
            shapes.put(b + "attn.c_attn.weight", new long[] {d, 3L * d});
            shapes.put(b + "attn.c_attn.bias", new long[] {3L * d});
            shapes.put(b + "attn.c_proj.weight", new long[] {d, d});
            shapes.put(b + "attn.c_proj.bias", new long[] {d});
            shapes.put(b + "mlp.c_fc.weight", new long[] {d, spec.dMlp()});
            shapes.put(b + "mlp.c_fc.bias", new long[] {spec.dMlp()});
            shapes.put(b + "mlp.c_proj.weight", new long[] {spec.dMlp(), d});
            shapes.put(b + "mlp.c_proj.bias", new long[] {d});
        }
        Random random = new Random(42);
        TensorSource source = new TensorSource() {
            @Override
            public Set<String> names() {
                return shapes.keySet();
            }

            @Override
            public long[] shape(String name) {
                return shapes.get(name);
            }

            @Override
            public float[] floats(String name) {
                long n = 1;
                for (long s : shapes.get(name)) {
                    n *= s;
                }
                float[] values = new float[(int) n];
                boolean norm = name.contains("ln_") && name.endsWith(".weight");
                for (int i = 0; i < values.length; i++) {
                    values[i] = norm ? 1f : name.endsWith(".bias") ? 0f : (float) (0.02 * random.nextGaussian());
                }
                return values;
            }

            @Override
            public Path fileOf(String name) {
                return Path.of("random");
            }

            @Override
            public Path location() {
                return Path.of("random");
            }
        };
        Transformer transformer = new Transformer(spec, new Gpt2Mapper().weights(spec, new CheckpointTensors(source)));
        return new LoadedModel("gpt2-small-random", null, transformer, null, path -> null);
    }
}
