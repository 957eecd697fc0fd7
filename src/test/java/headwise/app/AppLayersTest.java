package headwise.app;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Inside the app: sessions and exports are plain data and files (the CLI uses them without a window); the app's
 * models hold state and jobs, never nodes; pages never reach past their view models into the runner's machinery.
 */
@AnalyzeClasses(packages = "headwise.app", importOptions = ImportOption.DoNotIncludeTests.class)
class AppLayersTest {

    @ArchTest
    static final ArchRule sessionsAndExportsKnowNoUi = noClasses().that().resideInAnyPackage("headwise.app.session..",
                    "headwise.app.export..", "headwise.app.cli..")
            .should().dependOnClassesThat().resideInAnyPackage("headwise.app.ui..", "javafx..", "org.controlsfx..");

    @ArchTest
    static final ArchRule appModelsMakeNoNodes = noClasses().that().resideInAPackage("headwise.app.ui.model..")
            .should().dependOnClassesThat().resideInAnyPackage("javafx.scene..", "org.controlsfx..");

    @ArchTest
    static final ArchRule analysisPagesDoNotRunJobs = noClasses().that().resideInAPackage("headwise.app.ui.page..")
            .should().dependOnClassesThat().resideInAPackage("headwise.app.ui.model..");
}
