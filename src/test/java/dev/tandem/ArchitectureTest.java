package dev.tandem;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package map of documentation/DESIGN.md, checked on the compiled classes: the table there is
 * the one truth, read by this test, so that the document cannot drift from the code.
 */
class ArchitectureTest {
    static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tandem");
    /** The libraries the table may name, as the packages they are made of. */
    static final Map<String, List<String>> LIBRARIES = Map.of(
            "Jackson", List.of("com.fasterxml.jackson.."),
            "DJL", List.of("ai.djl.."),
            "Quarkus",
                    List.of(
                            "io.quarkus..",
                            "jakarta..",
                            "org.eclipse.microprofile..",
                            "io.smallrye.config..",
                            "io.smallrye.health..",
                            "org.jboss.resteasy.reactive.."),
            "Vert.x", List.of("io.vertx.."),
            "Mutiny", List.of("io.smallrye.mutiny.."),
            "Micrometer", List.of("io.micrometer.."),
            "JBoss Logging", List.of("org.jboss.logging.."),
            "picocli", List.of("picocli.."));

    static final List<String> JDK = List.of("java..", "javax..", "jdk..");
    static final Pattern ROW = Pattern.compile("^\\| `([a-z.]+)` \\|[^|]*\\|([^|]*)\\|([^|]*)\\|\\s*$");
    static final Pattern NAME = Pattern.compile("`([a-z.]+)`");

    /** A row of the table: the packages and libraries one package may use. */
    record Rule(Set<String> packages, Set<String> libraries) {}

    static Map<String, Rule> map;

    @BeforeAll
    static void readTheMap() throws IOException {
        map = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("documentation/DESIGN.md"))) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                Set<String> packages = new TreeSet<>();
                Matcher n = NAME.matcher(m.group(2));
                while (n.find()) {
                    packages.add(n.group(1));
                }
                Set<String> libraries = new TreeSet<>();
                for (String lib : m.group(3).split(",")) {
                    if (!lib.isBlank()) {
                        libraries.add(lib.trim());
                    }
                }
                map.put(m.group(1), new Rule(packages, libraries));
            }
        }
    }

    static String packageOf(JavaClass c) {
        return c.getPackageName().substring("dev.tandem.".length());
    }

    @Test
    void theMapNamesEveryPackageAndOnlyThose() {
        Set<String> inCode = new TreeSet<>();
        for (JavaClass c : CLASSES) {
            if (!c.getPackageName().equals("dev.tandem")) {
                inCode.add(packageOf(c));
            }
        }
        assertEquals(inCode, new TreeSet<>(map.keySet()), "packages in the code vs. rows of the DESIGN.md map");
        for (Map.Entry<String, Rule> e : map.entrySet()) {
            for (String used : e.getValue().packages()) {
                assertEquals(
                        true, map.containsKey(used), e.getKey() + " may use " + used + ", which the map does not name");
            }
            for (String lib : e.getValue().libraries()) {
                assertEquals(true, LIBRARIES.containsKey(lib), e.getKey() + " names an unknown library " + lib);
            }
        }
    }

    @Test
    void packagesDependOnlyAsTheMapSays() {
        for (Map.Entry<String, Rule> e : map.entrySet()) {
            List<String> allowed = new ArrayList<>(JDK);
            allowed.add("dev.tandem." + e.getKey());
            e.getValue().packages().forEach(p -> allowed.add("dev.tandem." + p));
            e.getValue().libraries().forEach(lib -> allowed.addAll(LIBRARIES.get(lib)));
            // A package row covers that package alone: its sub-packages have rows of their own.
            classes()
                    .that()
                    .resideInAPackage("dev.tandem." + e.getKey())
                    .should()
                    .onlyDependOnClassesThat()
                    .resideInAnyPackage(allowed.toArray(String[]::new))
                    .allowEmptyShould(true)
                    .check(CLASSES);
        }
    }

    @Test
    void noPackageCycles() {
        slices().matching("dev.tandem.(**)").should().beFreeOfCycles().check(CLASSES);
    }

    /** Small files, each with one job: a file that outgrows this has more than one. */
    @Test
    void noMainSourceFileIsLongerThan300Lines() throws IOException {
        List<String> tooLong = new ArrayList<>();
        try (var files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                int lines = Files.readAllLines(f).size();
                if (lines > 300) {
                    tooLong.add(f + " (" + lines + " lines)");
                }
            }
        }
        assertEquals(List.of(), tooLong);
    }

    /**
     * The scheduler and the KV manager stay readable in one sitting, as nano-vllm's: under 1,000
     * lines of code together (cloc's count: neither blank lines nor comment lines).
     */
    @Test
    void schedulerAndKvCacheStayUnder1000LinesOfCode() throws IOException {
        int code = 0;
        for (String pkg : List.of("scheduler", "kvcache")) {
            try (var files = Files.list(Path.of("src/main/java/dev/tandem", pkg))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    code += (int) Files.readAllLines(f).stream()
                            .map(String::strip)
                            .filter(l ->
                                    !l.isEmpty() && !l.startsWith("//") && !l.startsWith("/*") && !l.startsWith("*"))
                            .count();
                }
            }
        }
        assertTrue(code > 300 && code < 1000, "scheduler + kvcache: " + code + " lines of code");
    }

    @Test
    void noTopLevelClassesOutsideThePackages() {
        classes().should().resideOutsideOfPackage("dev.tandem").check(CLASSES);
    }
}
