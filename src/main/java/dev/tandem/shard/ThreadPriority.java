package dev.tandem.shard;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Lowers the CPU priority of the calling thread, and so of the threads it starts afterwards (on
 * Linux, nice is kept per thread and inherited). Lowering needs no privilege.
 */
public final class ThreadPriority {
    private static final int PRIO_PROCESS = 0;

    private ThreadPriority() {}

    /** Raises this thread's nice value by increment (0: nothing); returns false where that failed. */
    public static boolean lowerBy(int increment) {
        if (increment == 0) {
            return true;
        }
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle setpriority = linker.downcallHandle(
                    linker.defaultLookup().find("setpriority").orElseThrow(),
                    FunctionDescriptor.of(
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            MethodHandle getpriority = linker.downcallHandle(
                    linker.defaultLookup().find("getpriority").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            // who = 0: the calling thread, for Linux's per-thread nice.
            int now = (int) getpriority.invokeExact(PRIO_PROCESS, 0);
            return (int) setpriority.invokeExact(PRIO_PROCESS, 0, Math.min(19, now + increment)) == 0;
        } catch (Throwable t) {
            return false;
        }
    }
}
