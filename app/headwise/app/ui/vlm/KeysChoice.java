package headwise.app.ui.vlm;

import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Region;
import javafx.geometry.Pos;

import java.util.function.Consumer;

/**
 * "Keys: by position | by class", the one choice every attention view that can group its keys honours (the model
 * view, the Head page); kept in the session's selection. Enabled only for a run with token classes: a
 * vision-language run joined with an image (the app generates no tokens, so a text run has no classes).
 */
public final class KeysChoice {

    public static final String BY_POSITION = "by position";
    public static final String BY_CLASS = "by class";
    static final String WHY_DISABLED = "Keys by class need token classes: open a vision-language model (LLaVA) and run text with an "
            + "image. A text-only run has no classes (the app generates no tokens, so none are marked as generated).";
    static final String WHAT = "Group each head's keys by token class (system, text, image, generated): a queries \u00D7 classes "
            + "map, each cell the attention the query gives that class";

    private final ChoiceBox<String> choice = new ChoiceBox<>();
    private final HBox node;
    private final Tooltip tip = new Tooltip(WHAT);
    private boolean updating;

    /** @param onChoose hears true for "by class", false for "by position", when the user chooses */
    public KeysChoice(String id, Consumer<Boolean> onChoose) {
        choice.setId(id);
        choice.getItems().setAll(BY_POSITION, BY_CLASS);
        choice.setValue(BY_POSITION);
        choice.valueProperty().addListener((o, was, now) -> {
            if (!updating && now != null) {
                onChoose.accept(BY_CLASS.equals(now));
            }
        });
        Label label = new Label("Keys");
        label.setMinWidth(Region.USE_PREF_SIZE);
        choice.setPrefWidth(120);
        choice.setMinWidth(Region.USE_PREF_SIZE);
        node = new HBox(4, label, choice);
        node.setMinWidth(Region.USE_PREF_SIZE);
        node.setAlignment(Pos.CENTER_LEFT);
        tip.setWrapText(true);
        tip.setMaxWidth(420);
        choice.setTooltip(tip);
        Tooltip.install(node, tip); // a disabled control shows no tooltip of its own: the box around it says why
    }

    /** What the control's tooltip says now (why it is disabled, or what it does). */
    public String tooltipText() {
        return tip.getText();
    }

    /** The label and the choice, for a toolbar. */
    public HBox node() {
        return node;
    }

    public ChoiceBox<String> choiceBox() {
        return choice;
    }

    /**
     * Shows the session's choice; without classes the control is disabled with a tooltip saying why and the views
     * show keys by position whatever was chosen.
     *
     * @return whether the views are to group keys by class now
     */
    public boolean show(boolean byClass, boolean hasClasses) {
        updating = true;
        choice.setValue(byClass && hasClasses ? BY_CLASS : BY_POSITION);
        updating = false;
        choice.setDisable(!hasClasses);
        tip.setText(hasClasses ? WHAT : WHY_DISABLED);
        return byClass && hasClasses;
    }
}
