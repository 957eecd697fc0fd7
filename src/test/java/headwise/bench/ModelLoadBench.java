package headwise.bench;

import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;

import java.util.Locale;

/**
 * Load time of one model (a folder or a .gguf) and the time of one analysis at {@code tokens} ids, for comparing
 * formats of the same model; run under /usr/bin/time -v for the peak RSS.
 * {@code java -Xmx2g -cp … headwise.bench.ModelLoadBench MODEL TOKENS}
 */
public final class ModelLoadBench {

    private ModelLoadBench() {
    }

    public static void main(String[] args) {
        if (args.length > 2 && args[2].equals("decode")) {
            decodeOnly(java.nio.file.Path.of(args[0]));
            return;
        }
        ModelLoader.startBackend();
        int tokens = Integer.parseInt(args[1]);
        long t0 = System.nanoTime();
        try (LoadedModel model = ModelLoader.load(args[0])) {
            long t1 = System.nanoTime();
            int[] ids = new int[tokens];
            for (int i = 0; i < tokens; i++) {
                ids[i] = 1 + (i * 7919) % (model.spec().vocabSize() - 1);
            }
            Analyzer.analyze(model, ModelInput.fromIds(model, ids));
            long t2 = System.nanoTime();
            System.out.printf(Locale.ROOT, "%s (%s): load %.1f s, analyze %d tokens %.1f s%n", model.name(), model.spec().architecture(),
                    (t1 - t0) / 1e9, tokens, (t2 - t1) / 1e9);
        }
    }

    /** Only the decoding of every tensor to float32 (what the format costs), no model built. */
    private static void decodeOnly(java.nio.file.Path model) {
        long t0 = System.nanoTime();
        long values = 0;
        try (headwise.engine.io.TensorSource source = model.toString().endsWith(".gguf")
                ? headwise.engine.io.gguf.GgufTensorSource.of(headwise.engine.io.gguf.GgufFile.open(model), "llama")
                : headwise.engine.io.SafetensorsFile.open(model.resolve("model.safetensors"))) {
            for (String name : source.names()) {
                values += source.floats(name).length;
            }
        }
        System.out.printf(Locale.ROOT, "%s: decoded %d values in %.1f s%n", model, values, (System.nanoTime() - t0) / 1e9);
    }
}
