package headwise.app.ui.page;

import headwise.app.ui.widget.Styles;
import headwise.app.export.SessionAnalysis.Part;
import headwise.app.export.ViewKind;
import headwise.app.session.Session;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.AttentionMaps;
import headwise.viz.export.PngExport;
import headwise.viz.view.CompareFigure;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

import java.awt.image.BufferedImage;

/**
 * Two runs side by side (two inputs, two models of the same shape on one input, or a run with and without an
 * intervention): one head in A and in B on one colour scale, B − A on the diverging blue–red scale, and every head's
 * entropy change. The header says what is compared; two models whose tokenizers split the input differently get a
 * one-line notice (no cell-by-cell difference). The page's own layer and head spinners start at the session's
 * selection.
 */
public final class ComparePage extends AnalysisPage {

    private final ComparePageModel model = new ComparePageModel();
    private final HeadSpinners spinners = new HeadSpinners("compare", model.headProperty());
    private final FigureView figure = FigureView.fitting();
    private final HBox bar;
    private final Label notice = new Label();
    private final VBox top;
    private CompareFigure.Run shownA;
    private CompareFigure.Run shownB;
    private boolean updating;
    private final AttentionReads reads;

    public ComparePage(ViewState state) {
        super("Compare", ViewKind.COMPARE, state);
        reads = state.attentionReads();
        model.headProperty().addListener((o, was, now) -> redraw());
        bar = Controls.toolbar(new Label("Layer"), spinners.layer, new Label("Head"), spinners.head,
                new Label("   blue: B lower than A, red: B higher"));
        notice.setId("compare-notice");
        notice.getStyleClass().add(Styles.DANGER);
        top = new VBox(4, bar);
        state.hideSinksProperty().addListener((o, was, now) -> redraw());
    }

    FigureView figureView() {
        return figure;
    }

    void select(int l, int h) {
        model.headProperty().set(new HeadIndex(l, h));
    }

    @Override
    protected void render() {
        if (session.comparison() == null) {
            root.setTop(null);
            root.setCenter(missing("Compare needs a second input (type it in the compare box), a second model of the same shape "
                    + "(File \u25b8 Compare with model\u2026) or an intervention to compare with.", Part.COMPARISON));
            return;
        }
        AttentionMaps a = session.result().attention();
        AttentionMaps b = session.comparison().attention();
        boolean models = twoModels();
        if (a.layers() != b.layers() || a.heads() != b.heads()) {
            root.setTop(null);
            root.setCenter(message("The two " + (models ? "models" : "runs") + " have different shapes (" + a.layers() + "\u00D7"
                    + a.heads() + " and " + b.layers() + "\u00D7" + b.heads() + " heads): nothing to compare head by head."));
            return;
        }
        if (models && a.length() != b.length()) {
            notice.setText("The two models split the input into different numbers of tokens (" + a.length() + " and "
                    + b.length() + "): no cell-by-cell difference, only each head and the entropy change.");
            top.getChildren().setAll(bar, notice);
        } else {
            top.getChildren().setAll(bar);
        }
        root.setTop(top);
        ScrollPane pane = new ScrollPane(figure); // the figure fills the page, scaled to fit
        pane.setFitToWidth(true);
        pane.setFitToHeight(true);
        root.setCenter(pane);
        updating = true;
        spinners.fit(a.layers(), a.heads(), new HeadIndex(session.layer(), session.headOrFirst()));
        updating = false;
        redraw();
    }

    private void redraw() {
        if (updating || session == null || session.comparison() == null) {
            return;
        }
        Session s = session;
        HeadIndex head = model.head();
        boolean hide = state.hideSinksProperty().get();
        boolean models = twoModels();
        String title = header() + (hide ? " (sinks hidden, rows renormalised)" : "");
        // both runs' heads are read while the figure is drawn: recomputed ones in the background
        reads.read(s, () -> {
            CompareFigure.Run a = run("A: ", s.result(), hide, models);
            CompareFigure.Run b = run("B: ", s.comparison(), hide, models);
            CompareFigure drawn = new CompareFigure(title, a, b, head.layer(), head.head());
            return new Drawn(a, b, drawn, PngExport.render(drawn, 1));
        }, d -> {
            if (session == s && model.head().equals(head)) {
                shownA = d.a();
                shownB = d.b();
                figure.show(d.figure(), d.image());
            }
        });
    }

    /** The two runs, their compare figure and its picture. */
    private record Drawn(CompareFigure.Run a, CompareFigure.Run b, CompareFigure figure, BufferedImage image) {
    }

    /** Whether B is another model's run of the same input (rather than another input or the run before an intervention). */
    private boolean twoModels() {
        return !session.result().modelName().equals(session.comparison().modelName());
    }

    /** What is compared, as the figure's title. */
    String header() {
        AnalysisResult a = session.result();
        AnalysisResult b = session.comparison();
        if (twoModels()) {
            return "Compare models: " + a.modelName() + " (A) vs " + b.modelName() + " (B), same input";
        }
        boolean sameInput = a.input().text() != null ? a.input().text().equals(b.input().text())
                : a.input().length() == b.input().length();
        return sameInput ? "Compare: with interventions (A) vs without (B)" : "Compare inputs: A vs B on " + a.modelName();
    }

    /** The two runs the figure shows now (tests). */
    CompareFigure.Run[] shownRuns() {
        return new CompareFigure.Run[] {shownA, shownB};
    }

    private static CompareFigure.Run run(String prefix, AnalysisResult r, boolean hide, boolean models) {
        AttentionMaps maps = hide ? SessionSinks.hidden(r.attention(), r.spec().causal()) : r.attention();
        String name = models ? r.modelName()
                : r.input().text() != null ? "\u201c" + shorten(r.input().text()) + "\u201d" : r.input().length() + " tokens";
        return new CompareFigure.Run(prefix + name, maps, r.input().tokens());
    }

    private static String shorten(String text) {
        String t = text.replaceAll("\\s+", " ").trim();
        return t.length() > 40 ? t.substring(0, 39) + "\u2026" : t;
    }
}
