package headwise.app.export;

import headwise.engine.analysis.flow.ContributionGraph;
import headwise.engine.npy.Npy;
import headwise.engine.run.AttentionMaps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataWritersTest {

    /** [2 layers, 3 heads, 4 tokens]: value = layer·1000 + head·100 + query·10 + key. */
    static AttentionMaps numbered() {
        float[] v = new float[2 * 3 * 4 * 4];
        int i = 0;
        for (int l = 0; l < 2; l++) {
            for (int h = 0; h < 3; h++) {
                for (int q = 0; q < 4; q++) {
                    for (int k = 0; k < 4; k++) {
                        v[i++] = l * 1000 + h * 100 + q * 10 + k;
                    }
                }
            }
        }
        return new AttentionMaps(2, 3, 4, v);
    }

    @Test
    void npySelectsLayersAndHeadsInOrder(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("a.npy");
        Files.write(file, AttentionData.npy(numbered(), new int[] {1}, new int[] {2, 0}));
        Npy.FloatArray a = Npy.read(file);
        assertArrayEquals(new long[] {1, 2, 4, 4}, a.shape());
        assertEquals(1000 + 200 + 31, a.values()[3 * 4 + 1]);
        assertEquals(1000 + 0 + 31, a.values()[16 + 3 * 4 + 1]);
        assertThrows(IllegalArgumentException.class, () -> AttentionData.selection(new int[] {3}, 3, "head"));
    }

    @Test
    void npzIsAZipOfNpyWithFixedTimesAndSameBytesTwice() throws Exception {
        byte[] npz = AttentionData.npz(numbered(), new int[] {0, 1}, new int[] {1});
        assertArrayEquals(npz, AttentionData.npz(numbered(), new int[] {0, 1}, new int[] {1}));
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(npz))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                assertEquals(ZipEntry.STORED, e.getMethod(), "stored, as numpy.savez");
                assertEquals(Npz.FIXED_TIME, e.getTimeLocal());
                entries.put(e.getName(), zip.readAllBytes());
            }
        }
        assertEquals(List.of("attention.npy", "layers.npy", "heads.npy"), List.copyOf(entries.keySet()));
        Path dir = Files.createTempDirectory("npz");
        Files.write(dir.resolve("attention.npy"), entries.get("attention.npy"));
        Npy.FloatArray a = Npy.read(dir.resolve("attention.npy"));
        assertArrayEquals(new long[] {2, 1, 4, 4}, a.shape());
        assertEquals(1000 + 100 + 0, a.values()[16]);
        assertArrayEquals(new int[] {0, 1}, int32(entries.get("layers.npy"), "(2,)"));
        assertArrayEquals(new int[] {1}, int32(entries.get("heads.npy"), "(1,)"));
    }

    /** The values of an '<i4' .npy, after checking its header names that shape. */
    static int[] int32(byte[] npy, String shape) {
        int headerLength = ByteBuffer.wrap(npy, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
        String header = new String(npy, 10, headerLength, StandardCharsets.US_ASCII);
        assertTrue(header.contains("'descr': '<i4'") && header.contains("'shape': " + shape), header);
        assertEquals(0, (10 + headerLength) % 64);
        int[] out = new int[(npy.length - 10 - headerLength) / 4];
        ByteBuffer.wrap(npy, 10 + headerLength, out.length * 4).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
        return out;
    }

    @Test
    void csvQuotesWhatNeedsIt() {
        String csv = new Csv().row(List.of("a", " cat", "x,y", "say \"hi\"", 1.5, Double.NaN)).toString();
        assertEquals("a,\" cat\",\"x,y\",\"say \"\"hi\"\"\",1.5,\n", csv);
    }

    static ContributionGraph graph() {
        return new ContributionGraph(2, 3, 2, 0.04, List.of(
                new ContributionGraph.Edge(1, 0, 2, 0.5, ContributionGraph.Kind.ATTENTION),
                new ContributionGraph.Edge(1, 2, 2, 0.5, ContributionGraph.Kind.RESIDUAL),
                new ContributionGraph.Edge(2, 2, 2, 1.0, ContributionGraph.Kind.RESIDUAL)));
    }

    @Test
    void graphAsJsonListsNodesAndEdges() {
        var json = com.google.gson.JsonParser.parseString(GraphFiles.json(graph(), new String[] {"<s>", "a&b", "c"})).getAsJsonObject();
        assertEquals(9, json.getAsJsonArray("nodes").size(), "(layers + 1) x tokens");
        var edge = json.getAsJsonArray("edges").get(0).getAsJsonObject();
        assertEquals("L0_T0", edge.get("source").getAsString());
        assertEquals("L1_T2", edge.get("target").getAsString());
        assertEquals(0.5, edge.get("weight").getAsDouble());
        assertEquals("attention", edge.get("kind").getAsString());
        assertEquals("a&b", json.getAsJsonArray("nodes").get(1).getAsJsonObject().get("label").getAsString());
    }

    @Test
    void graphAsGraphMlParses() throws Exception {
        String xml = GraphFiles.graphml(graph(), new String[] {"<s>", "a&b", "\u0001"});
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        assertEquals("graphml", doc.getDocumentElement().getLocalName());
        assertEquals(9, doc.getElementsByTagNameNS("*", "node").getLength());
        assertEquals(3, doc.getElementsByTagNameNS("*", "edge").getLength());
        assertTrue(xml.contains("&lt;s&gt;") && xml.contains("a&amp;b"));
    }
}
