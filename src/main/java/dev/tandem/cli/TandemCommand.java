package dev.tandem.cli;

import picocli.CommandLine.Command;

/** The {@code tandem} command: one subcommand per job. */
@Command(
        name = "tandem",
        mixinStandardHelpOptions = true,
        version = "tandem 0.1.0",
        description = "Tandem: an OpenAI-compatible LLM inference server for Intel Core Ultra PCs.",
        subcommands = {
            ServeCommand.class,
            GenerateCommand.class,
            SynthCommand.class,
            BakeCommand.class,
            EvalCommand.class,
            BenchCommand.class
        })
public class TandemCommand {}
