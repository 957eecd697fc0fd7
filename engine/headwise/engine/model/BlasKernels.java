package headwise.engine.model;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which kernels ND4J's bundled OpenBLAS 0.3.19 runs. On the AMD EPYC (AVX-512) this project is measured on, it
 * detects no known core and falls back to "Barcelona" (SSE3) unless OPENBLAS_CORETYPE says otherwise; the machine's
 * environment sets Haswell (AVX2). Forced to its AVX-512 "SkylakeX" kernels the same library ran a
 * 2048×768·768×3072 SGEMM at 470–500 GFLOP/s instead of 260 (docs/performance.md, BLAS kernels). Opt-in
 * ({@code -Dheadwise.blas=avx512}, which overrides an OPENBLAS_CORETYPE from the environment): applied only when the
 * CPU reports every AVX-512 subset those kernels use (otherwise they die on an illegal instruction), and only
 * before ND4J loads the library, which reads the variable once.
 */
public final class BlasKernels {

    /** The switch: {@code avx512} asks for the AVX-512 kernels, anything else (or nothing) keeps the library's choice. */
    public static final String PROPERTY = "headwise.blas";

    /** OpenBLAS's AVX-512 kernels for single precision (Cooperlake adds only bfloat16 ones). */
    private static final String AVX512_CORE = "SkylakeX";

    /** What those kernels need. */
    private static final Set<String> AVX512_FLAGS = Set.of("avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl");

    /** The C library's setenv: Java cannot change its own process environment. */
    private interface C extends Library {
        int setenv(String name, String value, int overwrite);
    }

    private BlasKernels() {
    }

    /**
     * Call first thing in main, before anything touches ND4J. Returns what was done, for a log line: nothing asked,
     * the AVX-512 kernels chosen, or why not.
     */
    public static String chooseBeforeLoading() {
        String before = System.getenv("OPENBLAS_CORETYPE");
        String current = before == null ? "library default" : "OPENBLAS_CORETYPE=" + before;
        if (!"avx512".equalsIgnoreCase(System.getProperty(PROPERTY, ""))) {
            return current;
        }
        if (!cpuFlags().containsAll(AVX512_FLAGS)) {
            return current + " (" + PROPERTY + "=avx512 asked, but this CPU lacks some of " + AVX512_FLAGS + ")";
        }
        try {
            Native.load("c", C.class).setenv("OPENBLAS_CORETYPE", AVX512_CORE, 1);
            return "OPENBLAS_CORETYPE=" + AVX512_CORE + " (" + PROPERTY + "=avx512" + (before == null ? "" : "; was " + before) + ")";
        } catch (LinkageError | RuntimeException e) {
            return current + " (could not set OPENBLAS_CORETYPE: " + e.getMessage() + ")";
        }
    }

    /** The kernels the loaded OpenBLAS runs ("Haswell", "SkylakeX", …), or null where it cannot be asked. */
    public static String core() {
        return loadedOpenBlas().map(path -> ask(path, "openblas_get_corename")).orElse(null);
    }

    /**
     * The OpenBLAS in use, for benchmark output: its file, its build and the kernels it runs, e.g. "OpenBLAS 0.3.19
     * DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64, core SkylakeX (/root/.javacpp/…/libopenblas_nolapack.so.0)".
     * Call after ND4J has loaded. "unknown" where the library or its symbols cannot be found (not Linux, not OpenBLAS).
     */
    public static String inUse() {
        Optional<String> path = loadedOpenBlas();
        if (path.isEmpty()) {
            return "unknown (no OpenBLAS among the loaded libraries)";
        }
        String config = ask(path.get(), "openblas_get_config");
        String core = ask(path.get(), "openblas_get_corename");
        return config == null || core == null ? "unknown (" + path.get() + " does not answer openblas_get_config/corename)"
                : config + ", core " + core + " (" + path.get() + ")";
    }

    /** The string a no-argument function of the library returns, or null where it has none. */
    private static String ask(String library, String function) {
        try { // the library is already loaded: JNA gets the same copy, not a second one
            return NativeLibrary.getInstance(library).getFunction(function).invokeString(new Object[0], false);
        } catch (LinkageError | RuntimeException e) {
            return null;
        }
    }

    /** The OpenBLAS the BLAS calls go to: JavaCPP's libopenblas_nolapack, else any libopenblas mapped in. */
    private static Optional<String> loadedOpenBlas() {
        try {
            List<String> libraries = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .filter(line -> line.contains("/"))
                    .map(line -> line.substring(line.indexOf('/')))
                    .filter(file -> file.contains("libopenblas"))
                    .distinct().toList();
            return libraries.stream().filter(file -> file.contains("nolapack")).findFirst()
                    .or(() -> libraries.stream().findFirst());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The CPU's feature flags as the kernel reports them (empty where /proc/cpuinfo is absent). */
    static Set<String> cpuFlags() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(line -> line.startsWith("flags"))
                    .findFirst()
                    .map(line -> Set.copyOf(Arrays.asList(line.substring(line.indexOf(':') + 1).trim().split("\\s+"))))
                    .orElse(Set.of());
        } catch (IOException e) {
            return Set.of();
        }
    }
}
