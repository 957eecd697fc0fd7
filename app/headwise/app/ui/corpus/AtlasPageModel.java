package headwise.app.ui.corpus;

import headwise.app.session.Session;
import headwise.app.ui.model.AppModel;
import headwise.engine.corpus.CorpusResults;
import headwise.engine.run.AnalysisResult;
import headwise.viz.corpus.AtlasData;
import headwise.viz.corpus.AtlasFigures;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

import java.util.List;

/**
 * The Atlas page's state: which atlas (the current input's, computed as a side job from its attention, or the corpus
 * run's from the Corpus page), how dots are coloured and sized, and the head under the mouse. FX thread only.
 */
public final class AtlasPageModel {

    public static final String THIS_INPUT = "this input";
    public static final String CORPUS = "corpus run";

    private final AppModel app;
    private final CorpusPageModel corpus;
    private final StringProperty source = new SimpleStringProperty(THIS_INPUT);
    private final StringProperty colourBy = new SimpleStringProperty(AtlasFigures.BY_LAYER);
    private final StringProperty sizeBy = new SimpleStringProperty(AtlasFigures.NO_SIZE);
    private final ObjectProperty<AtlasData> data = new SimpleObjectProperty<>();
    private final IntegerProperty hovered = new SimpleIntegerProperty(-1);
    private final StringProperty status = new SimpleStringProperty("");
    private AnalysisResult promptAtlasFor;
    private AtlasData promptAtlas;

    public AtlasPageModel(AppModel app, CorpusPageModel corpus) {
        this.app = app;
        this.corpus = corpus;
        source.addListener((o, was, now) -> refresh(app.session()));
        corpus.resultsProperty().addListener((o, was, now) -> {
            if (CORPUS.equals(source.get())) {
                refresh(app.session());
            }
        });
    }

    public StringProperty sourceProperty() {
        return source;
    }

    public StringProperty colourByProperty() {
        return colourBy;
    }

    public StringProperty sizeByProperty() {
        return sizeBy;
    }

    /** The atlas shown, or null while it is computed (or when the corpus has no run yet). */
    public ObjectProperty<AtlasData> dataProperty() {
        return data;
    }

    public IntegerProperty hoveredProperty() {
        return hovered;
    }

    public StringProperty statusProperty() {
        return status;
    }

    public static List<String> sources() {
        return List.of(THIS_INPUT, CORPUS);
    }

    /** Shows the atlas of the chosen source for {@code session} (the current input), computing it when new. */
    public void refresh(Session session) {
        if (CORPUS.equals(source.get())) {
            CorpusResults r = corpus.resultsProperty().get();
            data.set(r == null ? null : AtlasData.ofCorpus(r));
            status.set(r == null ? "No corpus run yet: run one on the Corpus page, or open its output folder there" : "");
            return;
        }
        if (session == null) {
            data.set(null);
            return;
        }
        AnalysisResult result = session.result();
        double[][] importance = session.ablation() != null ? session.ablation().deltaLoss()
                : session.gradient() != null ? session.gradient().importance() : null;
        String importanceName = session.ablation() != null ? "ablation \u0394loss" : "gradient importance";
        if (promptAtlasFor == result && promptAtlas != null && promptAtlas.importance() == importance) {
            data.set(promptAtlas);
            return;
        }
        promptAtlasFor = result;
        promptAtlas = null;
        data.set(null);
        status.set("Computing the head atlas of this input\u2026");
        app.runner().sideJob("head atlas", model -> AtlasData.ofPrompt(result, importance, importanceName), done -> {
            if (promptAtlasFor == result) {
                promptAtlas = done;
                status.set("");
                if (THIS_INPUT.equals(source.get())) {
                    data.set(done);
                }
            }
        }, problem -> status.set("Atlas: " + problem));
    }
}
