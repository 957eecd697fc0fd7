package headwise.viz.corpus;

import headwise.viz.Figure;
import headwise.viz.draw.ColorBar;
import headwise.viz.draw.Header;
import headwise.viz.draw.Style;
import headwise.viz.draw.Text;
import headwise.viz.draw.ValueScale;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Point2D;
import java.awt.geom.Rectangle2D;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The head atlas: every head a dot placed by pattern similarity (two MDS coordinates, the same scale on both axes, so
 * near means alike), coloured by a value (layer, a metric) or a category (head type), sized by a score. The page maps
 * the mouse to heads with {@link #headAt}.
 */
public final class AtlasFigure implements Figure {

    /** How dots are coloured: by {@code values} on a colour bar, or by {@code category} into named colours. */
    public record Colouring(String name, double[] values, List<String> categories, int[] category) {

        public static Colouring values(String name, double[] values) {
            return new Colouring(name, values, null, null);
        }

        public static Colouring categories(String name, List<String> categories, int[] category) {
            return new Colouring(name, null, categories, category);
        }
    }

    static final double PLOT = 520;
    static final double MIN_RADIUS = 3.5;
    static final double MAX_RADIUS = 12;
    private static final double LEGEND_GAP = 24;
    private static final Color OUTLINE = new Color(0x30, 0x30, 0x30);

    private final Header header;
    private final double[][] xy;
    private final int heads;
    private final Colouring colouring;
    private final ValueScale scale;
    private final double[] radius;
    private final double[] sizes;
    private final String sizeName;
    private final double[] centreX;
    private final double[] centreY;
    private final double plotX;
    private final double plotY;
    private final int width;
    private final int height;

    /**
     * @param xy       [n][2] atlas coordinates, head index = layer·heads + head
     * @param sizes    [n] scores (dot area grows with |score|), or null for equal dots
     * @param sizeName what the sizes are, for the legend (ignored without sizes)
     */
    public AtlasFigure(String title, String caption, double[][] xy, int heads, Colouring colouring, double[] sizes, String sizeName) {
        this.header = new Header(title, caption);
        this.xy = xy;
        this.heads = heads;
        this.colouring = colouring;
        this.scale = colouring.values() == null ? null : scaleOf(colouring.values());
        this.radius = radii(sizes, xy.length);
        this.sizes = sizes;
        this.sizeName = sizes == null ? null : sizeName;
        this.plotX = Style.PAD;
        this.plotY = header.height();
        this.centreX = new double[xy.length];
        this.centreY = new double[xy.length];
        place();
        double legendWidth = scale != null ? ColorBar.width(scale, colouring.name())
                : Text.widest(Style.LABEL, colouring.categories().toArray(String[]::new)) + 22;
        legendWidth = Math.max(legendWidth, Text.widest(Style.SMALL, sizeNote(), "labels: layer.head"));
        this.width = (int) Math.ceil(Math.max(header.width(), plotX + PLOT + LEGEND_GAP + legendWidth + Style.PAD));
        this.height = (int) Math.ceil(plotY + PLOT + Style.PAD);
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    /** Centres in figure units: the coordinates' box, enlarged to a square around its middle, fills the plot. */
    private void place() {
        double minX = Arrays.stream(xy).mapToDouble(p -> p[0]).min().orElse(0);
        double maxX = Arrays.stream(xy).mapToDouble(p -> p[0]).max().orElse(0);
        double minY = Arrays.stream(xy).mapToDouble(p -> p[1]).min().orElse(0);
        double maxY = Arrays.stream(xy).mapToDouble(p -> p[1]).max().orElse(0);
        double span = Math.max(Math.max(maxX - minX, maxY - minY), 1e-12);
        double inner = PLOT - 2 * (MAX_RADIUS + 4);
        for (int i = 0; i < xy.length; i++) {
            centreX[i] = plotX + PLOT / 2 + (xy[i][0] - (minX + maxX) / 2) / span * inner;
            centreY[i] = plotY + PLOT / 2 - (xy[i][1] - (minY + maxY) / 2) / span * inner; // y up, as in a chart
        }
    }

    @Override
    public void draw(Graphics2D g) {
        Style.hints(g);
        Style.background(g, width, height);
        header.draw(g);
        g.setColor(Style.FRAME);
        g.setStroke(new BasicStroke(1f));
        g.draw(new Rectangle2D.Double(plotX + 0.5, plotY + 0.5, PLOT - 1, PLOT - 1));
        // the biggest dots first, so small ones stay visible on top
        Integer[] order = IntStream.range(0, xy.length).boxed().sorted(Comparator.comparingDouble(i -> -radius[i])).toArray(Integer[]::new);
        for (int i : order) {
            Ellipse2D dot = new Ellipse2D.Double(centreX[i] - radius[i], centreY[i] - radius[i], 2 * radius[i], 2 * radius[i]);
            g.setColor(colour(i));
            g.fill(dot);
            g.setColor(OUTLINE);
            g.setStroke(new BasicStroke(0.8f));
            g.draw(dot);
        }
        if (xy.length <= 64) { // more labels than that hide the dots
            g.setFont(Style.SMALL);
            g.setColor(Style.TEXT);
            for (int i = 0; i < xy.length; i++) {
                Text.left(g, (i / heads) + "." + (i % heads), centreX[i] + radius[i] + 2, centreY[i] + Text.centreShift(Style.SMALL));
            }
        }
        drawLegend(g, plotX + PLOT + LEGEND_GAP, plotY);
    }

    private void drawLegend(Graphics2D g, double x, double top) {
        double y = top;
        if (scale != null) {
            ColorBar.draw(g, scale, x, y, 200, colouring.name());
            y += 200 + 2 * Style.PANEL_GAP / 2.0;
        } else {
            g.setFont(Style.HEADING);
            g.setColor(Style.TEXT);
            Text.left(g, colouring.name(), x, y + Text.ascent(Style.HEADING));
            y += Text.height(Style.HEADING) + Style.GAP;
            g.setFont(Style.LABEL);
            for (int c = 0; c < colouring.categories().size(); c++) {
                g.setColor(categoryColour(c));
                g.fill(new Ellipse2D.Double(x, y + 2, 12, 12));
                g.setColor(Style.TEXT);
                Text.left(g, colouring.categories().get(c), x + 18, y + 2 + 6 + Text.centreShift(Style.LABEL));
                y += 18;
            }
            y += Style.PANEL_GAP / 2.0;
        }
        g.setFont(Style.SMALL);
        g.setColor(Style.CAPTION);
        Text.left(g, sizeNote(), x, y + Text.ascent(Style.SMALL));
        if (xy.length <= 64) {
            Text.left(g, "labels: layer.head", x, y + Text.height(Style.SMALL) + Style.GAP + Text.ascent(Style.SMALL));
        }
    }

    private String sizeNote() {
        return sizeName == null ? "all dots one size" : "dot area: |" + sizeName + "|";
    }

    private Color colour(int i) {
        if (scale != null) {
            return new Color(scale.argb(colouring.values()[i]), true);
        }
        int c = colouring.category()[i];
        return c < 0 ? Color.LIGHT_GRAY : categoryColour(c);
    }

    private static Color categoryColour(int c) {
        return Style.CATEGORIES[c % Style.CATEGORIES.length];
    }

    private static ValueScale scaleOf(double[] values) {
        double min = Arrays.stream(values).filter(Double::isFinite).min().orElse(0);
        double max = Arrays.stream(values).filter(Double::isFinite).max().orElse(1);
        return ValueScale.linear(min, Math.max(max, min));
    }

    /** Dot radii: area proportional to |score| / the largest |score|, between the two bounds. */
    private static double[] radii(double[] sizes, int n) {
        double[] out = new double[n];
        double largest = sizes == null ? 0 : Arrays.stream(sizes).filter(Double::isFinite).map(Math::abs).max().orElse(0);
        for (int i = 0; i < n; i++) {
            double f = largest > 0 && Double.isFinite(sizes[i]) ? Math.abs(sizes[i]) / largest : sizes == null ? 0.15 : 0;
            out[i] = Math.sqrt(MIN_RADIUS * MIN_RADIUS + f * (MAX_RADIUS * MAX_RADIUS - MIN_RADIUS * MIN_RADIUS));
        }
        return out;
    }

    /** A dot's centre in figure units. */
    public Point2D centre(int index) {
        return new Point2D.Double(centreX[index], centreY[index]);
    }

    public double radius(int index) {
        return radius[index];
    }

    /** "layer 3, head 2 · type: previous token · importance: 0.1234" of the dot under (x, y), or null off the dots. */
    @Override
    public String readout(double x, double y) {
        int i = headAt(x, y);
        if (i < 0) {
            return null;
        }
        String colour;
        if (colouring.values() != null) {
            colour = Text.precise(colouring.values()[i]);
        } else {
            int c = colouring.category()[i];
            colour = c < 0 ? "none" : colouring.categories().get(c);
        }
        return "layer " + i / heads + ", head " + i % heads + " \u00B7 " + colouring.name() + ": " + colour
                + (sizeName == null ? "" : " \u00B7 " + sizeName + ": " + Text.precise(sizes[i]));
    }

    /** The head (layer·heads + head) whose dot is nearest a figure point, within a few pixels of its edge; else −1. */
    public int headAt(double x, double y) {
        int best = -1;
        double bestDistance = Double.MAX_VALUE;
        for (int i = 0; i < xy.length; i++) {
            double d = Math.hypot(x - centreX[i], y - centreY[i]);
            if (d <= radius[i] + 4 && d < bestDistance) {
                best = i;
                bestDistance = d;
            }
        }
        return best;
    }
}
