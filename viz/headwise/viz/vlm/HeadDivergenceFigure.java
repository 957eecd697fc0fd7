package headwise.viz.vlm;

import headwise.engine.vlm.analysis.HeadDivergence;
import headwise.viz.draw.Block;
import headwise.viz.draw.BlockFigure;
import headwise.viz.draw.BlockGrid;
import headwise.viz.draw.Header;
import headwise.viz.draw.MatrixBlock;
import headwise.viz.draw.MatrixPanel;
import headwise.viz.draw.Style;
import headwise.viz.draw.Text;
import headwise.viz.draw.ValueScale;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.util.List;
import java.util.Locale;

/**
 * Vision-aware head divergence: the layers × heads map of mean VHD over the answer positions, the top heads outlined
 * and numbered, and the ranked list beside it.
 */
public final class HeadDivergenceFigure extends BlockFigure {

    static final Color TOP = new Color(0xE0, 0x20, 0x20);

    /** @param top how many heads to outline and list */
    public HeadDivergenceFigure(String title, HeadDivergence vhd, int top) {
        super(new Header(title, "VHD = \u2016z(image, text) \u2212 z(text)\u2016\u2082 of each head's output, mean over "
                + vhd.answers().length + " answer position" + (vhd.answers().length == 1 ? "" : "s")
                + "; layers (rows) \u00D7 heads (columns)"), body(vhd, top));
    }

    private static Block body(HeadDivergence vhd, int top) {
        double[][] map = vhd.map();
        int heads = map[0].length;
        int cell = Math.max(10, Math.min(26, 320 / heads));
        double max = 0;
        for (double[] row : map) {
            for (double v : row) {
                max = Math.max(max, v);
            }
        }
        MatrixPanel panel = MatrixPanel.of(map, ClassSharesFigure.labels("L", map.length), ClassSharesFigure.labels("", heads),
                cell, ValueScale.linear(0, max > 0 ? max : 1), false);
        List<HeadDivergence.RankedHead> ranked = vhd.ranked().subList(0, Math.min(top, map.length * heads));
        return new BlockGrid(List.of(new Outlined(new MatrixBlock("VHD per head", null, panel, "VHD"), panel, cell, ranked),
                new Ranking(ranked, vhd)), 2);
    }

    /** The map with the top heads framed and numbered. */
    private record Outlined(MatrixBlock block, MatrixPanel panel, int cell, List<HeadDivergence.RankedHead> ranked) implements Block {
        @Override
        public double width() {
            return block.width();
        }

        @Override
        public double height() {
            return block.height();
        }

        @Override
        public void draw(Graphics2D g, double x, double y) {
            block.draw(g, x, y);
            double left = Math.round(x + panel.cellsX());
            double top = Math.round(y + Text.height(Style.HEADING) + Style.GAP + panel.cellsY());
            g.setStroke(new BasicStroke(2f));
            g.setFont(Style.SMALL);
            for (int k = 0; k < ranked.size(); k++) {
                HeadDivergence.RankedHead h = ranked.get(k);
                Rectangle2D box = new Rectangle2D.Double(left + h.head() * cell + 1, top + h.layer() * cell + 1, cell - 2, cell - 2);
                g.setColor(TOP);
                g.draw(box);
                if (cell >= Text.height(Style.SMALL) + 2) {
                    g.setColor(Color.WHITE);
                    Text.centred(g, Integer.toString(k + 1), box.getCenterX(), box.getCenterY() + Text.centreShift(Style.SMALL));
                }
            }
        }
    }

    /** The ranked top heads, one per line. */
    private record Ranking(List<HeadDivergence.RankedHead> ranked, HeadDivergence vhd) implements Block {
        private String line(int k) {
            HeadDivergence.RankedHead h = ranked.get(k);
            return String.format(Locale.ROOT, "%d.  L%d H%d   VHD %s", k + 1, h.layer(), h.head(), Text.number(h.vhd()));
        }

        @Override
        public double width() {
            double w = Text.width(Style.HEADING, "top heads");
            for (int k = 0; k < ranked.size(); k++) {
                w = Math.max(w, Text.width(Style.LABEL, line(k)));
            }
            return Math.max(w, Text.width(Style.SMALL, footer()));
        }

        private String footer() {
            double mean = 0;
            for (double t : vhd.tokenVhd()) {
                mean += t / vhd.tokenVhd().length;
            }
            return "T-VHD (top " + vhd.k() + "), mean over answers: " + Text.number(mean);
        }

        @Override
        public double height() {
            return Text.height(Style.HEADING) + Style.GAP + ranked.size() * (Text.height(Style.LABEL) + 2) + Style.GAP
                    + Text.height(Style.SMALL);
        }

        @Override
        public void draw(Graphics2D g, double x, double y) {
            double ly = Text.heading(g, "top heads", x, y) + Style.GAP;
            g.setFont(Style.LABEL);
            g.setColor(Style.TEXT);
            for (int k = 0; k < ranked.size(); k++) {
                Text.left(g, line(k), x, ly + Text.ascent(Style.LABEL));
                ly += Text.height(Style.LABEL) + 2;
            }
            g.setFont(Style.SMALL);
            g.setColor(Style.CAPTION);
            Text.left(g, footer(), x, ly + Style.GAP + Text.ascent(Style.SMALL));
        }
    }
}
