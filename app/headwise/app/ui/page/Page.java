package headwise.app.ui.page;

import headwise.app.export.ViewKind;
import headwise.app.session.Session;
import javafx.scene.Node;

/**
 * One page of the main window (one tab): it draws an already computed {@link Session} and never calls the engine,
 * so {@link #show} is cheap enough for the FX thread. Work the page needs (a flow graph, importance) is asked for
 * through {@link ViewState#requestPart} and arrives as a new session.
 */
public interface Page {

    /** The tab's title. */
    String title();

    /** The page's root node, created once. */
    Node view();

    /** Draws {@code session} (FX thread); called again whenever the session or the shared view state changes. */
    void show(Session session);

    /** The figure this page's "Export…" writes through {@code Exporter.exportView} (unless it has {@link #ownFigure}). */
    ViewKind exportView();

    /**
     * The figure of the page's own that "Export…" writes instead of {@link #exportView} (FX thread), or null for
     * the session's view: pages whose figure is not drawn from the session (probing, corpus) answer here.
     */
    default OwnFigure ownFigure() {
        return null;
    }
}
