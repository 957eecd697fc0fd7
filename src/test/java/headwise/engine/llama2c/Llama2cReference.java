package headwise.engine.llama2c;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An independent, slow transliteration of llama2.c's run.c forward: plain float arrays, float32 arithmetic in
 * run.c's order (sequential dot products, rmsnorm eps 1e-5f, RoPE on adjacent pairs with freq computed from
 * head_dim = i % head_size, GQA via kv_mul, softmax over 0..pos). Shares no code with the engine.
 */
public final class Llama2cReference {

    /** The stories260K folder, relative to the repository root (where the tests run). */
    public static final Path STORIES260K = Path.of("..", "shared", "models", "stories260K");

    final int dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize, seqLen;
    private final int headSize, kvDim, kvMul;
    private final float[] tokenEmbedding, rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3, rmsFinal, wcls;
    private final float[] keyCache, valueCache;

    public Llama2cReference(Path checkpoint) throws IOException {
        byte[] bytes = Files.readAllBytes(checkpoint);
        ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer f = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        dim = header.getInt();
        hiddenDim = header.getInt();
        nLayers = header.getInt();
        nHeads = header.getInt();
        nKvHeads = header.getInt();
        int vocab = header.getInt();
        seqLen = header.getInt();
        boolean shared = vocab > 0;
        vocabSize = Math.abs(vocab);
        headSize = dim / nHeads;
        kvDim = dim * nKvHeads / nHeads;
        kvMul = nHeads / nKvHeads;
        f.position(7);
        tokenEmbedding = take(f, vocabSize * dim);
        rmsAtt = take(f, nLayers * dim);
        wq = take(f, nLayers * dim * dim);
        wk = take(f, nLayers * dim * kvDim);
        wv = take(f, nLayers * dim * kvDim);
        wo = take(f, nLayers * dim * dim);
        rmsFfn = take(f, nLayers * dim);
        w1 = take(f, nLayers * dim * hiddenDim);
        w2 = take(f, nLayers * hiddenDim * dim);
        w3 = take(f, nLayers * dim * hiddenDim);
        rmsFinal = take(f, dim);
        f.position(f.position() + seqLen * headSize / 2 * 2); // freq_cis_real, freq_cis_imag
        wcls = shared ? tokenEmbedding : take(f, vocabSize * dim);
        keyCache = new float[nLayers * seqLen * kvDim];
        valueCache = new float[nLayers * seqLen * kvDim];
    }

    private static float[] take(FloatBuffer f, int n) {
        float[] out = new float[n];
        f.get(out);
        return out;
    }

