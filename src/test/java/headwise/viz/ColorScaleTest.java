package headwise.viz;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ColorScaleTest {

    @Test
    void viridisRunsFromPurpleToYellow() {
        assertEquals(0xFF440154, ColorScale.argb(0));
        assertEquals(0xFF21918C, ColorScale.argb(0.5));
        assertEquals(0xFFFDE725, ColorScale.argb(1));
        assertEquals(ColorScale.argb(1), ColorScale.argb(3, 3));
        assertEquals(ColorScale.argb(0), ColorScale.argb(-1), "clamped");
        assertEquals(ColorScale.argb(0), ColorScale.argb(0.5, 0), "no max: everything lowest");
        assertEquals(ColorScale.NAN_ARGB, ColorScale.argb(Double.NaN));
        for (int i = 1; i < ColorScale.SIZE; i++) {
            assertTrue(luminance(ColorScale.entry(i)) >= luminance(ColorScale.entry(i - 1)) - 0.5, "sequential at " + i);
        }
    }

    private static double luminance(int argb) {
        return 0.2126 * ((argb >> 16) & 0xFF) + 0.7152 * ((argb >> 8) & 0xFF) + 0.0722 * (argb & 0xFF);
    }
}
