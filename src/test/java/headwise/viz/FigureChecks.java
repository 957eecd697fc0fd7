package headwise.viz;

import headwise.viz.export.FigureFiles;
import headwise.viz.export.FigureFormat;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Opens what a figure writes: PNG decodes and is not blank, SVG parses with its text, PDF has the page size. */
public final class FigureChecks {

    public static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Pattern MEDIA_BOX = Pattern.compile("/MediaBox \\[([-0-9. ]+)]");

    private FigureChecks() {
    }

    /** Writes the figure in all three formats as target/screenshots/NAME.{png,svg,pdf} and checks each file. */
    public static void writeAndCheck(Figure figure, String name, String... expectedTexts) throws Exception {
        for (FigureFormat format : FigureFormat.values()) {
            Path file = SCREENSHOTS.resolve(name + "." + format.extension());
            FigureFiles.write(figure, format, 1, name, file);
            byte[] bytes = Files.readAllBytes(file);
            switch (format) {
                case PNG -> checkPng(bytes, figure.width(), figure.height());
                case SVG -> checkSvg(bytes, expectedTexts);
                case PDF -> checkPdf(bytes, figure.width(), figure.height());
            }
            assertArrayEquals(bytes, FigureFiles.bytes(figure, format, 1, name), name + "." + format.extension() + " is deterministic");
        }
    }

    public static BufferedImage checkPng(byte[] bytes, int width, int height) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
        assertNotNull(image, "PNG decodes");
        assertEquals(width, image.getWidth());
        assertEquals(height, image.getHeight());
        assertTrue(colours(image) > 20, "PNG is not blank: " + colours(image) + " colours");
        return image;
    }

    /** Parses the SVG (no DTD fetched) and checks that each expected text is the content of a {@code <text>}. */
    public static Document checkSvg(byte[] bytes, String... expectedTexts) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document svg = factory.newDocumentBuilder().parse(new ByteArrayInputStream(bytes));
        assertEquals("svg", svg.getDocumentElement().getLocalName());
        List<String> texts = texts(svg);
        for (String expected : expectedTexts) {
            assertTrue(texts.contains(expected), "SVG has <text>" + expected + "</text>; texts: " + texts);
        }
        return svg;
    }

    public static List<String> texts(Document svg) {
        NodeList nodes = svg.getElementsByTagNameNS("*", "text");
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            texts.add(nodes.item(i).getTextContent());
        }
        return texts;
    }

    public static void checkPdf(byte[] bytes, int width, int height) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith("%PDF-"), "starts with %PDF-");
        assertTrue(text.trim().endsWith("%%EOF"));
        Matcher m = MEDIA_BOX.matcher(text);
        assertTrue(m.find(), "has a MediaBox");
        String[] box = m.group(1).trim().split("\\s+");
        assertEquals(0, Double.parseDouble(box[0]));
        assertEquals(0, Double.parseDouble(box[1]));
        assertEquals(width, Double.parseDouble(box[2]), "page width in points");
        assertEquals(height, Double.parseDouble(box[3]), "page height in points");
    }

    public static int colours(BufferedImage image) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                colours.add(image.getRGB(x, y));
            }
        }
        return colours.size();
    }
}
