package headwise.engine.corpus;

import headwise.engine.run.AttentionMaps;

/**
 * The head atlas: how differently every two heads attend ({@link HeadDistances}, averaged over prompts), each head
 * placed in the plane by classical MDS of those distances, and each head's mean pattern as a {@link PatternThumbnail}
 * (null where a run did not record them). Head index = layer·heads + head.
 *
 * @param distance   [n][n]
 * @param xy         [n][2] MDS coordinates
 * @param thumbnails [n][SIZE·SIZE], or null
 */
public record HeadAtlas(int layers, int heads, double[][] distance, double[][] xy, double[][] thumbnails) {

    public int count() {
        return layers * heads;
    }

    /** An atlas of {@code distance} (its MDS computed here). */
    public static HeadAtlas of(int layers, int heads, double[][] distance, double[][] thumbnails) {
        return new HeadAtlas(layers, heads, distance, ClassicalMds.embed(distance), thumbnails);
    }

    /** The atlas of one prompt's attention: its distances, MDS and patterns (the app's atlas of the current input). */
    public static HeadAtlas ofPrompt(AttentionMaps a, boolean causal) {
        return of(a.layers(), a.heads(), HeadDistances.jensenShannon(a, causal), thumbnails(a));
    }

    /** Every head's {@link PatternThumbnail}, [n][SIZE·SIZE]. */
    public static double[][] thumbnails(AttentionMaps a) {
        double[][] out = new double[a.layers() * a.heads()][];
        for (int m = 0; m < out.length; m++) {
            out[m] = PatternThumbnail.of(a.head(m / a.heads(), m % a.heads()), a.length());
        }
        return out;
    }
}
