package headwise.app.export;

import headwise.engine.run.AttentionMaps;

import java.util.Arrays;
import java.util.stream.IntStream;

/** Chosen layers and heads of a run's attention as .npy and .npz bytes. */
final class AttentionData {

    private AttentionData() {
    }

    /** {@code null} → all of 0..count−1; otherwise checked to lie in that range. */
    static int[] selection(int[] chosen, int count, String what) {
        if (chosen == null) {
            return IntStream.range(0, count).toArray();
        }
        if (chosen.length == 0) {
            throw new IllegalArgumentException("no " + what + "s chosen");
        }
        for (int i : chosen) {
            if (i < 0 || i >= count) {
                throw new IllegalArgumentException(what + " " + i + " outside 0.." + (count - 1));
            }
        }
        return chosen.clone();
    }

    /** float32 [layers.length, heads.length, T, T]. */
    static float[] select(AttentionMaps a, int[] layers, int[] heads) {
        int square = a.length() * a.length();
        float[] out = new float[layers.length * heads.length * square];
        int at = 0;
        for (int l : layers) {
            for (int h : heads) {
                System.arraycopy(a.head(l, h), 0, out, at, square);
                at += square;
            }
        }
        return out;
    }

    static byte[] npy(AttentionMaps a, int[] layers, int[] heads) {
        return NpyBytes.float32(new int[] {layers.length, heads.length, a.length(), a.length()}, select(a, layers, heads));
    }

    /** attention [nl, nh, T, T] float32, layers [nl] and heads [nh] int32: which layer and head each slice is. */
    static byte[] npz(AttentionMaps a, int[] layers, int[] heads) {
        return new Npz().add("attention", npy(a, layers, heads))
                .add("layers", NpyBytes.int32(new int[] {layers.length}, layers))
                .add("heads", NpyBytes.int32(new int[] {heads.length}, heads))
                .bytes();
    }

    static String describe(int[] layers, int[] heads) {
        return "layers " + Arrays.toString(layers) + ", heads " + Arrays.toString(heads);
    }
}
