package headwise.app.ui.widget;

import headwise.viz.HeatmapPyramid;
import headwise.viz.draw.Scales;
import headwise.viz.draw.Text;
import headwise.viz.draw.ValueScale;
import headwise.viz.view.Labels;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Tooltip;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

import java.util.function.Consumer;

/**
 * One head's attention as a zoomable, pannable heatmap: scroll to zoom around the mouse, drag to pan, double-click
 * to fit. Only the visible region is drawn, from a {@link HeatmapPyramid}, so 4096 tokens pan as smoothly as 16.
 * Token labels on both axes where cells are tall enough, position numbers otherwise; a colour legend on the right.
 * Click selects a query row, shift-click a key column (click again to clear). The hovered cell is reported to
 * {@link #setOnHover} and read out in a tooltip (query token, key token, weight); the hovered token of other views
 * is outlined. The cells are viridis on their own white paper, as in the exported heatmap; the labels around them
 * take the theme's text colour.
 */
public final class HeatmapView extends Region {

    /** A cell under the mouse: query, key and weight; null when the mouse is off the cells. */
    public record Hover(int query, int key, float value) {
    }

    private static final double MAX_CELL = 64;
    private static final double LABEL_CELL = 11;
    private static final double LEGEND = 78;
    private static final Font LABEL_FONT = Font.font("SansSerif", 11);
    private static final Color AXIS = Color.rgb(0x80, 0x80, 0x80);
    private static final int BACKGROUND = 0xFFF4F4F4;

    private final Canvas canvas = new Canvas();
    private final IntegerProperty selectedQuery = new SimpleIntegerProperty(this, "selectedQuery", -1);
    private final IntegerProperty selectedKey = new SimpleIntegerProperty(this, "selectedKey", -1);
    private HeatmapPyramid pyramid;
    private String[] labels = new String[0];
    private boolean log;
    private ValueScale scale = ValueScale.linear(0, 1);
    private int highlightedToken = -1;
    private double cell = 1;
    private double x0;
    private double y0;
    private double margin = 40;
    private WritableImage frame;
    private int[] pixels = new int[0];
    private Consumer<Hover> onHover = h -> { };
    private double dragX;
    private double dragY;
    private boolean dragged;
    /** Whether the whole matrix is shown (not zoomed in by the user): a resize then fits it again. */
    private boolean fitted = true;
    private final CursorReadout readout = new CursorReadout(canvas);
    /** An invisible label that CSS styles like any text, so the labels drawn here follow the theme. */
    private final javafx.scene.control.Label inkProbe = new javafx.scene.control.Label();

    public HeatmapView() {
        inkProbe.setVisible(false);
        inkProbe.setManaged(false);
        getChildren().addAll(canvas, inkProbe);
        getStyleClass().add("heatmap-view");
        setMinSize(200, 200);
        setPrefSize(640, 560);
        canvas.addEventHandler(ScrollEvent.SCROLL, this::zoom);
        canvas.addEventHandler(MouseEvent.MOUSE_PRESSED, e -> {
            dragX = e.getX();
            dragY = e.getY();
            dragged = false;
        });
        canvas.addEventHandler(MouseEvent.MOUSE_DRAGGED, this::pan);
        canvas.addEventHandler(MouseEvent.MOUSE_CLICKED, this::click);
        canvas.addEventHandler(MouseEvent.MOUSE_MOVED, e -> hover(cellAt(e.getX(), e.getY())));
        canvas.addEventHandler(MouseEvent.MOUSE_EXITED, e -> hover(null));
        readout.tooltip().setId("heatmap-readout");
        readout.tooltip().setShowDelay(javafx.util.Duration.millis(150));
        selectedQuery.addListener((o, a, b) -> draw());
        selectedKey.addListener((o, a, b) -> draw());
    }

