package headwise.app;

import headwise.engine.HeadwiseException;
import headwise.engine.model.ForwardOptions;

import java.util.Locale;

/**
 * The -D switches that steer the engine's forward, read once where the app or a CLI command starts (the engine
 * itself reads no system properties): {@code -Dheadwise.attention=auto|f32|f16|recompute} (how captured attention is
 * stored) and {@code -Dheadwise.blockArena=false} (no reused workspace, to measure what it brings).
 */
public final class ForwardOptionsProperties {

    private static volatile ForwardOptions current;

    private ForwardOptionsProperties() {
    }

    /** The options the app runs every model with, read on first use (Main reads them first, to refuse a bad value). */
    public static ForwardOptions current() {
        ForwardOptions options = current;
        if (options == null) {
            options = read();
            current = options;
        }
        return options;
    }

    /** Reads the properties again at the next {@link #current} (a test that switches the attention storage). */
    public static void forget() {
        current = null;
    }

    /** The defaults with whatever the two properties set; a clear error for a value they do not take. */
    public static ForwardOptions read() {
        ForwardOptions options = ForwardOptions.defaults();
        String attention = System.getProperty("headwise.attention");
        if (attention != null) {
            try {
                options = options.withAttentionStorage(ForwardOptions.AttentionStorage.valueOf(attention.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new HeadwiseException("-Dheadwise.attention=" + attention + ": expected auto, f32, f16 or recompute");
            }
        }
        String arena = System.getProperty("headwise.blockArena");
        if (arena != null) {
            if (!arena.equals("true") && !arena.equals("false")) {
                throw new HeadwiseException("-Dheadwise.blockArena=" + arena + ": expected true or false");
            }
            options = options.withBlockArena(Boolean.parseBoolean(arena));
        }
        return options;
    }
}
