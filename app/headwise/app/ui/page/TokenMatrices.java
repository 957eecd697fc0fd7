package headwise.app.ui.page;

import headwise.viz.draw.Scales;
import headwise.viz.view.MatrixFigure;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * T×T token matrices (attention, rollout, max-flow) as clickable figures, and the hovered token's marks on them.
 * Above {@value #MAX_CELLS} tokens a matrix is pooled by maximum into {@value #MAX_CELLS}×{@value #MAX_CELLS} cells
 * (a 4k-token head drawn cell by cell would be a 12k-pixel image, hundreds of MB, built on the FX thread).
 */
final class TokenMatrices {

    /** The most rows and columns a token matrix is drawn with. */
    static final int MAX_CELLS = 256;
    /** Pooled figures and the tokens they pool (so hovering maps a cell back to its tokens). */
    private static final Map<MatrixFigure, Integer> POOLED = Collections.synchronizedMap(new WeakHashMap<>());

    private TokenMatrices() {
    }

    /** Cell size for a T×T matrix that shares the page with another one. */
    static int cell(int length) {
        return Math.max(3, Math.min(28, 440 / Math.max(1, length)));
    }

    /** Row-major T×T floats on viridis from 0 to their largest value (pooled by maximum above {@link #MAX_CELLS}). */
    static MatrixFigure of(String title, String caption, float[] m, int t, String[] tokens, String legend) {
        if (t > MAX_CELLS) {
            return pooled(title, caption, m, t, tokens, legend);
        }
        double max = 0;
        for (int i = 0; i < t * t; i++) {
            if (Float.isFinite(m[i])) {
                max = Math.max(max, m[i]);
            }
        }
        String[] labels = MatrixFigure.tokenLabels(tokens, t);
        int cell = cell(t);
        MatrixFigure f = new MatrixFigure(title, caption, t, t, (r, c) -> m[r * t + c], labels, labels, cell, cell,
                Scales.attention(max), false, legend);
        f.panel().named("query", "key");
        return f;
    }

    private static MatrixFigure pooled(String title, String caption, float[] m, int t, String[] tokens, String legend) {
        int n = MAX_CELLS;
        float[] cells = new float[n * n];
        double max = 0;
        for (int q = 0; q < t; q++) {
            int row = (int) ((long) q * n / t) * n;
            for (int k = 0; k < t; k++) {
                float v = m[q * t + k];
                if (Float.isFinite(v)) {
                    int at = row + (int) ((long) k * n / t);
                    cells[at] = Math.max(cells[at], v);
                    max = Math.max(max, v);
                }
            }
        }
        String[] all = MatrixFigure.tokenLabels(tokens, t);
        String[] labels = new String[n];
        for (int b = 0; b < n; b++) {
            int from = firstToken(b, n, t);
            labels[b] = from + "\u2013" + (firstToken(b + 1, n, t) - 1) + " " + all[from];
        }
        int cell = cell(n);
        MatrixFigure f = new MatrixFigure(title, caption + "; " + t + " tokens, each cell the largest of about "
                + Math.round((double) t / n) + "\u00b2", n, n, (r, c) -> cells[r * n + c], labels, labels, cell, cell,
                Scales.attention(max), false, legend);
        POOLED.put(f, t); // cells are pooled blocks, not tokens: their readout gives the block's labels
        return f;
    }

    /** The first token of cell {@code b} of {@code n} over {@code t} tokens. */
    private static int firstToken(int b, int n, int t) {
        return (int) (((long) b * t + n - 1) / n);
    }

    /** The cell of {@code f} that shows {@code token} (the token itself unless the figure is pooled). */
    private static int cellOf(MatrixFigure f, int token) {
        Integer t = POOLED.get(f);
        return t == null ? token : (int) ((long) token * f.rows() / t);
    }

    /** The first token cell {@code cell} of {@code f} shows. */
    private static int tokenOf(MatrixFigure f, int cell) {
        Integer t = POOLED.get(f);
        return t == null ? cell : firstToken(cell, f.rows(), t);
    }

    /** [T][T] doubles, same scale. */
    static MatrixFigure of(String title, String caption, double[][] m, String[] tokens, String legend) {
        int t = m.length;
        float[] flat = new float[t * t];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < t; j++) {
                flat[i * t + j] = (float) m[i][j];
            }
        }
        return of(title, caption, flat, t, tokens, legend);
    }

    /** Marks the hovered token's row and column (nothing for −1 or a token the matrix lacks). */
    static void markToken(FigureView view, int token) {
        view.clearMarks();
        if (view.figure() instanceof MatrixFigure f && token >= 0) {
            int c = cellOf(f, token);
            if (c < f.rows() && c < f.cols()) {
                view.mark(f.cells(c, c + 1, 0, f.cols()));
                view.mark(f.cells(0, f.rows(), c, c + 1));
            }
        }
    }

    /** Sets the hovered token from the key (column) under the mouse, −1 off the cells. */
    static void hoverKeys(FigureView view, ViewState state) {
        view.onMouse(javafx.scene.input.MouseEvent.MOUSE_MOVED, (x, y) -> {
            MatrixFigure f = view.figure() instanceof MatrixFigure m ? m : null;
            int[] cell = f == null ? null : f.cellAt(x, y);
            state.hoveredTokenProperty().set(cell == null ? -1 : tokenOf(f, cell[1]));
        });
        view.onMouse(javafx.scene.input.MouseEvent.MOUSE_EXITED, (x, y) -> state.hoveredTokenProperty().set(-1));
    }
}
