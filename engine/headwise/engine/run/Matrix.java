package headwise.engine.run;

/** A dense float matrix, row-major. */
public record Matrix(int rows, int cols, float[] values) {

    public Matrix {
        if ((long) rows * cols != values.length) {
            throw new IllegalArgumentException("matrix values do not match [" + rows + "," + cols + "]");
        }
    }

    public float get(int row, int col) {
        return values[row * cols + col];
    }

    public int[] shape() {
        return new int[] {rows, cols};
    }
}
