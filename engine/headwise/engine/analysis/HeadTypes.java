package headwise.engine.analysis;

import headwise.engine.hooks.Hooks;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Transformer;
import headwise.engine.run.AttentionCapture;
import headwise.engine.run.AttentionMaps;
import headwise.engine.run.MemoryBudget;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Head types as TransformerLens's {@code head_detector} defines them (METHODS.md): a lower-triangular 0/1 detection
 * matrix D and score = Σ(A⊙D) / ΣA per head, optionally with the BOS column (key 0) and/or the diagonal of A zeroed
 * first (both in numerator and denominator, as TransformerLens does; off by default, as there).
 * <ul>
 * <li>previous-token: D[i, i−1] = 1;</li>
 * <li>duplicate-token: D[i, j] = 1 iff tok_i = tok_j, j &lt; i;</li>
 * <li>induction: D[i, j] = 1 iff tok_i = tok_{j−1}, 1 ≤ j ≤ i.</li>
 * </ul>
 * Measured on a random token sequence repeated twice (seeded). Without exclusions only the second copy's rows can
 * match, so duplicate and induction scores are at most about ½ (n/(2n+1) with a BOS); excluding the BOS column lifts
 * a head that rests on BOS while it finds no match to about 1.
 */
public final class HeadTypes {

    private HeadTypes() {
    }

    /**
     * @param length          random tokens in one copy (the sequence is twice this, plus the BOS); 0 = automatic:
     *                        min(50, (positions − BOS) / 2)
     * @param seed            java.util.Random seed for the tokens
     * @param bosId           token prepended as BOS, or null for none; never drawn as a random token
     * @param excludeBos      zero key column 0 before scoring
     * @param excludeDiagonal zero A_ii before scoring
     * @param threshold       {@link #heads} lists heads scoring above this
     */
    public record Options(int length, long seed, Integer bosId, boolean excludeBos, boolean excludeDiagonal, double threshold) {
        public static Options defaults() {
            return new Options(0, 0, null, false, false, 0.4);
        }

        public Options withLength(int n) {
            return new Options(n, seed, bosId, excludeBos, excludeDiagonal, threshold);
        }

        public Options withSeed(long s) {
            return new Options(length, s, bosId, excludeBos, excludeDiagonal, threshold);
        }

        public Options withBos(Integer id) {
            return new Options(length, seed, id, excludeBos, excludeDiagonal, threshold);
        }

        public Options withExclusions(boolean bos, boolean diagonal) {
            return new Options(length, seed, bosId, bos, diagonal, threshold);
        }

    }

    /** Scores [layer][head] of each type on {@code tokens}. */
    public record Scores(int[] tokens, double[][] previousToken, double[][] duplicateToken, double[][] induction) {
    }

    /**
     * A seeded random sequence of {@code length} distinct tokens (with replacement when the vocabulary is smaller),
     * repeated twice, with {@code bosId} prepended when not null. The BOS id is never drawn.
     */
    public static int[] repeatedRandomTokens(int vocabSize, int length, long seed, Integer bosId) {
        Random random = new Random(seed);
        int[] pool = new int[vocabSize];
        int size = 0;
        for (int id = 0; id < vocabSize; id++) {
            if (bosId == null || id != bosId) {
                pool[size++] = id;
            }
        }
        if (size == 0) {
            throw new IllegalArgumentException("no token to draw: the vocabulary holds only the BOS");
        }
        int[] copy = new int[length];
        boolean distinct = length <= size;
        for (int n = 0; n < length; n++) {
            if (distinct) { // partial Fisher-Yates
                int pick = n + random.nextInt(size - n);
                int swap = pool[n];
                pool[n] = pool[pick];
                pool[pick] = swap;
                copy[n] = pool[n];
            } else {
                copy[n] = pool[random.nextInt(size)];
            }
        }
        int offset = bosId == null ? 0 : 1;
        int[] out = new int[offset + 2 * length];
        if (bosId != null) {
            out[0] = bosId;
        }
        System.arraycopy(copy, 0, out, offset, length);
        System.arraycopy(copy, 0, out, offset + length, length);
        return out;
    }

    /** D[i][i−1] = 1. */
    public static boolean[][] previousTokenPattern(int length) {
        boolean[][] d = new boolean[length][length];
        for (int i = 1; i < length; i++) {
            d[i][i - 1] = true;
        }
        return d;
    }

