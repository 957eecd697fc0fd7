package headwise.app.export;

import headwise.engine.analysis.relevance.Faithfulness;
import headwise.engine.analysis.relevance.RelevanceMap;
import headwise.engine.analysis.relevance.SalientRelevance;
import headwise.engine.image.PatchGrid;
import headwise.engine.image.PixelImage;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.ModelInput;
import headwise.engine.vlm.TokenClasses;
import headwise.engine.vlm.analysis.JoinedRuns;
import headwise.app.session.Session;
import headwise.viz.Figure;
import headwise.viz.PatchAttentionOverlay;
import headwise.viz.view.FaithfulnessFigure;
import headwise.viz.view.RelevanceFigure;
import headwise.viz.draw.Text;

import java.util.ArrayList;
import java.util.List;

/** The relevance view: one row per method of a run's relevance maps (for exports and the app's Relevance page). */
public final class RelevanceFigures {

    private RelevanceFigures() {
    }

    /**
     * The image of text joined with an image (a vision-language model's run): the image as its tower saw it and
     * where its patches sit in the joined sequence.
     */
    public record JoinedImage(PixelImage seen, TokenClasses classes) {

        /** For {@code input}, a joined input of {@code model}, made of an image its tower saw as {@code seen}. */
        public static JoinedImage of(LoadedModel model, ModelInput input, PixelImage seen) {
            return new JoinedImage(seen, JoinedRuns.classes(model.visionLanguage(), input.ids()));
        }
    }

    public static RelevanceFigure figure(AnalysisResult r, List<RelevanceMap> maps, String title) {
        return figure(r, maps, title, null);
    }

    /** @param joined the image of a joined run, drawn with its positions' relevance; null for any other run */
    public static RelevanceFigure figure(AnalysisResult r, List<RelevanceMap> maps, String title, JoinedImage joined) {
        PatchGrid grid = r.input().image() != null ? r.input().grid() : null;
        List<RelevanceFigure.Map> rows = new ArrayList<>();
        for (RelevanceMap m : maps) {
            double[] salient = grid != null && m.finite()
                    ? SalientRelevance.of(m.tokens(), grid.specialTokens(), grid.rows(), grid.cols()) : null;
            rows.add(new RelevanceFigure.Map(m.method(), note(m), m.tokens(), m.heads(), salient));
        }
        RelevanceFigure.Image image = null;
        if (grid != null) {
            PixelImage seen = r.input().image().seen();
            image = new RelevanceFigure.Image(PatchAttentionOverlay.rgbImage(seen.width(), seen.height(), seen.channels(),
                    seen.samples()), grid.specialTokens(), grid.rows(), grid.cols());
        } else if (joined != null) {
            PixelImage seen = joined.seen();
            TokenClasses c = joined.classes();
            image = new RelevanceFigure.Image(PatchAttentionOverlay.rgbImage(seen.width(), seen.height(), seen.channels(),
                    seen.samples()), c.imageStart(), c.gridRows(), c.gridCols(), true);
        }
        String caption = maps.isEmpty() ? "" : target(r, maps.get(0))
                + "; red supports the target, blue speaks against it (each method to its own largest |value|)";
        return new RelevanceFigure(title, caption, r.input().tokens(), rows, image);
    }

    /** An export's relevance or faithfulness view of a joined run: the relevance view draws the image positions on the image. */
    public static Figure joinedView(ViewKind view, Session s, JoinedImage joined) {
        return view == ViewKind.RELEVANCE
                ? figure(s.result(), s.results().relevance(), Titles.of(s.result()) + " \u00B7 relevance", joined)
                : ViewFigures.figure(view, s);
    }

    /** The deletion/insertion curves of {@code curves} (those of methods in {@code methods}, or all when null). */
    public static FaithfulnessFigure faithfulness(AnalysisResult r, List<Faithfulness> curves, String title) {
        List<FaithfulnessFigure.Curves> lines = curves.stream().map(c -> new FaithfulnessFigure.Curves(c.method(), c.fractions(),
                c.deletion(), c.insertion(), c.deletionArea(), c.insertionArea())).toList();
        String image = r.input().embeddings() != null ? ", image positions: mean row" : "";
        String baseline = curves.isEmpty() ? "" : " (removed: " + curves.get(0).baseline() + image + ", " + curves.get(0).steps() + " steps)";
        return new FaithfulnessFigure(title + baseline, scoreName(r), lines);
    }

    /** "probability of the target" or, for a bare encoder, "value of the target dimension". */
    public static String scoreName(AnalysisResult r) {
        return hidden(r) ? "value of the target dimension" : "probability of the target";
    }

    /** A bare encoder's hidden state (the output is [T, d], not logits). */
    public static boolean hidden(AnalysisResult r) {
        return r.spec().output() == ModelSpec.Output.HIDDEN_STATE
                || r.input().image() == null && r.output().rows() > 1 && r.output().cols() == r.spec().dModel()
                && r.output().cols() != r.spec().vocabSize();
    }

    /** "target 'x' (id 26) at position 11, logit 5.10". */
    static String target(AnalysisResult r, RelevanceMap m) {
        String[] tokens = r.input().tokens();
        boolean image = r.input().image() != null;
        String at = image ? "" : " at position " + m.target().position()
                + (tokens != null && m.target().position() < tokens.length ? " ('" + tokens[m.target().position()] + "')" : "");
        return "explains " + (image ? "class " : "output ") + m.target().id() + at + ", value " + Text.number(m.logit());
    }

    /** "sum 2.38, positions 2.49" — what the map adds up to and the share it gave the embedding's other parts. */
    static String note(RelevanceMap m) {
        String s = "sum " + Text.number(m.sum());
        if (m.positionShare() != 0) {
            s += ", positions " + Text.number(m.positionShare());
        }
        if (m.typeShare() != 0) {
            s += ", token types " + Text.number(m.typeShare());
        }
        return s;
    }
}
