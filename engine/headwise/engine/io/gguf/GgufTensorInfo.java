package headwise.engine.io.gguf;

import java.util.Arrays;

/**
 * One tensor of a GGUF file.
 *
 * @param dims     ggml's ne[]: innermost (fastest-varying) first, so a [out, in] matrix has dims [in, out]
 * @param start    absolute byte offset of its data in the file
 * @param bytes    size of its data
 */
public record GgufTensorInfo(String name, long[] dims, GgmlType type, long start, long bytes) {

    public long elements() {
        long n = 1;
        for (long d : dims) {
            n *= d; // validated not to overflow when the file was opened
        }
        return n;
    }

    /** The shape row-major (outermost first), as safetensors and Hugging Face write it. */
    public long[] rowMajorShape() {
        long[] shape = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            shape[i] = dims[dims.length - 1 - i];
        }
        return shape;
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(dims);
    }
}
