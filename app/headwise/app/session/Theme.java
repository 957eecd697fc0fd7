package headwise.app.session;

import java.util.Locale;

/** The window's colour theme, kept in the session ("theme": "light" or "dark"). */
public enum Theme {
    LIGHT, DARK;

    /** The session file's word for it. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The theme named {@code key}, or null for anything else. */
    public static Theme ofKey(String key) {
        for (Theme t : values()) {
            if (t.key().equals(key)) {
                return t;
            }
        }
        return null;
    }
}
