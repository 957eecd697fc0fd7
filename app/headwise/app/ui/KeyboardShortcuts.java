package headwise.app.ui;

import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextInputControl;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;

import java.util.function.BooleanSupplier;
import java.util.function.IntBinaryOperator;

/**
 * The window's keys beyond the menus' accelerators (Ctrl+O, Ctrl+E): Ctrl+Enter analyses the text, and on the pages
 * that show one head the arrow keys move it (up/down: layer ∓1, left/right: head ∓1), unless a text field or a
 * spinner has the focus and needs the arrows itself.
 */
final class KeyboardShortcuts {

    static final KeyCombination ANALYSE = new KeyCodeCombination(KeyCode.ENTER, KeyCombination.SHORTCUT_DOWN);

    private KeyboardShortcuts() {
    }

    /**
     * @param analyse     runs the text box's input
     * @param headPage    whether the page shown selects a head (model view, head page)
     * @param moveHead    moves the selected head by (Δlayer, Δhead); its result is ignored
     */
    static void install(Scene scene, Runnable analyse, BooleanSupplier headPage, IntBinaryOperator moveHead) {
        scene.getAccelerators().put(ANALYSE, analyse);
        scene.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (e.isShortcutDown() || e.isAltDown() || !headPage.getAsBoolean() || typingInto(scene.getFocusOwner())) {
                return;
            }
            int[] step = switch (e.getCode()) {
                case UP -> new int[] {-1, 0};
                case DOWN -> new int[] {1, 0};
                case LEFT -> new int[] {0, -1};
                case RIGHT -> new int[] {0, 1};
                default -> null;
            };
            if (step != null) {
                moveHead.applyAsInt(step[0], step[1]);
                e.consume(); // not the tab pane's: it would switch pages
            }
        });
    }

    private static boolean typingInto(Node focus) {
        for (Node n = focus; n != null; n = n.getParent()) {
            if (n instanceof TextInputControl || n instanceof Spinner<?>) {
                return true;
            }
        }
        return false;
    }
}
