package headwise.viz.draw;

import headwise.viz.Figure;

import java.awt.Graphics2D;

/** A figure made of a header and one block (often a {@link BlockGrid}) under it, with the usual margins. */
public class BlockFigure implements Figure {

    private final Header header;
    private final Block body;
    private final int width;
    private final int height;

    public BlockFigure(Header header, Block body) {
        this.header = header;
        this.body = body;
        this.width = (int) Math.ceil(Math.max(header.width(), body.width() + 2 * Style.PAD));
        this.height = (int) Math.ceil(header.height() + body.height() + Style.PAD);
    }

    /** The blocks under the header. */
    public Block body() {
        return body;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public String readout(double x, double y) {
        return body.readout(x - Style.PAD, y - header.height());
    }

    @Override
    public void draw(Graphics2D g) {
        Style.hints(g);
        Style.background(g, width, height);
        header.draw(g);
        body.draw(g, Style.PAD, header.height());
    }
}
