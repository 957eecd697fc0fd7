package headwise.engine.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlasKernelsTest {

    @Test
    void withoutTheSwitchNothingChanges() {
        String before = System.getenv("OPENBLAS_CORETYPE");
        String said = BlasKernels.chooseBeforeLoading(); // the test JVM sets no -Dheadwise.blas
        assertEquals(before == null ? "library default" : "OPENBLAS_CORETYPE=" + before, said);
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
