package headwise.engine.analysis.importance;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RankAgreementTest {

    @Test
    void perfectAgreementIsOneWhateverTheScale() {
        double[][] a = {{1, 2, 3}, {4, 5, 6}};
        double[][] b = {{10, 20, 30}, {400, 500, 6000}}; // monotone, not linear
        assertEquals(1.0, RankAgreement.spearman(a, b), 1e-12);
    }

    @Test
    void reversedOrderIsMinusOne() {
        double[][] a = {{1, 2}, {3, 4}};
        double[][] b = {{0.4, 0.3}, {0.2, 0.1}};
        assertEquals(-1.0, RankAgreement.spearman(a, b), 1e-12);
    }

    @Test
    void tiesGetAverageRanks() {
        assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, RankAgreement.ranks(new double[] {1, 2, 2, 3}), 0);
        assertArrayEquals(new double[] {2, 2, 2}, RankAgreement.ranks(new double[] {7, 7, 7}), 0);
        // x = 1,2,3,4,5 and y = 1,2,2,3,4: ranks y = 1, 2.5, 2.5, 4, 5 → ρ = 9.5 / √(10·9.5)
        double rho = RankAgreement.spearman(new double[] {1, 2, 3, 4, 5}, new double[] {1, 2, 2, 3, 4});
        assertEquals(9.5 / Math.sqrt(10 * 9.5), rho, 1e-12);
    }

    @Test
    void handComputedExample() {
        // ranks x: 1 2 3 4 5; ranks y: 2 1 4 3 5; Σd² = 4 → ρ = 1 − 6·4/(5·24) = 0.8
        assertEquals(0.8, RankAgreement.spearman(new double[] {1, 2, 3, 4, 5}, new double[] {2, 1, 4, 3, 5}), 1e-12);
    }

    @Test
    void constantMeasureHasNoCorrelation() {
        assertTrue(Double.isNaN(RankAgreement.spearman(new double[] {1, 1, 1}, new double[] {1, 2, 3})));
    }

    @Test
    void matrixOfNamedMeasures() {
        double[][] a = {{1, 2}, {3, 4}};
        double[][] b = {{2, 4}, {6, 8}};
        double[][] c = {{4, 3}, {2, 1}};
        RankAgreement.Matrix m = RankAgreement.matrix(List.of(new RankAgreement.NamedScores("ablation", a),
                new RankAgreement.NamedScores("gradient", b), new RankAgreement.NamedScores("entropy", c)));
        assertEquals(List.of("ablation", "gradient", "entropy"), m.names());
        assertEquals(1, m.rho()[0][0], 1e-12);
        assertEquals(1, m.rho()[0][1], 1e-12);
        assertEquals(-1, m.rho()[0][2], 1e-12);
        assertEquals(m.rho()[2][1], m.rho()[1][2], 0);
    }

    @Test
    void shapesMustAgree() {
        assertThrows(IllegalArgumentException.class, () -> RankAgreement.spearman(new double[] {1, 2}, new double[] {1, 2, 3}));
    }
}
