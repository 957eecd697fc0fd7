package headwise.app.ui.page;

import headwise.app.export.SessionAnalysis.Part;
import headwise.app.export.ViewKind;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.AttentionMaps;
import headwise.viz.view.CompareFigure;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory.IntegerSpinnerValueFactory;
import javafx.scene.layout.HBox;

/**
 * Two runs side by side (two inputs, or a run with and without an intervention): one head in A and in B on one
 * colour scale, B − A on the diverging blue–red scale, and every head's entropy change. The page's own layer and
 * head spinners start at the session's selection.
 */
public final class ComparePage extends AnalysisPage {

    private final Spinner<Integer> layer = new Spinner<>(0, 0, 0);
    private final Spinner<Integer> head = new Spinner<>(0, 0, 0);
    private final FigureView figure = new FigureView();
    private final HBox bar;
    private boolean updating;

    public ComparePage(ViewState state) {
        super(state);
        layer.setId("compare-layer");
        head.setId("compare-head");
        for (Spinner<Integer> s : new Spinner[] {layer, head}) {
            s.setPrefWidth(80);
            s.valueProperty().addListener((o, was, now) -> redraw());
        }
        bar = new HBox(8, new Label("Layer"), layer, new Label("Head"), head,
                new Label("   blue: B lower than A, red: B higher"));
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(0, 0, 8, 0));
        state.hideSinksProperty().addListener((o, was, now) -> redraw());
    }

    @Override
    public String title() {
        return "Compare";
    }

    @Override
    public ViewKind exportView() {
        return ViewKind.COMPARE;
    }

    FigureView figureView() {
        return figure;
    }

    void select(int l, int h) {
        updating = true;
        layer.getValueFactory().setValue(l);
        updating = false;
        head.getValueFactory().setValue(h);
    }

    @Override
    protected void render() {
        if (session.comparison() == null) {
            root.setTop(null);
            root.setCenter(missing("Compare needs a second input (type it in the compare box) or an intervention to compare with.",
                    Part.COMPARISON));
            return;
        }
        AttentionMaps a = session.result().attention();
        AttentionMaps b = session.comparison().attention();
        if (a.layers() != b.layers() || a.heads() != b.heads()) {
            root.setTop(null);
            root.setCenter(message("The two runs have different shapes (" + a.layers() + "\u00D7" + a.heads() + " and "
                    + b.layers() + "\u00D7" + b.heads() + " heads): nothing to compare head by head."));
            return;
        }
        root.setTop(bar);
        root.setCenter(new ScrollPane(figure));
        updating = true;
        layer.setValueFactory(new IntegerSpinnerValueFactory(0, a.layers() - 1, session.layer()));
        head.setValueFactory(new IntegerSpinnerValueFactory(0, a.heads() - 1, session.headOrFirst()));
        updating = false;
        redraw();
    }

    private void redraw() {
        if (updating || session == null || session.comparison() == null || layer.getValue() == null || head.getValue() == null) {
            return;
        }
        boolean hide = state.hideSinksProperty().get();
        figure.show(new CompareFigure("Compare" + (hide ? " (sinks hidden, rows renormalised)" : ""),
                run("A: ", session.result(), hide), run("B: ", session.comparison(), hide), layer.getValue(), head.getValue()));
    }

    private static CompareFigure.Run run(String prefix, AnalysisResult r, boolean hide) {
        AttentionMaps maps = hide ? SessionSinks.hidden(r.attention(), r.spec().causal()) : r.attention();
        String name = r.input().text() != null ? "\u201c" + shorten(r.input().text()) + "\u201d" : r.input().length() + " tokens";
        return new CompareFigure.Run(prefix + name, maps, r.input().tokens());
    }

    private static String shorten(String text) {
        String t = text.replaceAll("\\s+", " ").trim();
        return t.length() > 40 ? t.substring(0, 39) + "\u2026" : t;
    }
}
