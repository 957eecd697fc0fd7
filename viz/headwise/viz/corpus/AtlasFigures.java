package headwise.viz.corpus;

import headwise.engine.corpus.HeadRoles;
import headwise.engine.corpus.PatternThumbnail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The atlas figure of {@link AtlasData} coloured and sized as chosen: what the Atlas and Corpus pages draw. */
public final class AtlasFigures {

    public static final String BY_LAYER = "layer";
    public static final String BY_TYPE = "head type";
    public static final String NO_SIZE = "none";
    public static final String IMPORTANCE = "importance";

    private AtlasFigures() {
    }

    /** Colour choices: layer, head type, then every metric. */
    public static List<String> colourChoices(AtlasData d) {
        List<String> out = new ArrayList<>(List.of(BY_LAYER, BY_TYPE));
        out.addAll(d.metrics().keySet());
        return out;
    }

    /** Size choices: none, importance when computed, then every metric. */
    public static List<String> sizeChoices(AtlasData d) {
        List<String> out = new ArrayList<>(List.of(NO_SIZE));
        if (d.importance() != null) {
            out.add(IMPORTANCE);
        }
        out.addAll(d.metrics().keySet());
        return out;
    }

    public static AtlasFigure figure(AtlasData d, String colourBy, String sizeBy) {
        int layers = d.atlas().layers();
        int heads = d.atlas().heads();
        AtlasFigure.Colouring colouring;
        if (BY_TYPE.equals(colourBy)) {
            HeadRoles.Role[][] roles = HeadRoles.classify(d.metrics(), layers, heads);
            List<String> names = Arrays.stream(HeadRoles.Role.values()).map(r -> r.label() + " (" + r.rule() + ")").toList();
            int[] category = new int[layers * heads];
            for (int i = 0; i < category.length; i++) {
                category[i] = roles[i / heads][i % heads].ordinal();
            }
            colouring = AtlasFigure.Colouring.categories("head type", names, category);
        } else if (d.metrics().containsKey(colourBy)) {
            colouring = AtlasFigure.Colouring.values(colourBy, flat(d.metrics().get(colourBy)));
        } else {
            double[] layer = new double[layers * heads];
            for (int i = 0; i < layer.length; i++) {
                layer[i] = i / heads;
            }
            colouring = AtlasFigure.Colouring.values("layer", layer);
        }
        double[][] sizes = IMPORTANCE.equals(sizeBy) ? d.importance() : d.metrics().get(sizeBy);
        String sizeName = IMPORTANCE.equals(sizeBy) ? d.importanceName() : sizeBy;
        return new AtlasFigure("Head atlas: " + d.source(),
                "each dot a head, placed by classical MDS of the Jensen-Shannon distances between the heads' attention: near = alike",
                d.atlas().xy(), heads, colouring, sizes == null ? null : flat(sizes), sizeName);
    }

    /** Head {@code index}'s mean pattern, or null when the atlas has none. */
    public static PatternThumbnailFigure thumbnail(AtlasData d, int index) {
        double[][] thumbnails = d.atlas().thumbnails();
        if (thumbnails == null) {
            return null;
        }
        int heads = d.atlas().heads();
        String title = "L" + index / heads + " H" + index % heads + (d.corpus() ? " mean pattern" : " pattern");
        return new PatternThumbnailFigure(title, thumbnails[index], PatternThumbnail.SIZE);
    }

    static double[] flat(double[][] values) {
        return Arrays.stream(values).flatMapToDouble(Arrays::stream).toArray();
    }
}
