package headwise.app.ui.page;

import headwise.app.export.MetricsMap;
import headwise.app.export.SessionAnalysis.Part;
import headwise.app.export.ViewKind;
import headwise.app.session.Session;
import headwise.app.ui.page.FlowPageModel.Mode;
import headwise.engine.analysis.flow.ContributionGraph;
import headwise.viz.view.FlowGraphFigure;
import javafx.scene.Node;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Slider;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.HBox;

import java.awt.geom.Rectangle2D;
import java.util.Locale;

/**
 * Information flow: the contribution routes as a token × layer graph whose threshold slider filters the computed
 * graph at once, or attention rollout / max-flow as heatmaps; optionally beside the raw attention of the selected
 * layer (or head). Hovering a token marks it in both pictures.
 */
public final class FlowPage extends AnalysisPage {

    private final FlowPageModel model = new FlowPageModel();
    private final ToggleGroup modes = new ToggleGroup();
    private final Slider threshold = new Slider(0, 1, 0);
    private final Label thresholdText = new Label();
    private final CheckBox besideRaw = new CheckBox("Beside raw attention");
    private final FigureView main = FigureView.fitting();
    private final FigureView raw = FigureView.fitting();
    private final ScrollPane mainPane = new ScrollPane();
    private final ScrollPane rawPane = new ScrollPane(raw);
    private ContributionGraph shown;
    private final AttentionReads reads;

