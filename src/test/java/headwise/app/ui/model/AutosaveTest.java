package headwise.app.ui.model;

import headwise.app.session.SessionFile;
import headwise.app.session.SessionState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every change is saved on the autosave's own thread, the newest one last, and a failed write is reported in one line. */
class AutosaveTest {

    @Test
    void manyQuickChangesEndWithTheNewestOnDisk(@TempDir Path dir) {
        Path file = dir.resolve("config").resolve("session.json");
        List<String> problems = new CopyOnWriteArrayList<>();
        try (Autosave autosave = new Autosave(file, problems::add)) {
            SessionState s = SessionState.defaults();
            for (int i = 0; i < 200; i++) {
                s = s.withText("change " + i);
                autosave.save(s);
            }
            autosave.flush();
            assertEquals(s, SessionFile.read(file));
            assertTrue(problems.isEmpty(), problems.toString());
        }
        assertFalse(Files.exists(file.resolveSibling("session.json.tmp")), "no temporary file left");
    }

    @Test
    void savesRunOffTheCallersThread(@TempDir Path dir) {
        Path file = dir.resolve("session.json");
        List<String> threads = new CopyOnWriteArrayList<>();
        try (Autosave autosave = new Autosave(file, p -> { })) {
            autosave.alsoWrite(() -> threads.add(Thread.currentThread().getName()));
            autosave.save(SessionState.defaults());
            autosave.flush();
        }
        assertEquals(List.of("headwise-autosave"), threads);
        assertEquals(SessionState.defaults(), SessionFile.read(file));
    }

    @Test
    void aFailedWriteIsOneLineNamingTheFile(@TempDir Path dir) throws Exception {
        Path blocker = Files.writeString(dir.resolve("not-a-folder"), "x");
        Path file = blocker.resolve("session.json"); // its folder is a file: cannot be written
        List<String> problems = new CopyOnWriteArrayList<>();
        try (Autosave autosave = new Autosave(file, problems::add)) {
            autosave.save(SessionState.defaults());
            autosave.flush();
        }
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("session.json") && !problems.get(0).contains("\n"), problems.get(0));
    }

    @Test
    void closingWritesWhatIsPending(@TempDir Path dir) {
        Path file = dir.resolve("session.json");
        SessionState last = SessionState.defaults().withText("last words");
        try (Autosave autosave = new Autosave(file, p -> { })) {
            autosave.save(SessionState.defaults());
            autosave.save(last);
        }
        assertEquals(last, SessionFile.read(file));
    }
}
