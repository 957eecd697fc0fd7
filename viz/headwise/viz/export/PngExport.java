package headwise.viz.export;

import headwise.viz.Figure;
import headwise.viz.draw.Style;
import org.w3c.dom.Element;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * PNG: the figure rasterised at {@code scale} pixels per figure unit, with its resolution (72·scale dots per inch,
 * so the print size matches the PDF page) in the pHYs chunk. No time chunk: the bytes depend only on the picture.
 */
public final class PngExport {

    /** Figure units are points: 72 per inch at scale 1. */
    public static final double POINTS_PER_INCH = 72;

    private PngExport() {
    }

    /** The figure as pixels: {@code ceil(width·scale) × ceil(height·scale)}, opaque. */
    public static BufferedImage render(Figure figure, double scale) {
        if (!(scale > 0) || scale > 16) {
            throw new IllegalArgumentException("scale must be above 0 and at most 16, got " + scale);
        }
        int w = (int) Math.ceil(figure.width() * scale);
        int h = (int) Math.ceil(figure.height() * scale);
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            // the pixels past width·scale (the size rounds up) get the paper's colour, not black: no dark edge line
            Style.background(g, w, h);
            g.scale(scale, scale);
            figure.draw(g);
        } finally {
            g.dispose();
        }
        return image;
    }

    public static byte[] bytes(Figure figure, double scale) {
        return encode(render(figure, scale), POINTS_PER_INCH * scale);
    }

    /** PNG bytes of {@code image} with {@code dpi} recorded in its pHYs chunk. */
    public static byte[] encode(BufferedImage image, double dpi) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), param);
            setDpi(metadata, dpi);
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, metadata), param);
        } catch (IOException e) {
            throw new IllegalStateException("PNG encoding failed: " + e.getMessage(), e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    private static void setDpi(IIOMetadata metadata, double dpi) throws IIOInvalidTreeException {
        String format = "javax_imageio_png_1.0";
        IIOMetadataNode phys = new IIOMetadataNode("pHYs");
        String perMetre = Long.toString(Math.round(dpi / 0.0254));
        phys.setAttribute("pixelsPerUnitXAxis", perMetre);
        phys.setAttribute("pixelsPerUnitYAxis", perMetre);
        phys.setAttribute("unitSpecifier", "meter");
        IIOMetadataNode root = new IIOMetadataNode(format);
        root.appendChild(phys);
        metadata.mergeTree(format, root);
    }

    /** Dots per inch recorded in a PNG's pHYs chunk, or NaN when it has none (for tests and checks). */
    public static double dpi(IIOMetadata metadata) {
        Element root = (Element) metadata.getAsTree("javax_imageio_png_1.0");
        var nodes = root.getElementsByTagName("pHYs");
        if (nodes.getLength() == 0) {
            return Double.NaN;
        }
        Element phys = (Element) nodes.item(0);
        return Long.parseLong(phys.getAttribute("pixelsPerUnitXAxis")) * 0.0254;
    }
}
