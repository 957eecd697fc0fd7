package headwise.engine.load;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The registry of bundled models: names, case-insensitive lookup, and the samples' ready inputs. */
class BundledModelsTest {

    private final String saved = System.getProperty("headwise.models");

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty("headwise.models");
        } else {
            System.setProperty("headwise.models", saved);
        }
    }

    @Test
    void namesAreFoundCaseInsensitively() {
        assertEquals(Optional.of(BundledModels.VIT_SAMPLE), BundledModels.canonicalName("Shapes-ViT"));
        assertEquals(Optional.of(BundledModels.MINILM), BundledModels.canonicalName("all-minilm-l6-v2"));
        assertEquals(Optional.empty(), BundledModels.canonicalName("gpt2"));
    }

    @Test
    void samplesCarryTheirExampleInputs(@TempDir Path root) throws IOException {
        Path decoder = Files.createDirectories(root.resolve(BundledModels.DECODER_SAMPLE));
        Files.writeString(decoder.resolve("example.txt"), "the fox ran . the fox ran .\n");
        Path images = Files.createDirectories(root.resolve(BundledModels.VIT_SAMPLE).resolve("examples"));
        Files.write(images.resolve("red_circle.png"), new byte[] {1});
        Files.write(images.resolve("blue_square.png"), new byte[] {1});
        System.setProperty("headwise.models", root.toString());

        List<BundledModels.Sample> samples = BundledModels.samples();
        assertEquals(List.of(BundledModels.DECODER_SAMPLE, BundledModels.VIT_SAMPLE),
                samples.stream().map(BundledModels.Sample::name).toList());
        assertEquals(decoder, samples.get(0).folder());
        assertEquals("the fox ran . the fox ran .", samples.get(0).exampleText());
        assertNull(samples.get(0).exampleImage());
        assertEquals(images.resolve("red_circle.png"), samples.get(1).exampleImage());
        assertEquals(List.of(images.resolve("blue_square.png"), images.resolve("red_circle.png")),
                BundledModels.exampleImages(samples.get(1).folder()));
        assertEquals(Optional.of(decoder), BundledModels.find("TINY-STORIES-DECODER"));
    }
}
