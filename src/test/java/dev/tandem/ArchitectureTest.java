package dev.tandem;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The dependency rules of documentation/DESIGN.md, checked on the compiled classes. */
class ArchitectureTest {
    static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.tandem");

    static void mayOnlyUse(String pkg, String... allowed) {
        String[] ours = {"api", "engine", "scheduler", "kvcache", "shard", "model", "kernels", "sampling", "tokenizer",
            "grammar", "tools", "device", "quant", "observability", "cli"};
        java.util.List<String> forbidden = new java.util.ArrayList<>();
        for (String p : ours) {
            if (!p.equals(pkg) && !java.util.Arrays.asList(allowed).contains(p)) {
                forbidden.add("dev.tandem." + p + "..");
            }
        }
        noClasses().that().resideInAPackage("dev.tandem." + pkg + "..")
                .should().dependOnClassesThat().resideInAnyPackage(forbidden.toArray(String[]::new))
                .allowEmptyShould(true).check(CLASSES);
    }

    @Test
    void onlyTheEdgesKnowQuarkus() {
        noClasses().that().resideOutsideOfPackages("dev.tandem.api..", "dev.tandem.observability..", "dev.tandem.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta..", "io.smallrye..", "picocli..")
                .check(CLASSES);
    }

    @Test
    void packagesDependOnlyAsTheDesignSays() {
        mayOnlyUse("kernels");
        mayOnlyUse("kvcache");
        mayOnlyUse("sampling");
        mayOnlyUse("device");
        mayOnlyUse("model", "kernels");
        mayOnlyUse("tokenizer");
        // The shard samples the tokens it returns, so it uses sampling beside model and kvcache.
        // A grammar is a constraint the sampler applies (sampling's TokenConstraint).
        mayOnlyUse("grammar", "sampling");
        // Tool calls are parsed from text, and forced or strict calls become grammars.
        mayOnlyUse("tools", "grammar", "sampling");
        // The shard compiles each request's grammar against its model's vocabulary.
        mayOnlyUse("shard", "model", "kvcache", "kernels", "sampling", "grammar", "device");
        // The scheduler checks token-level stops and forwards sampling parameters: it reads sampling too.
        mayOnlyUse("scheduler", "kvcache", "shard", "sampling");
        mayOnlyUse("engine", "scheduler", "tokenizer", "sampling");
        // The API turns request fields into SamplingParams and reports FinishReasons: plain data of sampling.
        // ... and checks structured-output constraints (grammar) before queueing a request.
        // ... and takes answers apart into content, reasoning and tool calls (tools).
        mayOnlyUse("api", "engine", "tokenizer", "sampling", "grammar", "tools");
        mayOnlyUse("quant", "model", "kernels");
    }
}
