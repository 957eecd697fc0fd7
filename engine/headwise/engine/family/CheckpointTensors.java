package headwise.engine.family;

import headwise.engine.HeadwiseException;
import headwise.engine.io.TensorSource;
import headwise.engine.model.Ops;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/** A mapper's view of a checkpoint: tensors by name, each checked against the shape the config implies. */
public final class CheckpointTensors {

    private final TensorSource source;

    public CheckpointTensors(TensorSource source) {
        this.source = source;
    }

    public boolean has(String name) {
        return source.shape(name) != null;
    }

    /** The tensor, as stored, after checking its shape. */
    public INDArray load(String name, long... expectedShape) {
        return Ops.fromFloats(checkedFloats(name, expectedShape), expectedShape);
    }

    /** A [out, in] Linear weight, returned as [in, out]. */
    public INDArray loadTransposed(String name, long out, long in) {
        return Ops.transposedFromFloats(checkedFloats(name, out, in), (int) out, (int) in);
    }

    private float[] checkedFloats(String name, long... expectedShape) {
        long[] shape = source.shape(name);
        if (shape == null) {
            throw HeadwiseException.inFile(source.location(), "missing tensor '" + name + "'");
        }
        if (!Arrays.equals(shape, expectedShape)) {
            throw HeadwiseException.inFile(source.fileOf(name), "tensor '" + name + "' has shape " + Arrays.toString(shape)
                    + ", expected " + Arrays.toString(expectedShape) + " from config.json");
        }
        return source.floats(name);
    }

    /** Like {@link #load} but null when the tensor is absent. */
    public INDArray loadOptional(String name, long... expectedShape) {
        return has(name) ? load(name, expectedShape) : null;
    }

    /** First dimension of a stored tensor whose row count the config does not give (e.g. token types). */
    public long loadShapeRows(String name) {
        return matrixShape(name)[0];
    }

    /** Second dimension of a stored matrix whose width the spec does not give (OPT's word_embed_proj_dim). */
    public long loadShapeColumns(String name) {
        return matrixShape(name)[1];
    }

    private long[] matrixShape(String name) {
        long[] shape = source.shape(name);
        if (shape == null) {
            throw HeadwiseException.inFile(source.location(), "missing tensor '" + name + "'");
        }
        if (shape.length != 2) {
            throw HeadwiseException.inFile(source.fileOf(name), "tensor '" + name + "' should be a matrix");
        }
        return shape;
    }
}
