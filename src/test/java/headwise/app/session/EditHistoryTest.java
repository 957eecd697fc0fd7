package headwise.app.session;

import headwise.engine.hooks.Interventions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class EditHistoryTest {

    private static final EditHistory.Snapshot START = new EditHistory.Snapshot(InterventionPlan.none(), Selection.defaults());

    @Test
    void undoesAndRedoesInOrderWithLabels() {
        EditHistory history = new EditHistory();
        EditHistory.Snapshot off = new EditHistory.Snapshot(START.plan().withHead(3, 2, true), START.selection());
        EditHistory.Snapshot selected = new EditHistory.Snapshot(off.plan(), off.selection().withHead(1, 4));
        history.record(START, off);
        history.record(off, selected);
        history.record(selected, selected); // no change: no step
        assertEquals(2, history.undoSteps());
        assertEquals("select L1 H4", history.undoLabel());

        assertEquals(off, history.undo());
        assertEquals("switch off L3 H2", history.undoLabel());
        assertEquals("select L1 H4", history.redoLabel());
        assertEquals(START, history.undo());
        assertNull(history.undo(), "nothing left to undo");
        assertEquals("", history.undoLabel());

        assertEquals(off, history.redo());
        assertEquals(selected, history.redo());
        assertNull(history.redo());
        assertEquals("", history.redoLabel());
    }

    @Test
    void aNewEditDropsTheRedoStepsAndTheHistoryIsBounded() {
        EditHistory history = new EditHistory();
        EditHistory.Snapshot a = new EditHistory.Snapshot(START.plan().withZeroTuning(0.5), START.selection());
        history.record(START, a);
        history.undo();
        assertEquals(1, history.redoSteps());
        EditHistory.Snapshot b = new EditHistory.Snapshot(START.plan().withMode(Interventions.Ablation.MEAN), START.selection());
        history.record(START, b);
        assertEquals(0, history.redoSteps(), "a new edit forgets what could be redone");
        assertEquals("mean ablation", history.undoLabel());

        EditHistory.Snapshot now = START;
        for (int i = 0; i < EditHistory.LIMIT + 50; i++) {
            EditHistory.Snapshot next = new EditHistory.Snapshot(now.plan(), now.selection().withCells(i, -1));
            history.record(now, next);
            now = next;
        }
        assertEquals(EditHistory.LIMIT, history.undoSteps());
        assertEquals("select token " + (EditHistory.LIMIT + 49), history.undoLabel());
        history.clear();
        assertEquals(0, history.undoSteps());
        assertNull(history.undo());
    }

    @Test
    void labelsNameWhatChanged() {
        EditHistory history = new EditHistory();
        InterventionPlan three = START.plan().withHead(0, 0, true).withHead(0, 1, true).withHead(2, 3, true)
                .withHead(4, 1, true);
        history.record(START, new EditHistory.Snapshot(three, START.selection()));
        assertEquals("switch off 4 heads", history.undoLabel());
        history.record(new EditHistory.Snapshot(three, START.selection()), new EditHistory.Snapshot(InterventionPlan.none(), START.selection()));
        assertEquals("reset interventions", history.undoLabel());
        history.record(START, new EditHistory.Snapshot(START.plan().withSinkCalibration(true).withZeroTuning(0.5), START.selection().withLogScale(true)));
        assertEquals("\u03B3 1.00 \u2192 0.50, calibrate sinks, log colours", history.undoLabel());
    }

    @Test
    void aSnapshotRestoresOnlyPlanAndSelection() {
        SessionState s = SessionState.defaults().withText("other text");
        EditHistory.Snapshot snap = new EditHistory.Snapshot(START.plan().withHead(1, 1, true), START.selection().withHead(2, 2));
        SessionState restored = snap.applyTo(s);
        assertEquals("other text", restored.text());
        assertEquals(snap, EditHistory.Snapshot.of(restored));
    }
}
