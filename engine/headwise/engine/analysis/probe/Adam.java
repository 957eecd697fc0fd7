package headwise.engine.analysis.probe;

/**
 * Adam (Kingma and Ba) as PyTorch's torch.optim.Adam computes it (no weight decay, no AMSGrad), in double:
 * m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε).
 */
final class Adam {

    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double EPSILON = 1e-8;

    private final double learningRate;
    private final double[] m;
    private final double[] v;
    private int step;

    Adam(int parameters, double learningRate) {
        this.learningRate = learningRate;
        this.m = new double[parameters];
        this.v = new double[parameters];
    }

    /** One update of {@code p} along the gradient {@code g}. */
    void stepInPlace(double[] p, double[] g) {
        step++;
        double stepSize = learningRate / (1 - Math.pow(BETA1, step));
        double correction2 = Math.sqrt(1 - Math.pow(BETA2, step));
        for (int i = 0; i < p.length; i++) {
            m[i] = m[i] * BETA1 + g[i] * (1 - BETA1);
            v[i] = v[i] * BETA2 + g[i] * g[i] * (1 - BETA2);
            p[i] -= stepSize * m[i] / (Math.sqrt(v[i]) / correction2 + EPSILON);
        }
    }
}
