package headwise.app.session;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Undo and redo of what the user edits on a run: the interventions and the selection (head, layer, token). One
 * history for the whole session, bounded to {@link #LIMIT} steps (the oldest go first); a new edit drops what could
 * be redone. Each step knows its label ("switch off L3 H2"), which the Edit menu shows. Plain data, no JavaFX.
 */
public final class EditHistory {

    /** Steps kept; older ones are forgotten. */
    public static final int LIMIT = 200;

    /** The undoable part of a session state. */
    public record Snapshot(InterventionPlan plan, Selection selection) {

        public static Snapshot of(SessionState s) {
            return new Snapshot(s.plan(), s.selection());
        }

        /** {@code s} with this snapshot's plan and selection. */
        public SessionState applyTo(SessionState s) {
            return s.withPlan(plan).withSelection(selection);
        }
    }

    private record Step(String label, Snapshot before, Snapshot after) {
    }

    private final Deque<Step> undo = new ArrayDeque<>();
    private final Deque<Step> redo = new ArrayDeque<>();

    /** Records the change from {@code before} to {@code after} (nothing when they are equal). */
    public void record(Snapshot before, Snapshot after) {
        if (before.equals(after)) {
            return;
        }
        undo.push(new Step(EditLabels.describe(before, after), before, after));
        if (undo.size() > LIMIT) {
            undo.removeLast();
        }
        redo.clear();
    }

    /** The snapshot to restore to undo the last step, or null when there is none; the step can then be redone. */
    public Snapshot undo() {
        Step step = undo.poll();
        if (step == null) {
            return null;
        }
        redo.push(step);
        return step.before();
    }

    /** The snapshot to restore to redo the last undone step, or null when there is none. */
    public Snapshot redo() {
        Step step = redo.poll();
        if (step == null) {
            return null;
        }
        undo.push(step);
        return step.after();
    }

    /** What {@link #undo} would undo ("switch off L3 H2"), or "" when nothing. */
    public String undoLabel() {
        return undo.isEmpty() ? "" : undo.peek().label();
    }

    /** What {@link #redo} would redo, or "" when nothing. */
    public String redoLabel() {
        return redo.isEmpty() ? "" : redo.peek().label();
    }

    public int undoSteps() {
        return undo.size();
    }

    public int redoSteps() {
        return redo.size();
    }

    /** Forgets everything (another model or session: the old steps would not fit it). */
    public void clear() {
        undo.clear();
        redo.clear();
    }
}
