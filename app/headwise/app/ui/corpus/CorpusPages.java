package headwise.app.ui.corpus;

import headwise.app.ui.model.AppModel;
import headwise.app.ui.page.Page;
import headwise.app.ui.page.ViewState;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** The Corpus and Atlas tabs, sharing one {@link CorpusPageModel} (the atlas of a corpus run is the Corpus page's). */
public final class CorpusPages {

    private CorpusPages() {
    }

    public static Map<String, Supplier<Page>> makers(AppModel app, ViewState state) {
        CorpusPageModel[] corpus = new CorpusPageModel[1]; // made with the first of the two pages
        Supplier<CorpusPageModel> shared = () -> {
            if (corpus[0] == null) {
                corpus[0] = new CorpusPageModel(app);
            }
            return corpus[0];
        };
        Map<String, Supplier<Page>> out = new LinkedHashMap<>();
        out.put(CorpusPage.TITLE, () -> new CorpusPage(shared.get()));
        out.put(AtlasPage.TITLE, () -> new AtlasPage(new AtlasPageModel(app, shared.get()), state));
        return out;
    }
}
