package headwise.app.ui.corpus;

import headwise.app.export.ViewKind;
import headwise.app.session.Session;
import headwise.app.ui.page.Controls;
import headwise.app.ui.page.FigureView;
import headwise.app.ui.page.OwnFigure;
import headwise.app.ui.page.PageBase;
import headwise.app.ui.page.ViewState;
import headwise.viz.corpus.AtlasData;
import headwise.viz.corpus.AtlasFigure;
import headwise.viz.corpus.AtlasFigures;
import headwise.viz.corpus.PatternThumbnailFigure;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.VBox;

import java.awt.geom.Rectangle2D;

/**
 * Atlas: every head a dot placed by how alike the heads attend (on the current input, or over a corpus run),
 * coloured by layer, head type or a metric, sized by importance or a metric. Hovering a dot shows the head's
 * (mean) pattern beside the atlas; clicking it opens the head on the Head page.
 */
public final class AtlasPage extends PageBase {

    public static final String TITLE = "Atlas";

    private final AtlasPageModel model;
    private final ViewState state;
    private final ComboBox<String> source = new ComboBox<>(FXCollections.observableArrayList(AtlasPageModel.sources()));
    private final ComboBox<String> colourBy = new ComboBox<>();
    private final ComboBox<String> sizeBy = new ComboBox<>();
    private final Label status = new Label();
    private final Label hoverNote = new Label("Hover a dot to see its head's pattern; click it to open the head.");
    private final FigureView atlas = FigureView.fitting();
    private final FigureView thumbnail = new FigureView();
    private AtlasFigure shown;
    private Session session;

    public AtlasPage(AtlasPageModel model, ViewState state) {
        super(TITLE, ViewKind.ATLAS);
        this.model = model;
        this.state = state;
        source.setId("atlas-source");
        source.valueProperty().bindBidirectional(model.sourceProperty());
        colourBy.setId("atlas-colour");
        sizeBy.setId("atlas-size");
        status.setId("atlas-status");
        status.textProperty().bind(model.statusProperty());
        atlas.setId("atlas-figure");
        thumbnail.setId("atlas-thumbnail");
        hoverNote.setWrapText(true);
        hoverNote.setMaxWidth(200);
        root.setPadding(new Insets(8));
        root.setTop(Controls.toolbar(new Label("Atlas of"), source, new Label("Colour by"), colourBy, new Label("Size by"), sizeBy, status));
        VBox side = new VBox(8, thumbnail, hoverNote);
        side.setPadding(new Insets(0, 0, 0, 8));
        root.setCenter(new BorderPane(atlas, null, side, null, null));
        colourBy.valueProperty().addListener((o, was, now) -> {
            if (now != null) {
                model.colourByProperty().set(now);
            }
        });
        sizeBy.valueProperty().addListener((o, was, now) -> {
            if (now != null) {
                model.sizeByProperty().set(now);
            }
        });
        model.dataProperty().addListener((o, was, now) -> redraw());
        model.colourByProperty().addListener((o, was, now) -> redraw());
        model.sizeByProperty().addListener((o, was, now) -> redraw());
        model.hoveredProperty().addListener((o, was, now) -> showHovered());
        atlas.onMouse(MouseEvent.MOUSE_MOVED, (x, y) -> model.hoveredProperty().set(shown == null ? -1 : shown.headAt(x, y)));
        atlas.onMouse(MouseEvent.MOUSE_CLICKED, (x, y) -> {
            int index = shown == null ? -1 : shown.headAt(x, y);
            AtlasData d = model.dataProperty().get();
            if (index >= 0 && d != null) {
                state.openHead(index / d.atlas().heads(), index % d.atlas().heads());
            }
        });
        redraw();
    }

    public AtlasPageModel model() {
        return model;
    }

    /** The window's Export… writes the atlas as shown (its source, colours and sizes); before one is drawn, the session's. */
    @Override
    public OwnFigure ownFigure() {
        return shown == null ? null : OwnFigure.of("Head atlas", "atlas", shown);
    }

    public FigureView atlasView() {
        return atlas;
    }

    public FigureView thumbnailView() {
        return thumbnail;
    }

    public AtlasFigure shownFigure() {
        return shown;
    }

    @Override
    public void show(Session s) {
        session = s;
        model.refresh(s);
    }

    private void redraw() {
        AtlasData d = model.dataProperty().get();
        atlas.setVisible(d != null);
        thumbnail.setVisible(false);
        if (d == null) {
            shown = null;
            return;
        }
        choices(colourBy, AtlasFigures.colourChoices(d), model.colourByProperty().get());
        choices(sizeBy, AtlasFigures.sizeChoices(d), model.sizeByProperty().get());
        shown = AtlasFigures.figure(d, colourBy.getValue(), sizeBy.getValue());
        atlas.show(shown);
        if (session != null && AtlasPageModel.THIS_INPUT.equals(model.sourceProperty().get()) && session.head() >= 0) {
            mark(session.layer() * d.atlas().heads() + session.head());
        }
        showHovered();
    }

    private void showHovered() {
        AtlasData d = model.dataProperty().get();
        int index = model.hoveredProperty().get();
        PatternThumbnailFigure f = d == null || index < 0 ? null : AtlasFigures.thumbnail(d, index);
        thumbnail.setVisible(f != null);
        if (f != null) {
            thumbnail.show(f);
        }
    }

    private void mark(int index) {
        var c = shown.centre(index);
        double r = shown.radius(index) + 3;
        atlas.mark(new Rectangle2D.Double(c.getX() - r, c.getY() - r, 2 * r, 2 * r));
    }

    /** Offers {@code items}, keeping {@code wanted} when it is one of them (else the first). */
    private static void choices(ComboBox<String> box, java.util.List<String> items, String wanted) {
        if (!box.getItems().equals(items)) {
            box.getItems().setAll(items);
        }
        box.setValue(items.contains(wanted) ? wanted : items.get(0));
    }
}
