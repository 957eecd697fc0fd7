package headwise.app.ui.page;

import headwise.app.export.Session;
import headwise.app.export.SessionAnalysis;
import javafx.scene.image.Image;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(ApplicationExtension.class)
class ComparePageTest {

    private PageHarness harness;

    @Start
    void start(Stage stage) {
        harness = new PageHarness(stage);
    }

    @Test
    void drawsBothRunsAndTheirDifferenceAndFollowsTheHead(FxRobot robot) throws Exception {
        Session s = PageSessions.minilm();
        ComparePage page = harness.open(robot, ComparePage::new, s.withSelection(2, 3));
        Image first = page.figureView().image();
        assertTrue(first.getWidth() > 600, "A, B and B \u2212 A side by side: " + first.getWidth());
        int red = 0;
        int blue = 0;
        var pixels = first.getPixelReader();
        for (int y = 0; y < first.getHeight(); y += 2) {
            for (int x = 0; x < first.getWidth(); x += 2) {
                int argb = pixels.getArgb(x, y);
                int r = argb >> 16 & 0xFF;
                int b = argb & 0xFF;
                red += r > 150 && b < 110 ? 1 : 0;
                blue += b > 150 && r < 110 ? 1 : 0;
            }
        }
        assertTrue(red > 0 && blue > 0, "the diverging scale shows both signs: red " + red + ", blue " + blue);
        harness.screenshot("page-compare.png");
        robot.interact(() -> page.select(4, 0));
        assertNotEquals(first, page.figureView().image(), "another head redraws");
    }

    @Test
    void withoutASecondRunItAsksForOne(FxRobot robot) {
        harness.open(robot, ComparePage::new, Session.of(PageSessions.gpt2().result()));
        robot.clickOn("#request-comparison");
        assertEquals(List.of(SessionAnalysis.Part.COMPARISON), harness.requested);
    }

    @Test
    void pagesListsTheSixAnalysisPagesInOrder(FxRobot robot) {
        robot.interact(() -> {
            List<Page> pages = Pages.analysisPages(harness.state);
            assertEquals(List.of("Flow", "Importance", "Sinks", "Layers", "ViT", "Compare"), pages.stream().map(Page::title).toList());
            for (Page p : pages) {
                p.show(PageSessions.gpt2());
                assertTrue(p.view() != null && p.exportView() != null, p.title());
            }
        });
    }
}
