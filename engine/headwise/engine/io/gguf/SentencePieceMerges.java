package headwise.engine.io.gguf;

import headwise.engine.HeadwiseException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SentencePiece keeps scores, not merges: every split of a normal token into two normal tokens is a merge, ranked by
 * the merged token's score (highest first; ties by the pieces' ids), which is the order SentencePiece's BPE merges in
 * (and how transformers' GGUF integration rebuilds them).
 */
final class SentencePieceMerges {

    private SentencePieceMerges() {
    }

    /** [left, right] token pairs, first merged first. */
    static List<String[]> of(Path file, GgufMetadata m, GgufVocabulary vocabulary) {
        GgufArray scores = m.optionalArray("tokenizer.ggml.scores");
        if (scores == null || scores.size() != vocabulary.size() || !scores.isNumeric()) {
            throw HeadwiseException.inFile(file, "GGUF metadata 'tokenizer.ggml.scores' should have one number per token");
        }
        String[] tokens = vocabulary.tokens;
        Map<String, Integer> normal = new HashMap<>();
        for (int id = 0; id < tokens.length; id++) {
            if (vocabulary.isNormal(id)) {
                normal.putIfAbsent(tokens[id], id);
            }
        }
        record Merge(int left, int right, float score) {
        }
        List<Merge> merges = new ArrayList<>();
        for (int id = 0; id < tokens.length; id++) {
            String token = tokens[id];
            if (!vocabulary.isNormal(id)) {
                continue;
            }
            for (int cut = 1; cut < token.length(); cut++) {
                if (Character.isLowSurrogate(token.charAt(cut))) {
                    continue;
                }
                Integer left = normal.get(token.substring(0, cut));
                Integer right = normal.get(token.substring(cut));
                if (left != null && right != null) {
                    merges.add(new Merge(left, right, scores.getFloat(id)));
                }
            }
        }
        merges.sort(Comparator.comparingDouble((Merge x) -> -x.score()).thenComparingInt(Merge::left).thenComparingInt(Merge::right));
        List<String[]> pairs = new ArrayList<>(merges.size());
        for (Merge merge : merges) {
            pairs.add(new String[] {tokens[merge.left()], tokens[merge.right()]});
        }
        return pairs;
    }
}
