package dev.tandem.cli;

import dev.tandem.kernels.KernelPath;
import dev.tandem.kernels.NativeBf16Rows;
import dev.tandem.kernels.NativeKernels;
import java.util.Locale;

/**
 * A benchmark's --kernels, --no-vnni and --no-amx: the system properties that choose the kernel
 * path, set before the kernels load (they choose once per process). Checked afterwards, so that a
 * path chosen too late is an error, not a measurement of the wrong kernels.
 */
final class KernelChoice {
    private KernelChoice() {}

    static void apply(String kernels, boolean noVnni, boolean noAmx) {
        KernelPath wanted = kernels == null ? null : KernelPath.parse(kernels);
        if (wanted != null) {
            System.setProperty("tandem.kernels", wanted.name().toLowerCase(Locale.ROOT));
        }
        if (noVnni) {
            System.setProperty("tandem.kernels.vnni", "false");
        }
        if (noAmx) {
            System.setProperty("tandem.kernels.amx", "false");
        }
        if (wanted != null && KernelPath.requested() != wanted) {
            throw new IllegalStateException("--kernels " + kernels + " came after the kernels loaded as "
                    + KernelPath.requested() + "; use TANDEM_JAVA_OPTS=-Dtandem.kernels=" + kernels);
        }
        if (noVnni && NativeKernels.level() >= 2) {
            throw new IllegalStateException(
                    "--no-vnni came after the kernels loaded; use TANDEM_JAVA_OPTS=-Dtandem.kernels.vnni=false");
        }
        if (noAmx && NativeBf16Rows.amx()) {
            throw new IllegalStateException(
                    "--no-amx came after the kernels loaded; use TANDEM_JAVA_OPTS=-Dtandem.kernels.amx=false");
        }
    }
}
