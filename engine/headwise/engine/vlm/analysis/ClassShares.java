package headwise.engine.vlm.analysis;

import headwise.engine.HeadwiseException;
import headwise.engine.hooks.Hooks;
import headwise.engine.run.AttentionCapture;
import headwise.engine.run.AttentionMaps;
import headwise.engine.run.MemoryBudget;
import headwise.engine.vlm.TokenClasses;
import headwise.engine.vlm.TokenClasses.TokenClass;

import java.util.stream.IntStream;

/**
 * Token-class attention shares (the imbalance "Fixing Imbalanced Attention" studies): for every layer l and head h,
 * the share of attention key class c receives, averaged over the chosen query rows Q:
 * {@code share_c^{l,h} = (1/|Q|) Σ_{i∈Q} Σ_{j≤i, class(j)=c} A^{l,h}_ij}. A causal row sums to 1, so the four shares
 * of a head sum to 1.
 *
 * @param queries the query rows averaged over
 * @param shares  [class (TokenClass ordinal)][layer][head]
 */
public record ClassShares(int[] queries, double[][][] shares) {

    /** Which query rows to average over. */
    public enum Rows {
        /** every position */
        ALL,
        /** the prompt's text positions (SYSTEM and TEXT) */
        TEXT,
        /** the generated (answer) positions; the last position when nothing was generated */
        GENERATED
    }

    public int layers() {
        return shares[0].length;
    }

    public int heads() {
        return shares[0][0].length;
    }

    /** [layer][head] share of one class. */
    public double[][] of(TokenClass c) {
        return shares[c.ordinal()];
    }

    /** [layer][class] mean over heads: the stacked bar of each layer. */
    public double[][] perLayer() {
        int classes = shares.length;
        double[][] out = new double[layers()][classes];
        for (int l = 0; l < layers(); l++) {
            for (int c = 0; c < classes; c++) {
                double s = 0;
                for (double v : shares[c][l]) {
                    s += v;
                }
                out[l][c] = s / heads();
            }
        }
        return out;
    }

    /** The positions of {@code rows} in {@code classes}, ascending. */
    public static int[] queries(TokenClasses classes, Rows rows) {
        int[] out = IntStream.range(0, classes.length()).filter(i -> switch (rows) {
            case ALL -> true;
            case TEXT -> classes.at(i) == TokenClass.TEXT || classes.at(i) == TokenClass.SYSTEM;
            case GENERATED -> classes.at(i) == TokenClass.GENERATED;
        }).toArray();
        if (out.length == 0 && rows == Rows.GENERATED) {
            return new int[] {classes.length() - 1};
        }
        if (out.length == 0) {
            throw new HeadwiseException("the sequence has no " + rows.name().toLowerCase() + " positions to average over");
        }
        return out;
    }

    /** Runs the decoder once and reads its attention (held at the precision the memory budget allows). */
    public static AttentionMaps attention(JoinedSequence sequence) {
        var spec = sequence.decoder().spec();
        Hooks hooks = Hooks.none();
        AttentionCapture capture = AttentionCapture.attach(hooks, spec, sequence.length(),
                MemoryBudget.check(spec, sequence.length(), sequence.decoder().options()));
        sequence.run(hooks);
        return capture.maps();
    }

    public static ClassShares compute(JoinedSequence sequence, Rows rows) {
        return of(attention(sequence), sequence.classes(), queries(sequence.classes(), rows));
    }

    public static ClassShares of(AttentionMaps maps, TokenClasses classes, int[] queries) {
        if (maps.length() != classes.length()) {
            throw new HeadwiseException("attention over " + maps.length() + " positions, token classes over " + classes.length());
        }
        for (int i : queries) {
            if (i < 0 || i >= maps.length()) {
                throw new HeadwiseException("query row " + i + " is outside 0.." + (maps.length() - 1));
            }
        }
        int t = maps.length();
        int[] classOf = KeyClassMaps.columns(classes, TokenClass.values());
        boolean[] chosen = new boolean[t];
        for (int i : queries) {
            chosen[i] = true;
        }
        double[][][] shares = new double[TokenClass.values().length][maps.layers()][maps.heads()];
        for (int l = 0; l < maps.layers(); l++) {
            for (int h = 0; h < maps.heads(); h++) {
                double[] sum = new double[shares.length];
                maps.readRows(l, h, (query, values, offset) -> {
                    if (chosen[query]) {
                        KeyClassMaps.addRow(values, offset, query + 1, classOf, sum);
                    }
                });
                for (int c = 0; c < shares.length; c++) {
                    shares[c][l][h] = sum[c] / queries.length;
                }
            }
        }
        return new ClassShares(queries.clone(), shares);
    }
}
