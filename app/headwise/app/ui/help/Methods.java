package headwise.app.ui.help;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What Help > Methods says: for each page, the measures it shows, each with a one-line definition, its paper and
 * what its colour means. Read from {@code headwise/app/help/methods.json} (text, not code, so it is edited beside the
 * docs it summarises).
 */
public record Methods(String about, List<PageEntry> pages) {

    static final String RESOURCE = "/headwise/app/help/methods.json";

    /** One measure. */
    public record Measure(String name, String definition, String paper, String colour) {
    }

    /** One page's entry: its tab title, what it shows, its measures. */
    public record PageEntry(String page, String summary, List<Measure> measures) {
    }

    /** The entry of the page titled {@code page}. */
    public Optional<PageEntry> entry(String page) {
        return pages.stream().filter(p -> p.page().equals(page)).findFirst();
    }

    /** The catalogue shipped with the app. */
    public static Methods load() {
        try (InputStream in = Methods.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return parse(JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Methods parse(JsonObject o) {
        List<PageEntry> pages = new ArrayList<>();
        for (JsonElement p : o.getAsJsonArray("pages")) {
            JsonObject page = p.getAsJsonObject();
            List<Measure> measures = new ArrayList<>();
            JsonArray list = page.getAsJsonArray("measures");
            for (JsonElement m : list) {
                JsonObject measure = m.getAsJsonObject();
                measures.add(new Measure(text(measure, "name"), text(measure, "definition"), text(measure, "paper"), text(measure, "colour")));
            }
            pages.add(new PageEntry(text(page, "page"), text(page, "summary"), List.copyOf(measures)));
        }
        return new Methods(text(o, "about"), List.copyOf(pages));
    }

    private static String text(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonPrimitive()) {
            throw new IllegalStateException(RESOURCE + ": \"" + key + "\" missing in " + o);
        }
        return e.getAsString();
    }
}
