package dev.tandem.cli;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import picocli.CommandLine;

/** Bad input (a missing model, an unsupported config) ends with one clear line and exit code 1, not a stack trace. */
@ApplicationScoped
class CommandLineSetup {
    @Produces
    CommandLine commandLine(CommandLine.IFactory factory) {
        return new CommandLine(TandemCommand.class, factory)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, cmd, parseResult) -> {
                    cmd.getErr().println("tandem " + cmd.getCommandName() + ": " + e.getMessage());
                    if (System.getenv("TANDEM_DEBUG") != null) {
                        e.printStackTrace(cmd.getErr());
                    }
                    return 1;
                });
    }
}
