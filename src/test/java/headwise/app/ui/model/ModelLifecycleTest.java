package headwise.app.ui.model;

import headwise.engine.Fixtures;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.tokenize.TokenizedText;
import headwise.engine.tokenize.Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model is closed only once it is no longer wanted and no job holds it: switching models while jobs run closes the
 * old one when the last job ends, never under it; compare models are loaded once and replaced the same way.
 * Each model here shares the gpt2_f32 fixture's weights and has a tokenizer that records whether it was closed.
 */
class ModelLifecycleTest {

    private static LoadedModel fixture;
    private static Path tokenizerFile;
    private final List<RecordingTokenizer> tokenizers = new ArrayList<>();
    private final AtomicInteger loads = new AtomicInteger();

    @BeforeAll
    static void loadWeights(@TempDir Path dir) throws Exception {
        fixture = ModelLoader.load(Fixtures.model("gpt2_f32").toString());
        tokenizerFile = Files.writeString(dir.resolve("tokenizer.json"), "{}");
    }

    @AfterAll
    static void close() {
        fixture.close();
    }

    /** A model called {@code name} whose tokenizer is opened now (so closing the model closes it). */
    private LoadedModel load(String name) {
        loads.incrementAndGet();
        LoadedModel m = new LoadedModel(name, fixture.folder(), fixture.transformer(), tokenizerFile, p -> {
            RecordingTokenizer t = new RecordingTokenizer(name);
            tokenizers.add(t);
            return t;
        });
        m.tokenizer();
        return m;
    }

    private boolean closed(String name) {
        return tokenizers.stream().filter(t -> t.name.equals(name)).allMatch(t -> t.closed);
    }

    @Test
    void aSwitchClosesTheOldModelOnlyWhenItsLastJobEnds() throws Exception {
        ModelLifecycle models = new ModelLifecycle(this::load);
        models.install(models.load("a"));
        ModelLifecycle.Handle a = models.current();
        ModelLifecycle.Lease job = a.lease();
        models.install(models.load("b"));
        assertEquals("b", models.currentModel().name());
        assertFalse(closed("a"), "a job still runs on a");
        assertEquals(2, models.openModels());
        ModelLifecycle.Lease second = a.lease(); // a job submitted before the switch may still start on a
        job.close();
        assertFalse(closed("a"));
        second.close();
        second.close(); // closing a lease twice releases it once
        assertTrue(closed("a"), "the last job ended: a is closed");
        assertEquals(1, models.openModels());
        assertThrows(CancellationException.class, a::lease, "a job that starts after its model closed is cancelled");
        assertFalse(closed("b"));
        models.close();
        assertTrue(closed("b"));
        assertEquals(0, models.openModels());
    }

    @Test
    void twentyQuickSwitchesWhileJobsRunLeakNothingAndKeepTheLast() throws Exception {
        ModelLifecycle models = new ModelLifecycle(this::load);
        List<Thread> jobs = new ArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < 20; i++) {
            models.install(models.load("m" + i));
            ModelLifecycle.Lease held = models.current().lease(); // the job has started on m<i> before the next switch
            Thread job = new Thread(() -> {
                try (ModelLifecycle.Lease lease = held) {
                    release.await(10, TimeUnit.SECONDS);
                    lease.model().tokenizer(); // still open while held
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            job.start();
            jobs.add(job);
        }
        assertEquals("m19", models.currentModel().name());
        release.countDown();
        for (Thread job : jobs) {
            job.join(10_000);
        }
        assertEquals(1, models.openModels(), "only the last model is open");
        for (int i = 0; i < 19; i++) {
            assertTrue(closed("m" + i), "m" + i + " closed");
        }
        assertFalse(closed("m19"));
        models.close();
        assertEquals(0, models.openModels());
    }

    @Test
    void theCompareModelIsLoadedOnceAndClosedWhenReplacedOrDropped() {
        ModelLifecycle models = new ModelLifecycle(this::load);
        ModelLifecycle.Lease first = models.compare("b");
        ModelLifecycle.Lease again = models.compare("b");
        assertSame(first.model(), again.model(), "kept while the same model is wanted");
        assertEquals(1, loads.get());
        assertEquals("b", models.compareName());
        again.close();
        ModelLifecycle.Lease other = models.compare("c");
        assertEquals(2, loads.get());
        assertFalse(closed("b"), "a run still holds b");
        first.close();
        assertTrue(closed("b"), "replaced and unused: closed");
        other.close();
        models.dropCompare();
        assertTrue(closed("c"));
        assertNull(models.compareName());
        assertEquals(0, models.openModels());
    }

    /** A tokenizer that only records whether it was closed. */
    private static final class RecordingTokenizer implements Tokenizer {
        final String name;
        volatile boolean closed;

        RecordingTokenizer(String name) {
            this.name = name;
        }

        @Override
        public TokenizedText encode(String text) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String decode(int[] ids) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String[] tokensOf(int[] ids) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
