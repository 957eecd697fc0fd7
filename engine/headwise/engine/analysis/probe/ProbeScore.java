package headwise.engine.analysis.probe;

/**
 * How well one probe classifies the test split. Two classes: F1 of the positive class (the label that sorts last)
 * and ROC AUC of the logit. K > 2: macro F1 (unweighted mean of the per-class F1s) and one-vs-rest macro AUC on the
 * predicted probabilities. An undefined F1 (no true and no predicted example of a class) counts as 0.
 */
public record ProbeScore(double accuracy, double f1, double auc) {

    /**
     * @param truth   the true class of each test example
     * @param predict the predicted class of each
     * @param scores  per example: [1] the logit of class 1 (two classes) or [K] the class probabilities
     */
    static ProbeScore of(int[] truth, int[] predict, double[][] scores, int classes) {
        int correct = 0;
        for (int i = 0; i < truth.length; i++) {
            correct += truth[i] == predict[i] ? 1 : 0;
        }
        double accuracy = (double) correct / truth.length;
        if (classes == 2) {
            return new ProbeScore(accuracy, f1(truth, predict, 1), auc(truth, scores, 1, 0));
        }
        double f1 = 0;
        double auc = 0;
        for (int k = 0; k < classes; k++) {
            f1 += f1(truth, predict, k);
            auc += auc(truth, scores, k, k);
        }
        return new ProbeScore(accuracy, f1 / classes, auc / classes);
    }

    private static double f1(int[] truth, int[] predict, int positive) {
        int tp = 0;
        int fp = 0;
        int fn = 0;
        for (int i = 0; i < truth.length; i++) {
            boolean t = truth[i] == positive;
            boolean p = predict[i] == positive;
            tp += t && p ? 1 : 0;
            fp += !t && p ? 1 : 0;
            fn += t && !p ? 1 : 0;
        }
        int denominator = 2 * tp + fp + fn;
        return denominator == 0 ? 0 : 2.0 * tp / denominator;
    }

    /**
     * ROC AUC of class {@code positive} against the rest, ranking by {@code scores[i][column]}: the Mann–Whitney
     * statistic with tied scores counted one half (equal to the trapezoidal area under the ROC curve).
     */
    static double auc(int[] truth, double[][] scores, int positive, int column) {
        int n = truth.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(scores[a][column], scores[b][column]));
        double positiveRanks = 0;
        long positives = 0;
        int start = 0;
        while (start < n) {
            int end = start;
            while (end + 1 < n && scores[order[end + 1]][column] == scores[order[start]][column]) {
                end++;
            }
            double midRank = (start + end) / 2.0 + 1; // 1-based mean rank of the tied block
            for (int r = start; r <= end; r++) {
                if (truth[order[r]] == positive) {
                    positiveRanks += midRank;
                    positives++;
                }
            }
            start = end + 1;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (positiveRanks - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }
}