    /** Shows a new matrix; keeps the zoom when the length is the same (another head of the same run). */
    public void setMatrix(float[] matrix, int length, String[] tokens) {
        boolean sameShape = pyramid != null && pyramid.length() == length;
        pyramid = new HeatmapPyramid(matrix, length);
        labels = new String[length];
        for (int i = 0; i < length; i++) {
            labels[i] = tokens == null ? Integer.toString(i) : Labels.shorten(tokens[i]);
        }
        margin = labelMargin();
        if (!sameShape) {
            selectedQuery.set(-1);
            selectedKey.set(-1);
            fit();
        }
        updateScale();
        draw();
    }

    public void setLogScale(boolean on) {
        log = on;
        updateScale();
        draw();
    }

    public void setHighlightedToken(int token) {
        highlightedToken = token;
        draw();
    }

    /** Tells the listener and shows the cell's readout in the tooltip (none off the cells). */
    private void hover(Hover at) {
        onHover.accept(at);
        readout.show(at == null ? null : describe(at));
    }

    /** "query 2 “is” → key 3 “all”: 0.5312". */
    public String describe(Hover at) {
        return "query " + at.query() + " \u201C" + labels[at.query()] + "\u201D \u2192 key " + at.key() + " \u201C" + labels[at.key()]
                + "\u201D: " + Text.precise(at.value());
    }

    /** The tooltip with the value under the cursor. */
    public Tooltip readout() {
        return readout.tooltip();
    }

    /** The colour scale the cells are drawn with now (the exported heatmap's: {@link Scales#attention}). */
    public ValueScale scale() {
        return scale;
    }

    public void setOnHover(Consumer<Hover> listener) {
        onHover = listener == null ? h -> { } : listener;
    }

    /** The selected query row, −1 for none. */
    public IntegerProperty selectedQueryProperty() {
        return selectedQuery;
    }

    /** The selected key column, −1 for none. */
    public IntegerProperty selectedKeyProperty() {
        return selectedKey;
    }

    /** Zooms so the whole matrix fits. */
    public void fit() {
        if (pyramid == null) {
            return;
        }
        double side = Math.max(1, Math.min(plotWidth(), plotHeight()));
        cell = Math.min(MAX_CELL, side / pyramid.length());
        x0 = 0;
        y0 = 0;
        fitted = true;
    }

    /** Zooms by {@code factor} around the plot point (px, py) (canvas coordinates). */
    public void zoomBy(double factor, double px, double py) {
        if (pyramid == null) {
            return;
        }
        double minCell = Math.min(MAX_CELL, Math.max(1, Math.min(plotWidth(), plotHeight())) / pyramid.length());
        double next = Math.max(minCell, Math.min(MAX_CELL, cell * factor));
        double keyAt = x0 + (px - margin) / cell;
        double queryAt = y0 + (py - margin) / cell;
        cell = next;
        fitted = cell <= minCell;
        x0 = keyAt - (px - margin) / cell;
        y0 = queryAt - (py - margin) / cell;
        clampOffsets();
        draw();
    }

    /** The cell at canvas point (x, y), or null outside the cells. */
    public Hover cellAt(double x, double y) {
        if (pyramid == null || x < margin || y < margin || x >= margin + plotWidth() || y >= margin + plotHeight()) {
            return null;
        }
        int key = (int) Math.floor(x0 + (x - margin) / cell);
        int query = (int) Math.floor(y0 + (y - margin) / cell);
        if (key < 0 || query < 0 || key >= pyramid.length() || query >= pyramid.length()) {
            return null;
        }
        return new Hover(query, key, pyramid.value(query, key));
    }

    /** Canvas point at the centre of cell (query, key). */
    public double[] centreOf(int query, int key) {
        return new double[] {margin + (key + 0.5 - x0) * cell, margin + (query + 0.5 - y0) * cell};
    }

    private void updateScale() {
        if (pyramid != null) {
            scale = Scales.attention(pyramid.max(), pyramid.smallestPositive(), log);
        }
    }

    private double labelMargin() {
        double widest = 0;
        javafx.scene.text.Text probe = new javafx.scene.text.Text();
        probe.setFont(LABEL_FONT);
        int step = Math.max(1, labels.length / 400); // measuring thousands of labels is slow; sample them
        for (int i = 0; i < labels.length; i += step) {
            probe.setText(labels[i]);
            widest = Math.max(widest, probe.getLayoutBounds().getWidth());
        }
        return Math.max(40, Math.min(140, widest + 10));
    }

