package headwise.engine.analysis.probe;

import java.util.concurrent.CancellationException;

/**
 * Limited-memory BFGS for smooth convex functions, in double. Small and exact enough for the probes' objectives:
 * it stops when the largest gradient entry is below {@code gradientTolerance}, or when no step along the search
 * direction lowers the function any more (the minimum reached to the rounding of f).
 */
final class Lbfgs {

    /** f(x), with its gradient written into {@code gradient}. */
    interface Objective {
        double valueAndGradient(double[] x, double[] gradient);
    }

    private static final int HISTORY = 10;
    private static final double ARMIJO = 1e-4;

    private Lbfgs() {
    }

    /** Minimises {@code f} from {@code x} (changed in place to the minimiser); returns the iterations taken. */
    static int minimizeInPlace(Objective f, double[] x, double gradientTolerance, int maxIterations) {
        int n = x.length;
        double[][] s = new double[HISTORY][n];
        double[][] y = new double[HISTORY][n];
        double[] rho = new double[HISTORY];
        double[] alpha = new double[HISTORY];
        double[] g = new double[n];
        double[] gNew = new double[n];
        double[] xNew = new double[n];
        double[] direction = new double[n];
        double value = f.valueAndGradient(x, g);
        int stored = 0;
        int newest = -1;
        for (int iteration = 0; iteration < maxIterations; iteration++) {
            if (Thread.currentThread().isInterrupted()) {
                throw new CancellationException("probe fit cancelled");
            }
            if (maxAbs(g) <= gradientTolerance) {
                return iteration;
            }
            // two-loop recursion: direction = −H·g
            System.arraycopy(g, 0, direction, 0, n);
            for (int k = 0; k < stored; k++) {
                int i = Math.floorMod(newest - k, HISTORY);
                alpha[i] = rho[i] * dot(s[i], direction);
                axpy(-alpha[i], y[i], direction);
            }
            double scale = stored == 0 ? 1 / Math.max(1, norm(g)) : dot(s[newest], y[newest]) / dot(y[newest], y[newest]);
            for (int j = 0; j < n; j++) {
                direction[j] *= scale;
            }
            for (int k = stored - 1; k >= 0; k--) {
                int i = Math.floorMod(newest - k, HISTORY);
                double beta = rho[i] * dot(y[i], direction);
                axpy(alpha[i] - beta, s[i], direction);
            }
            for (int j = 0; j < n; j++) {
                direction[j] = -direction[j];
            }
            double slope = dot(g, direction);
            if (slope >= 0) { // not a descent direction (rounding): restart from steepest descent
                stored = 0;
                for (int j = 0; j < n; j++) {
                    direction[j] = -g[j] / Math.max(1, norm(g));
                }
                slope = dot(g, direction);
            }
            double step = 1;
            double valueNew;
            while (true) {
                for (int j = 0; j < n; j++) {
                    xNew[j] = x[j] + step * direction[j];
                }
                valueNew = f.valueAndGradient(xNew, gNew);
                // strictly lower too: near the minimum value + ARMIJO·step·slope rounds to value, and steps that
                // gain nothing would go on until maxIterations
                if (valueNew <= value + ARMIJO * step * slope && valueNew < value) {
                    break;
                }
                step *= 0.5;
                if (step < 1e-20) {
                    return iteration; // no step lowers f any more: the minimum, to rounding
                }
            }
            int next = (newest + 1) % HISTORY;
            double sy = 0;
            for (int j = 0; j < n; j++) {
                s[next][j] = xNew[j] - x[j];
                y[next][j] = gNew[j] - g[j];
                sy += s[next][j] * y[next][j];
            }
            if (sy > 0) { // keep only pairs with positive curvature, so the implied Hessian stays positive definite
                rho[next] = 1 / sy;
                newest = next;
                stored = Math.min(stored + 1, HISTORY);
            }
            System.arraycopy(xNew, 0, x, 0, n);
            System.arraycopy(gNew, 0, g, 0, n);
            value = valueNew;
        }
        return maxIterations;
    }

    static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    private static double maxAbs(double[] a) {
        double max = 0;
        for (double v : a) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }
}
