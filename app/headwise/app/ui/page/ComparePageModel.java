package headwise.app.ui.page;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;

/** The compare page's own choice: the head shown in A, in B and as B − A (it starts at the session's selection). */
public final class ComparePageModel {

    private final ObjectProperty<HeadIndex> head = new SimpleObjectProperty<>(new HeadIndex(0, 0));

    public ObjectProperty<HeadIndex> headProperty() {
        return head;
    }

    public HeadIndex head() {
        return head.get();
    }
}
