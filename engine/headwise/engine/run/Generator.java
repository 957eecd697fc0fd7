package headwise.engine.run;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import headwise.engine.HeadwiseException;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.json.Json;
import headwise.engine.llama2c.Llama2cTokenizer;
import headwise.engine.load.GgufLoader;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.KvCache;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Transformer;
import headwise.engine.tokenize.Tokenizer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * Greedy decoding with a {@link KvCache}: the prompt is run once, then one token per step. Stops at a stop token,
 * after {@code maxNew} tokens, or when the model's positions run out. Each step's attention (hook_pattern of every
 * layer for the new query) and logits can be kept, as plain arrays, for analyses of the generation.
 */
public final class Generator {

    /**
     * @param stopIds             ids that end generation (EOS); may be empty
     * @param keepAttention       keep each generated token's query row of every layer's attention
     * @param keepPromptAttention also keep the prompt's whole attention [layers, heads, P, P] (with keepAttention)
     */
    public record Settings(int maxNew, int[] stopIds, boolean keepAttention, boolean keepLogits, boolean keepPromptAttention) {

        public Settings {
            if (maxNew < 0) {
                throw new HeadwiseException("the number of new tokens must be 0 or more, is " + maxNew);
            }
            stopIds = stopIds.clone();
        }

        /** With keepAttention, the prompt's attention is kept too. */
        public Settings(int maxNew, int[] stopIds, boolean keepAttention, boolean keepLogits) {
            this(maxNew, stopIds, keepAttention, keepLogits, keepAttention);
        }

        public static Settings of(int maxNew, int... stopIds) {
            return new Settings(maxNew, stopIds, true, false);
        }
    }

    private Generator() {
    }

    public static Generation generate(Transformer transformer, int[] prompt, Settings settings) {
        return generate(transformer, prompt, settings, Hooks.none());
    }

    /** @param hooks interventions applied at every step (ablations, re-weighting); left unchanged (capture is added to copies) */
    public static Generation generate(Transformer transformer, int[] prompt, Settings settings, Hooks hooks) {
        ModelSpec spec = transformer.spec();
        checkCanGenerate(spec, prompt);
        AttentionMaps.Precision precision = MemoryBudget.check(spec, prompt.length, transformer.options());
        Hooks promptHooks = hooks.copy();
        Hooks stepHooks = hooks.copy();
        AttentionCapture promptCapture = null;
        float[][] lastRows = new float[spec.layers()][];
        if (settings.keepAttention()) {
            if (settings.keepPromptAttention()) {
                promptCapture = AttentionCapture.attach(promptHooks, spec, prompt.length, precision);
            }
            observeLastRows(promptHooks, lastRows);
            observeLastRows(stepHooks, lastRows);
        }
        KvCache kv = new KvCache(spec.layers());
        List<Generation.StepAttention> attention = new ArrayList<>();
        List<float[]> keptLogits = new ArrayList<>();
        int[] ids = new int[settings.maxNew()];
        int count = 0;
        Generation.Stop stop = Generation.Stop.MAX_NEW;

        long started = System.nanoTime();
        Transformer.Result result;
        if (promptCapture == null && prompt.length > 1 && transformer.attendsInBlocks(1, prompt.length, prompt.length)) {
            // too long for whole patterns (the prompt attends in query blocks, which no pattern hook can observe):
            // all but the last token without observers, then the last one as a cached step whose one row they see
            transformer.run(new int[][] {Arrays.copyOf(prompt, prompt.length - 1)}, hooks.copy(), kv);
            result = transformer.run(new int[][] {{prompt[prompt.length - 1]}}, promptHooks, kv);
        } else {
            result = transformer.run(new int[][] {prompt}, promptHooks, kv);
        }
        long promptNanos = System.nanoTime() - started;
        AttentionMaps promptAttention = promptCapture != null ? promptCapture.maps() : null;
        long decodeStarted = System.nanoTime();
        while (count < settings.maxNew()) {
            float[] logits = lastRow(result.output());
            int next = argmax(logits);
            ids[count++] = next;
            if (settings.keepAttention()) {
                attention.add(new Generation.StepAttention(kv.length() - 1, spec.layers(), spec.heads(), kv.length(), concat(lastRows)));
            }
            if (settings.keepLogits()) {
                keptLogits.add(logits);
            }
            if (contains(settings.stopIds(), next)) {
                stop = Generation.Stop.STOP_TOKEN;
                break;
            }
            if (count == settings.maxNew()) {
                break;
            }
            if (spec.maxPositions() > 0 && kv.length() >= spec.maxPositions()) {
                stop = Generation.Stop.POSITIONS; // no position left to feed the token just chosen
                break;
            }
            result = transformer.run(new int[][] {{next}}, stepHooks, kv);
        }
        long decodeNanos = count <= 1 ? 0 : System.nanoTime() - decodeStarted;
        return new Generation(prompt.clone(), Arrays.copyOf(ids, count), stop, promptAttention, List.copyOf(attention),
                List.copyOf(keptLogits), promptNanos, decodeNanos);
    }

