package headwise.viz.draw;

import java.awt.Graphics2D;
import java.util.ArrayList;
import java.util.List;

/**
 * Blocks laid out left to right, starting a new row after {@code perRow} blocks; each row is as tall as its tallest
 * block, with {@link Style#PANEL_GAP} between blocks and rows.
 */
public final class BlockGrid implements Block {

    private final List<Block> blocks;
    private final List<double[]> corners = new ArrayList<>();
    private final double width;
    private final double height;

    public BlockGrid(List<Block> blocks, int perRow) {
        this.blocks = List.copyOf(blocks);
        double y = 0;
        double widest = 0;
        for (int first = 0; first < blocks.size(); first += perRow) {
            double x = 0;
            double rowHeight = 0;
            for (int i = first; i < Math.min(blocks.size(), first + perRow); i++) {
                Block b = blocks.get(i);
                corners.add(new double[] {x, y});
                x += b.width() + Style.PANEL_GAP;
                rowHeight = Math.max(rowHeight, b.height());
            }
            widest = Math.max(widest, x - Style.PANEL_GAP);
            y += rowHeight + Style.PANEL_GAP;
        }
        this.width = widest;
        this.height = Math.max(0, y - Style.PANEL_GAP);
    }

    public List<Block> blocks() {
        return blocks;
    }

    @Override
    public double width() {
        return width;
    }

    @Override
    public double height() {
        return height;
    }

    @Override
    public String readout(double x, double y) {
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            double bx = x - corners.get(i)[0];
            double by = y - corners.get(i)[1];
            if (bx >= 0 && by >= 0 && bx < b.width() && by < b.height()) {
                return b.readout(bx, by);
            }
        }
        return null;
    }

    @Override
    public void draw(Graphics2D g, double x, double y) {
        for (int i = 0; i < blocks.size(); i++) {
            blocks.get(i).draw(g, x + corners.get(i)[0], y + corners.get(i)[1]);
        }
    }
}