    private double plotWidth() {
        return Math.max(0, getWidth() - margin - LEGEND);
    }

    private double plotHeight() {
        return Math.max(0, getHeight() - margin - 8);
    }

    private void clampOffsets() {
        double visibleX = plotWidth() / cell;
        double visibleY = plotHeight() / cell;
        int n = pyramid.length();
        x0 = Math.max(0, Math.min(x0, Math.max(0, n - visibleX)));
        y0 = Math.max(0, Math.min(y0, Math.max(0, n - visibleY)));
    }

    private void zoom(ScrollEvent e) {
        if (e.getDeltaY() != 0) {
            zoomBy(Math.pow(1.15, e.getDeltaY() / 40), e.getX(), e.getY());
        }
        e.consume();
    }

    private void pan(MouseEvent e) {
        if (pyramid == null) {
            return;
        }
        dragged = true;
        x0 -= (e.getX() - dragX) / cell;
        y0 -= (e.getY() - dragY) / cell;
        dragX = e.getX();
        dragY = e.getY();
        clampOffsets();
        draw();
    }

    private void click(MouseEvent e) {
        if (dragged || e.getButton() != MouseButton.PRIMARY) {
            return;
        }
        if (e.getClickCount() == 2) {
            fit();
            draw();
            return;
        }
        Hover at = cellAt(e.getX(), e.getY());
        if (at == null) {
            return;
        }
        if (e.isShiftDown()) {
            selectedKey.set(selectedKey.get() == at.key() ? -1 : at.key());
        } else {
            selectedQuery.set(selectedQuery.get() == at.query() ? -1 : at.query());
        }
    }

    @Override
    protected void layoutChildren() {
        double w = getWidth();
        double h = getHeight();
        if (canvas.getWidth() != w || canvas.getHeight() != h) {
            boolean first = canvas.getWidth() == 0;
            canvas.setWidth(w);
            canvas.setHeight(h);
            if (first || fitted || cell * (pyramid == null ? 0 : pyramid.length()) < Math.min(plotWidth(), plotHeight())) {
                fit();
            }
            draw();
        }
    }

