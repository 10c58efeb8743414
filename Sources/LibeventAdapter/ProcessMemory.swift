import CLibevent

/// The process's heap, as glibc manages it.
public enum ProcessMemory {
    /// Hands freed heap pages back to the system. Parsing a large fixture frees hundreds of MiB
    /// that glibc would otherwise keep for the life of the server.
    public static func returnFreedPages() {
        malloc_trim(0)
    }
}
