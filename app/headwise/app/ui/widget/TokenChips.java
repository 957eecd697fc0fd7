package headwise.app.ui.widget;

import headwise.viz.view.Labels;
import javafx.beans.property.IntegerProperty;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.FlowPane;

/**
 * The input's tokens as chips ("cat" over its id); hovering a chip sets the shared hovered token, which every view
 * highlights, and the chip of the hovered token is highlighted wherever it was set. Long inputs show the first
 * {@link #MAX_CHIPS} chips (a node per token would not scale).
 */
public final class TokenChips {

    public static final int MAX_CHIPS = 512;
    /** headwise.css: a chip, and the hovered one (colours from the theme). */
    private static final String CHIP = "hw-chip";
    private static final String HOVERED = "hw-hovered";

    private final FlowPane chips = new FlowPane(4, 4);
    private final ScrollPane scroll = new ScrollPane(chips);
    private final IntegerProperty hovered;

    public TokenChips(IntegerProperty hovered) {
        this.hovered = hovered;
        chips.setId("tokens");
        scroll.setFitToWidth(true);
        scroll.setPrefViewportHeight(36);
        scroll.setMaxHeight(70);
        hovered.addListener((o, was, now) -> {
            style(was.intValue(), false);
            style(now.intValue(), true);
        });
    }

    public ScrollPane view() {
        return scroll;
    }

    public FlowPane chips() {
        return chips;
    }

    public void show(String[] tokens, int[] ids) {
        chips.getChildren().clear();
        int shown = Math.min(tokens.length, MAX_CHIPS);
        for (int i = 0; i < shown; i++) {
            Label chip = new Label(Labels.shorten(tokens[i]) + "\n" + (ids == null ? "#" + i : Integer.toString(ids[i])));
            chip.setId("token-" + i);
            chip.getStyleClass().add(CHIP);
            Styles.toggle(chip, HOVERED, i == hovered.get());
            int position = i;
            chip.setOnMouseEntered(e -> hovered.set(position));
            chip.setOnMouseExited(e -> {
                if (hovered.get() == position) {
                    hovered.set(-1);
                }
            });
            chips.getChildren().add(chip);
        }
        if (tokens.length > shown) {
            chips.getChildren().add(new Label("\u2026 " + (tokens.length - shown) + " more tokens"));
        }
    }

    private void style(int position, boolean on) {
        if (position >= 0 && position < chips.getChildren().size() && chips.getChildren().get(position).getId() != null) {
            Styles.toggle(chips.getChildren().get(position), HOVERED, on);
        }
    }
}
