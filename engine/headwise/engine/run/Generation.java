package headwise.engine.run;

import java.util.List;

/**
 * What greedy decoding produced, as plain arrays. Generated token k was chosen from the logits of query position
 * {@code prompt.length − 1 + k}; {@code attention.get(k)} and {@code logits.get(k)} belong to that same query.
 *
 * @param ids             generated ids, the stop token included when one ended the run (the prompt not included)
 * @param promptAttention softmax attention of the prompt [layers, heads, P, P], or null when not kept
 * @param attention       per generated token, that query's attention over all keys so far; empty when not kept
 * @param logits          per generated token, the logits it was chosen from; empty when not kept
 */
public record Generation(int[] prompt, int[] ids, Stop stop, AttentionMaps promptAttention, List<StepAttention> attention,
                         List<float[]> logits, long promptNanos, long decodeNanos) {

    public enum Stop {
        /** a stop token (EOS) was generated */
        STOP_TOKEN,
        /** the requested number of new tokens was reached */
        MAX_NEW,
        /** the model's positions ran out */
        POSITIONS
    }

    /**
     * One query row of every layer's attention pattern: [layers, heads, keys] row-major, keys = query + 1.
     *
     * @param query the position of the query (the token fed at this step)
     */
    public record StepAttention(int query, int layers, int heads, int keys, float[] values) {

        public StepAttention {
            if ((long) layers * heads * keys != values.length) {
                throw new IllegalArgumentException("attention values do not match [" + layers + "," + heads + "," + keys + "]");
            }
        }

        public float get(int layer, int head, int key) {
            return values[(layer * heads + head) * keys + key];
        }

        /** A copy of one head's row over the keys. */
        public float[] row(int layer, int head) {
            float[] out = new float[keys];
            System.arraycopy(values, (layer * heads + head) * keys, out, 0, keys);
            return out;
        }
    }

    /** Average decoding time per token after the first (the prompt's forward excluded); 0 when there were none. */
    public double millisPerToken() {
        return ids.length <= 1 ? 0 : decodeNanos / 1e6 / (ids.length - 1);
    }
}
