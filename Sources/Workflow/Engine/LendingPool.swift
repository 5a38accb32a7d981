import Foundation
import Synchronization

/// Expensive, non-thread-safe things kept between the engine's documents: typesetters (making
/// one loads every shipped font through fontconfig and starts with an empty shaping cache) and
/// sealers (a typesetter with the organisation seal's signer, whose key, chain and signature
/// size are worked out once). The engine makes a document for every envelope it creates and
/// another for every one it completes, so it lends them out instead of making them each time:
/// one task at a time uses a resource, and gives it back for the next. At most `limit` idle
/// ones are kept; more tasks at once get new ones, which are dropped on return when the pool
/// is full.
final class LendingPool<Resource>: Sendable {
    /// A resource owned by the pool or by the one task that borrowed it, never by two: the pool
    /// hands each out from under its lock and takes it back the same way.
    private final class Lent: @unchecked Sendable {
        let resource: Resource
        init(_ resource: Resource) { self.resource = resource }
    }

    private let idle = Mutex<[Lent]>([])
    private let make: @Sendable () throws -> Resource
    let limit: Int

    init(limit: Int = max(2, ProcessInfo.processInfo.activeProcessorCount * 2), make: @escaping @Sendable () throws -> Resource) {
        self.limit = limit
        self.make = make
    }

    /// Runs `body` with a resource no other task is using, and keeps it for the next caller.
    /// A resource whose document failed is kept too: an error leaves typesetters and signers
    /// usable (their caches hold only finished work).
    func with<Result>(_ body: (Resource) async throws -> Result) async throws -> Result {
        let lent = try idle.withLock { $0.popLast() } ?? Lent(try make())
        defer { idle.withLock { if $0.count < limit { $0.append(lent) } } }
        return try await body(lent.resource)
    }

    /// How many resources wait to be lent (for tests).
    var idleCount: Int { idle.withLock { $0.count } }
}
