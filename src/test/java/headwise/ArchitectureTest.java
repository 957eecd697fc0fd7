package headwise;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** engine ← viz ← app: the engine knows no pictures and no UI; viz knows no JavaFX and no app. */
@AnalyzeClasses(packages = "headwise", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule engineHasNoUi = noClasses().that().resideInAPackage("headwise.engine..")
            .should().dependOnClassesThat().resideInAnyPackage("headwise.viz..", "headwise.app..", "javafx..",
                    "java.awt..", "javax.swing..", "javax.imageio..", "org.jfree..", "org.controlsfx..");

    @ArchTest
    static final ArchRule vizHasNoJavaFx = noClasses().that().resideInAPackage("headwise.viz..")
            .should().dependOnClassesThat().resideInAnyPackage("headwise.app..", "javafx..", "org.controlsfx..", "org.jfree.chart.fx..",
                    "org.jfree.fx..");

    @ArchTest
    static final ArchRule vizUsesNoNd4j = noClasses().that().resideInAnyPackage("headwise.viz..", "headwise.app..")
            .should().dependOnClassesThat().resideInAnyPackage("org.nd4j..");
}
