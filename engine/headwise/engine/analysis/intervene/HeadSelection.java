package headwise.engine.analysis.intervene;

import headwise.engine.HeadwiseException;
import headwise.engine.model.ModelSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * Chosen (layer, head) pairs, grouped per layer. Parsed from "L.H,L.H,…" (e.g. "0.3,2.11"); "all" or an empty
 * list means every head of every layer.
 */
public record HeadSelection(int[][] headsPerLayer) {

    /** Every head of every layer of {@code spec}. */
    public static HeadSelection all(ModelSpec spec) {
        int[][] out = new int[spec.layers()][spec.heads()];
        for (int l = 0; l < out.length; l++) {
            for (int h = 0; h < spec.heads(); h++) {
                out[l][h] = h;
            }
        }
        return new HeadSelection(out);
    }

    /** The given {layer, head} pairs (checked against {@code spec}), in the order given; duplicates kept once. */
    public static HeadSelection of(ModelSpec spec, List<int[]> pairs) {
        List<List<Integer>> perLayer = new ArrayList<>();
        for (int l = 0; l < spec.layers(); l++) {
            perLayer.add(new ArrayList<>());
        }
        for (int[] p : pairs) {
            if (p[0] < 0 || p[0] >= spec.layers() || p[1] < 0 || p[1] >= spec.heads()) {
                throw new HeadwiseException("head " + p[0] + "." + p[1] + " is outside the model's " + spec.layers()
                        + " layers x " + spec.heads() + " heads");
            }
            if (!perLayer.get(p[0]).contains(p[1])) {
                perLayer.get(p[0]).add(p[1]);
            }
        }
        int[][] out = new int[spec.layers()][];
        for (int l = 0; l < out.length; l++) {
            out[l] = perLayer.get(l).stream().mapToInt(Integer::intValue).toArray();
        }
        return new HeadSelection(out);
    }

    /** "L.H,L.H" (0-based) or "all"; {@code option} names the option in errors. */
    public static HeadSelection parse(ModelSpec spec, String text, String option) {
        String trimmed = text == null ? "" : text.trim();
        if (trimmed.isEmpty() || trimmed.equalsIgnoreCase("all")) {
            return all(spec);
        }
        List<int[]> pairs = new ArrayList<>();
        for (String item : trimmed.split(",")) {
            String[] parts = item.trim().split("\\.");
            try {
                if (parts.length != 2) {
                    throw new NumberFormatException();
                }
                pairs.add(new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())});
            } catch (NumberFormatException e) {
                throw new HeadwiseException(option + ": \"" + item.trim() + "\" is not LAYER.HEAD (e.g. 0.3,2.11)");
            }
        }
        try {
            return of(spec, pairs);
        } catch (HeadwiseException e) {
            throw new HeadwiseException(option + ": " + e.getMessage());
        }
    }

    public int count() {
        int n = 0;
        for (int[] heads : headsPerLayer) {
            n += heads.length;
        }
        return n;
    }

    /** {layer, head} pairs in layer order. */
    public List<int[]> pairs() {
        List<int[]> out = new ArrayList<>();
        for (int l = 0; l < headsPerLayer.length; l++) {
            for (int h : headsPerLayer[l]) {
                out.add(new int[] {l, h});
            }
        }
        return out;
    }
}
