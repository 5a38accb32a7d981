import Foundation

/// Where signing time went, in seconds, phase by phase. `PDFSigner` fills parse, build, hash
/// and sign for each document; whoever writes the file adds write and sync; a batch adds the
/// documents up with `+=`.
public struct SigningTimings: Sendable, Hashable {
    /// Documents these timings cover.
    public var documents = 0
    /// Strict parse of the input and the checks on its fields and pages.
    public var parse = 0.0
    /// The update: appearance, audit page, field, signature dictionary, serialization.
    public var build = 0.0
    /// Hashing: the original bytes (from the map) and the update, for the signature's digest and,
    /// when asked for, the whole output's SHA-256 (one pass over the shared bytes).
    public var hash = 0.0
    /// CPU time the hashing thread spent in the hash phase (user and system): the hash phase
    /// without the time spent waiting for a CPU on a busy machine.
    public var hashCPU = 0.0
    /// Bytes fed to the hash phase.
    public var hashedBytes = 0
    /// The CMS: the private-key operation, its check, a time-stamp if asked for.
    public var sign = 0.0
    /// Writing the output (temporary file, page cache).
    public var write = 0.0
    /// Making outputs durable: fsync / group sync, rename, directory sync.
    public var sync = 0.0

    public init() {}

    /// The hash phase's speed in MB/s (10⁶ bytes), or 0 when nothing was timed.
    public var hashMegabytesPerSecond: Double { hash > 0 ? Double(hashedBytes) / hash / 1e6 : 0 }

    public static func += (lhs: inout SigningTimings, rhs: SigningTimings) {
        lhs.documents += rhs.documents
        lhs.parse += rhs.parse
        lhs.build += rhs.build
        lhs.hash += rhs.hash
        lhs.hashCPU += rhs.hashCPU
        lhs.hashedBytes += rhs.hashedBytes
        lhs.sign += rhs.sign
        lhs.write += rhs.write
        lhs.sync += rhs.sync
    }
}

/// Seconds since an arbitrary start, from the monotonic clock.
struct Stopwatch {
    private var last = ContinuousClock.now

    /// Seconds since the previous lap (or the start).
    mutating func lap() -> Double {
        let now = ContinuousClock.now
        defer { last = now }
        let elapsed = now - last
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}

/// CPU seconds (user and system) the calling thread has used.
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}
