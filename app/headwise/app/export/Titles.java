package headwise.app.export;

import headwise.engine.run.AnalysisResult;
import headwise.engine.run.ModelInput;

import java.nio.file.Path;

/** Short descriptions of a run for figure titles. */
final class Titles {

    static final int MAX_TEXT = 40;

    private Titles() {
    }

    /** "model · input". */
    static String of(AnalysisResult r) {
        return r.modelName() + " \u00B7 " + input(r);
    }

    /** The quoted text (clipped), the image's file name, or "N ids". */
    static String input(AnalysisResult r) {
        ModelInput in = r.input();
        if (in.text() != null) {
            String text = in.text().replaceAll("\\s+", " ").trim();
            return "\"" + (text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT - 1) + "\u2026" : text) + "\"";
        }
        if (in.image() != null) {
            Path name = Path.of(in.image().seen().source()).getFileName();
            return name == null ? "image" : name.toString();
        }
        return in.length() + " token ids";
    }
}
