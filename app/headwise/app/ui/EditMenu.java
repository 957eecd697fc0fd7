package headwise.app.ui;

import headwise.app.ui.model.AppModel;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuItem;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;

/** The Edit menu: Undo (Ctrl+Z) and Redo (Ctrl+Y) of interventions and selections, each saying what it changes. */
final class EditMenu {

    /** Makes a menu item with an id the tests can fire. */
    @FunctionalInterface
    interface ItemFactory {
        MenuItem item(String label, String id, Runnable action);
    }

    private EditMenu() {
    }

    static Menu create(AppModel model, ItemFactory items) {
        MenuItem undo = items.item("Undo", "menu-undo", model::undo);
        undo.setAccelerator(new KeyCodeCombination(KeyCode.Z, KeyCombination.SHORTCUT_DOWN));
        label(undo, "Undo", model.undoLabelProperty());
        MenuItem redo = items.item("Redo", "menu-redo", model::redo);
        redo.setAccelerator(new KeyCodeCombination(KeyCode.Y, KeyCombination.SHORTCUT_DOWN));
        label(redo, "Redo", model.redoLabelProperty());
        Menu edit = new Menu("Edit");
        edit.getItems().setAll(undo, redo);
        return edit;
    }

    /** "Undo switch off L3 H2", or a disabled "Undo" when there is nothing to undo. */
    private static void label(MenuItem item, String verb, ReadOnlyStringProperty what) {
        item.textProperty().bind(Bindings.createStringBinding(() -> what.get().isEmpty() ? verb : verb + " " + what.get(), what));
        item.disableProperty().bind(what.isEmpty());
    }
}
