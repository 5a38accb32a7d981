import Foundation
import Synchronization
import Typesetting

/// Typesetters kept between the engine's documents. Making one loads every shipped font through
/// fontconfig and starts with an empty shaping cache — the expensive parts of typesetting — so
/// the engine, which makes a document for every envelope it creates and another for every one it
/// completes, lends them out instead: one task at a time uses a typesetter (it is not
/// thread-safe), and gives it back for the next. At most `limit` idle ones are kept; more tasks
/// at once get new ones, which are dropped on return when the pool is full.
final class TypesetterPool: Sendable {
    /// A typesetter owned by the pool or by the one task that borrowed it, never by two: the pool
    /// hands each out from under its lock and takes it back the same way.
    private final class Lent: @unchecked Sendable {
        let typesetter: Typesetter
        init(_ typesetter: Typesetter) { self.typesetter = typesetter }
    }

    private let idle = Mutex<[Lent]>([])
    let limit: Int

    init(limit: Int = max(2, ProcessInfo.processInfo.activeProcessorCount * 2)) {
        self.limit = limit
    }

    /// Runs `body` with a typesetter no other task is using, and keeps it for the next caller.
    /// A typesetter whose document failed is kept too: an error leaves it usable (its caches
    /// hold only finished work).
    func with<Result>(_ body: (Typesetter) async throws -> Result) async throws -> Result {
        let lent = try idle.withLock { $0.popLast() } ?? Lent(try Typesetter())
        defer { idle.withLock { if $0.count < limit { $0.append(lent) } } }
        return try await body(lent.typesetter)
    }

    /// How many typesetters wait to be lent (for tests).
    var idleCount: Int { idle.withLock { $0.count } }
}
