package headwise.app.ui.page;

import headwise.app.ui.widget.Styles;
import headwise.app.export.PartCosts;
import headwise.app.export.SessionAnalysis.Part;
import headwise.app.export.ViewKind;
import headwise.app.session.Session;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

import java.util.Locale;

/**
 * What the analysis pages share: the root, the current session, redrawing when it changes, and the "not computed
 * yet" message whose button asks the window for the missing part.
 */
abstract class AnalysisPage extends PageBase {

    protected final ViewState state;
    protected Session session;

    AnalysisPage(String title, ViewKind exportView, ViewState state) {
        super(title, exportView);
        this.state = state;
        root.setPadding(new Insets(8));
        root.setCenter(message("No analysis yet."));
    }

    @Override
    public void show(Session s) {
        session = s;
        if (s != null) {
            render();
        }
    }

    /** Redraws the page from {@link #session} (non-null). */
    protected abstract void render();

    /** A centred grey line. */
    static Node message(String text) {
        Label label = new Label(text);
        label.setWrapText(true);
        label.getStyleClass().add(Styles.MUTED);
        VBox box = new VBox(label);
        box.setAlignment(Pos.CENTER);
        box.setPadding(new Insets(20));
        return box;
    }

    /**
     * "{what} has not been computed for this input." and a button that asks for {@code part}, saying what it costs
     * ("Compute importance — about 40 s"): parts cheap enough are computed without it.
     */
    Node missing(String what, Part part) {
        Label label = new Label(what);
        label.setWrapText(true);
        Button compute = new Button(computeLabel(part, state.estimateSeconds(part)));
        compute.setId("request-" + part.name().toLowerCase(Locale.ROOT));
        compute.setOnAction(e -> state.requestPart(part));
        HBox box = new HBox(10, label, compute);
        box.setAlignment(Pos.CENTER_LEFT);
        box.setPadding(new Insets(10));
        return box;
    }

    /** The button's text: "Compute flow", and its estimated cost when known. */
    static String computeLabel(Part part, double seconds) {
        String name = "Compute " + part.name().toLowerCase(Locale.ROOT);
        return Double.isNaN(seconds) ? name : name + " \u2014 " + PartCosts.describe(seconds);
    }
}
