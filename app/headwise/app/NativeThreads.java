package headwise.app;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * Makes the OpenMP threads of ND4J and OpenBLAS sleep when they wait (OMP_WAIT_POLICY=PASSIVE) unless the user set
 * the policy. libgomp reads the variable once, when ND4J loads it, so this must run before anything touches ND4J.
 * By default an idle OpenMP thread spins; each of a forward's hundreds of small ops ends in such a wait, and on a
 * shared 2-core machine the spinning threads take the CPU from the one doing the work: analysing the 13-token
 * example with all-MiniLM-L6-v2 took 1.1 s CPU and 2.8 s wall spinning, 0.35 s CPU and wall passive (load 13).
 */
final class NativeThreads {

    /** The C library's setenv: Java cannot change its own process environment. */
    private interface C extends Library {
        int setenv(String name, String value, int overwrite);
    }

    private NativeThreads() {
    }

    static void preferPassiveWaiting() {
        if (System.getenv("OMP_WAIT_POLICY") != null) {
            return;
        }
        try {
            Native.load("c", C.class).setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
        } catch (LinkageError | RuntimeException e) {
            // no JNA for this platform: OpenMP keeps its default (spinning) policy, which is only slower
        }
    }
}
