package headwise.app.ui.page;

import javafx.beans.property.ObjectProperty;
import javafx.scene.control.Spinner;

/** A layer spinner and a head spinner that show, and set, one {@link HeadIndex} property of a page's view model. */
final class HeadSpinners {

    final Spinner<Integer> layer;
    final Spinner<Integer> head;
    private final ObjectProperty<HeadIndex> value;
    private boolean updating;

    HeadSpinners(String idPrefix, ObjectProperty<HeadIndex> value) {
        this.value = value;
        layer = Controls.indexSpinner(idPrefix + "-layer", 80, this::spun);
        head = Controls.indexSpinner(idPrefix + "-head", 80, this::spun);
        value.addListener((o, was, now) -> show(now));
    }

    /** The ranges of a model of {@code layers} × {@code heads}, showing {@code chosen}. */
    void fit(int layers, int heads, HeadIndex chosen) {
        updating = true;
        Controls.fit(layer, layers, chosen.layer());
        Controls.fit(head, heads, chosen.head());
        updating = false;
        value.set(chosen);
    }

    private void spun() {
        if (!updating) {
            value.set(new HeadIndex(layer.getValue(), head.getValue()));
        }
    }

    private void show(HeadIndex chosen) {
        updating = true;
        layer.getValueFactory().setValue(chosen.layer());
        head.getValueFactory().setValue(chosen.head());
        updating = false;
    }
}
