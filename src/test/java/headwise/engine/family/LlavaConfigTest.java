package headwise.engine.family;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.engine.HeadwiseException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** vision_feature_layer as Python indexes Hugging Face's hidden_states tuple (layers + 1 entries). */
class LlavaConfigTest {

    private static final Path FILE = Path.of("config.json");

    @Test
    void featureLayersCountNegativeIndicesFromTheEnd() {
        assertArrayEquals(new int[] {23}, LlavaMapper.featureLayers(FILE, config("{}"), 24), "default -2");
        assertArrayEquals(new int[] {23}, LlavaMapper.featureLayers(FILE, config("{\"vision_feature_layer\": -2}"), 24));
        assertArrayEquals(new int[] {24}, LlavaMapper.featureLayers(FILE, config("{\"vision_feature_layer\": -1}"), 24));
        assertArrayEquals(new int[] {0}, LlavaMapper.featureLayers(FILE, config("{\"vision_feature_layer\": -25}"), 24));
        assertArrayEquals(new int[] {5}, LlavaMapper.featureLayers(FILE, config("{\"vision_feature_layer\": 5}"), 24));
        assertArrayEquals(new int[] {3, 7, 24}, LlavaMapper.featureLayers(FILE, config("{\"vision_feature_layer\": [3, -18, -1]}"), 24));
    }

    @Test
    void featureLayersOutsideTheTowerAreRefused() {
        for (String bad : new String[] {"-26", "25", "[]", "1.5", "\"last\""}) {
            HeadwiseException e = assertThrows(HeadwiseException.class,
                    () -> LlavaMapper.featureLayers(FILE, config("{\"vision_feature_layer\": " + bad + "}"), 24), bad);
            assertTrue(e.getMessage().contains("vision_feature_layer"), e.getMessage());
        }
    }

    private static JsonObject config(String json) {
        return JsonParser.parseString(json).getAsJsonObject();
    }
}
