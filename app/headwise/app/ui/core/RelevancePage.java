package headwise.app.ui.core;

import headwise.app.export.RelevanceFigures;
import headwise.app.export.ViewKind;
import headwise.app.session.Session;
import headwise.app.ui.page.Controls;
import headwise.app.ui.page.FigureView;
import headwise.app.ui.page.PageBase;
import headwise.engine.analysis.relevance.Faithfulness;
import headwise.engine.analysis.relevance.FaithfulnessBaseline;
import headwise.engine.analysis.relevance.RelevanceMap;
import headwise.engine.run.AnalysisResult;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Tooltip;
import javafx.util.StringConverter;

import java.util.List;

/**
 * Relevance: the input with each token (or patch) shaded by how much the chosen output rests on it, for one method
 * or all side by side, the target chosen from the run's top outputs; and, on request, the deletion/insertion
 * curves that show which map to trust on this model. Everything is computed by {@link RelevancePageModel}'s
 * background jobs; this page only draws.
 */
public final class RelevancePage extends PageBase {

    public static final String TITLE = "Relevance";

    private final RelevancePageModel model;
    private final ComboBox<String> methods = new ComboBox<>();
    private final ComboBox<RelevancePageModel.Choice> targets = new ComboBox<>();
    private final ComboBox<FaithfulnessBaseline> baselines = new ComboBox<>();
    private final Button faithfulness = new Button("Faithfulness curves");
    private final Label status = new Label();
    private final FigureView maps = FigureView.fitting();
    private final FigureView curves = FigureView.fitting();
    private Session session;
    private AnalysisResult choicesFor;

    public RelevancePage(RelevancePageModel model) {
        super(TITLE, ViewKind.RELEVANCE);
        this.model = model;
        methods.setId("relevance-method");
        methods.getItems().setAll(RelevancePageModel.methodChoices());
        methods.valueProperty().bindBidirectional(model.methodProperty());
        targets.setId("relevance-target");
        baselines.setId("relevance-baseline");
        baselines.setItems(model.baselines());
        baselines.valueProperty().bindBidirectional(model.baselineProperty());
        baselines.setConverter(new StringConverter<>() {
            @Override
            public String toString(FaithfulnessBaseline b) {
                return b == null ? "" : b.label();
            }

            @Override
            public FaithfulnessBaseline fromString(String text) {
                return null;
            }
        });
        baselines.setTooltip(new Tooltip("What a removed token or patch becomes in the faithfulness curves"));
        faithfulness.setId("relevance-faithfulness");
        faithfulness.setOnAction(e -> {
            if (session != null) {
                model.computeCurves(session);
            }
        });
        status.setId("relevance-status");
        status.textProperty().bind(model.statusProperty());
        root.setPadding(new Insets(8));
        root.setTop(Controls.toolbar(new Label("Method"), methods, new Label("   Explain"), targets, new Label("   Remove as"),
                baselines, faithfulness, status));
        RelevanceLayout centre = new RelevanceLayout(maps, curves);
        ScrollPane scroll = new ScrollPane(centre);
        scroll.setFitToWidth(true); // the figures re-lay out to the width; only the height scrolls
        scroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        scroll.viewportBoundsProperty().addListener((o, was, now) -> centre.visibleHeightProperty().set(now.getHeight()));
        root.setCenter(scroll);
        model.methodProperty().addListener((o, was, now) -> redraw());
        model.mapsProperty().addListener((o, was, now) -> redraw());
        model.curvesProperty().addListener((o, was, now) -> redraw());
        model.joinedProperty().addListener((o, was, now) -> redraw());
        targets.valueProperty().addListener((o, was, now) -> {
            model.targetProperty().set(now);
            if (session != null && now != was && model.mapsFor(session.result()) == null && !model.adoptSessionMaps(session)) {
                model.compute(session);
            }
        });
    }

    RelevancePageModel model() {
        return model;
    }

    FigureView mapsView() {
        return maps;
    }

    FigureView curvesView() {
        return curves;
    }

    @Override
    public void show(Session s) {
        session = s;
        if (s == null) {
            return;
        }
        if (choicesFor != s.result()) {
            choicesFor = s.result();
            List<RelevancePageModel.Choice> choices = RelevancePageModel.targetChoices(s.result());
            targets.getItems().setAll(choices);
            RelevancePageModel.Choice saved = model.savedChoice(choices);
            model.targetProperty().set(saved);
            model.adoptSessionMaps(s);
            targets.setValue(saved); // computes through the listener unless the session held its maps
        }
        if (model.mapsFor(s.result()) == null && !model.adoptSessionMaps(s)
                && !model.statusProperty().get().startsWith("Computing relevance")) {
            model.compute(s);
        }
        model.loadBaselines(s);
        redraw();
    }

    private static void visible(FigureView view, boolean on) {
        view.setVisible(on);
        view.setManaged(on);
    }

    private void redraw() {
        if (session == null) {
            return;
        }
        List<RelevanceMap> shown = model.mapsFor(session.result());
        faithfulness.setDisable(shown == null);
        visible(maps, shown != null);
        List<Faithfulness> f = model.curvesProperty().get();
        visible(curves, shown != null && f != null);
        if (shown == null) {
            return;
        }
        maps.show(RelevanceFigures.figure(session.result(), shown, "Relevance", model.joinedImageFor(session.result())));
        if (f == null) {
            return;
        }
        List<Faithfulness> shownCurves = f.stream().filter(c -> RelevancePageModel.ALL.equals(model.methodProperty().get())
                || c.method().equals(model.methodProperty().get())).toList();
        curves.show(RelevanceFigures.faithfulness(session.result(), shownCurves, "Faithfulness"));
    }
}
