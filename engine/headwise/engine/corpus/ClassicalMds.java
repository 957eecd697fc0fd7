package headwise.engine.corpus;

/**
 * Classical (Torgerson) multidimensional scaling to two dimensions: B = −½·J·D²·J (J the centring matrix), its two
 * largest eigenpairs by the cyclic Jacobi method, coordinates v·√λ (0 for a negative λ). Deterministic: each
 * eigenvector's sign makes its largest-magnitude entry (the first of ties) positive.
 */
public final class ClassicalMds {

    private static final int MAX_SWEEPS = 100;

    private ClassicalMds() {
    }

    /** @return [n][2] coordinates of the n points whose distances are {@code distance} */
    public static double[][] embed(double[][] distance) {
        int n = distance.length;
        double[][] b = doubleCentredSquares(distance);
        double[][] vectors = new double[n][n];
        for (int i = 0; i < n; i++) {
            vectors[i][i] = 1;
        }
        jacobiInPlace(b, vectors);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(b[y][y], b[x][x]));
        double[][] out = new double[n][2];
        for (int axis = 0; axis < Math.min(2, n); axis++) {
            int k = order[axis];
            double scale = Math.sqrt(Math.max(0, b[k][k])) * signOfLargest(vectors, k);
            for (int i = 0; i < n; i++) {
                out[i][axis] = vectors[i][k] * scale;
            }
        }
        return out;
    }

    static double[][] doubleCentredSquares(double[][] d) {
        int n = d.length;
        double[][] b = new double[n][n];
        double[] rowMean = new double[n];
        double allMean = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                b[i][j] = d[i][j] * d[i][j];
                rowMean[i] += b[i][j] / n;
            }
            allMean += rowMean[i] / n;
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                b[i][j] = -0.5 * (b[i][j] - rowMean[i] - rowMean[j] + allMean);
            }
        }
        return b;
    }

    private static double signOfLargest(double[][] vectors, int column) {
        double best = 0;
        for (double[] row : vectors) {
            if (Math.abs(row[column]) > Math.abs(best)) {
                best = row[column];
            }
        }
        return best < 0 ? -1 : 1;
    }

    /**
     * Diagonalises the symmetric {@code a} in place (its diagonal ends as the eigenvalues) and accumulates the
     * rotations into {@code v} (its columns end as the eigenvectors).
     */
    static void jacobiInPlace(double[][] a, double[][] v) {
        int n = a.length;
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double off = 0;
            double scale = 0;
            for (int i = 0; i < n; i++) {
                scale += a[i][i] * a[i][i];
                for (int j = i + 1; j < n; j++) {
                    off += a[i][j] * a[i][j];
                }
            }
            if (off <= 1e-30 * Math.max(scale, Double.MIN_NORMAL)) {
                return;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (a[p][q] != 0) {
                        rotate(a, v, p, q);
                    }
                }
            }
        }
    }

    /** One Jacobi rotation that zeroes a[p][q] (Golub & Van Loan, the symmetric Schur decomposition). */
    private static void rotate(double[][] a, double[][] v, int p, int q) {
        double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        if (theta == 0) {
            t = 1;
        }
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        int n = a.length;
        for (int k = 0; k < n; k++) {
            double akp = a[k][p];
            double akq = a[k][q];
            a[k][p] = c * akp - s * akq;
            a[k][q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; k++) {
            double apk = a[p][k];
            double aqk = a[q][k];
            a[p][k] = c * apk - s * aqk;
            a[q][k] = s * apk + c * aqk;
        }
        for (int k = 0; k < n; k++) {
            double vkp = v[k][p];
            double vkq = v[k][q];
            v[k][p] = c * vkp - s * vkq;
            v[k][q] = s * vkp + c * vkq;
        }
    }
}
