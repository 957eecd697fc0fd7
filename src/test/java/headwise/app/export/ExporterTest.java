package headwise.app.export;

import com.google.gson.JsonParser;
import headwise.app.session.Session;
import headwise.engine.Fixtures;
import headwise.engine.HeadwiseException;
import headwise.engine.analysis.flow.ContributionGraph;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.npy.Npy;
import headwise.engine.run.ModelInput;
import headwise.viz.FigureChecks;
import headwise.viz.export.FigureFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Everything a session exports, on a real run of the gpt2_f32 fixture (a causal LM, 3 layers × 4 heads). */
class ExporterTest {

    static Session session;

    @BeforeAll
    static void analyse() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            int[] ids = Fixtures.inputIds("gpt2_f32");
            ModelInput input = ModelInput.fromIds(model, ids);
            int[] other = ids.clone();
            other[3] = 5;
            SessionAnalysis.Options options = new SessionAnalysis.Options(1, 2, false, ModelInput.fromIds(model, other), -1, 0.04);
            Session run = SessionAnalysis.run(model, input, EnumSet.complementOf(EnumSet.of(SessionAnalysis.Part.FLOW)), options);
            var curves = headwise.engine.analysis.relevance.Faithfulness.computeAll(model, input, run.results().relevance(),
                    headwise.engine.analysis.relevance.FaithfulnessBaseline.token(0));
            session = new Session(run.results().withFlow(flow(model.spec().layers(), ids.length)).withFaithfulness(curves),
                    run.selection());
        }
    }

    /** A hand-built graph: the engine's flow analysis is another branch. */
    static ContributionGraph flow(int layers, int tokens) {
        List<ContributionGraph.Edge> edges = new ArrayList<>();
        for (int l = 1; l <= layers; l++) {
            edges.add(new ContributionGraph.Edge(l, tokens - 1, tokens - 1, 0.5, ContributionGraph.Kind.RESIDUAL));
            edges.add(new ContributionGraph.Edge(l, 0, tokens - 1, 0.3, ContributionGraph.Kind.ATTENTION));
        }
        return new ContributionGraph(layers, tokens, tokens - 1, 0.04, edges);
    }

    @Test
    void everyViewInEveryFormatOpens() throws Exception {
        for (ViewKind view : ViewKind.values()) {
            if (view == ViewKind.VIT_OVERLAY) {
                assertTrue(Exporter.unavailable(view, session).contains("image"));
                continue;
            }
            assertNull(Exporter.unavailable(view, session), view.cliName());
            String[] labels = view == ViewKind.IMPORTANCE || view == ViewKind.LAYERS || view == ViewKind.MODEL_VIEW || view == ViewKind.ATLAS
                    || view == ViewKind.FAITHFULNESS ? new String[0] : new String[] {session.tokens()[1]};
            FigureChecks.writeAndCheck(Exporter.figure(view, session), "export-gpt2-" + view.cliName(), labels);
        }
    }

    @Test
    void headViewWithoutAChosenHeadShowsAllHeads(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("hv.svg");
        Exporter.exportView(ViewKind.HEAD_VIEW, session.withSelection(0, -1), FigureFormat.SVG, file);
        List<String> texts = FigureChecks.texts(FigureChecks.checkSvg(Files.readAllBytes(file)));
        assertTrue(texts.containsAll(List.of("head 0", "head 1", "head 2", "head 3")), texts.toString());
    }

    @Test
    void pngScaleSetsPixelsAndDpi(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("h.png");
        Exporter.exportView(ViewKind.HEATMAP, session, FigureFormat.PNG, 2, file);
        var figure = Exporter.figure(ViewKind.HEATMAP, session);
        FigureChecks.checkPng(Files.readAllBytes(file), 2 * figure.width(), 2 * figure.height());
        try (var in = javax.imageio.ImageIO.createImageInputStream(file.toFile())) {
            var reader = javax.imageio.ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            assertEquals(144, headwise.viz.export.PngExport.dpi(reader.getImageMetadata(0)), 0.1);
        }
    }

    @Test
    void exportAllWritesFiguresDataAndIndexTheSameTwice(@TempDir Path dir) throws Exception {
        Exporter.ExportSummary first = Exporter.exportAll(session, dir.resolve("a"), 1);
        Exporter.exportAll(session, dir.resolve("b"), 1);
        assertEquals(List.of(ViewKind.VIT_OVERLAY), List.copyOf(first.skipped().keySet()));
        for (Path file : first.files()) {
            Path relative = dir.resolve("a").relativize(file);
            assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(dir.resolve("b").resolve(relative)), relative + " differs");
        }
        Path a = dir.resolve("a");
        for (ViewKind v : ViewKind.values()) {
            for (String ext : new String[] {"png", "svg", "pdf"}) {
                assertEquals(v != ViewKind.VIT_OVERLAY, Files.exists(a.resolve("figures").resolve(v.cliName() + "." + ext)), v + ext);
            }
        }
        int t = session.result().attention().length();
        assertArrayEquals(new long[] {3, 4, t, t}, Npy.read(a.resolve("data/attention.npy")).shape());
        assertArrayEquals(new long[] {t, 97}, Npy.read(a.resolve("data/output.npy")).shape());
        var metrics = JsonParser.parseString(Files.readString(a.resolve("data/metrics.json"))).getAsJsonObject();
        assertTrue(metrics.has("entropy") && metrics.has("head_types"));
        List<String> heads = Files.readAllLines(a.resolve("data/metrics_heads.csv"));
        assertEquals(1 + 3 * 4, heads.size());
        assertTrue(heads.get(0).startsWith("layer,head,entropy,"), heads.get(0));
        assertTrue(heads.get(0).contains("ablation_dloss") && heads.get(0).contains("gradient"), heads.get(0));
        assertEquals(1 + 3, Files.readAllLines(a.resolve("data/metrics_layers.csv")).size());
        List<String> tokens = Files.readAllLines(a.resolve("data/tokens.csv"));
        assertEquals("position,id,token,start,end,sink_rate,mean_sink_score", tokens.get(0));
        assertTrue(tokens.get(1).startsWith("0," + Fixtures.inputIds("gpt2_f32")[0] + ",#"), tokens.get(1));
        assertTrue(Files.readString(a.resolve("data/flow.graphml")).contains("<graphml"));
        String index = Files.readString(a.resolve("index.html"));
        for (ViewKind v : ViewKind.values()) {
            assertEquals(v != ViewKind.VIT_OVERLAY, index.contains("figures/" + v.cliName() + ".svg"), v.cliName());
        }
        assertTrue(index.contains("data/attention.npz") && index.contains("Not drawn"));
        try (Stream<Path> files = Files.walk(a)) {
            assertEquals(first.files().size(), files.filter(Files::isRegularFile).count());
        }
    }

    @Test
    void attentionNpzOfChosenHeads(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sel.npz");
        Exporter.exportData(DataKind.ATTENTION, session, null, new int[] {2}, new int[] {0, 3}, file);
        try (var zip = new java.util.zip.ZipFile(file.toFile())) {
            Path npy = dir.resolve("attention.npy");
            Files.write(npy, zip.getInputStream(zip.getEntry("attention.npy")).readAllBytes());
            int t = session.result().attention().length();
            Npy.FloatArray a = Npy.read(npy);
            assertArrayEquals(new long[] {1, 2, t, t}, a.shape());
            float[] expected = session.result().attention().head(2, 3);
            assertArrayEquals(expected, Arrays.copyOfRange(a.values(), t * t, 2 * t * t));
        }
        assertThrows(HeadwiseException.class, () -> Exporter.exportData(DataKind.ATTENTION, session, null, null, new int[] {4},
                dir.resolve("x.npy")));
        assertThrows(HeadwiseException.class, () -> Exporter.exportData(DataKind.TOKENS, session, "npy", null, null, dir.resolve("t")));
    }

    @Test
    void viewsWithoutTheirDataSayWhy() {
        Session bare = Session.of(session.result());
        for (ViewKind v : List.of(ViewKind.FLOW, ViewKind.IMPORTANCE, ViewKind.COMPARE, ViewKind.VIT_OVERLAY, ViewKind.RELEVANCE)) {
            HeadwiseException e = assertThrows(HeadwiseException.class, () -> Exporter.figure(v, bare));
            assertFalse(e.getMessage().isBlank());
        }
        assertNull(Exporter.unavailable(ViewKind.MODEL_VIEW, bare), "the model view draws without marks");
        assertNull(Exporter.unavailable(ViewKind.LAYERS, bare));
    }
}
