package headwise.bench;

/**
 * glibc's malloc_trim, for measurements of resident memory: native memory that ND4J freed stays in malloc's arenas
 * for reuse, so without handing it back the resident size moves by hundreds of MiB with what ran before (the sizes of
 * recent inputs, a test suite's earlier tests), which hides a slow leak as easily as it fakes one.
 */
public final class FreeNativeMemory {

    private interface C extends com.sun.jna.Library {
        int malloc_trim(long pad);
    }

    private FreeNativeMemory() {
    }

    /** Gives every malloc arena's free memory back to the system, so the resident size counts live memory only. */
    public static void release() {
        try {
            com.sun.jna.Native.load("c", C.class).malloc_trim(0);
        } catch (LinkageError | RuntimeException e) {
            // not glibc: the resident size then includes freed memory the allocator keeps
        }
    }
}
