package headwise.app.ui.model;

import java.nio.file.Path;

/**
 * Where the app keeps its files: the autosaved session ({@code -Dheadwise.session=FILE}, else
 * {@code $XDG_CONFIG_HOME/headwise/session.json}, else {@code ~/.config/headwise/session.json}) and, beside it,
 * the recent-models list.
 */
public final class AppPaths {

    public static final String SESSION_PROPERTY = "headwise.session";

    private AppPaths() {
    }

    public static Path sessionFile() {
        String property = System.getProperty(SESSION_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path config = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return config.resolve("headwise").resolve("session.json");
    }

    /** The recent-models list, in the same folder as {@code sessionFile}. */
    public static Path recentModelsFile(Path sessionFile) {
        return sessionFile.toAbsolutePath().resolveSibling("recent-models.json");
    }
}
