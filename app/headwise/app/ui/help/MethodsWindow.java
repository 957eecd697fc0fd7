package headwise.app.ui.help;

import headwise.app.ui.ThemeStyles;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import javafx.stage.Window;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Help > Methods: one window listing every page's measures ({@link Methods}); a page's "?" opens it at that page's
 * entry, highlighted and scrolled into view. Made once, then shown again.
 */
public final class MethodsWindow {

    private final Methods methods = Methods.load();
    private final Map<String, VBox> sections = new LinkedHashMap<>();
    private final VBox content = new VBox();
    private final ScrollPane scroll = new ScrollPane(content);
    private Stage stage;
    private String shown;

    /** The node id of a page's entry ("methods-model-view"). */
    public static String entryId(String page) {
        return "methods-" + page.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    }

    public MethodsWindow() {
        Label about = new Label(methods.about());
        about.setWrapText(true);
        about.setPadding(new Insets(10));
        content.getChildren().add(about);
        for (Methods.PageEntry page : methods.pages()) {
            VBox section = section(page);
            sections.put(page.page(), section);
            content.getChildren().add(section);
        }
        content.setFillWidth(true);
        scroll.setFitToWidth(true);
        scroll.setId("methods");
    }

    public Methods methods() {
        return methods;
    }

    /** Shows the window (owned by {@code owner}) at {@code page}'s entry, or at the top when it has none. */
    public void show(Window owner, String page) {
        if (stage == null) {
            stage = new Stage();
            stage.setTitle("Headwise \u2014 Methods");
            if (owner != null) {
                stage.initOwner(owner);
            }
            Scene scene = new Scene(scroll, 760, 640);
            ThemeStyles.addTo(scene);
            stage.setScene(scene);
        }
        sections.values().forEach(s -> s.getStyleClass().remove("hw-selected"));
        VBox section = page == null ? null : sections.get(page);
        shown = section == null ? null : page;
        stage.show();
        stage.toFront();
        if (section != null) {
            section.getStyleClass().add("hw-selected");
            scroll.applyCss();
            scroll.layout();
            double room = content.getHeight() - scroll.getViewportBounds().getHeight();
            scroll.setVvalue(room <= 0 ? 0 : Math.min(1, section.getBoundsInParent().getMinY() / room));
        } else {
            scroll.setVvalue(0);
        }
    }

    /** The page whose entry was last opened (null: the top), for tests. */
    public String shownPage() {
        return shown;
    }

    public boolean isShowing() {
        return stage != null && stage.isShowing();
    }

    public Stage stage() {
        return stage;
    }

    private static VBox section(Methods.PageEntry page) {
        Label title = new Label(page.page());
        title.getStyleClass().add("hw-methods-title");
        Label summary = new Label(page.summary());
        summary.setWrapText(true);
        GridPane grid = new GridPane();
        grid.setHgap(10);
        grid.setVgap(10);
        int row = 0;
        for (Methods.Measure m : page.measures()) {
            Label name = new Label(m.name());
            name.getStyleClass().add("hw-bold");
            name.setMinWidth(150);
            name.setMaxWidth(190);
            name.setWrapText(true);
            GridPane.setValignment(name, javafx.geometry.VPos.TOP);
            grid.add(name, 0, row);
            grid.add(measureText(m), 1, row++);
        }
        VBox section = new VBox(6, title, summary, grid);
        section.setId(entryId(page.page()));
        section.getStyleClass().add("hw-methods-entry");
        return section;
    }

    private static Node measureText(Methods.Measure m) {
        Label definition = new Label(m.definition());
        definition.setWrapText(true);
        Label paper = new Label(m.paper());
        paper.setWrapText(true);
        paper.getStyleClass().add("hw-methods-paper");
        Label colour = new Label("Colour: " + m.colour());
        colour.setWrapText(true);
        VBox box = new VBox(2, definition, paper, colour);
        box.setMaxWidth(520);
        return box;
    }
}
