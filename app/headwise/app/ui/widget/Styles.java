package headwise.app.ui.widget;

import javafx.scene.Node;

/** Style classes of headwise.css switched on and off (no inline colours: they would not follow the theme). */
public final class Styles {

    public static final String MUTED = "hw-muted";
    public static final String DANGER = "hw-danger";
    public static final String SUCCESS = "hw-success";
    public static final String BOLD = "hw-bold";
    public static final String HOVERED_CELL = "hw-hovered-cell";

    private Styles() {
    }

    /** Adds {@code styleClass} to {@code node} when {@code on}, removes it otherwise (never twice). */
    public static void toggle(Node node, String styleClass, boolean on) {
        node.getStyleClass().remove(styleClass);
        if (on) {
            node.getStyleClass().add(styleClass);
        }
    }
}
