package headwise.app.ui.page;

import headwise.app.export.ViewKind;
import javafx.scene.Node;
import javafx.scene.layout.BorderPane;

/** What every page has: its tab title, the figure its "Export…" writes, and one root node made once. */
public abstract class PageBase implements Page {

    private final String title;
    private final ViewKind exportView;
    protected final BorderPane root = new BorderPane();

    protected PageBase(String title, ViewKind exportView) {
        this.title = title;
        this.exportView = exportView;
    }

    @Override
    public final String title() {
        return title;
    }

    @Override
    public final Node view() {
        return root;
    }

    @Override
    public final ViewKind exportView() {
        return exportView;
    }
}
