package headwise.app.ui.page;

import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;

/**
 * The ViT page's own choices: which attention row is drawn over the image, the head shown large, and the patch whose
 * row is drawn in patch mode.
 */
public final class VitPageModel {

    /** Whose attention row is drawn over the image. */
    public enum Source {
        CLS("[CLS] row of the head"), ROLLOUT("[CLS] row of attention rollout"), PATCH("row of the chosen patch");

        private final String label;

        Source(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private final ObjectProperty<Source> source = new SimpleObjectProperty<>(Source.CLS);
    private final ObjectProperty<HeadIndex> head = new SimpleObjectProperty<>(new HeadIndex(0, 0));
    private final IntegerProperty chosenToken = new SimpleIntegerProperty(-1);

    public ObjectProperty<Source> sourceProperty() {
        return source;
    }

    public ObjectProperty<HeadIndex> headProperty() {
        return head;
    }

    /** The patch token whose row patch mode draws, −1 for none chosen yet. */
    public IntegerProperty chosenTokenProperty() {
        return chosenToken;
    }
}
