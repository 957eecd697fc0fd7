package headwise.engine.run;

import headwise.engine.Fixtures;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ForwardOptions;
import headwise.engine.model.ModelSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the budget counts for a forward's attention work on either side of the whole-score limit. */
class MemoryBudgetTest {

    @Test
    void pastTheWholeScoreLimitAttentionNeedsOnlyEachThreadsBlock() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("llama_f32").toString())) {
            ModelSpec spec = model.spec();
            long limit = ForwardOptions.defaults().maxWholeScores();
            int within = (int) Math.sqrt((double) limit / spec.heads()); // heads · T² ≤ limit: whole [heads, T, T] tensors
            while ((long) spec.heads() * within * within > limit) {
                within--;
            }
            int past = within + 1; // a block of queries of one head per thread
            long wholeWork = (long) spec.heads() * within * within * 16; // scores, mask, softmax, a copy
            long below = MemoryBudget.estimate(spec, within, AttentionMaps.Precision.RECOMPUTE).nativeBytes();
            long above = MemoryBudget.estimate(spec, past, AttentionMaps.Precision.RECOMPUTE).nativeBytes();
            assertTrue(below > wholeWork, below + " counts the whole tensors' " + wholeWork);
            assertTrue(above < below - wholeWork / 2, "one token more needs far less: " + above + " against " + below);
            long blocks = (long) Runtime.getRuntime().availableProcessors() * ForwardOptions.defaults().queryBlock() * past * 4;
            assertTrue(above >= blocks, above + " still counts each thread's block of scores, " + blocks);
        }
    }
}
