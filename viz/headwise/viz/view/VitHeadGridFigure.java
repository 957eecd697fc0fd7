package headwise.viz.view;

import headwise.viz.Figure;
import headwise.viz.PatchAttentionOverlay;
import headwise.viz.draw.Header;
import headwise.viz.draw.Style;
import headwise.viz.draw.Text;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A vision transformer's image under one attention row per panel, small, side by side: one panel per head of a
 * layer (the [CLS] row, or the row of one chosen query patch), or a single panel for attention rollout, which
 * belongs to no head. Each panel is the image in grey under viridis at {@link PatchAttentionOverlay#OVERLAY_ALPHA},
 * from 0 to that panel's own strongest patch, with its label (e.g. the head and its mean attention distance) above
 * it. The selected panel is framed; the query patch, when there is one, is outlined in every panel. Every panel is
 * one image, so SVG and PDF get a handful of images, never a rectangle per patch.
 */
public final class VitHeadGridFigure implements Figure {

    /** One panel: its label and the attention row over all T keys (special tokens first, then the patches). */
    public record Panel(String label, float[] row) {
    }

    /** Panels are drawn about this many pixels on their longer side (whole upscaling factors keep pixels sharp). */
    public static final int PANEL_SIDE = 128;
    /** At most this many panels in a line. */
    public static final int MAX_COLUMNS = 6;

    private static final int H_GAP = 14;
    private static final int V_GAP = 10;
    private static final Color GRID = new Color(255, 255, 255, 90);
    private static final Color SELECTED = new Color(0xD5, 0x5E, 0x00);

    private final BufferedImage image;
    private final List<Panel> panels;
    private final int special;
    private final int rows;
    private final int cols;
    private final Header header;
    private final int selected;
    private final int queryPatch;
    private final int columns;
    private final int panelWidth;
    private final int panelHeight;
    private final int panelsTop;
    private final int width;
    private final int height;

    /**
     * @param image      the image the model saw
     * @param panels     one per head (or one for rollout), in order
     * @param special    tokens before the patches in each row
     * @param rows       patch grid rows
     * @param cols       patch grid columns
     * @param selected   the framed panel, or −1
     * @param queryPatch the query patch (row-major patch index, not token) outlined in every panel, or −1
     */
    public VitHeadGridFigure(BufferedImage image, List<Panel> panels, int special, int rows, int cols, String title,
                             String caption, int selected, int queryPatch) {
        if (panels.isEmpty()) {
            throw new IllegalArgumentException("no panels");
        }
        for (Panel p : panels) {
            if (p.row().length != special + rows * cols) {
                throw new IllegalArgumentException(p.row().length + " attention values for " + special
                        + " special tokens and a " + rows + "x" + cols + " patch grid");
            }
        }
        this.image = image;
        this.panels = List.copyOf(panels.stream().map(p -> new Panel(p.label(), p.row().clone())).toList());
        this.special = special;
        this.rows = rows;
        this.cols = cols;
        this.header = new Header(title, caption);
        this.selected = selected;
        this.queryPatch = queryPatch >= 0 && queryPatch < rows * cols ? queryPatch : -1;
        int n = panels.size();
        int lines = (n + MAX_COLUMNS - 1) / MAX_COLUMNS;
        this.columns = (n + lines - 1) / lines;
        double scale = panelScale(image.getWidth(), image.getHeight());
        this.panelWidth = Math.max(1, (int) Math.round(image.getWidth() * scale));
        this.panelHeight = Math.max(1, (int) Math.round(image.getHeight() * scale));
        this.panelsTop = (int) Math.ceil(header.height() - Style.GAP);
        double widest = Style.PAD * 2 + columns * panelWidth + (columns - 1) * H_GAP;
        widest = Math.max(widest, header.width());
        widest = Math.max(widest, Style.PAD * 2 + Text.width(Style.SMALL, legend()));
        this.width = (int) Math.ceil(widest);
        this.height = (int) Math.ceil(cellTop(lines) - V_GAP + Style.GAP + Text.height(Style.SMALL) + Style.PAD);
    }

    /** Display pixels per image pixel in a panel: a whole factor up to about {@link #PANEL_SIDE}, or down to it. */
    public static double panelScale(int imageWidth, int imageHeight) {
        int longer = Math.max(imageWidth, imageHeight);
        if (longer > PANEL_SIDE) {
            return (double) PANEL_SIDE / longer;
        }
        return Math.max(1, PANEL_SIDE / longer);
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    public int panelCount() {
        return panels.size();
    }

    /** Panel {@code i}'s attention row (a copy). */
    public float[] row(int i) {
        return panels.get(i).row().clone();
    }

    public String label(int i) {
        return panels.get(i).label();
    }

    public int selected() {
        return selected;
    }

    /** Where panel {@code i}'s image is. */
    public Rectangle2D panelBounds(int i) {
        return new Rectangle2D.Double(panelLeft(i % columns), cellTop(i / columns) + labelHeight(), panelWidth, panelHeight);
    }

    /** Where patch (r, c) is in panel {@code i}. */
    public Rectangle2D cellBounds(int i, int r, int c) {
        Rectangle2D p = panelBounds(i);
        double x0 = p.getX() + cellLeft(c);
        double y0 = p.getY() + cellTopInPanel(r);
        return new Rectangle2D.Double(x0, y0, cellLeft(c + 1) - cellLeft(c), cellTopInPanel(r + 1) - cellTopInPanel(r));
    }

    /** The panel whose label or image is under (x, y), or −1. */
    public int panelAt(double x, double y) {
        for (int i = 0; i < panels.size(); i++) {
            Rectangle2D p = panelBounds(i);
            if (x >= p.getX() && x < p.getMaxX() && y >= p.getY() - labelHeight() && y < p.getMaxY()) {
                return i;
            }
        }
        return -1;
    }

    /** The patch (row-major index) under (x, y) in any panel's image, or −1. */
    public int patchAt(double x, double y) {
        int i = panelAt(x, y);
        if (i < 0) {
            return -1;
        }
        Rectangle2D p = panelBounds(i);
        double dx = x - p.getX();
        double dy = y - p.getY();
        if (dy < 0) {
            return -1;
        }
        int c = Math.min(cols - 1, (int) (dx * cols / panelWidth));
        int r = Math.min(rows - 1, (int) (dy * rows / panelHeight));
        return r * cols + c;
    }

    /** "L3 H5 · patch (2, 7): 0.0123" under a panel's image, the panel's label over its label. */
    @Override
    public String readout(double x, double y) {
        int i = panelAt(x, y);
        if (i < 0) {
            return null;
        }
        int patch = patchAt(x, y);
        if (patch < 0) {
            return label(i);
        }
        return label(i) + " \u00B7 patch (" + patch / cols + ", " + patch % cols + "): " + Text.precise(panels.get(i).row()[special + patch]);
    }

    @Override
    public void draw(Graphics2D g) {
        Style.hints(g);
        Style.background(g, width, height);
        header.draw(g);
        int[] scaled = PatchAttentionOverlay.scaled(image, panelWidth, panelHeight);
        for (int i = 0; i < panels.size(); i++) {
            drawPanel(g, i, scaled);
        }
        g.setFont(Style.SMALL);
        g.setColor(Style.CAPTION);
        int lines = (panels.size() + columns - 1) / columns;
        Text.left(g, legend(), Style.PAD, cellTop(lines) - V_GAP + Style.GAP + Text.ascent(Style.SMALL));
    }

    private void drawPanel(Graphics2D g, int i, int[] scaled) {
        float[] row = panels.get(i).row();
        float[] patches = new float[rows * cols];
        System.arraycopy(row, special, patches, 0, patches.length);
        float max = 0;
        for (float v : patches) {
            if (Float.isFinite(v) && v > max) {
                max = v;
            }
        }
        Rectangle2D at = panelBounds(i);
        int x = (int) at.getX();
        int y = (int) at.getY();
        boolean chosen = i == selected;
        g.setFont(chosen ? Style.HEADING.deriveFont(11f) : Style.LABEL);
        g.setColor(chosen ? SELECTED : Style.TEXT);
        Text.left(g, fit(panels.get(i).label(), g.getFont()), x, y - Style.GAP - Text.descent(g.getFont()));
        int[] pixels = PatchAttentionOverlay.overlay(scaled, panelWidth, panelHeight, patches, rows, cols, max);
        BufferedImage panel = new BufferedImage(panelWidth, panelHeight, BufferedImage.TYPE_INT_ARGB);
        panel.setRGB(0, 0, panelWidth, panelHeight, pixels, 0, panelWidth);
        g.drawImage(panel, x, y, null);
        if (panelWidth / cols >= 6 && panelHeight / rows >= 6) { // the patch grid, where patches are big enough to show it
            g.setColor(GRID);
            g.setStroke(new BasicStroke(1f));
            for (int c = 1; c < cols; c++) {
                g.drawLine(x + cellLeft(c), y, x + cellLeft(c), y + panelHeight - 1);
            }
            for (int r = 1; r < rows; r++) {
                g.drawLine(x, y + cellTopInPanel(r), x + panelWidth - 1, y + cellTopInPanel(r));
            }
        }
        if (queryPatch >= 0) {
            Rectangle2D cell = cellBounds(i, queryPatch / cols, queryPatch % cols);
            g.setStroke(new BasicStroke(2.5f));
            g.setColor(new Color(0, 0, 0, 160));
            g.draw(new Rectangle2D.Double(cell.getX() + 1, cell.getY() + 1, cell.getWidth() - 2, cell.getHeight() - 2));
            g.setStroke(new BasicStroke(1.2f));
            g.setColor(Color.WHITE);
            g.draw(new Rectangle2D.Double(cell.getX() + 1, cell.getY() + 1, cell.getWidth() - 2, cell.getHeight() - 2));
        }
        if (chosen) {
            g.setColor(SELECTED);
            g.setStroke(new BasicStroke(3f));
            g.draw(new Rectangle2D.Double(x - 2.5, y - 2.5, panelWidth + 5, panelHeight + 5));
        } else {
            g.setColor(Style.FRAME);
            g.setStroke(new BasicStroke(1f));
            g.draw(new Rectangle2D.Double(x - 0.5, y - 0.5, panelWidth + 1, panelHeight + 1));
        }
    }

    private String legend() {
        return String.format(java.util.Locale.ROOT, "each panel: viridis at %.0f%% opacity over the image in grey, "
                + "from 0 to its own strongest patch", 100 * PatchAttentionOverlay.OVERLAY_ALPHA);
    }

    /** {@code label} cut with an ellipsis to the panel's width. */
    private String fit(String label, java.awt.Font font) {
        if (Text.width(font, label) <= panelWidth + H_GAP - 2) {
            return label;
        }
        String s = label;
        while (s.length() > 1 && Text.width(font, s + "\u2026") > panelWidth + H_GAP - 2) {
            s = s.substring(0, s.length() - 1);
        }
        return s + "\u2026";
    }

    private int labelHeight() {
        return (int) Math.ceil(Text.height(Style.LABEL) + Style.GAP);
    }

    private double panelLeft(int column) {
        return Style.PAD + column * (panelWidth + H_GAP);
    }

    private int cellTop(int line) {
        return panelsTop + line * (labelHeight() + panelHeight + V_GAP);
    }

    private int cellLeft(int c) {
        return (int) Math.ceil((double) c * panelWidth / cols);
    }

    private int cellTopInPanel(int r) {
        return (int) Math.ceil((double) r * panelHeight / rows);
    }
}
