package headwise.engine.io;

import java.nio.file.Path;
import java.util.Set;

/**
 * Named tensors of a checkpoint (safetensors, sharded safetensors, ONNX initializers, llama2.c).
 * Tensors are decoded to F32 one at a time, on request, so a model never needs two copies in memory.
 */
public interface TensorSource extends AutoCloseable {

    Set<String> names();

    /** Shape as stored, or null when there is no such tensor. */
    long[] shape(String name);

    /** The tensor as F32 values in row-major order of {@link #shape(String)}. */
    float[] floats(String name);

    /** The file that holds {@code name}, for error messages. */
    Path fileOf(String name);

    /** What this source is, for error messages when no single file is at fault (e.g. the model folder). */
    Path location();

    @Override
    default void close() {
    }
}
