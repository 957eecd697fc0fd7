package headwise.app.ui;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import headwise.app.session.Theme;
import javafx.application.Application;
import javafx.scene.Scene;

import java.util.Objects;

/**
 * The window's look: AtlantaFX's Primer light or dark as the user-agent stylesheet (every window, popup and
 * tooltip follows it), and Headwise's own rules ({@code headwise.css}), which use Primer's looked-up colours so
 * they read in both themes.
 */
public final class ThemeStyles {

    /** Headwise's own stylesheet, added to each scene. */
    public static final String STYLESHEET = Objects.requireNonNull(ThemeStyles.class.getResource("/headwise/app/ui/headwise.css"),
            "headwise.css is missing from the classpath").toExternalForm();

    private ThemeStyles() {
    }

    /** Makes {@code theme} the look of every window (FX thread). */
    public static void apply(Theme theme) {
        Application.setUserAgentStylesheet(theme == Theme.DARK
                ? new PrimerDark().getUserAgentStylesheet() : new PrimerLight().getUserAgentStylesheet());
    }

    /** Adds Headwise's own rules to {@code scene} (once). */
    public static void addTo(Scene scene) {
        if (!scene.getStylesheets().contains(STYLESHEET)) {
            scene.getStylesheets().add(STYLESHEET);
        }
    }
}
