package headwise.app.ui.model;

import headwise.engine.HeadwiseException;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

import java.util.concurrent.CancellationException;

/** The status bar's line: the last message, and whether it reports an error. FX thread only. */
public final class StatusLine {

    private final ReadOnlyStringWrapper text = new ReadOnlyStringWrapper(this, "status", "");
    private final ReadOnlyBooleanWrapper failed = new ReadOnlyBooleanWrapper(this, "failed", false);

    public ReadOnlyStringProperty textProperty() {
        return text.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty failedProperty() {
        return failed.getReadOnlyProperty();
    }

    public void show(String message) {
        set(message, false);
    }

    /** An error in one line ("Cancelled" for a cancelled job, which is no error). */
    public void fail(Throwable error) {
        if (error instanceof CancellationException) {
            show("Cancelled");
        } else {
            set("Error: " + describe(error), true);
        }
    }

    public void fail(String problem) {
        set("Error: " + problem, true);
    }

    private void set(String message, boolean error) {
        text.set(message);
        failed.set(error);
    }

    /** One line: a HeadwiseException's own message, otherwise the kind of failure and its first line. */
    public static String describe(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof HeadwiseException) {
                return t.getMessage().lines().findFirst().orElse("");
            }
        }
        String message = error.getMessage() == null ? "" : ": " + error.getMessage().lines().findFirst().orElse("");
        return error.getClass().getSimpleName() + message;
    }
}
