package headwise.engine.corpus;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A saved partition reads back to the same numbers; a truncated, padded or foreign file reads as nothing. */
class CorpusAccumulatorFormatTest {

    private static CorpusAccumulator part() {
        CorpusAccumulator part = new CorpusAccumulator();
        for (int p = 0; p < 3; p++) {
            double[][][] values = new double[2][3][2];
            double[][] distance = new double[6][6];
            double[][] thumbnails = new double[6][4];
            for (int m = 0; m < 2; m++) {
                for (int l = 0; l < 3; l++) {
                    values[m][l] = new double[] {p + m * 0.5 + l * 0.25, Double.NaN};
                }
            }
            for (int i = 0; i < 6; i++) {
                for (int j = 0; j < 6; j++) {
                    distance[i][j] = p * 0.1 + i - j;
                }
                Arrays.fill(thumbnails[i], p + i * 0.01);
            }
            part.add(new PromptMetrics(7 - p, 10 + p, values), distance, thumbnails);
        }
        return part;
    }

    private static byte[] bytes(CorpusAccumulator part) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            part.writeTo(out);
        }
        return buffer.toByteArray();
    }

    @Test
    void aSavedPartitionReadsBackToTheSameNumbers() throws IOException {
        CorpusAccumulator part = part();
        CorpusAccumulator back = CorpusAccumulator.readFrom(bytes(part));
        assertNotNull(back);
        assertEquals(part.prompts().size(), back.prompts().size());
        for (int p = 0; p < part.prompts().size(); p++) {
            assertEquals(part.prompts().get(p).index(), back.prompts().get(p).index());
            assertEquals(part.prompts().get(p).tokens(), back.prompts().get(p).tokens());
            for (int m = 0; m < 2; m++) {
                for (int l = 0; l < 3; l++) {
                    assertArrayEquals(part.prompts().get(p).values()[m][l], back.prompts().get(p).values()[m][l], 0);
                }
            }
        }
        for (int i = 0; i < 6; i++) {
            assertArrayEquals(part.meanDistance()[i], back.meanDistance()[i], 0);
            assertArrayEquals(part.meanThumbnails()[i], back.meanThumbnails()[i], 0);
        }
        assertNotNull(CorpusAccumulator.readFrom(bytes(new CorpusAccumulator())), "an empty partition");
    }

    @Test
    void aDamagedFileReadsAsNothing() throws IOException {
        byte[] whole = bytes(part());
        for (int cut : new int[] {0, 3, 4, 11, whole.length / 2, whole.length - 1}) {
            assertNull(CorpusAccumulator.readFrom(Arrays.copyOf(whole, cut)), "cut at " + cut);
        }
        assertNull(CorpusAccumulator.readFrom(Arrays.copyOf(whole, whole.length + 1)), "a byte too many");
        byte[] hugeCount = whole.clone();
        hugeCount[4] = 0x7f; // the prompt count's high byte: far more prompts than the file holds
        assertNull(CorpusAccumulator.readFrom(hugeCount));
        byte[] foreign = whole.clone();
        foreign[0] ^= 1;
        assertNull(CorpusAccumulator.readFrom(foreign));
    }
}