    /** run.c's forward(transformer, token, pos): the logits for the next token. */
    public float[] forward(int token, int pos) {
        float[] x = new float[dim];
        System.arraycopy(tokenEmbedding, token * dim, x, 0, dim);
        float[] xb = new float[dim];
        float[] xb2 = new float[dim];
        float[] hb = new float[hiddenDim];
        float[] hb2 = new float[hiddenDim];
        float[] q = new float[dim];
        float[] att = new float[seqLen];
        for (int l = 0; l < nLayers; l++) {
            rmsnorm(xb, x, rmsAtt, l * dim, dim);
            int loff = l * seqLen * kvDim;
            float[] k = new float[kvDim];
            float[] v = new float[kvDim];
            matmul(q, xb, wq, l * dim * dim, dim, dim);
            matmul(k, xb, wk, l * dim * kvDim, dim, kvDim);
            matmul(v, xb, wv, l * dim * kvDim, dim, kvDim);
            for (int i = 0; i < dim; i += 2) {
                int headDim = i % headSize;
                float freq = 1.0f / (float) Math.pow(10000.0f, headDim / (float) headSize);
                float val = pos * freq;
                float fcr = (float) Math.cos(val);
                float fci = (float) Math.sin(val);
                int rotn = i < kvDim ? 2 : 1;
                for (int r = 0; r < rotn; r++) {
                    float[] vec = r == 0 ? q : k;
                    float v0 = vec[i];
                    float v1 = vec[i + 1];
                    vec[i] = v0 * fcr - v1 * fci;
                    vec[i + 1] = v0 * fci + v1 * fcr;
                }
            }
            System.arraycopy(k, 0, keyCache, loff + pos * kvDim, kvDim);
            System.arraycopy(v, 0, valueCache, loff + pos * kvDim, kvDim);
            for (int h = 0; h < nHeads; h++) {
                int kvHead = h / kvMul;
                for (int t = 0; t <= pos; t++) {
                    float score = 0.0f;
                    for (int i = 0; i < headSize; i++) {
                        score += q[h * headSize + i] * keyCache[loff + t * kvDim + kvHead * headSize + i];
                    }
                    att[t] = score / (float) Math.sqrt(headSize);
                }
                softmax(att, pos + 1);
                for (int i = 0; i < headSize; i++) {
                    xb[h * headSize + i] = 0.0f;
                }
                for (int t = 0; t <= pos; t++) {
                    float a = att[t];
                    for (int i = 0; i < headSize; i++) {
                        xb[h * headSize + i] += a * valueCache[loff + t * kvDim + kvHead * headSize + i];
                    }
                }
            }
            matmul(xb2, xb, wo, l * dim * dim, dim, dim);
            for (int i = 0; i < dim; i++) {
                x[i] += xb2[i];
            }
            rmsnorm(xb, x, rmsFfn, l * dim, dim);
            matmul(hb, xb, w1, l * dim * hiddenDim, dim, hiddenDim);
            matmul(hb2, xb, w3, l * dim * hiddenDim, dim, hiddenDim);
            for (int i = 0; i < hiddenDim; i++) {
                float val = hb[i];
                val *= (1.0f / (1.0f + (float) Math.exp(-val)));
                val *= hb2[i];
                hb[i] = val;
            }
            matmul(xb, hb, w2, l * dim * hiddenDim, hiddenDim, dim);
            for (int i = 0; i < dim; i++) {
                x[i] += xb[i];
            }
        }
        rmsnorm(x, x, rmsFinal, 0, dim);
        float[] logits = new float[vocabSize];
        matmul(logits, x, wcls, 0, dim, vocabSize);
        return logits;
    }

    /** run.c's generate loop at temperature 0: up to {@code steps} positions, stopping at any of {@code stops}. */
    public List<Integer> greedy(int[] prompt, int steps, int... stops) {
        List<Integer> generated = new ArrayList<>();
        int token = prompt[0];
        for (int pos = 0; pos < Math.min(steps, seqLen); pos++) {
            float[] logits = forward(token, pos);
            if (pos < prompt.length - 1) {
                token = prompt[pos + 1];
                continue;
            }
            int next = argmax(logits);
            generated.add(next);
            for (int stop : stops) {
                if (next == stop) {
                    return generated;
                }
            }
            token = next;
        }
        return generated;
    }

    static int argmax(float[] p) {
        int maxI = 0;
        float maxP = p[0];
        for (int i = 1; i < p.length; i++) {
            if (p[i] > maxP) {
                maxI = i;
                maxP = p[i];
            }
        }
        return maxI;
    }

    private static void rmsnorm(float[] o, float[] x, float[] weight, int woff, int size) {
        float ss = 0.0f;
        for (int j = 0; j < size; j++) {
            ss += x[j] * x[j];
        }
        ss /= size;
        ss += 1e-5f;
        ss = 1.0f / (float) Math.sqrt(ss);
        for (int j = 0; j < size; j++) {
            o[j] = weight[woff + j] * (ss * x[j]);
        }
    }

    private static void softmax(float[] x, int size) {
        float max = x[0];
        for (int i = 1; i < size; i++) {
            if (x[i] > max) {
                max = x[i];
            }
        }
        float sum = 0.0f;
        for (int i = 0; i < size; i++) {
            x[i] = (float) Math.exp(x[i] - max);
            sum += x[i];
        }
        for (int i = 0; i < size; i++) {
            x[i] /= sum;
        }
    }

    /** W (d, n) at offset woff times x (n) into out (d). */
    private static void matmul(float[] out, float[] x, float[] w, int woff, int n, int d) {
        for (int i = 0; i < d; i++) {
            float val = 0.0f;
            for (int j = 0; j < n; j++) {
                val += w[woff + i * n + j] * x[j];
            }
            out[i] = val;
        }
    }
}
