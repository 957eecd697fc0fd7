package headwise.engine.analysis.probe;

/**
 * L2-regularised logistic regression, fitted exactly: minimises C·Σᵢ log-loss(i) + ½‖W‖² with the intercepts not
 * penalised (scikit-learn's LogisticRegression objective). Two classes: one weight vector, P(class 1) = σ(w·x + b).
 * K > 2 classes: multinomial softmax over K weight vectors; the intercepts, defined only up to a common shift, are
 * returned centred (summing to 0). Solved in double by {@link Lbfgs} to a gradient below 1e-10.
 *
 * @param weights    [K'][d], K' = 1 for two classes, K otherwise
 * @param intercepts [K']
 */
public record LogisticRegression(double[][] weights, double[] intercepts) {

    public static final double GRADIENT_TOLERANCE = 1e-10;
    private static final int MAX_ITERATIONS = 100_000;

    /**
     * @param x       [n][d] features (already standardised)
     * @param labels  class indices 0..classes−1
     * @param classes K ≥ 2
     * @param c       inverse regularisation strength C
     */
    public static LogisticRegression fit(double[][] x, int[] labels, int classes, double c) {
        if (classes < 2) {
            throw new IllegalArgumentException("logistic regression needs two classes or more, got " + classes);
        }
        int d = x.length == 0 ? 0 : x[0].length;
        int vectors = classes == 2 ? 1 : classes;
        double[] parameters = new double[vectors * (d + 1)]; // per vector: d weights, then the intercept
        Lbfgs.Objective objective = classes == 2
                ? (p, gradient) -> binaryLoss(x, labels, c, d, p, gradient)
                : (p, gradient) -> multinomialLoss(x, labels, c, d, classes, p, gradient);
        Lbfgs.minimizeInPlace(objective, parameters, GRADIENT_TOLERANCE, MAX_ITERATIONS);
        double[][] weights = new double[vectors][d];
        double[] intercepts = new double[vectors];
        for (int k = 0; k < vectors; k++) {
            System.arraycopy(parameters, k * (d + 1), weights[k], 0, d);
            intercepts[k] = parameters[k * (d + 1) + d];
        }
        if (vectors > 1) {
            double mean = java.util.Arrays.stream(intercepts).average().orElse(0);
            for (int k = 0; k < vectors; k++) {
                intercepts[k] -= mean;
            }
        }
        return new LogisticRegression(weights, intercepts);
    }

    public int classes() {
        return weights.length == 1 ? 2 : weights.length;
    }

    /** Decision values: [K'] (two classes: the one logit of class 1). */
    public double[] decision(double[] x) {
        double[] z = new double[weights.length];
        for (int k = 0; k < weights.length; k++) {
            z[k] = Lbfgs.dot(weights[k], x) + intercepts[k];
        }
        return z;
    }

    /** Class probabilities [K]. */
    public double[] probabilities(double[] x) {
        double[] z = decision(x);
        if (z.length == 1) {
            double p = sigmoid(z[0]);
            return new double[] {1 - p, p};
        }
        return softmax(z);
    }

    /** The predicted class: two classes, 1 iff the logit is positive; else the first class of largest logit. */
    public int predict(double[] x) {
        double[] z = decision(x);
        if (z.length == 1) {
            return z[0] > 0 ? 1 : 0;
        }
        int best = 0;
        for (int k = 1; k < z.length; k++) {
            if (z[k] > z[best]) {
                best = k;
            }
        }
        return best;
    }

    private static double binaryLoss(double[][] x, int[] labels, double c, int d, double[] p, double[] gradient) {
        double loss = 0;
        java.util.Arrays.fill(gradient, 0);
        for (int i = 0; i < x.length; i++) {
            double[] row = x[i];
            double z = p[d];
            for (int j = 0; j < d; j++) {
                z += p[j] * row[j];
            }
            int y = labels[i];
            loss += softplus(z) - y * z; // −log σ(z) for y = 1, −log(1 − σ(z)) for y = 0
            double residual = c * (sigmoid(z) - y);
            for (int j = 0; j < d; j++) {
                gradient[j] += residual * row[j];
            }
            gradient[d] += residual;
        }
        double penalty = 0;
        for (int j = 0; j < d; j++) {
            penalty += p[j] * p[j];
            gradient[j] += p[j];
        }
        return c * loss + 0.5 * penalty;
    }

    private static double multinomialLoss(double[][] x, int[] labels, double c, int d, int classes, double[] p, double[] gradient) {
        double loss = 0;
        java.util.Arrays.fill(gradient, 0);
        double[] z = new double[classes];
        for (int i = 0; i < x.length; i++) {
            double[] row = x[i];
            for (int k = 0; k < classes; k++) {
                int base = k * (d + 1);
                double sum = p[base + d];
                for (int j = 0; j < d; j++) {
                    sum += p[base + j] * row[j];
                }
                z[k] = sum;
            }
            double max = z[0];
            for (int k = 1; k < classes; k++) {
                max = Math.max(max, z[k]);
            }
            double total = 0;
            for (int k = 0; k < classes; k++) {
                total += Math.exp(z[k] - max);
            }
            double logSum = max + Math.log(total);
            loss += logSum - z[labels[i]];
            for (int k = 0; k < classes; k++) {
                int base = k * (d + 1);
                double residual = c * (Math.exp(z[k] - logSum) - (labels[i] == k ? 1 : 0));
                for (int j = 0; j < d; j++) {
                    gradient[base + j] += residual * row[j];
                }
                gradient[base + d] += residual;
            }
        }
        double penalty = 0;
        for (int k = 0; k < classes; k++) {
            int base = k * (d + 1);
            for (int j = 0; j < d; j++) {
                penalty += p[base + j] * p[base + j];
                gradient[base + j] += p[base + j];
            }
        }
        return c * loss + 0.5 * penalty;
    }

    private static double softplus(double z) {
        return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    }

    static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    private static double[] softmax(double[] z) {
        double max = java.util.Arrays.stream(z).max().orElse(0);
        double[] p = new double[z.length];
        double total = 0;
        for (int k = 0; k < z.length; k++) {
            p[k] = Math.exp(z[k] - max);
            total += p[k];
        }
        for (int k = 0; k < z.length; k++) {
            p[k] /= total;
        }
        return p;
    }
}
