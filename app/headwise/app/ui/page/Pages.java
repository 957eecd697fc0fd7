package headwise.app.ui.page;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** The analysis pages (flow, importance, sinks, layers, ViT, compare) in tab order; the window adds these tabs. */
public final class Pages {

    private Pages() {
    }

    /**
     * The analysis pages by title, each made when first asked for: the window makes a page when its tab is first
     * selected, so a cold start builds only the page it shows.
     */
    public static Map<String, Supplier<Page>> analysisPageMakers(ViewState state) {
        Map<String, Supplier<Page>> out = new LinkedHashMap<>();
        out.put("Flow", () -> new FlowPage(state));
        out.put("Importance", () -> new ImportancePage(state));
        out.put("Sinks", () -> new SinksPage(state));
        out.put("Layers", () -> new LayersPage(state));
        out.put("ViT", () -> new VitPage(state));
        out.put("Compare", () -> new ComparePage(state));
        return out;
    }
}
