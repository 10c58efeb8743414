import CLibevent

/// The process's heap, as glibc manages it.
public enum ProcessMemory {
    /// Hands freed heap pages back to the system. Parsing a large fixture frees hundreds of MiB
    /// that glibc would otherwise keep for the life of the server.
    public static func returnFreedPages() {
        malloc_trim(0)
    }

    /// Keeps every allocation of 128 KiB or more (glibc's default threshold) in a mapping of its
    /// own, returned to the system when freed. Left to itself, glibc raises the threshold to the
    /// size of each such block freed, up to 32 MiB: once reading a large document had freed its
    /// buffers, the large temporaries of loading the state came from the heap instead, and much
    /// of them stayed (a 100,000-item fixture then held 350 bytes a queued item, not 250).
    public static func keepLargeAllocationsMapped() {
        mallopt(M_MMAP_THRESHOLD, 128 * 1024)
    }
}
