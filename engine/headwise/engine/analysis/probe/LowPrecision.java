package headwise.engine.analysis.probe;

import headwise.engine.HeadwiseException;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelWeights;
import headwise.engine.model.ModelWeights.LayerWeights;
import headwise.engine.model.ModelWeights.Linear;
import headwise.engine.model.ModelWeights.NormWeights;
import headwise.engine.model.Ops;
import headwise.engine.model.Transformer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * A copy of a model whose weights are rounded to a lower precision (round to nearest, ties to even, as PyTorch's
 * .to(float16 / bfloat16) does) and run in float32 as before: what the weights lose, not what half-precision
 * arithmetic would add. Q8_0 is not made here: it comes from a GGUF file the user gives.
 */
public enum LowPrecision {
    /** IEEE half: 10 mantissa bits, normal exponents from −14, largest 65504 (beyond: infinity). */
    F16(10, -14, 65504),
    /** bfloat16: 7 mantissa bits, float32's exponent range. */
    BF16(7, -126, Float.MAX_VALUE);

    private final int mantissaBits;
    private final int minExponent;
    private final double largest;

    LowPrecision(int mantissaBits, int minExponent, double largest) {
        this.mantissaBits = mantissaBits;
        this.minExponent = minExponent;
        this.largest = largest;
    }

    public static LowPrecision parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new HeadwiseException("--low-precision: unknown precision '" + name
                    + "'; choose F16 or BF16 (for Q8_0 give the GGUF file with --compare-model)");
        }
    }

    /** f rounded to this precision (to the nearest representable value, ties to even), as a float. */
    public float round(float f) {
        if (Float.isNaN(f) || Float.isInfinite(f)) {
            return f;
        }
        double magnitude = Math.abs(f);
        // spacing of the representable values around f: 2^(exponent − mantissa bits), fixed below the normal range
        double ulp = Math.scalb(1.0, Math.max(Math.getExponent(f), minExponent) - mantissaBits);
        double rounded = Math.rint(magnitude / ulp) * ulp;
        if (rounded > largest) {
            return Math.copySign(Float.POSITIVE_INFINITY, f);
        }
        return (float) Math.copySign(rounded, f);
    }

    /** The model with every weight rounded, named "NAME (BF16)"; it has no tokenizer (feed it token ids). */
    public LoadedModel copyOf(LoadedModel model) {
        Transformer transformer = model.transformer();
        Transformer rounded = new Transformer(transformer.spec(), map(transformer.weights(), this::rounded))
                .withOptions(transformer.options());
        return new LoadedModel(model.name() + " (" + name() + ")", model.folder(), rounded, null, file -> {
            throw new IllegalStateException("a rounded copy has no tokenizer");
        });
    }

    private INDArray rounded(INDArray weights) {
        float[] values = Ops.floats(weights);
        for (int i = 0; i < values.length; i++) {
            values[i] = round(values[i]);
        }
        return Nd4j.create(values, weights.shape(), 'c').castTo(weights.dataType());
    }

    /** Every array of the weights through f (nulls stay null). */
    static ModelWeights map(ModelWeights w, UnaryOperator<INDArray> f) {
        return new ModelWeights(apply(w.tokenEmbed(), f), apply(w.positionEmbed(), f), apply(w.tokenTypeEmbed(), f),
                norm(w.embedNorm(), f), w.layers().stream().map(layer -> layer(layer, f)).toList(), norm(w.finalNorm(), f),
                linear(w.unembed(), f), vision(w.vision(), f), linear(w.projectIn(), f), linear(w.projectOut(), f));
    }

    private static LayerWeights layer(LayerWeights l, UnaryOperator<INDArray> f) {
        return new LayerWeights(norm(l.attnNorm(), f), linear(l.q(), f), linear(l.k(), f), linear(l.v(), f), linear(l.o(), f),
                norm(l.mlpNorm(), f), linear(l.mlpIn(), f), linear(l.mlpGate(), f), linear(l.mlpOut(), f), norm(l.qNorm(), f),
                norm(l.kNorm(), f), norm(l.postAttnNorm(), f), norm(l.postMlpNorm(), f));
    }

    private static ModelWeights.VisionWeights vision(ModelWeights.VisionWeights v, UnaryOperator<INDArray> f) {
        return v == null ? null : new ModelWeights.VisionWeights(linear(v.patchEmbed(), f), apply(v.clsToken(), f),
                apply(v.distillationToken(), f), apply(v.positions(), f), linear(v.distillationClassifier(), f));
    }

    private static Linear linear(Linear l, UnaryOperator<INDArray> f) {
        return l == null ? null : new Linear(apply(l.weight(), f), apply(l.bias(), f));
    }

    private static NormWeights norm(NormWeights n, UnaryOperator<INDArray> f) {
        return n == null ? null : new NormWeights(apply(n.gain(), f), apply(n.bias(), f));
    }

    private static INDArray apply(INDArray a, UnaryOperator<INDArray> f) {
        return a == null ? null : f.apply(a);
    }
}
