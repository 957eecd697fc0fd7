package headwise.app.ui.widget;

import javafx.scene.Node;
import javafx.scene.control.Tooltip;

/**
 * A tooltip that reads out what lies under the cursor on one node: installed when the cursor first reaches something
 * to read, then only its text changes as the cursor moves (re-installing it on every move would redo the tooltip's
 * set-up each time), and uninstalled where there is nothing to read, so no empty tooltip shows there.
 */
public final class CursorReadout {

    private final Node owner;
    private final Tooltip tooltip = new Tooltip();
    private boolean installed;

    public CursorReadout(Node owner) {
        this.owner = owner;
    }

    /** @param text what is under the cursor, or null for nothing (the tooltip then hides and leaves the node) */
    public void show(String text) {
        if (text == null) {
            tooltip.hide();
            if (installed) {
                Tooltip.uninstall(owner, tooltip);
                installed = false;
            }
            return;
        }
        tooltip.setText(text);
        if (!installed) {
            Tooltip.install(owner, tooltip);
            installed = true;
        }
    }

    /** The one tooltip; its text is the last readout shown. */
    public Tooltip tooltip() {
        return tooltip;
    }
}
