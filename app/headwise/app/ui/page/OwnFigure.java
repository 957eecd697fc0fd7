package headwise.app.ui.page;

import headwise.viz.Figure;

/**
 * A figure a page shows that is not one of the session's views (a probing or corpus result, an atlas drawn with the
 * page's own choices): what the window's "Export…" writes for that page ({@link Page#ownFigure}).
 *
 * @param title    the dialog's title and the PDF's ("Probing: …")
 * @param baseName the file name offered, without extension
 * @param figure   the figure, or null when the page has nothing drawn yet
 * @param missing  why there is nothing to export yet (when {@code figure} is null)
 */
public record OwnFigure(String title, String baseName, Figure figure, String missing) {

    public static OwnFigure of(String title, String baseName, Figure figure) {
        return new OwnFigure(title, baseName, figure, null);
    }

    public static OwnFigure notYet(String title, String baseName, String missing) {
        return new OwnFigure(title, baseName, null, missing);
    }
}