    /** Redraws the visible region. */
    public void draw() {
        GraphicsContext g = canvas.getGraphicsContext2D();
        g.clearRect(0, 0, canvas.getWidth(), canvas.getHeight()); // the page's own background shows around the cells
        if (pyramid == null) {
            return;
        }
        // the plot ends where the matrix does: no empty band when the whole matrix is smaller than the view
        int w = (int) Math.min(plotWidth(), Math.ceil((pyramid.length() - x0) * cell));
        int h = (int) Math.min(plotHeight(), Math.ceil((pyramid.length() - y0) * cell));
        if (w < 1 || h < 1) {
            return;
        }
        if (frame == null || (int) frame.getWidth() != w || (int) frame.getHeight() != h) {
            frame = new WritableImage(w, h);
            pixels = new int[w * h];
        }
        pyramid.render(pixels, w, h, x0, y0, cell, scale, BACKGROUND);
        frame.getPixelWriter().setPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), pixels, 0, w);
        g.drawImage(frame, margin, margin);
        drawMarks(g, w, h);
        drawAxes(g, w, h);
        drawLegend(g, margin + w + 16, h);
    }

    private void drawMarks(GraphicsContext g, int w, int h) {
        g.save();
        g.beginPath();
        g.rect(margin, margin, w, h);
        g.clip();
        if (highlightedToken >= 0 && highlightedToken < pyramid.length()) {
            g.setStroke(Color.rgb(255, 255, 255, 0.85));
            g.setLineWidth(1.5);
            g.strokeRect(margin + (highlightedToken - x0) * cell, margin - 2, cell, h + 4);
            g.strokeRect(margin - 2, margin + (highlightedToken - y0) * cell, w + 4, cell);
        }
        g.setStroke(Color.rgb(0xE6, 0x39, 0x46));
        g.setLineWidth(2);
        if (selectedQuery.get() >= 0) {
            g.strokeRect(margin - 1, margin + (selectedQuery.get() - y0) * cell, w + 2, Math.max(cell, 2));
        }
        if (selectedKey.get() >= 0) {
            g.strokeRect(margin + (selectedKey.get() - x0) * cell, margin - 1, Math.max(cell, 2), h + 2);
        }
        g.restore();
        g.setStroke(Color.rgb(0xB0, 0xB0, 0xB0));
        g.setLineWidth(1);
        g.strokeRect(margin - 0.5, margin - 0.5, w + 1, h + 1);
    }

    /** Token labels where a cell holds a line of text, else every n-th position number. */
    private void drawAxes(GraphicsContext g, int w, int h) {
        int n = pyramid.length();
        int lastKey = Math.min(n - 1, (int) Math.ceil(x0 + w / cell));
        int lastQuery = Math.min(n - 1, (int) Math.ceil(y0 + h / cell));
        boolean words = cell >= LABEL_CELL;
        int step = words ? 1 : niceStep(48 / cell);
        g.setFont(LABEL_FONT);
        g.setTextBaseline(VPos.CENTER);
        for (int q = Math.max(0, (int) Math.floor(y0) / step * step); q <= lastQuery; q += step) {
            double y = margin + (q + 0.5 - y0) * cell;
            if (y < margin || y > margin + h) {
                continue;
            }
            g.setFill(q == highlightedToken || q == selectedQuery.get() ? Color.rgb(0xE6, 0x39, 0x46) : ink());
            g.setTextAlign(TextAlignment.RIGHT);
            g.fillText(words ? labels[q] : Integer.toString(q), margin - 4, y);
        }
        for (int k = Math.max(0, (int) Math.floor(x0) / step * step); k <= lastKey; k += step) {
            double x = margin + (k + 0.5 - x0) * cell;
            if (x < margin || x > margin + w) {
                continue;
            }
            g.setFill(k == highlightedToken || k == selectedKey.get() ? Color.rgb(0xE6, 0x39, 0x46) : ink());
            g.save();
            g.translate(x, margin - 4);
            g.rotate(-90);
            g.setTextAlign(TextAlignment.LEFT);
            g.fillText(words ? labels[k] : Integer.toString(k), 0, 0);
            g.restore();
        }
        g.setFill(AXIS);
        g.setTextAlign(TextAlignment.LEFT);
        g.setTextBaseline(VPos.TOP);
        g.fillText("keys \u2192", 2, 2);
    }

    /** The text colour: the theme's (a Label's text fill under this view's style), black before styling. */
    private Color ink() {
        inkProbe.applyCss();
        return inkProbe.getTextFill() instanceof Color c ? c : Color.BLACK;
    }

    /** The smallest of 1, 2, 5, 10, 20, 50, … that is at least {@code raw}. */
    static int niceStep(double raw) {
        for (int decade = 1; ; decade *= 10) {
            for (int m : new int[] {1, 2, 5}) {
                if (m * decade >= raw) {
                    return m * decade;
                }
            }
        }
    }

    private void drawLegend(GraphicsContext g, double x, int h) {
        double height = Math.max(60, Math.min(h, 320));
        for (int line = 0; line < height; line++) {
            int argb = scale.argbAt(1 - line / Math.max(1, height - 1));
            g.setFill(Color.rgb(argb >> 16 & 0xFF, argb >> 8 & 0xFF, argb & 0xFF));
            g.fillRect(x, margin + line, 14, 1);
        }
        g.setStroke(Color.rgb(0xB0, 0xB0, 0xB0));
        g.strokeRect(x - 0.5, margin - 0.5, 15, height + 1);
        g.setFill(ink());
        g.setFont(LABEL_FONT);
        g.setTextAlign(TextAlignment.LEFT);
        g.setTextBaseline(VPos.CENTER);
        for (ValueScale.Tick t : scale.ticks()) {
            g.fillText(t.label(), x + 18, margin + (1 - t.fraction()) * height);
        }
        g.setFill(AXIS);
        g.fillText(scale.describe(), x, margin + height + 12);
    }
}
