package headwise.engine.analysis.relevance;

import headwise.engine.HeadwiseException;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The relevance methods (docs/relevance.md has the exact definitions); {@link #id} is the CLI's name. */
public enum RelevanceMethod {
    GRAD_INPUT("grad-input"),
    ATTN_LRP("attnlrp"),
    CP_LRP("cp-lrp"),
    CHEFER("chefer"),
    ROLLOUT("rollout");

    private final String id;

    RelevanceMethod(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** True for the methods that give token relevance as gradient × input (and a per-head map). */
    public boolean gradientTimesInput() {
        return this == GRAD_INPUT || this == ATTN_LRP || this == CP_LRP;
    }

    public static RelevanceMethod parse(String name) {
        for (RelevanceMethod m : values()) {
            if (m.id.equalsIgnoreCase(name)) {
                return m;
            }
        }
        throw new HeadwiseException("unknown relevance method '" + name + "': expected one of "
                + Arrays.stream(values()).map(RelevanceMethod::id).collect(Collectors.joining(", ")) + " or all");
    }
}
