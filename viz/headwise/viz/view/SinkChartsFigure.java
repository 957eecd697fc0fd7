package headwise.viz.view;

import headwise.viz.draw.Scales;
import headwise.viz.draw.Block;
import headwise.viz.draw.BlockFigure;
import headwise.viz.draw.BlockGrid;
import headwise.viz.draw.Header;
import headwise.viz.draw.Style;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Attention sinks (METHODS.md): the sink rate of every token as bars, and per layer the sink mass of the strongest
 * sink tokens (mean over heads of their sink score) as lines, with each head's score on the first one as dots.
 */
public final class SinkChartsFigure extends BlockFigure {

    /** Lines for at most this many tokens: those with the largest mean sink score. */
    public static final int MAX_LINES = 3;

    /**
     * @param tokens     T labels, or null for positions
     * @param sinkScores [layer][head][token] sink scores
     * @param sinkRate   [token] sink rate in percent
     */
    public SinkChartsFigure(String title, String[] tokens, double[][][] sinkScores, double[] sinkRate, double epsilon) {
        super(new Header(title, "sink score of key j: mean attention it receives from the queries that can see it"),
                body(Labels.tokens(tokens, sinkRate.length), sinkScores, sinkRate, epsilon));
    }

    private static Block body(String[] labels, double[][][] scores, double[] rate, double epsilon) {
        List<Block> blocks = new ArrayList<>();
        blocks.add(new SinkRateBars(labels, rate, epsilon));
        int layers = scores.length;
        int tokens = rate.length;
        double[][] perLayer = new double[tokens][layers];
        double[] overall = new double[tokens];
        for (int l = 0; l < layers; l++) {
            for (int t = 0; t < tokens; t++) {
                double sum = 0;
                for (double[] head : scores[l]) {
                    sum += head[t];
                }
                perLayer[t][l] = sum / scores[l].length;
                overall[t] += perLayer[t][l] / layers;
            }
        }
        int[] strongest = IntStream.range(0, tokens).boxed()
                .sorted(Comparator.comparingDouble((Integer t) -> -overall[t]).thenComparingInt(t -> t))
                .limit(MAX_LINES).mapToInt(Integer::intValue).toArray();
        List<LayerCharts.Line> lines = new ArrayList<>();
        for (int t : strongest) {
            lines.add(new LayerCharts.Line("#" + t + " " + labels[t], perLayer[t]));
        }
        double[][] firstDots = new double[layers][];
        for (int l = 0; l < layers; l++) {
            int top = strongest[0];
            firstDots[l] = Arrays.stream(scores[l]).mapToDouble(head -> head[top]).toArray();
        }
        Color[] colours = {Scales.series(0), Scales.series(1), Scales.series(2)};
        blocks.add(LayerCharts.chart("Sink mass per layer", "mean sink score over heads", lines, firstDots, colours));
        return new BlockGrid(blocks, 1);
    }
}
