package headwise.viz.vlm;

import headwise.engine.vlm.TokenClasses.TokenClass;
import headwise.engine.vlm.analysis.ClassShares;
import headwise.viz.draw.Block;
import headwise.viz.draw.BlockFigure;
import headwise.viz.draw.BlockGrid;
import headwise.viz.draw.Header;
import headwise.viz.draw.MatrixBlock;
import headwise.viz.draw.MatrixPanel;
import headwise.viz.draw.ValueScale;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where the attention goes by token class: one layers × heads map per key class (system, text, image, generated), all
 * on one 0–1 scale, and per layer a stacked bar of the four shares (mean over heads), so the imbalance between image
 * and text shows at a glance.
 */
public final class ClassSharesFigure extends BlockFigure {

    /** @param rowsName which query rows were averaged ("generated rows") */
    public ClassSharesFigure(String title, ClassShares shares, String rowsName) {
        super(new Header(title, "share of attention each key class receives, mean over the " + rowsName + " ("
                + shares.queries().length + "); maps: layers (rows) \u00D7 heads (columns); bars: mean over heads"), body(shares));
    }

    private static Block body(ClassShares shares) {
        List<Block> blocks = new ArrayList<>();
        int cell = Math.max(8, Math.min(22, 200 / shares.heads()));
        String[] layers = labels("L", shares.layers());
        String[] heads = labels("", shares.heads());
        for (TokenClass c : TokenClass.values()) {
            MatrixPanel panel = MatrixPanel.of(shares.of(c), layers, heads, cell, ValueScale.linear(0, 1), false);
            blocks.add(new MatrixBlock(name(c) + " keys", null, panel, "share"));
        }
        blocks.add(new LayerShareBars(shares.perLayer(), names(), cell));
        return new BlockGrid(blocks, 5);
    }

    static String name(TokenClass c) {
        return c.name().toLowerCase(Locale.ROOT);
    }

    static String[] names() {
        TokenClass[] all = TokenClass.values();
        String[] out = new String[all.length];
        for (int i = 0; i < all.length; i++) {
            out[i] = name(all[i]);
        }
        return out;
    }

    static String[] labels(String prefix, int count) {
        String[] out = new String[count];
        for (int i = 0; i < count; i++) {
            out[i] = prefix + i;
        }
        return out;
    }
}
