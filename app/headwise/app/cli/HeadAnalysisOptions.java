package headwise.app.cli;

import headwise.engine.HeadwiseException;
import headwise.engine.analysis.HeadAnalyses;
import headwise.engine.analysis.heads.NeedlePrompt;
import headwise.engine.analysis.importance.AblationImportance;
import headwise.engine.analysis.intervene.HeadSelection;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import picocli.CommandLine.Option;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * {@code analyze}'s options for the optional per-head analyses written to metrics.json (each implies --metrics;
 * {@link #resolve} checks them all, even when none is asked for).
 */
final class HeadAnalysisOptions {

    @Option(names = "--retrieval", description = "Retrieval score of every head (Wu et al.) on the built-in needle-in-a-"
            + "haystack prompt: a text template for models with a tokenizer, else random ids with a cue.")
    boolean retrieval;

    @Option(names = "--needle", paramLabel = "TEXT", description = "Retrieval score with this needle sentence, put in the "
            + "middle of the haystack (implies --retrieval; needs a tokenizer).")
    String needle;

    @Option(names = "--haystack", paramLabel = "TEXT", description = "The haystack text for --needle (default: a built-in filler).")
    String haystack;

    @Option(names = "--question", paramLabel = "TEXT", description = "The question after the haystack (default: one about "
            + "the built-in needle, or \"Question: Repeat the key fact from the text above.\\nAnswer:\" with --needle).")
    String question;

    @Option(names = "--retrieval-max-new", paramLabel = "N", description = "Tokens to decode for the retrieval score "
            + "(default: the needle's length).")
    int retrievalMaxNew;

    @Option(names = "--zerotuning", paramLabel = "GAMMA", description = "ZeroTuning: scale the attention to the first "
            + "token by GAMMA in --heads, renormalise; writes the new output distribution and its KL.")
    Double zeroTuning;

    @Option(names = "--act", paramLabel = "BETA", arity = "0..1", fallbackValue = "0.4", description = "ACT calibration: "
            + "in --heads, keep BETA (default 0.4) of the attention on detected hidden sinks (sink score > 0.1) and give "
            + "the rest to the other keys; writes the new output distribution and its KL.")
    Double act;

    @Option(names = "--heads", paramLabel = "L.H,...", description = "Heads for --zerotuning and --act, 0-based "
            + "LAYER.HEAD, comma-separated (default: all).")
    String heads;

    @Option(names = "--importance", paramLabel = "zero,mean,gradient", arity = "0..1", fallbackValue = "zero,mean,gradient",
            description = "Head importance: ablation (zero and/or mean) and gradient; without a value all three.")
    String importance;

    @Option(names = "--ablation-scope", paramLabel = "all|measure-at-position|ablate-at-position", defaultValue = "all",
            description = "What ablation removes and measures: all (every position, every measure; default), "
                    + "measure-at-position (removed everywhere, measured at the last position), ablate-at-position "
                    + "(removed and measured at the last position only; causal models; cheapest).")
    String ablationScope;

    @Option(names = "--context-span", paramLabel = "START:END", description = "Context sensitivity of every head: "
            + "the change of its output z when tokens START..END-1 (0-based) are removed.")
    String contextSpan;

    HeadAnalyses resolve(LoadedModel model) {
        ModelSpec spec = model.spec();
        NeedlePrompt prompt = null;
        if (needle != null || retrieval) {
            prompt = needlePrompt(model);
        }
        if (retrievalMaxNew < 0) {
            throw new HeadwiseException("--retrieval-max-new: must be 0 or more, is " + retrievalMaxNew);
        }
        HeadSelection selection = heads == null ? HeadSelection.all(spec) : HeadSelection.parse(spec, heads, "--heads");
        return new HeadAnalyses(prompt, retrievalMaxNew, zeroTuning, act, selection, importanceSet(), scope(), span());
    }

    private NeedlePrompt needlePrompt(LoadedModel model) {
        if (!model.hasTokenizer()) {
            if (needle != null || haystack != null || question != null) {
                throw new HeadwiseException("--needle: " + model.name() + " has no tokenizer; use --retrieval for the id template");
            }
            ModelSpec spec = model.spec();
            int room = spec.maxPositions() > 0 ? spec.maxPositions() : 1024;
            int haystackLength = Math.min(200, Math.max(0, room - 24));
            return NeedlePrompt.randomIds(spec, haystackLength, 12, 4, 0, null);
        }
        String q = question != null ? question
                : needle != null ? "Question: Repeat the key fact from the text above.\nAnswer:" : NeedlePrompt.DEFAULT_QUESTION;
        if (haystack != null) {
            return NeedlePrompt.fromText(model.tokenizer(), haystack, needle != null ? needle : NeedlePrompt.DEFAULT_NEEDLE, q, 0.5);
        }
        return NeedlePrompt.builtIn(model.tokenizer(), needle, q);
    }

    private Set<HeadAnalyses.Importance> importanceSet() {
        Set<HeadAnalyses.Importance> out = EnumSet.noneOf(HeadAnalyses.Importance.class);
        if (importance == null) {
            return out;
        }
        for (String item : importance.split(",")) {
            String name = item.trim().toUpperCase(Locale.ROOT);
            try {
                out.add(HeadAnalyses.Importance.valueOf(name));
            } catch (IllegalArgumentException e) {
                throw new HeadwiseException("--importance: \"" + item.trim() + "\" is not zero, mean or gradient");
            }
        }
        return out;
    }

    private AblationImportance.Scope scope() {
        try {
            return AblationImportance.Scope.valueOf(ablationScope.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new HeadwiseException("--ablation-scope: \"" + ablationScope + "\" is not all, measure-at-position or ablate-at-position");
        }
    }

    private int[] span() {
        if (contextSpan == null) {
            return null;
        }
        String[] parts = contextSpan.split(":");
        try {
            if (parts.length != 2) {
                throw new NumberFormatException();
            }
            return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
        } catch (NumberFormatException e) {
            throw new HeadwiseException("--context-span: \"" + contextSpan + "\" is not START:END (token positions, e.g. 3:7)");
        }
    }
}
