package dev.tandem.model;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Anonymous memory that Linux backs with transparent huge pages (madvise'd before it is first
 * touched). Decode streams every weight once per token: from 4 KiB pages that costs a TLB miss,
 * and a restart of the hardware prefetcher, every 4 KiB; from 2 MiB pages it does not (a C
 * kernel streamed 9.7 GB/s per core from 4 KiB pages and 13.4 GB/s from huge pages). Where the
 * kernel does not give huge pages (THP off), it is still ordinary memory.
 */
public final class HugePageMemory implements AutoCloseable {
    private static final long HUGE_PAGE = 2L << 20;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;

    static {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        MMAP = linker.downcallHandle(
                libc.find("mmap").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
        MUNMAP = linker.downcallHandle(
                libc.find("munmap").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    }

    private final MemorySegment mapping;
    private final MemorySegment segment;

    private HugePageMemory(MemorySegment mapping, MemorySegment segment) {
        this.mapping = mapping;
        this.segment = segment;
    }

    public static HugePageMemory allocate(long bytes) {
        long total = bytes + HUGE_PAGE;
        try {
            MemorySegment base = (MemorySegment)
                    MMAP.invokeExact(MemorySegment.NULL, total, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
            if (base.address() == -1L) {
                throw new IllegalStateException("mmap of " + total + " bytes failed");
            }
            long aligned = (base.address() + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
            MemorySegment memory = MemorySegment.ofAddress(aligned).reinterpret(bytes);
            WeightPageCache.adviseHugePages(memory); // best effort: without THP, small pages
            return new HugePageMemory(base.reinterpret(total), memory);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot allocate " + bytes + " bytes of weight memory: " + t, t);
        }
    }

    public MemorySegment segment() {
        return segment;
    }

    @Override
    public void close() {
        try {
            int ignored = (int) MUNMAP.invokeExact(mapping, mapping.byteSize());
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
