package headwise.engine.model;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.MirroringPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One ND4J workspace that holds a transformer block's temporaries and is reused by every block of a run.
 * Fresh native memory for each temporary cost more than the arithmetic on it, because every new buffer is
 * page-faulted in (docs/performance.md). Whatever must outlive the block is copied out ({@code detach}: the
 * residual stream, captured hook values, KV caches).
 * Runs whose attention scores would be large keep the old allocate-and-free path, so the arena never holds
 * several [heads, T, T] arrays at once.
 */
final class BlockArena {

    private static final String ID = "headwise-block";
    /** Largest heads·queries·keys (one score tensor's elements) run in the arena: 64 MiB of float32 scores. */
    private static final long MAX_SCORE_ELEMENTS = 16L << 20;
    /** Largest arena kept for the thread's next run. */
    private static final long KEEP_BYTES = 256L << 20;
    private static final WorkspaceConfiguration CONFIG = WorkspaceConfiguration.builder()
            .initialSize(0)
            .policyAllocation(AllocationPolicy.STRICT)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policyMirroring(MirroringPolicy.FULL)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();

    private BlockArena() {
    }

    /**
     * Whether a run with this many attention-score elements per layer uses the arena (not when one is already open).
     * ForwardOptions.blockArena turns it off, to measure what it brings.
     */
    static boolean suits(ForwardOptions options, long scoreElements) {
        return options.blockArena() && scoreElements <= MAX_SCORE_ELEMENTS && !Nd4j.getWorkspaceManager().checkIfWorkspaceExistsAndActive(ID);
    }

    static MemoryWorkspace open() {
        return Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, ID);
    }

    /**
     * After a run: a large arena is freed, so an idle thread does not sit on it; one of at most {@link #KEEP_BYTES}
     * (a 1024-token GPT-2-small run's is about 100 MB) is kept for the thread's next run, which would otherwise learn
     * its size again with its first block outside it and then allocate and zero it.
     */
    static void release() {
        MemoryWorkspace workspace = Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(ID);
        if (workspace != null && workspace.getCurrentSize() > KEEP_BYTES) {
            Nd4j.getWorkspaceManager().destroyWorkspace(workspace);
        }
    }
}
