package headwise.engine.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Groups prompts of any lengths into right-padded batches for {@link Transformer#runPadded}: one forward over many
 * short prompts runs its GEMMs on many rows at once, where a 128-token prompt alone leaves the BLAS far from its rate
 * and pays every per-layer cost once per prompt (docs/performance.md, Many prompts). Prompts are taken longest
 * first, so each batch holds prompts of similar length and little padding.
 */
public final class PromptBatches {

    /** Padded positions per forward by default: GEMMs of 2048 rows run at the BLAS's rate; more only costs memory. */
    public static final int DEFAULT_TOKENS = 2048;

    /** Prompts per forward by default: bounds what hooks capture from one forward. */
    public static final int DEFAULT_PROMPTS = 16;

    private PromptBatches() {
    }

    /**
     * One padded forward.
     *
     * @param prompts indices into the caller's prompts, longest first
     * @param lengths their lengths
     * @param ids     [prompts][length] each prompt followed by copies of its last id (any valid id would do)
     */
    public record Batch(int[] prompts, int[] lengths, int[][] ids) {

        /** The padded length, the longest prompt's. */
        public int length() {
            return ids[0].length;
        }
    }

    /**
     * Every prompt in exactly one batch of at most {@code maxPrompts} prompts and at most {@code maxTokens} padded
     * positions (a prompt longer than that runs alone).
     */
    public static List<Batch> of(int[][] prompts, int maxTokens, int maxPrompts) {
        if (maxTokens < 1 || maxPrompts < 1) {
            throw new IllegalArgumentException("batches need at least 1 token and 1 prompt, not " + maxTokens + " and " + maxPrompts);
        }
        Integer[] order = IntStream.range(0, prompts.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> -prompts[i].length).thenComparingInt(i -> i));
        List<Batch> batches = new ArrayList<>();
        int from = 0;
        while (from < order.length) {
            int longest = prompts[order[from]].length;
            int fit = Math.max(1, Math.min(maxPrompts, maxTokens / Math.max(1, longest)));
            int to = Math.min(order.length, from + fit);
            batches.add(padded(prompts, Arrays.copyOfRange(order, from, to)));
            from = to;
        }
        return batches;
    }

    private static Batch padded(int[][] prompts, Integer[] members) {
        int length = prompts[members[0]].length;
        int[] indices = new int[members.length];
        int[] lengths = new int[members.length];
        int[][] ids = new int[members.length][];
        for (int b = 0; b < members.length; b++) {
            int[] prompt = prompts[members[b]];
            if (prompt.length == 0) {
                throw new IllegalArgumentException("prompt " + members[b] + " is empty");
            }
            indices[b] = members[b];
            lengths[b] = prompt.length;
            ids[b] = Arrays.copyOf(prompt, length);
            Arrays.fill(ids[b], prompt.length, length, prompt[prompt.length - 1]);
        }
        return new Batch(indices, lengths, ids);
    }
}
