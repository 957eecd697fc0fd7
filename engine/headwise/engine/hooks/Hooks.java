package headwise.engine.hooks;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * What a run does at its hook points: capture chosen values into an {@link ActivationCache}, and apply
 * interventions (functions from the value to a replacement). Interventions run first, in the order added,
 * so the cache holds what the model actually used. An intervention must not modify its argument.
 */
public final class Hooks {

    private Predicate<String> capture = name -> false;
    private final Map<String, List<UnaryOperator<INDArray>>> interventions = new HashMap<>();

    public static Hooks none() {
        return new Hooks();
    }

    /** Captures every hook point whose name the predicate accepts. */
    public static Hooks capturing(Predicate<String> names) {
        return new Hooks().capture(names);
    }

    public Hooks capture(Predicate<String> names) {
        capture = capture.or(names);
        return this;
    }

    public Hooks intervene(String hookName, UnaryOperator<INDArray> intervention) {
        interventions.computeIfAbsent(hookName, n -> new ArrayList<>()).add(intervention);
        return this;
    }

    /** An independent copy (same capture choice, same interventions), so adding to it leaves this one as it is. */
    public Hooks copy() {
        Hooks copy = new Hooks();
        copy.capture = capture;
        interventions.forEach((name, list) -> copy.interventions.put(name, new ArrayList<>(list)));
        return copy;
    }

    /** Whether anything (an intervention or a capture) wants the value at {@code hookName}. */
    public boolean touches(String hookName) {
        return interventions.containsKey(hookName) || capture.test(hookName);
    }

    public boolean captures(String hookName) {
        return capture.test(hookName);
    }

    /** Passes {@code value} through the interventions on {@code hookName}, capturing the result if asked. */
    public INDArray apply(String hookName, INDArray value, ActivationCache cache) {
        INDArray result = value;
        for (UnaryOperator<INDArray> intervention : interventions.getOrDefault(hookName, List.of())) {
            result = intervention.apply(result);
        }
        if (capture.test(hookName)) {
            cache.put(hookName, result);
        }
        return result;
    }
}
