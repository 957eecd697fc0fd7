package headwise.app.ui.page;

import java.util.List;

/** The analysis pages (flow, importance, sinks, layers, ViT, compare) in tab order; the window adds these tabs. */
public final class Pages {

    private Pages() {
    }

    public static List<Page> analysisPages(ViewState state) {
        return List.of(new FlowPage(state), new ImportancePage(state), new SinksPage(state), new LayersPage(state),
                new VitPage(state), new ComparePage(state));
    }
}
