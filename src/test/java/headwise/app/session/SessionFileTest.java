package headwise.app.session;

import headwise.engine.HeadwiseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Session files keep the heatmap's row and column, the q/k head and the bar measure, and still read older files. */
class SessionFileTest {

    @Test
    void selectionsQkHeadAndBarMeasureSurviveARoundTrip(@TempDir Path dir) {
        SessionState s = SessionState.defaults().withSelection(Selection.defaults().withHead(2, 5).withCells(4, 0).withQkHead(3, 1)
                .withImportance(ImportanceChoice.MEAN_ABLATION));
        Path file = dir.resolve("s.json");
        SessionFile.write(s, file);
        SessionState back = SessionFile.read(file);
        assertEquals(s, back);
        assertEquals(4, back.selection().query());
        assertEquals(0, back.selection().key());
        assertTrue(back.selection().qkPinned());
        assertEquals(ImportanceChoice.MEAN_ABLATION, back.selection().importance());
        assertTrue(SessionFile.json(s).contains("\"importance\": \"mean\""), SessionFile.json(s));
    }

    @Test
    void theKeysByClassChoiceSurvivesARoundTripAndOlderFilesShowKeysByPosition(@TempDir Path dir) throws Exception {
        SessionState byClass = SessionState.defaults().withSelection(Selection.defaults().withHead(1, 0).withKeysByClass(true));
        assertTrue(SessionFile.json(byClass).contains("\"keys\": \"classes\""), SessionFile.json(byClass));
        SessionState back = SessionFile.read(writeTo(dir.resolve("classes.json"), byClass));
        assertTrue(back.selection().keysByClass());
        assertEquals(byClass, back);
        assertTrue(back.selection().withHead(2, 1).withLogScale(true).withCells(3, -1).keysByClass(), "other choices keep it");
        assertFalse(SessionFile.read(writeTo(dir.resolve("position.json"), SessionState.defaults())).selection().keysByClass());
        Path old = dir.resolve("before-classes.json");
        Files.writeString(old, "{\"format\": \"headwise-session\", \"version\": 1, \"text\": \"hi\"}");
        assertFalse(SessionFile.read(old).selection().keysByClass(), "a file written before the choice shows keys by position");
        Path bad = dir.resolve("bad-keys.json");
        Files.writeString(bad, "{\"format\": \"headwise-session\", \"version\": 1, \"keys\": \"tokens\"}");
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> SessionFile.read(bad));
        assertTrue(e.getMessage().contains("bad-keys.json") && e.getMessage().contains("\"keys\" must be"), e.getMessage());
    }

    @Test
    void filesWithoutTheNewKeysReadWithDefaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("old.json");
        Files.writeString(file, "{\"format\": \"headwise-session\", \"version\": 1, \"text\": \"hi\", \"layer\": 1, \"head\": 2}");
        SessionState s = SessionFile.read(file);
        assertEquals(-1, s.selection().query());
        assertEquals(-1, s.selection().key());
        assertFalse(s.selection().qkPinned());
        assertEquals(ImportanceChoice.ZERO_ABLATION, s.selection().importance());
        assertEquals(1, s.selection().layer());
        assertEquals(2, s.selection().head());
        assertEquals("", s.compareModel(), "no \"compare_model\": no second model");
        assertFalse(s.hasCompareModel());
    }

    @Test
    void theThemeIsKeptAndOlderFilesOpenLight(@TempDir Path dir) throws Exception {
        SessionState dark = SessionState.defaults().withTheme(Theme.DARK);
        assertTrue(SessionFile.json(dark).contains("\"theme\": \"dark\""), SessionFile.json(dark));
        assertEquals(Theme.DARK, SessionFile.read(writeTo(dir.resolve("dark.json"), dark)).theme());
        assertEquals(Theme.DARK, dark.withPage("Flow").withText("x").theme(), "other changes keep the theme");
        Path old = dir.resolve("before-themes.json");
        Files.writeString(old, "{\"format\": \"headwise-session\", \"version\": 1, \"text\": \"hi\"}");
        assertEquals(Theme.LIGHT, SessionFile.read(old).theme(), "a file written before themes opens light");
        Path bad = dir.resolve("bad-theme.json");
        Files.writeString(bad, "{\"format\": \"headwise-session\", \"version\": 1, \"theme\": \"purple\"}");
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> SessionFile.read(bad));
        assertTrue(e.getMessage().contains("bad-theme.json") && e.getMessage().contains("\"theme\" must be"), e.getMessage());
    }

    @Test
    void theCompareModelSurvivesSaveAndReopen(@TempDir Path dir) {
        SessionState s = SessionState.defaults().withCompareModel("/models/gpt2 f16").withCompareText("ignored while a model is set");
        Path file = dir.resolve("compare.json");
        SessionFile.write(s, file);
        assertTrue(SessionFile.json(s).contains("\"compare_model\": \"/models/gpt2 f16\""), SessionFile.json(s));
        SessionState back = SessionFile.read(file);
        assertEquals(s, back);
        assertEquals("/models/gpt2 f16", back.compareModel());
        assertTrue(back.hasCompareModel());
        assertEquals("", SessionFile.read(writeTo(dir.resolve("cleared.json"), back.withCompareModel(""))).compareModel());
    }

    @Test
    void aHostileCompareModelIsOneLineNamingTheFile(@TempDir Path dir) throws Exception {
        String[] bad = {"[\"a\"]", "{}", "\"two\\nlines\"", "\"" + "x".repeat(SessionFile.MAX_MODEL_NAME + 1) + "\""};
        for (String value : bad) {
            Path file = dir.resolve("hostile.json");
            Files.writeString(file, "{\"format\": \"headwise-session\", \"compare_model\": " + value + "}");
            HeadwiseException e = assertThrows(HeadwiseException.class, () -> SessionFile.read(file), value);
            assertTrue(e.getMessage().contains("hostile.json") && e.getMessage().contains("compare_model"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    private static Path writeTo(Path file, SessionState s) {
        SessionFile.write(s, file);
        return file;
    }

    @Test
    void anUnknownMeasureIsOneLineNamingTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"format\": \"headwise-session\", \"importance\": \"vibes\"}");
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> SessionFile.read(file));
        assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains("importance"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
