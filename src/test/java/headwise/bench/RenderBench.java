package headwise.bench;

import headwise.engine.run.AttentionMaps;
import headwise.viz.HeatmapPyramid;
import headwise.viz.draw.ValueScale;
import headwise.viz.export.PngExport;
import headwise.viz.view.HeadMarks;
import headwise.viz.view.ModelThumbnails;
import headwise.viz.view.ModelViewFigure;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Not a test: how fast the app's two large pictures draw. (1) The model view, every head of a 12 × 12 model at 1024
 * tokens as thumbnails in one image (what the Model view page shows): building the tiles (once per run, in the
 * background) and then composing the view from them (each time it is drawn; target &lt; 100 ms). (2) The head heatmap at
 * 4096 tokens: building the level-of-detail pyramid once, then one viewport frame (1000 × 800 pixels) fitted,
 * zoomed in, and while panning. Synthetic attention (a sink on token 0, a diagonal, noise; rows sum to 1). Prints
 * the median and minimum of -Drepeats=7 runs, wall and process CPU time.
 * <pre>java -Xmx3g -Djava.awt.headless=true -cp 'target/classes:target/test-classes:target/lib/*' headwise.bench.RenderBench</pre>
 */
public final class RenderBench {

    private static final int REPEATS = Integer.getInteger("repeats", 7);

    public static void main(String[] args) {
        int layers = 12;
        int heads = 12;
        int tokens = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int longTokens = args.length > 1 ? Integer.parseInt(args[1]) : 4096;
        System.out.printf("cpus %d, java %s%n", Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

        float[] all = new float[layers * heads * tokens * tokens];
        for (int m = 0; m < layers * heads; m++) {
            fill(all, m * tokens * tokens, tokens, m);
        }
        AttentionMaps maps = new AttentionMaps(layers, heads, tokens, all);
        all = null;
        ModelThumbnails[] tiles = new ModelThumbnails[1];
        time(String.format("model view tiles, %d heads at %d tokens (once per run, background)", layers * heads, tokens), () ->
                tiles[0] = ModelThumbnails.of(maps));
        HeadMarks marks = marks(layers, heads);
        time(String.format("model view, %d heads at %d tokens (compose tiles, frames, bars, labels)", layers * heads, tokens), () ->
                PngExport.render(new ModelViewFigure(tiles[0], "bench", marks), 1));

        float[] matrix = new float[longTokens * longTokens];
        fill(matrix, 0, longTokens, 3);
        HeatmapPyramid[] pyramid = new HeatmapPyramid[1];
        time(String.format("heatmap pyramid build at %d tokens (once per head)", longTokens), () -> pyramid[0] = new HeatmapPyramid(matrix, longTokens));
        HeatmapPyramid p = pyramid[0];
        int w = 1000;
        int h = 800;
        int[] frame = new int[w * h];
        ValueScale linear = ValueScale.linear(0, p.max());
        ValueScale log = ValueScale.log(p.smallestPositive(), p.max());
        double fit = (double) h / longTokens;
        time(String.format("viewport %dx%d fitted (%.2f px per cell, level %d), linear", w, h, fit, p.levelFor(fit)), () -> {
            p.render(frame, w, h, 0, 0, fit, linear, 0xFFFFFFFF);
            return null;
        });
        time(String.format("viewport %dx%d fitted, log10", w, h), () -> {
            p.render(frame, w, h, 0, 0, fit, log, 0xFFFFFFFF);
            return null;
        });
        time(String.format("viewport %dx%d at 12 px per cell (labels readable)", w, h), () -> {
            p.render(frame, w, h, 2000, 2000, 12, linear, 0xFFFFFFFF);
            return null;
        });
        int[] step = {0};
        time(String.format("viewport %dx%d at 1 px per cell, panning 37 cells a frame", w, h), () -> {
            step[0]++;
            p.render(frame, w, h, step[0] * 37 % 3000, step[0] * 29 % 3000, 1, linear, 0xFFFFFFFF);
            return null;
        });
    }

    /** Head-type frames on every third head and an importance bar under each: what the app draws once computed. */
    private static HeadMarks marks(int layers, int heads) {
        int[][] category = new int[layers][heads];
        double[][] importance = new double[layers][heads];
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                category[l][h] = (l + h) % 3 == 0 ? (l + h) % 4 : -1;
                importance[l][h] = Math.sin(l * heads + h);
            }
        }
        return new HeadMarks(List.of("induction", "duplicate-token", "previous-token", "sink"), category, importance, "ablation \u0394loss");
    }

    /** One head's synthetic attention: sink on token 0, a diagonal that moves with the head, noise; causal rows sum to 1. */
    private static void fill(float[] out, int offset, int t, int seed) {
        Random random = new Random(seed);
        int shift = seed % 3;
        for (int i = 0; i < t; i++) {
            double sum = 0;
            int row = offset + i * t;
            for (int j = 0; j <= i; j++) {
                float v = random.nextFloat() * 0.05f + (j == 0 ? 2f : 0f) + (j == i - shift ? 1.5f : 0f);
                out[row + j] = v;
                sum += v;
            }
            for (int j = 0; j <= i; j++) {
                out[row + j] /= (float) sum;
            }
        }
    }

    /** CPU time of every thread of the process: on a shared, loaded machine it says more than wall time. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private interface Work {
        Object run();
    }

    private static void time(String what, Work work) {
        double[] ms = new double[REPEATS];
        double[] cpu = new double[REPEATS];
        for (int r = 0; r < REPEATS; r++) {
            long cpuStart = processCpuNanos();
            long start = System.nanoTime();
            work.run();
            ms[r] = (System.nanoTime() - start) / 1e6;
            cpu[r] = (processCpuNanos() - cpuStart) / 1e6;
        }
        Arrays.sort(ms);
        Arrays.sort(cpu);
        System.out.printf("%-78s median %7.1f ms wall (min %.1f), %7.1f ms cpu (min %.1f)%n", what, ms[REPEATS / 2], ms[0],
                cpu[REPEATS / 2], cpu[0]);
    }
}
