package headwise.engine.image;

/**
 * PIL's {@code Image.resize} for 8-bit images, reproduced bit for bit (Pillow's libImaging/Resample.c and the
 * nearest-neighbour scale in Geometry.c). Hugging Face's ViT processors resize with PIL, so matching it
 * matters: PIL's BILINEAR is not textbook bilinear; when downscaling it widens the triangle by the scale
 * factor (antialiasing). The convolution runs in two passes, horizontal then vertical, each in fixed point
 * and rounded to 8 bits, as PIL does.
 */
public final class PilResize {

    /** PIL's fixed-point precision for 8-bit images. */
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PilResize() {
    }

    public static PixelImage resize(PixelImage in, int width, int height, Resample filter) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive: " + width + "x" + height);
        }
        if (width == in.width() && height == in.height()) {
            return in; // PIL returns a copy
        }
        if (filter == Resample.NEAREST) {
            return nearest(in, width, height);
        }
        PixelImage out = in;
        if (width != in.width()) {
            out = pass(out, width, filter, true);
        }
        if (height != in.height()) {
            out = pass(out, height, filter, false);
        }
        return out;
    }

    /**
     * For each output index: the first input index and the fixed-point weights of the inputs it covers
     * (PIL's precompute_coeffs followed by normalize_coeffs_8bpc).
     */
    private record Coefficients(int[] first, int[][] weights) {
    }

    private static Coefficients coefficients(int inSize, int outSize, Resample filter) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0); // downscaling widens the kernel: antialiasing
        double support = filter.support() * filterScale;
        double inverseScale = 1.0 / filterScale; // PIL multiplies by the reciprocal; dividing can round differently
        int[] first = new int[outSize];
        int[][] weights = new int[outSize][];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            int xmin = Math.max(0, (int) (center - support + 0.5)); // (int) truncates, as C's cast does
            int count = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
            double[] k = new double[count];
            double total = 0.0;
            for (int x = 0; x < count; x++) {
                k[x] = filter.weight((x + xmin - center + 0.5) * inverseScale);
                total += k[x];
            }
            int[] fixed = new int[count];
            for (int x = 0; x < count; x++) {
                double w = total != 0.0 ? k[x] / total : k[x];
                fixed[x] = (int) (w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
            }
            first[xx] = xmin;
            weights[xx] = fixed;
        }
        return new Coefficients(first, weights);
    }

    /** One convolution pass along x ({@code horizontal}) or y, to {@code outSize} along that axis. */
    private static PixelImage pass(PixelImage in, int outSize, Resample filter, boolean horizontal) {
        int outWidth = horizontal ? outSize : in.width();
        int outHeight = horizontal ? in.height() : outSize;
        int channels = in.channels();
        Coefficients coefficients = coefficients(horizontal ? in.width() : in.height(), outSize, filter);
        byte[] out = new byte[outWidth * outHeight * channels];
        for (int y = 0; y < outHeight; y++) {
            for (int x = 0; x < outWidth; x++) {
                int o = horizontal ? x : y;
                int first = coefficients.first()[o];
                int[] k = coefficients.weights()[o];
                for (int c = 0; c < channels; c++) {
                    int sum = 1 << (PRECISION_BITS - 1); // rounds the result to nearest
                    for (int i = 0; i < k.length; i++) {
                        int v = horizontal ? in.sample(first + i, y, c) : in.sample(x, first + i, c);
                        sum += v * k[i];
                    }
                    out[(y * outWidth + x) * channels + c] = (byte) clip8(sum);
                }
            }
        }
        return new PixelImage(in.source(), outWidth, outHeight, channels, out);
    }

    private static int clip8(int fixedPoint) {
        return Math.max(0, Math.min(255, fixedPoint >> PRECISION_BITS));
    }

    /**
     * PIL's NEAREST resize (ImagingScaleAffine): source index = (int) of a running sum that starts at scale/2
     * and adds scale per output pixel; the running sum (not (i + 0.5)·scale) keeps PIL's rounding.
     */
    private static PixelImage nearest(PixelImage in, int width, int height) {
        int[] xs = nearestIndices(in.width(), width);
        int[] ys = nearestIndices(in.height(), height);
        int channels = in.channels();
        byte[] out = new byte[width * height * channels];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < channels; c++) {
                    out[(y * width + x) * channels + c] = (byte) in.sample(xs[x], ys[y], c);
                }
            }
        }
        return new PixelImage(in.source(), width, height, channels, out);
    }

    private static int[] nearestIndices(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double position = scale * 0.5;
        int[] indices = new int[outSize];
        for (int i = 0; i < outSize; i++) {
            indices[i] = Math.min(inSize - 1, (int) position);
            position += scale;
        }
        return indices;
    }
}
