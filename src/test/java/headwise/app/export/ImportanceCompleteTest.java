package headwise.app.export;

import headwise.app.session.Results;
import headwise.engine.Fixtures;
import headwise.engine.analysis.importance.AblationImportance;
import headwise.engine.analysis.importance.AblationScores;
import headwise.engine.hooks.Interventions;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Importance is complete with its ablation and the gradient, or with the ablation alone where the gradient's backward
 * pass cannot fit the memory: the app then stops asking for a gradient it can never get (and shows the bars).
 */
class ImportanceCompleteTest {

    @Test
    void theAblationAloneIsCompleteOnlyWhereTheGradientCannotFit() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("llama_f32").toString())) {
            int[] ids = Fixtures.inputIds("llama_f32");
            ModelInput input = ModelInput.fromIds(model, ids);
            AnalysisResult shortRun = Analyzer.analyze(model, input);
            AblationScores zero = AblationImportance.compute(model, input, Interventions.Ablation.ZERO,
                    AblationImportance.Options.defaults());

            Results shortAblationOnly = Results.of(shortRun).withImportance(zero, null);
            assertFalse(SessionAnalysis.importanceComplete(shortAblationOnly, Interventions.Ablation.ZERO),
                    "a short input's gradient fits: still to compute");
            Results filled = SessionAnalysis.addParts(model, shortAblationOnly, EnumSet.of(SessionAnalysis.Part.IMPORTANCE),
                    SessionAnalysis.Options.defaults(), Interventions.Ablation.ZERO, note -> {
                        throw new AssertionError("nothing is left out of a short input: " + note);
                    });
            assertSame(zero, filled.ablation(), "the ablation is kept, only the gradient computed");
            assertNotNull(filled.gradient());
            assertTrue(SessionAnalysis.importanceComplete(filled, Interventions.Ablation.ZERO));

            // 20,000 positions: the backward pass needs terabytes on any machine (not run: only its budget is asked)
            int[] longIds = new int[20_000];
            AnalysisResult longRun = new AnalysisResult(shortRun.modelName(), shortRun.spec(),
                    new ModelInput(longIds, new String[longIds.length], null, null), shortRun.attention(), shortRun.output());
            Results longAblationOnly = Results.of(longRun).withImportance(zero, null);
            assertTrue(SessionAnalysis.importanceComplete(longAblationOnly, Interventions.Ablation.ZERO),
                    "the gradient cannot fit: ablation alone is all there will be");
            assertFalse(SessionAnalysis.importanceComplete(longAblationOnly, Interventions.Ablation.MEAN),
                    "another ablation mode is still to compute");
            assertFalse(SessionAnalysis.importanceComplete(Results.of(longRun), Interventions.Ablation.ZERO));
        }
    }
}
