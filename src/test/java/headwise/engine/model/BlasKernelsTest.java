package headwise.engine.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlasKernelsTest {

    private static final Set<String> AVX512 = Set.of("sse2", "avx2", "fma", "avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl");
    private static final Set<String> AVX2 = Set.of("sse2", "avx2", "fma");
    private static final Set<String> OLD = Set.of("sse2", "sse3");

    @Test
    void anEnvironmentsChoiceIsKeptWithoutTheSwitch() {
        BlasKernels.Choice c = BlasKernels.choose("Haswell", null, AVX512);
        assertNull(c.core());
        assertEquals("OPENBLAS_CORETYPE=Haswell", c.said());
    }

    @Test
    void withoutAChoiceTheCpusFlagsNameTheKernels() {
        assertEquals("SkylakeX", BlasKernels.choose(null, null, AVX512).core());
        assertEquals("Haswell", BlasKernels.choose(null, null, AVX2).core());
        BlasKernels.Choice old = BlasKernels.choose(null, null, OLD);
        assertNull(old.core());
        assertEquals("library default", old.said());
    }

    @Test
    void theSwitchOverridesTheEnvironmentOnlyWhereTheCpuCan() {
        assertEquals("SkylakeX", BlasKernels.choose("Haswell", "avx512", AVX512).core());
        assertEquals("Haswell", BlasKernels.choose(null, "AVX2", AVX512).core());
        BlasKernels.Choice lacking = BlasKernels.choose("Haswell", "avx512", AVX2);
        assertNull(lacking.core());
        assertTrue(lacking.said().contains("lacks some of"), lacking.said());
        assertNull(BlasKernels.choose(null, "library", AVX512).core());
        BlasKernels.Choice typo = BlasKernels.choose(null, "avx1024", AVX512);
        assertNull(typo.core());
        assertTrue(typo.said().contains("is none of avx512, avx2, library"), typo.said());
    }

    @Test
    void namesTheLoadedOpenBlasAndItsKernels() {
        Nd4j.create(1); // ND4J loads OpenBLAS
        String core = BlasKernels.core();
        assertNotNull(core, "openblas_get_corename of the loaded library");
        String inUse = BlasKernels.inUse();
        assertTrue(inUse.startsWith("OpenBLAS 0."), inUse);
        assertTrue(inUse.contains("core " + core + " (/"), inUse);
        String forced = System.getenv("OPENBLAS_CORETYPE");
        if (forced != null) { // the library runs the kernels the environment named
            assertEquals(forced.toLowerCase(), core.toLowerCase());
        }
    }

    @Test
    void readsTheCpuFlags() {
        assertTrue(BlasKernels.cpuFlags().contains("sse2"), "every x86-64 CPU has SSE2: " + BlasKernels.cpuFlags());
    }
}
