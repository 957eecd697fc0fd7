package headwise.engine.analysis.heads;

import headwise.engine.HeadwiseException;
import headwise.engine.model.ModelSpec;
import headwise.engine.tokenize.TokenizedText;
import headwise.engine.tokenize.Tokenizer;

import java.util.Random;

/**
 * A needle-in-a-haystack prompt for the retrieval score: token ids and the needle span [needleStart, needleEnd) of
 * prompt positions whose tokens a retrieval head copies during generation.
 *
 * @param text the prompt text, or null for the id template
 */
public record NeedlePrompt(int[] ids, int needleStart, int needleEnd, String text) {

    /** A filler paragraph (written for Headwise) repeated into the haystack of the text template. */
    public static final String DEFAULT_HAYSTACK = "The river town kept its market on the square every morning. "
            + "Farmers brought apples, cheese and bread from the hills, and the baker sold warm rolls before sunrise. "
            + "Children walked to school along the old stone bridge, counting the boats that passed below. "
            + "In the afternoon the library opened its doors, and people read newspapers by the tall windows. "
            + "When the evening came, lamps were lit along the harbour and the fishermen mended their nets. ";
    public static final String DEFAULT_NEEDLE = "The secret ingredient of the mountain soup is roasted chestnut.";
    public static final String DEFAULT_QUESTION = "Question: What is the secret ingredient of the mountain soup?\nAnswer:";
    /** Haystack repeats of the text template (about 450 GPT-2 tokens in all). */
    public static final int DEFAULT_REPEATS = 4;

    public NeedlePrompt {
        if (needleStart < 0 || needleEnd > ids.length || needleStart >= needleEnd) {
            throw new HeadwiseException("needle span [" + needleStart + ", " + needleEnd + ") is not inside the "
                    + ids.length + "-token prompt");
        }
    }

    public int needleLength() {
        return needleEnd - needleStart;
    }

    /**
     * The text template: {@code haystack} with {@code needle} inserted at the sentence boundary nearest to
     * {@code depth} (0 = start, 1 = end), then a blank line and {@code question}. The needle span is every token
     * whose characters overlap the needle's.
     */
    public static NeedlePrompt fromText(Tokenizer tokenizer, String haystack, String needle, String question, double depth) {
        if (needle == null || needle.isBlank()) {
            throw new HeadwiseException("--needle: the needle text is empty");
        }
        if (!(depth >= 0 && depth <= 1)) {
            throw new HeadwiseException("needle depth must be in [0, 1], is " + depth);
        }
        String hay = haystack == null ? "" : haystack.strip();
        int cut = sentenceBoundary(hay, (int) Math.round(depth * hay.length()));
        String before = hay.substring(0, cut).stripTrailing();
        String after = hay.substring(cut).stripLeading();
        String prefix = before.isEmpty() ? "" : before + " ";
        String text = prefix + needle.strip() + (after.isEmpty() ? "" : " " + after) + "\n\n" + (question == null ? "" : question.strip());
        int start = prefix.length();
        int end = start + needle.strip().length();
        TokenizedText t = tokenizer.encode(text);
        int first = -1;
        int last = -1;
        for (int i = 0; i < t.ids().length; i++) {
            int[] o = t.offsets()[i];
            if (o[1] > o[0] && o[0] < end && o[1] > start) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        if (first < 0) {
            throw new HeadwiseException("--needle: no token of the needle found in the tokenized prompt");
        }
        return new NeedlePrompt(t.ids(), first, last + 1, text);
    }

    /** The text template with the built-in haystack ({@link #DEFAULT_REPEATS} paragraphs), needle at depth ½. */
    public static NeedlePrompt builtIn(Tokenizer tokenizer, String needle, String question) {
        return fromText(tokenizer, DEFAULT_HAYSTACK.repeat(DEFAULT_REPEATS), needle == null ? DEFAULT_NEEDLE : needle,
                question == null ? DEFAULT_QUESTION : question, 0.5);
    }

    /**
     * The id template for models without a tokenizer: {@code haystack} random tokens with a needle of
     * {@code needle} random tokens in the middle, then the needle's first {@code cue} tokens again, so that a model
     * that retrieves continues with the rest of the needle. The span is that rest: needle positions cue … needle−1.
     * Seeded (java.util.Random); {@code bosId}, when not null, is prepended and never drawn.
     */
    public static NeedlePrompt randomIds(ModelSpec spec, int haystack, int needle, int cue, long seed, Integer bosId) {
        if (needle < 2 || cue < 1 || cue >= needle || haystack < 0) {
            throw new HeadwiseException("needle template: need needle >= 2, 1 <= cue < needle, haystack >= 0");
        }
        int bos = bosId == null ? 0 : 1;
        int length = bos + haystack + needle + cue;
        if (spec.maxPositions() > 0 && length + (needle - cue) > spec.maxPositions()) {
            throw new HeadwiseException("needle template: " + length + " prompt tokens plus " + (needle - cue)
                    + " to generate do not fit the model's " + spec.maxPositions() + " positions");
        }
        Random random = new Random(seed);
        int[] ids = new int[length];
        int at = 0;
        if (bosId != null) {
            ids[at++] = bosId;
        }
        int[] needleIds = new int[needle];
        for (int i = 0; i < needle; i++) {
            needleIds[i] = draw(random, spec.vocabSize(), bosId);
        }
        int half = haystack / 2;
        for (int i = 0; i < half; i++) {
            ids[at++] = draw(random, spec.vocabSize(), bosId);
        }
        int start = at;
        System.arraycopy(needleIds, 0, ids, at, needle);
        at += needle;
        for (int i = half; i < haystack; i++) {
            ids[at++] = draw(random, spec.vocabSize(), bosId);
        }
        System.arraycopy(needleIds, 0, ids, at, cue);
        return new NeedlePrompt(ids, start + cue, start + needle, null);
    }

    private static int draw(Random random, int vocab, Integer bosId) {
        while (true) {
            int id = random.nextInt(vocab);
            if (bosId == null || id != bosId || vocab == 1) {
                return id;
            }
        }
    }

    /** The index after the ". " nearest to {@code at} (0 or the end when there is none nearer). */
    private static int sentenceBoundary(String text, int at) {
        int best = at <= text.length() / 2 ? 0 : text.length();
        int bestDistance = Math.abs(best - at);
        for (int i = text.indexOf(". "); i >= 0; i = text.indexOf(". ", i + 1)) {
            int boundary = i + 2;
            if (Math.abs(boundary - at) < bestDistance) {
                best = boundary;
                bestDistance = Math.abs(boundary - at);
            }
        }
        return best;
    }
}
