package headwise.engine.analysis.intervene;

import headwise.engine.HeadwiseException;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.run.InputEmbeddings;
import headwise.engine.run.ModelInput;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/** One forward of a model on an input (ids or image) with hooks, read as one output row of logits. */
final class OutputRuns {

    private OutputRuns() {
    }

    /** The run's output [1, rows, width]. */
    static INDArray run(LoadedModel model, ModelInput input, Hooks hooks) {
        return InputEmbeddings.run(model.transformer(), input, hooks).output();
    }

    /** A clear error unless the model's output is a distribution (LM logits or class logits). */
    static void requireDistribution(ModelSpec spec, LoadedModel model, String what) {
        if (spec.output() == ModelSpec.Output.HIDDEN_STATE || model.transformer().weights().unembed() == null) {
            throw new HeadwiseException(what + ": " + spec.architecture()
                    + " outputs hidden states, not a distribution to compare (needs a language model or a classifier)");
        }
    }

    /** The row read: {@code position}, or by default the last (classifiers have one row). */
    static int row(INDArray output, Integer position, String what) {
        int rows = (int) output.size(1);
        int p = position == null ? rows - 1 : position;
        if (p < 0 || p >= rows) {
            throw new HeadwiseException(what + ": position " + p + " is outside 0.." + (rows - 1));
        }
        return p;
    }

    static float[] logits(INDArray output, int row) {
        return output.get(point(0), point(row), all()).dup().data().asFloat();
    }
}