    /** argmax; ties go to the lowest id (run.c's argmax keeps the first maximum). */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * The model's end-of-sequence ids. llama2.c: EOS (2) and BOS (1): run.c stops at BOS, since llama2.c's
     * training data separates stories with BOS. Hugging Face models: eos_token_id (a number or a list) from
     * generation_config.json, else config.json; none when neither says. GGUF files: tokenizer.ggml.eos_token_id.
     */
    public static int[] defaultStopIds(LoadedModel model) {
        if (model.spec().family().equals("llama2c")) {
            return new int[] {Llama2cTokenizer.EOS, Llama2cTokenizer.BOS};
        }
        if (GgufLoader.isGguf(model.folder())) {
            return GgufLoader.stopIds(model.folder());
        }
        for (String name : List.of("generation_config.json", "config.json")) {
            Path file = model.folder().resolve(name);
            if (Files.isRegularFile(file)) {
                int[] ids = eosIds(file, Json.readObject(file));
                if (ids.length > 0) {
                    return ids;
                }
            }
        }
        return new int[0];
    }

    /**
     * The text the generated ids add after the prompt: decode(prompt + generated) minus decode(prompt), as
     * streaming decoders do, so that rules that depend on the previous token (a space dropped after BOS,
     * bytes that complete a character) apply as they would to the whole sequence.
     */
    public static String continuationText(Tokenizer tokenizer, int[] prompt, int[] generated) {
        int[] all = Arrays.copyOf(prompt, prompt.length + generated.length);
        System.arraycopy(generated, 0, all, prompt.length, generated.length);
        String whole = tokenizer.decode(all);
        String before = tokenizer.decode(prompt);
        return whole.startsWith(before) ? whole.substring(before.length()) : tokenizer.decode(generated);
    }

    private static int[] eosIds(Path file, JsonObject config) {
        JsonElement eos = config.get("eos_token_id");
        Set<Integer> ids = new LinkedHashSet<>();
        try {
            if (eos != null && eos.isJsonArray()) {
                for (JsonElement e : (JsonArray) eos) {
                    ids.add(e.getAsInt());
                }
            } else if (eos != null && !eos.isJsonNull()) {
                ids.add(eos.getAsInt());
            }
        } catch (RuntimeException e) {
            throw HeadwiseException.inFile(file, "\"eos_token_id\" must be an integer or a list of integers");
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void checkCanGenerate(ModelSpec spec, int[] prompt) {
        if (!spec.causal() || spec.output() != ModelSpec.Output.LM_LOGITS) {
            throw new HeadwiseException(spec.architecture() + " is not a causal language model: it cannot generate");
        }
        new ModelInput(prompt, new String[prompt.length], null, null).validate(spec, "prompt");
    }

    private static float[] lastRow(INDArray output) {
        long length = output.size(1);
        return output.get(point(0), point(length - 1), all()).dup().data().asFloat();
    }

    /**
     * Observers (added after any interventions, so they see what the model used) that keep the last query row of
     * each layer's pattern [1, heads, queries, keys] as [heads·keys] in {@code rows[layer]}: never the whole pattern.
     */
    private static void observeLastRows(Hooks hooks, float[][] rows) {
        for (int layer = 0; layer < rows.length; layer++) {
            int l = layer;
            hooks.intervene(HookNames.pattern(layer), pattern -> {
                long queries = pattern.size(2);
                rows[l] = pattern.get(point(0), all(), point(queries - 1), all()).dup('c').data().asFloat();
                return pattern;
            });
        }
    }

    private static float[] concat(float[][] rows) {
        int n = 0;
        for (float[] r : rows) {
            n += r.length;
        }
        float[] out = new float[n];
        int at = 0;
        for (float[] r : rows) {
            System.arraycopy(r, 0, out, at, r.length);
            at += r.length;
        }
        return out;
    }

    private static boolean contains(int[] values, int value) {
        for (int v : values) {
            if (v == value) {
                return true;
            }
        }
        return false;
    }
}
