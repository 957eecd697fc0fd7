package headwise.engine.analysis.importance;

import headwise.engine.Fixtures;
import headwise.engine.HeadwiseException;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.hooks.Interventions;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.Transformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/** The cheaper ablation scopes against plain full forwards whose hooks remove the head. */
class AblationScopeTest {

    /** Head removed everywhere, measured at one row: the same numbers the full re-runs give at that row. */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "llama_f32", "pythia_f32", "gemma2_f32"})
    void measureAtPositionEqualsFullReRuns(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            Transformer t = model.transformer();
            int[] ids = Fixtures.inputIds(fixture);
            for (int position : new int[] {ids.length - 1, ids.length / 2}) {
                for (Interventions.Ablation mode : Interventions.Ablation.values()) {
                    AblationScores s = AblationImportance.compute(t, ids, mode, AblationImportance.Options.defaults()
                            .withScope(AblationImportance.Scope.MEASURE_AT_POSITION).withPosition(position));
                    assertNull(s.deltaLoss());
                    assertNull(s.klMean());
                    double worst = compare(t, ids, s, (layer, head) -> Interventions.ablateHeads(Hooks.none(), layer, mode, head));
                    System.out.printf("measure-at-position %-9s %-4s row %d max|err| %.2e%n", fixture, mode, position, worst);
                    assertTrue(worst <= 1e-5, fixture + " " + mode + " error " + worst);
                }
            }
        }
    }

    /** Head removed at the measured row only (its z there zeroed or set to its mean over positions). */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "llama_f32", "pythia_f32", "gemma2_f32"})
    void ablateAtPositionEqualsFullReRuns(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            Transformer t = model.transformer();
            int[] ids = Fixtures.inputIds(fixture);
            for (int position : new int[] {ids.length - 1, ids.length / 2, 0}) {
                for (Interventions.Ablation mode : Interventions.Ablation.values()) {
                    AblationScores s = AblationImportance.compute(t, ids, mode, AblationImportance.Options.defaults()
                            .withScope(AblationImportance.Scope.ABLATE_AT_POSITION).withPosition(position));
                    double worst = compare(t, ids, s, (layer, head) ->
                            Hooks.none().intervene(HookNames.z(layer), z -> {
                                INDArray out = z.dup('c');
                                INDArray at = out.get(point(0), point(position), point(head), all());
                                if (mode == Interventions.Ablation.ZERO) {
                                    at.assign(0);
                                } else {
                                    at.assign(z.get(point(0), all(), point(head), all()).mean(0));
                                }
                                return out;
                            }));
                    System.out.printf("ablate-at-position %-9s %-4s row %d max|err| %.2e%n", fixture, mode, position, worst);
                    assertTrue(worst <= 1e-5, fixture + " " + mode + " error " + worst);
                    assertTrue(AblationImportanceTest.maxAbs(s.kl()) > 1e-9, "some head matters at row " + position);
                }
            }
        }
    }

    @Test
    void scopesThatNeedALanguageModelSaySo() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("bert_f32").toString())) {
            int[] ids = Fixtures.inputIds("bert_f32");
            assertThrows(HeadwiseException.class, () -> AblationImportance.compute(model.transformer(), ids, Interventions.Ablation.ZERO,
                    AblationImportance.Options.defaults().withScope(AblationImportance.Scope.MEASURE_AT_POSITION)));
        }
    }

    interface HeadHooks {
        Hooks of(int layer, int head);
    }

    /** max |error| of Δlogit, Δprob and KL at the scores' position against full forwards. */
    private static double compare(Transformer t, int[] ids, AblationScores s, HeadHooks hooks) {
        double[] clean = AblationImportanceTest.flat(t.run(new int[][] {ids}, Hooks.none()).output());
        int width = clean.length / ids.length;
        double worst = 0;
        for (int layer = 0; layer < s.layers(); layer++) {
            for (int head = 0; head < s.heads(); head++) {
                double[] ablated = AblationImportanceTest.flat(t.run(new int[][] {ids}, hooks.of(layer, head)).output());
                AblationImportanceTest.Reference ref = AblationImportanceTest.Reference.of(Readout.NEXT_TOKEN, ids, clean, ablated,
                        width, s.target(), s.position());
                worst = Math.max(worst, Math.abs(ref.deltaLogit() - s.deltaLogit()[layer][head]));
                worst = Math.max(worst, Math.abs(ref.deltaProb() - s.deltaProb()[layer][head]));
                worst = Math.max(worst, Math.abs(ref.kl() - s.kl()[layer][head]));
            }
        }
        return worst;
    }
}
