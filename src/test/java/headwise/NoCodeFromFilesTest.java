package headwise;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import java.io.ObjectInputStream;
import java.lang.invoke.MethodHandles;
import java.net.URLClassLoader;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Nothing read from a file is ever executed: no Java deserialization (the JVM's pickle), no class loading by name,
 * no script engines, no processes. (PyTorch pickles are refused outright: see BadInputTest.)
 */
@AnalyzeClasses(packages = "headwise", importOptions = ImportOption.DoNotIncludeTests.class)
class NoCodeFromFilesTest {

    @ArchTest
    static final ArchRule noDeserialization = noClasses().should().dependOnClassesThat()
            .areAssignableTo(ObjectInputStream.class);

    @ArchTest
    static final ArchRule noScriptsOrClassLoaders = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("javax.script..", "groovy..", "org.python..")
            .orShould().dependOnClassesThat().areAssignableTo(URLClassLoader.class)
            .orShould().dependOnClassesThat().areAssignableTo(MethodHandles.Lookup.class);

    @ArchTest
    static final ArchRule noClassForNameOrProcesses = noClasses().should().callMethod(Class.class, "forName", String.class)
            .orShould().callMethod(ClassLoader.class, "loadClass", String.class)
            .orShould().callMethod(Runtime.class, "exec", String.class)
            .orShould().callMethod(Runtime.class, "exec", String[].class)
            .orShould().callConstructor(ProcessBuilder.class, String[].class)
            .orShould().callConstructor(ProcessBuilder.class, java.util.List.class);
}