    /** D[i][j] = 1 iff tok_i = tok_j, j &lt; i. */
    public static boolean[][] duplicateTokenPattern(int[] tokens) {
        int t = tokens.length;
        boolean[][] d = new boolean[t][t];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < i; j++) {
                d[i][j] = tokens[i] == tokens[j];
            }
        }
        return d;
    }

    /** D[i][j] = 1 iff tok_i = tok_{j−1}, 1 ≤ j ≤ i (TransformerLens: the duplicate pattern shifted one right). */
    public static boolean[][] inductionPattern(int[] tokens) {
        int t = tokens.length;
        boolean[][] d = new boolean[t][t];
        for (int i = 0; i < t; i++) {
            for (int j = 1; j <= i; j++) {
                d[i][j] = tokens[i] == tokens[j - 1];
            }
        }
        return d;
    }

    /** Σ(A⊙D) / ΣA per head, [layer][head], with the chosen parts of A zeroed first (0 when nothing is left). */
    public static double[][] score(AttentionMaps a, boolean[][] pattern, boolean excludeBos, boolean excludeDiagonal) {
        if (pattern.length != a.length()) {
            throw new IllegalArgumentException("detection pattern is " + pattern.length + " tokens, attention " + a.length());
        }
        return AttentionStatistics.perHead(a, (v, base, t) -> {
            double hit = 0;
            double total = 0;
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < t; j++) {
                    if ((excludeBos && j == 0) || (excludeDiagonal && i == j)) {
                        continue;
                    }
                    double p = v[base + i * t + j];
                    total += p;
                    if (pattern[i][j]) {
                        hit += p;
                    }
                }
            }
            return total == 0 ? 0 : hit / total;
        });
    }

    /** All three scores on the attention {@code a} of the sequence {@code tokens}. */
    public static Scores score(AttentionMaps a, int[] tokens, boolean excludeBos, boolean excludeDiagonal) {
        return new Scores(tokens.clone(),
                score(a, previousTokenPattern(tokens.length), excludeBos, excludeDiagonal),
                score(a, duplicateTokenPattern(tokens), excludeBos, excludeDiagonal),
                score(a, inductionPattern(tokens), excludeBos, excludeDiagonal));
    }

    /** Runs {@code transformer} on the repeated random sequence of {@code options} and scores every head. */
    public static Scores detect(Transformer transformer, Options options) {
        int[] tokens = sequence(transformer.spec(), options);
        return score(attention(transformer, tokens), tokens, options.excludeBos(), options.excludeDiagonal());
    }

    /** The sequence {@link #detect} runs: the repeated random tokens for this model and these options. */
    public static int[] sequence(ModelSpec spec, Options options) {
        int bos = options.bosId() == null ? 0 : 1;
        int length = options.length();
        if (length <= 0) {
            length = spec.maxPositions() > 0 ? Math.min(50, (spec.maxPositions() - bos) / 2) : 50;
        }
        if (length < 1 || (spec.maxPositions() > 0 && 2 * length + bos > spec.maxPositions())) {
            throw new IllegalArgumentException("a repeated sequence of " + length + " tokens" + (bos == 1 ? " plus BOS" : "")
                    + " does not fit the model's " + spec.maxPositions() + " positions");
        }
        if (options.bosId() != null && (options.bosId() < 0 || options.bosId() >= spec.vocabSize())) {
            throw new IllegalArgumentException("BOS id " + options.bosId() + " is outside the vocabulary");
        }
        return repeatedRandomTokens(spec.vocabSize(), length, options.seed(), options.bosId());
    }

    /** Heads scoring above {@code threshold}, as {layer, head} pairs in layer, head order. */
    public static List<int[]> heads(double[][] scores, double threshold) {
        List<int[]> out = new ArrayList<>();
        for (int l = 0; l < scores.length; l++) {
            for (int h = 0; h < scores[l].length; h++) {
                if (scores[l][h] > threshold) {
                    out.add(new int[] {l, h});
                }
            }
        }
        return out;
    }

    /** Attention of one run on token ids, as {@link AttentionMaps}. */
    static AttentionMaps attention(Transformer transformer, int[] tokens) {
        ModelSpec spec = transformer.spec();
        Hooks hooks = Hooks.none();
        AttentionCapture capture = AttentionCapture.attach(hooks, spec, tokens.length,
                MemoryBudget.check(spec, tokens.length, transformer.options()));
        transformer.run(new int[][] {tokens}, hooks);
        return capture.maps();
    }
}
