package headwise.app.io;

import headwise.engine.Fixtures;
import headwise.engine.HeadwiseException;
import headwise.engine.image.PixelImage;
import headwise.engine.npy.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decoding gives the stored sample values, as PIL does (no colour conversion of grey, alpha dropped). */
class ImageFilesTest {

    private static final Path RESIZE = Fixtures.model("vit_resize");

    @Test
    void rgbPngIsExact() {
        PixelImage image = ImageFiles.read(RESIZE.resolve("source.png"));
        assertEquals(45, image.width());
        assertEquals(37, image.height());
        assertEquals(3, image.channels());
        assertArrayEquals(Npy.read(RESIZE.resolve("source.npy")).values(), floats(image));
    }

    @Test
    void greyPngStaysGreyWithoutGammaConversion() {
        PixelImage image = ImageFiles.read(RESIZE.resolve("gray.png"));
        assertEquals(1, image.channels());
        assertArrayEquals(Npy.read(RESIZE.resolve("gray.npy")).values(), floats(image));
    }

    @Test
    void alphaIsDropped() {
        PixelImage image = ImageFiles.read(RESIZE.resolve("rgba.png"));
        assertEquals(3, image.channels());
        assertArrayEquals(Npy.read(RESIZE.resolve("source.npy")).values(), floats(image));
    }

    @Test
    void palettePngIsLookedUp(@TempDir Path temp) throws IOException {
        BufferedImage indexed = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_INDEXED);
        indexed.setRGB(0, 0, 0xFF0000);
        indexed.setRGB(1, 0, 0x0000FF);
        Path file = temp.resolve("p.png");
        ImageIO.write(indexed, "png", file.toFile());
        PixelImage image = ImageFiles.read(file);
        assertArrayEquals(new float[] {255, 0, 0, 0, 0, 255}, floats(image));
    }

    @Test
    void errorsNameTheFile(@TempDir Path temp) throws IOException {
        Path text = temp.resolve("notes.png");
        Files.writeString(text, "not an image");
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> ImageFiles.read(text));
        assertTrue(e.getMessage().startsWith(text + ": not an image"), e.getMessage());
        HeadwiseException folder = assertThrows(HeadwiseException.class, () -> ImageFiles.read(temp));
        assertTrue(folder.getMessage().startsWith(temp + ": not a file"), folder.getMessage());
    }

    private static float[] floats(PixelImage image) {
        float[] out = new float[image.samples().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = image.samples()[i] & 0xFF;
        }
        return out;
    }
}
