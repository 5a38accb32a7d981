import Foundation

/// Which timestamps of a file still prove anything at the validation time (EN 319 102-1 §5.6.2.3,
/// past signature validation, for the timestamps a PDF carries). A timestamp — a signature's or a
/// document timestamp — proves that what it covers existed at its time while its authority's
/// certificate is valid; after that, only if a later document timestamp that still proves
/// something covers it and was made before that certificate expired. The newest document
/// timestamp must therefore be valid at the validation time, and each earlier one is judged from
/// it, back to the oldest: renewing with `extend --to lta` before an authority's certificate
/// expires keeps the whole chain standing.
struct ArchiveTimestamps {
    /// One timestamp: the revision its signature dictionary is in (what later document
    /// timestamps must come after to cover it), its time, and its authority certificate's end.
    struct Stamp: Hashable {
        var revision: Int
        var time: Date
        var authorityExpiry: Date
        var authority: String
    }

    let validationTime: Date
    /// The document timestamps that still prove something, oldest first.
    private(set) var standing: [Stamp] = []
    /// Document timestamps that no longer do (their authority expired and nothing later protects them).
    private(set) var lapsed: [Stamp] = []

    /// `documentTimestamps`: the intact and trusted document timestamps of the file.
    init(documentTimestamps: [Stamp], validationTime: Date) {
        self.validationTime = validationTime
        for stamp in documentTimestamps.sorted(by: { $0.revision > $1.revision }) {
            if stamp.authorityExpiry >= validationTime || protector(of: stamp) != nil {
                standing.insert(stamp, at: 0)
            } else {
                lapsed.append(stamp)
            }
        }
    }

    /// The earliest standing document timestamp after `stamp` made while its authority's
    /// certificate was valid, if any.
    func protector(of stamp: Stamp) -> Stamp? {
        standing.first { $0.revision > stamp.revision && $0.time <= stamp.authorityExpiry }
    }

    /// Whether `stamp` (a signature timestamp) still proves its time.
    func stands(_ stamp: Stamp) -> Bool {
        stamp.authorityExpiry >= validationTime || protector(of: stamp) != nil
    }

    /// The times of the standing document timestamps added after `revision`.
    func proofs(after revision: Int) -> [Date] {
        standing.filter { $0.revision > revision }.map(\.time)
    }
}
