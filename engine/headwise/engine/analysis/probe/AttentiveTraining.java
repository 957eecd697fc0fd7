package headwise.engine.analysis.probe;

import java.util.concurrent.CancellationException;

/**
 * Trains an {@link AttentiveProbe} by full-batch Adam on the fitting examples, early-stopped on held-out ones: after
 * every step the held-out loss is measured; the parameters of the lowest held-out loss (the start included) are kept,
 * and training stops when {@code patience} steps in a row did not lower it, or after {@code maxSteps}.
 */
final class AttentiveTraining {

    /**
     * @param queries            M, the learned queries (8 by default)
     * @param learningRate       Adam's step size
     * @param maxSteps           the most full-batch steps
     * @param patience           steps without a lower held-out loss before stopping
     * @param validationFraction the part of each class of the training split held out for early stopping
     */
    record Settings(int queries, double learningRate, int maxSteps, int patience, double validationFraction) {

        static final int DEFAULT_QUERIES = 8;

        static Settings defaults(int queries) {
            return new Settings(queries, 1e-2, 300, 30, 0.2);
        }
    }

    /**
     * @param parameters the kept parameters (lowest held-out loss)
     * @param bestStep   the step they come from (0: the start)
     * @param steps      the steps taken
     */
    record Trained(double[] parameters, int bestStep, int steps) {
    }

    private AttentiveTraining() {
    }

    static Trained train(AttentiveProbe probe, double[] initial, double[][][] fit, int[] fitLabels,
                         double[][][] heldOut, int[] heldOutLabels, Settings settings) {
        double[] p = initial.clone();
        double[] gradient = new double[p.length];
        Adam adam = new Adam(p.length, settings.learningRate());
        double[] best = p.clone();
        double bestLoss = probe.loss(p, heldOut, heldOutLabels);
        int bestStep = 0;
        int step = 0;
        while (step < settings.maxSteps() && step - bestStep < settings.patience()) {
            if (Thread.currentThread().isInterrupted()) {
                throw new CancellationException("attentive probe cancelled");
            }
            probe.lossAndGradient(p, fit, fitLabels, gradient);
            adam.stepInPlace(p, gradient);
            step++;
            double loss = probe.loss(p, heldOut, heldOutLabels);
            if (loss < bestLoss) {
                bestLoss = loss;
                bestStep = step;
                System.arraycopy(p, 0, best, 0, p.length);
            }
        }
        return new Trained(best, bestStep, step);
    }
}
