package dev.tandem.cli;

import picocli.CommandLine.Command;

/** {@code tandem bench}: the benchmarks. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks: decode speed against the memory roofline, and HTTP serving.",
        subcommands = {DecodeBenchCommand.class, ServingBenchCommand.class, GrammarBenchCommand.class})
public class BenchCommand {}
