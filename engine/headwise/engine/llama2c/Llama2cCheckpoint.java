package headwise.engine.llama2c;

import headwise.engine.HeadwiseException;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a llama2.c checkpoint's float32 weights (run.c's memory_map_weights order) onto the canonical
 * {@link ModelWeights}. The file is validated by {@link Llama2cConfig#read} (exact size) before anything is allocated.
 * run.c's matrices are [out, in] (y = W·x); canonical ones are [in, out], so every matrix is transposed.
 */
public final class Llama2cCheckpoint {

    private final Path file;
    private final FileChannel channel;
    private long position = Llama2cConfig.HEADER_BYTES;

    private Llama2cCheckpoint(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** The spec llama2.c models run with: pre-RMSNorm (eps 1e-5), SwiGLU, RoPE θ=10000 on ADJACENT pairs. */
    public static ModelSpec spec(Llama2cConfig c) {
        return new ModelSpec("llama2c", "llama2.c", c.layers(), c.heads(), c.kvHeads(), c.dim(), c.headSize(), c.hiddenDim(),
                c.vocabSize(), c.seqLen(), true, ModelSpec.Norm.RMS_NORM, false, 1e-5, ModelSpec.Activation.SILU_GATED,
                ModelSpec.Output.LM_LOGITS, new ModelSpec.Rope(10000, ModelSpec.RopeLayout.ADJACENT_PAIRS, null), 0, null);
    }

    public static ModelWeights read(Path file, Llama2cConfig c) {
        checkArraySizes(file, c);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return new Llama2cCheckpoint(file, channel).weights(c);
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot read: " + e.getMessage());
        }
    }

    private ModelWeights weights(Llama2cConfig c) throws IOException {
        int d = c.dim();
        int kv = c.kvDim();
        int hidden = c.hiddenDim();
        int layers = c.layers();
        INDArray embedding = matrix(c.vocabSize(), d); // [vocab, dim]: rows are looked up, not multiplied
        List<INDArray> rmsAtt = vectors(layers, d);
        List<INDArray> wq = linears(layers, d, d);
        List<INDArray> wk = linears(layers, kv, d);
        List<INDArray> wv = linears(layers, kv, d);
        List<INDArray> wo = linears(layers, d, d);
        List<INDArray> rmsFfn = vectors(layers, d);
        List<INDArray> w1 = linears(layers, hidden, d);
        List<INDArray> w2 = linears(layers, d, hidden);
        List<INDArray> w3 = linears(layers, hidden, d);
        INDArray rmsFinal = vector(d);
        position += 4L * c.seqLen() * c.headSize(); // legacy freq_cis_real and freq_cis_imag: RoPE is computed instead
        INDArray classifier = c.sharedClassifier() ? embedding : matrix(c.vocabSize(), d);

        List<ModelWeights.LayerWeights> blocks = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            blocks.add(new ModelWeights.LayerWeights(
                    norm(rmsAtt.get(l)), linear(wq.get(l)), linear(wk.get(l)), linear(wv.get(l)), linear(wo.get(l)),
                    norm(rmsFfn.get(l)),
                    linear(w3.get(l)),   // up → mlpIn
                    linear(w1.get(l)),   // gate → mlpGate (silu applies to it)
                    linear(w2.get(l)))); // down → mlpOut
        }
        return new ModelWeights(embedding, null, null, null, blocks, norm(rmsFinal),
                linear(classifier.transpose().dup('c')), null);
    }

    private static ModelWeights.Linear linear(INDArray inOut) {
        return new ModelWeights.Linear(inOut, null);
    }

    private static ModelWeights.NormWeights norm(INDArray gain) {
        return new ModelWeights.NormWeights(gain, null);
    }

    /** {@code layers} consecutive [out, in] matrices, each returned transposed to [in, out]. */
    private List<INDArray> linears(int layers, int out, int in) throws IOException {
        List<INDArray> list = new ArrayList<>(layers);
        for (int l = 0; l < layers; l++) {
            list.add(matrix(out, in).transpose().dup('c'));
        }
        return list;
    }

    private List<INDArray> vectors(int layers, int size) throws IOException {
        List<INDArray> list = new ArrayList<>(layers);
        for (int l = 0; l < layers; l++) {
            list.add(vector(size));
        }
        return list;
    }

    private INDArray vector(int size) throws IOException {
        return Nd4j.create(floats(size), new long[] {size}, 'c');
    }

    private INDArray matrix(int rows, int cols) throws IOException {
        return Nd4j.create(floats(rows * cols), new long[] {rows, cols}, 'c');
    }

    private float[] floats(int count) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(count * 4).order(ByteOrder.LITTLE_ENDIAN);
        while (bytes.hasRemaining()) {
            int read = channel.read(bytes, position + bytes.position());
            if (read < 0) {
                // the size was checked; only a file changed underneath us gets here
                throw HeadwiseException.inFile(file, "ended early at byte " + (position + bytes.position()));
            }
        }
        position += 4L * count;
        bytes.flip();
        float[] values = new float[count];
        bytes.asFloatBuffer().get(values);
        return values;
    }

    /** Every matrix must fit one Java array (the whole file is not mapped, so no 2 GiB limit on it). */
    private static void checkArraySizes(Path file, Llama2cConfig c) {
        long largest = Math.max((long) c.vocabSize() * c.dim(), Math.max((long) c.dim() * c.dim(), (long) c.dim() * c.hiddenDim()));
        if (largest * 4 > Integer.MAX_VALUE - 8) {
            throw HeadwiseException.inFile(file, "a weight matrix of " + largest + " floats is too large to load");
        }
    }
}
