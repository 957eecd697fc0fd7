package headwise.engine.analysis.probe;

/**
 * z-scoring with the training split's statistics: mean and population standard deviation (divide by n) per feature;
 * a feature constant on the training split is centred but left unscaled (scikit-learn's StandardScaler does the same).
 */
record Standardizer(double[] mean, double[] scale) {

    /** Statistics of the rows {@code train} of {@code features} [n][d]. */
    static Standardizer fit(float[][] features, int[] train) {
        int d = features[train[0]].length;
        double[] mean = new double[d];
        double[] scale = new double[d];
        for (int j = 0; j < d; j++) {
            double sum = 0;
            float first = features[train[0]][j];
            boolean constant = true;
            for (int i : train) {
                sum += features[i][j];
                constant &= features[i][j] == first;
            }
            mean[j] = constant ? first : sum / train.length; // exact for a constant feature, so it centres to exactly 0
            double squares = 0;
            for (int i : train) {
                double centred = features[i][j] - mean[j];
                squares += centred * centred;
            }
            scale[j] = constant ? 1 : Math.sqrt(squares / train.length);
        }
        return new Standardizer(mean, scale);
    }

    /** The token states of one example, [T·d] row-major, standardised: [T][d] in double. */
    double[][] applyTokens(float[] tokens) {
        int width = mean.length;
        double[][] out = new double[tokens.length / width][width];
        for (int t = 0; t < out.length; t++) {
            for (int j = 0; j < width; j++) {
                out[t][j] = (tokens[t * width + j] - mean[j]) / scale[j];
            }
        }
        return out;
    }

    /** The rows {@code rows} of {@code features}, standardised, in double. */
    double[][] apply(float[][] features, int[] rows) {
        double[][] out = new double[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            float[] row = features[rows[r]];
            double[] z = new double[row.length];
            for (int j = 0; j < row.length; j++) {
                z[j] = (row[j] - mean[j]) / scale[j];
            }
            out[r] = z;
        }
        return out;
    }
}
