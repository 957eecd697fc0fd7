package headwise.engine.model;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which kernels ND4J's bundled OpenBLAS 0.3.19 runs. It reads OPENBLAS_CORETYPE once, when ND4J loads it; without it
 * the library detects the CPU, and on a CPU it does not know (the AMD EPYC with AVX-512 this project is measured on)
 * it falls back to "Barcelona" (SSE3) kernels at a fraction of the speed. So where the environment names no kernels,
 * Headwise names them from the CPU's flags: "SkylakeX" where every AVX-512 subset those kernels use is there
 * (a 2048×768·768×3072 SGEMM at 470–500 GFLOP/s instead of 260 with Haswell's; docs/performance.md, BLAS kernels),
 * else "Haswell" where AVX2 and FMA are. An OPENBLAS_CORETYPE from the environment is kept; {@code -Dheadwise.blas}
 * overrides both: {@code avx512}, {@code avx2}, or {@code library} (the library's own detection).
 */
public final class BlasKernels {

    /** The switch: {@code avx512}, {@code avx2} or {@code library}; unset: the environment's choice, else the CPU's. */
    public static final String PROPERTY = "headwise.blas";

    /** The kernels Headwise names, best first: the switch's value, OpenBLAS's core name, the CPU flags they need. */
    private enum Kernels {
        /** OpenBLAS's AVX-512 kernels for single precision (Cooperlake adds only bfloat16 ones). */
        AVX512("SkylakeX", "AVX-512", Set.of("avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl")),
        AVX2("Haswell", "AVX2 and FMA", Set.of("avx2", "fma"));

        final String core;
        final String has;
        final Set<String> flags;

        Kernels(String core, String has, Set<String> flags) {
            this.core = core;
            this.has = has;
            this.flags = flags;
        }

        String switchValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The C library's setenv: Java cannot change its own process environment. */
    private interface C extends Library {
        int setenv(String name, String value, int overwrite);
    }

    /**
     * What to do before loading: {@code core} the OPENBLAS_CORETYPE to set (null: leave it), {@code said} a log line.
     */
    record Choice(String core, String said) {
    }

    private BlasKernels() {
    }

    /**
     * Call first thing in main, before anything touches ND4J. Returns what was done, for a log line: the kernels
     * chosen and why, or why none were.
     */
    public static String chooseBeforeLoading() {
        Choice choice = choose(System.getenv("OPENBLAS_CORETYPE"), System.getProperty(PROPERTY), cpuFlags());
        if (choice.core() == null) {
            return choice.said();
        }
        try {
            Native.load("c", C.class).setenv("OPENBLAS_CORETYPE", choice.core(), 1);
            return choice.said();
        } catch (LinkageError | RuntimeException e) {
            return "OpenBLAS's own choice (could not set OPENBLAS_CORETYPE=" + choice.core() + ": " + e.getMessage() + ")";
        }
    }

    /**
     * The decision, apart from the process: {@code environment} the OPENBLAS_CORETYPE set (or null), {@code asked}
     * the {@link #PROPERTY} value (or null), {@code flags} the CPU's.
     */
    static Choice choose(String environment, String asked, Set<String> flags) {
        String current = environment == null ? "library default" : "OPENBLAS_CORETYPE=" + environment;
        String ask = asked == null ? "" : asked.trim().toLowerCase(Locale.ROOT);
        if (ask.equals("library")) {
            return new Choice(null, current + " (" + PROPERTY + "=library)");
        }
        for (Kernels k : Kernels.values()) {
            if (ask.equals(k.switchValue())) {
                if (!flags.containsAll(k.flags)) {
                    return new Choice(null, current + " (" + PROPERTY + "=" + ask + " asked, but this CPU lacks some of "
                            + new TreeSet<>(k.flags) + ")");
                }
                return new Choice(k.core, "OPENBLAS_CORETYPE=" + k.core + " (" + PROPERTY + "=" + ask
                        + (environment == null ? "" : "; was " + environment) + ")");
            }
        }
        if (!ask.isEmpty()) {
            return new Choice(null, current + " (" + PROPERTY + "=" + asked + " is none of avx512, avx2, library)");
        }
        if (environment != null) {
            return new Choice(null, current);
        }
        for (Kernels k : Kernels.values()) { // best first
            if (flags.containsAll(k.flags)) {
                return new Choice(k.core, "OPENBLAS_CORETYPE=" + k.core + " (the CPU has " + k.has + ")");
            }
        }
        return new Choice(null, current);
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
