package headwise.app;

import headwise.engine.HeadwiseException;
import headwise.engine.model.ForwardOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The -D switches become ForwardOptions at the edge; a value they do not take is a one-line error. */
class ForwardOptionsPropertiesTest {

    @AfterEach
    void clear() {
        System.clearProperty("headwise.attention");
        System.clearProperty("headwise.blockArena");
    }

    @Test
    void noSwitchesGiveTheDefaults() {
        assertEquals(ForwardOptions.defaults(), ForwardOptionsProperties.read());
    }

    @Test
    void switchesSetTheirOptions() {
        System.setProperty("headwise.attention", "Recompute");
        System.setProperty("headwise.blockArena", "false");
        assertEquals(ForwardOptions.defaults().withAttentionStorage(ForwardOptions.AttentionStorage.RECOMPUTE).withBlockArena(false),
                ForwardOptionsProperties.read());
    }

    @Test
    void unknownValuesAreRefused() {
        System.setProperty("headwise.attention", "f8");
        assertEquals("-Dheadwise.attention=f8: expected auto, f32, f16 or recompute",
                assertThrows(HeadwiseException.class, ForwardOptionsProperties::read).getMessage());
        System.clearProperty("headwise.attention");
        System.setProperty("headwise.blockArena", "off");
        assertEquals("-Dheadwise.blockArena=off: expected true or false",
                assertThrows(HeadwiseException.class, ForwardOptionsProperties::read).getMessage());
    }
}
