package headwise.viz.view;

import headwise.viz.draw.Block;
import headwise.viz.draw.BlockFigure;
import headwise.viz.draw.BlockGrid;
import headwise.viz.draw.Header;
import headwise.viz.draw.MatrixBlock;
import headwise.viz.draw.MatrixPanel;
import headwise.viz.draw.ValueScale;
import headwise.viz.draw.Style;
import headwise.viz.draw.Text;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Relevance maps (docs/relevance.md), one method per row: the input with each token shaded by its signed relevance
 * (diverging: red supports the target, blue speaks against it; each method scaled to its own largest |value|),
 * and the same numbers as signed bars. A vision input adds the patch relevance over the image; text joined with an
 * image (a vision-language model) shows both: the image positions over the image and every position as text. A
 * map with a non-finite value is named but not drawn.
 */
public final class RelevanceFigure extends BlockFigure {

    /** Inputs up to this many tokens show their text and bars side by side; longer ones stack them. */
    static final int SIDE_BY_SIDE = 40;

    /**
     * One method's map.
     *
     * @param method  its name
     * @param note    one line under the name (target, logit, sum)
     * @param values  relevance per token [T]
     * @param heads   relevance through each head's output [L][H], or null
     * @param salient the Salient Relevance map of an image input's patches [rows·cols] in 0 … 1, or null
     */
    public record Map(String method, String note, double[] values, double[][] heads, double[] salient) {

        public Map(String method, String note, double[] values) {
            this(method, note, values, null, null);
        }

        boolean finite() {
            for (double v : values) {
                if (!Double.isFinite(v)) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * An image input: the image the model saw and its patch grid (tokens {@code special} … special + rows·cols − 1
     * are patches row-major).
     *
     * @param joined the image is part of a text sequence (a vision-language model's joined input): the text's tokens
     *               are drawn as well, and {@code special} is where the grid starts in the sequence
     */
    public record Image(BufferedImage image, int special, int rows, int cols, boolean joined) {

        /** An image classifier's input: special tokens (CLS…) then the patches, nothing else. */
        public Image(BufferedImage image, int special, int rows, int cols) {
            this(image, special, rows, cols, false);
        }
    }

    /**
     * @param tokens token labels [T], or null for positions
     * @param image  the image for a vision input, or null
     */
    public RelevanceFigure(String title, String caption, String[] tokens, List<Map> maps, Image image) {
        super(new Header(title, caption), body(tokens, maps, image));
    }

    private static Block body(String[] tokens, List<Map> maps, Image image) {
        List<Block> blocks = new ArrayList<>();
        for (Map m : maps) {
            String[] labels = Labels.tokens(tokens, m.values().length);
            if (!m.finite()) {
                blocks.add(new Note(m.method() + ": relevance is not finite (overflow?); not drawn"));
                continue;
            }
            List<Block> row = new ArrayList<>();
            boolean textShown = image == null || image.joined();
            if (image != null) {
                row.add(new RelevancePatches(m.method(), image, m.values()));
                if (m.salient() != null) {
                    row.add(new SalientRelevancePanel("salient relevance (0 \u2026 1)", image, m.salient()));
                }
            }
            if (textShown) {
                row.add(new RelevanceText(m.method() + " \u2014 " + m.note(), labels, m.values()));
            }
            row.add(new RelevanceBars(textShown ? "per token" : m.method() + " \u2014 " + m.note(), labels, m.values()));
            if (m.heads() != null) {
                row.add(heads(m.heads()));
            }
            blocks.add(new BlockGrid(row, (image != null && !image.joined()) || labels.length <= SIDE_BY_SIDE ? row.size() : 1));
        }
        return new BlockGrid(blocks, 1);
    }

    /** Per-head relevance, layers × heads, diverging around 0 to the map's own largest |value|. */
    private static Block heads(double[][] heads) {
        double limit = 0;
        for (double[] layer : heads) {
            for (double h : layer) {
                limit = Math.max(limit, Math.abs(h));
            }
        }
        limit = limit > 0 ? limit : 1;
        int cell = Math.max(10, Math.min(22, 220 / heads[0].length));
        MatrixPanel panel = MatrixPanel.of(heads, Labels.indices("L", heads.length), Labels.indices(heads[0].length), cell,
                ValueScale.diverging(limit), false);
        return new MatrixBlock("per head", "relevance through each head's output", panel, null);
    }

    /** A token's readout: "token 3 “cat”: relevance +0.4120". */
    static String describe(int token, String label, double value) {
        String name = label == null || label.equals(Integer.toString(token)) ? "" : " \u201C" + label + "\u201D";
        return "token " + token + name + ": relevance " + (value > 0 ? "+" : "") + Text.precise(value);
    }

    /** max |v| over the values, 1 when all are 0 (so shading divides safely). */
    static double scale(double[] values) {
        double m = 0;
        for (double v : values) {
            m = Math.max(m, Math.abs(v));
        }
        return m > 0 ? m : 1;
    }

    /** One line of text. */
    private record Note(String text) implements Block {
        @Override
        public double width() {
            return Text.width(Style.HEADING, text);
        }

        @Override
        public double height() {
            return Text.height(Style.HEADING);
        }

        @Override
        public void draw(java.awt.Graphics2D g, double x, double y) {
            g.setFont(Style.HEADING);
            g.setColor(Style.TEXT);
            Text.left(g, text, x, y + Text.ascent(Style.HEADING));
        }
    }
}
