package headwise.app.ui.widget;

import javafx.collections.MapChangeListener;
import javafx.scene.Scene;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Pane;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * One tooltip per node: installed when the cursor first reaches something to read, its text then updated in place
 * as the cursor moves, uninstalled once where there is nothing to read (Tooltip.install keeps the tooltip among the
 * node's properties, so installs and uninstalls show there).
 */
@ExtendWith(ApplicationExtension.class)
class CursorReadoutTest {

    private final Pane owner = new Pane();

    @Start
    void start(Stage stage) {
        stage.setScene(new Scene(owner, 100, 100));
        stage.show();
    }

    @Test
    void installsOnceAndUpdatesTheTextInPlace(FxRobot robot) {
        List<String> changes = new ArrayList<>();
        owner.getProperties().addListener((MapChangeListener<Object, Object>) c -> {
            if (c.wasAdded() && c.getValueAdded() instanceof Tooltip) {
                changes.add("installed");
            } else if (c.wasRemoved() && c.getValueRemoved() instanceof Tooltip) {
                changes.add("uninstalled");
            }
        });
        CursorReadout readout = new CursorReadout(owner);
        robot.interact(() -> {
            readout.show("layer 0, head 1: 0.25");
            readout.show("layer 0, head 2: 0.5");
            readout.show("layer 1, head 2: 0.75");
        });
        assertEquals(List.of("installed"), changes);
        assertEquals("layer 1, head 2: 0.75", readout.tooltip().getText());
        assertSame(readout.tooltip(), installedTooltip());

        robot.interact(() -> {
            readout.show(null);
            readout.show(null);
        });
        assertEquals(List.of("installed", "uninstalled"), changes);
        assertNull(installedTooltip(), "nothing to read: no tooltip on the node");

        robot.interact(() -> readout.show("layer 2, head 0: 1.0"));
        assertEquals(List.of("installed", "uninstalled", "installed"), changes);
        assertSame(readout.tooltip(), installedTooltip(), "the same tooltip comes back");
    }

    private Tooltip installedTooltip() {
        return (Tooltip) owner.getProperties().values().stream().filter(v -> v instanceof Tooltip).findFirst().orElse(null);
    }
}