    public FlowPage(ViewState state) {
        super("Flow", ViewKind.FLOW, state);
        reads = state.attentionReads();
        HBox bar = Controls.toolbar();
        for (Mode m : Mode.values()) { // one toggle per mode, showing and setting the model's mode
            ToggleButton b = new ToggleButton(switch (m) {
                case ROUTES -> "Routes";
                case ROLLOUT -> "Rollout";
                case MAX_FLOW -> "Max-flow";
            });
            b.setId("flow-" + m.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            b.setUserData(m);
            b.setToggleGroup(modes);
            bar.getChildren().add(b);
        }
        modes.selectToggle(modes.getToggles().get(0));
        modes.selectedToggleProperty().addListener((o, was, now) -> {
            if (now == null) {
                modes.selectToggle(was); // one mode is always on
            } else {
                model.modeProperty().set((Mode) now.getUserData());
            }
        });
        model.modeProperty().addListener((o, was, now) -> {
            modes.getToggles().stream().filter(t -> t.getUserData() == now).findFirst().ifPresent(modes::selectToggle);
            redraw();
        });
        threshold.setId("flow-threshold");
        threshold.setPrefWidth(220);
        threshold.valueProperty().bindBidirectional(model.thresholdProperty());
        model.thresholdProperty().addListener((o, was, now) -> redraw());
        thresholdText.setId("flow-threshold-text");
        thresholdText.setMinWidth(200);
        besideRaw.setId("flow-beside-raw");
        besideRaw.selectedProperty().bindBidirectional(model.besideRawProperty());
        model.besideRawProperty().addListener((o, was, now) -> redraw());
        bar.getChildren().addAll(new Label("   Edge threshold"), threshold, thresholdText, besideRaw);
        root.setTop(bar);
        mainPane.setContent(main);
        for (ScrollPane pane : new ScrollPane[] {mainPane, rawPane}) { // the figures fill the page, scaled to fit
            pane.setFitToWidth(true);
            pane.setFitToHeight(true);
        }
        HBox centre = new HBox(12, mainPane, rawPane);
        HBox.setHgrow(mainPane, javafx.scene.layout.Priority.ALWAYS);
        HBox.setHgrow(rawPane, javafx.scene.layout.Priority.ALWAYS);
        root.setCenter(centre);

        main.onMouse(MouseEvent.MOUSE_MOVED, (x, y) -> state.hoveredTokenProperty().set(tokenAt(x, y)));
        main.onMouse(MouseEvent.MOUSE_EXITED, (x, y) -> state.hoveredTokenProperty().set(-1));
        TokenMatrices.hoverKeys(raw, state);
        state.hoveredTokenProperty().addListener((o, was, now) -> markHovered());
        state.hideSinksProperty().addListener((o, was, now) -> redraw());
    }

    Mode mode() {
        return model.modeProperty().get();
    }

    Slider thresholdSlider() {
        return threshold;
    }

    /** The graph drawn now (after the slider), or null when the routes are not shown. */
    ContributionGraph shownGraph() {
        return shown;
    }

    FigureView mainView() {
        return main;
    }

    FigureView rawView() {
        return raw;
    }

    CheckBox besideRawBox() {
        return besideRaw;
    }

    @Override
    protected void render() {
        ContributionGraph g = session.flow();
        if (g != null) {
            double low = g.threshold();
            double high = Math.max(low, g.edges().stream().mapToDouble(ContributionGraph.Edge::weight).max().orElse(low));
            boolean fresh = threshold.getMin() != low || threshold.getMax() != high;
            threshold.setMin(low);
            threshold.setMax(high);
            if (fresh) {
                threshold.setValue(low);
            }
        }
        redraw();
    }

    private void redraw() {
        if (session == null) {
            return;
        }
        shown = null;
        threshold.setDisable(mode() != Mode.ROUTES || session.flow() == null);
        thresholdText.setText("");
        Node left = switch (mode()) {
            case ROUTES -> routes();
            case ROLLOUT -> rollout();
            case MAX_FLOW -> maxFlow();
        };
        mainPane.setContent(left);
        rawPane.setVisible(model.besideRawProperty().get());
        rawPane.setManaged(model.besideRawProperty().get());
        if (model.besideRawProperty().get()) {
            drawRaw();
        }
        markHovered();
    }

    private Node routes() {
        ContributionGraph g = session.flow();
        if (g == null) {
            return missing("The information-flow graph has not been computed for this input.", Part.FLOW);
        }
        shown = FlowFilter.above(g, model.thresholdProperty().get());
        thresholdText.setText(String.format(Locale.ROOT, "\u2265 %.3f \u00b7 %d of %d edges", model.thresholdProperty().get(),
                shown.edges().size(), g.edges().size()));
        main.show(new FlowGraphFigure(shown, session.tokens(), "Information flow"));
        return main;
    }

    private Node rollout() {
        double[][] r = MetricsMap.matrix(session.metrics(), "rollout");
        if (r == null) {
            return missing("Attention rollout comes with the metrics, which have not been computed.", Part.METRICS);
        }
        main.show(TokenMatrices.of("Attention rollout", "row: output position, column: input token it draws on (all layers)",
                r, session.tokens(), "rollout"));
        return main;
    }

    private Node maxFlow() {
        if (session.metrics() == null) {
            return missing("Attention max-flow comes with the metrics, which have not been computed.", Part.METRICS);
        }
        double[][] f = MetricsMap.matrix(session.metrics(), "attention_flow", "normalised");
        if (f == null) {
            return message("Max-flow is computed for inputs of at most 64 tokens; this one has "
                    + session.result().input().length() + ".");
        }
        main.show(TokenMatrices.of("Attention max-flow", "row: output position, column: input token; flow values, each row normalised",
                f, session.tokens(), "flow share"));
        return main;
    }

    private void drawRaw() {
        Session s = session;
        boolean hide = state.hideSinksProperty().get();
        reads.read(s, () -> s.head() < 0 ? SessionSinks.layerMean(s, s.layer(), hide) : SessionSinks.head(s, s.layer(), s.head(), hide), m -> {
            if (session == s) {
                drawRaw(m, hide);
            }
        });
    }

    /** The raw attention beside the flow, {@code m} the matrix as drawn. */
    private void drawRaw(float[] m, boolean hide) {
        int layer = session.layer();
        int t = session.result().attention().length();
        String which = session.head() < 0 ? "mean of the heads" : "head " + session.head();
        raw.show(TokenMatrices.of("Raw attention, layer " + layer + ", " + which,
                "rows: queries, columns: keys" + (hide ? "; sink keys hidden, rows renormalised" : ""), m, t, session.tokens(), "attention"));
    }

    /** The token column under a point of the routes graph, or −1. */
    private int tokenAt(double x, double y) {
        if (shown == null || !(main.figure() instanceof FlowGraphFigure f)) {
            return -1;
        }
        double[] first = f.node(0, 0);
        double pitch = shown.tokens() > 1 ? f.node(0, 1)[0] - first[0] : 40;
        int t = (int) Math.round((x - first[0]) / pitch);
        double top = f.node(shown.layers(), 0)[1] - pitch / 2;
        return t >= 0 && t < shown.tokens() && y >= top && y <= first[1] + pitch / 2 ? t : -1;
    }

    private void markHovered() {
        int token = state.hoveredTokenProperty().get();
        if (shown != null && main.figure() instanceof FlowGraphFigure f) {
            main.clearMarks();
            if (token >= 0 && token < shown.tokens()) {
                double[] bottom = f.node(0, token);
                double[] top = f.node(shown.layers(), token);
                double half = shown.tokens() > 1 ? (f.node(0, 1)[0] - f.node(0, 0)[0]) / 2 : 12;
                main.mark(new Rectangle2D.Double(bottom[0] - half, top[1] - 10, 2 * half, bottom[1] - top[1] + 20));
            }
        } else {
            TokenMatrices.markToken(main, token);
        }
        if (model.besideRawProperty().get()) {
            TokenMatrices.markToken(raw, token);
        }
    }
}
