package headwise.app.ui.page;

import headwise.viz.draw.ValueScale;
import headwise.viz.view.MatrixFigure;

/** T×T token matrices (attention, rollout, max-flow) as clickable figures, and the hovered token's marks on them. */
final class TokenMatrices {

    private TokenMatrices() {
    }

    /** Cell size for a T×T matrix that shares the page with another one. */
    static int cell(int length) {
        return Math.max(3, Math.min(28, 440 / Math.max(1, length)));
    }

    /** Row-major T×T floats on viridis from 0 to their largest value. */
    static MatrixFigure of(String title, String caption, float[] m, int t, String[] tokens, String legend) {
        double max = 0;
        for (int i = 0; i < t * t; i++) {
            if (Float.isFinite(m[i])) {
                max = Math.max(max, m[i]);
            }
        }
        String[] labels = MatrixFigure.tokenLabels(tokens, t);
        int cell = cell(t);
        return new MatrixFigure(title, caption, t, t, (r, c) -> m[r * t + c], labels, labels, cell, cell,
                ValueScale.linear(0, max), false, legend);
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
        if (view.figure() instanceof MatrixFigure f && token >= 0 && token < f.rows() && token < f.cols()) {
            view.mark(f.cells(token, token + 1, 0, f.cols()));
            view.mark(f.cells(0, f.rows(), token, token + 1));
        }
    }

    /** Sets the hovered token from the key (column) under the mouse, −1 off the cells. */
    static void hoverKeys(FigureView view, ViewState state) {
        view.onMouse(javafx.scene.input.MouseEvent.MOUSE_MOVED, (x, y) -> {
            int[] cell = view.figure() instanceof MatrixFigure f ? f.cellAt(x, y) : null;
            state.hoveredTokenProperty().set(cell == null ? -1 : cell[1]);
        });
        view.onMouse(javafx.scene.input.MouseEvent.MOUSE_EXITED, (x, y) -> state.hoveredTokenProperty().set(-1));
    }
}
