import AsyncHTTPClient
import Synchronization

/// HTTP clients kept between deliveries, one per receiver host and the address it was pinned to,
/// so a receiver's connection stays open (keep-alive) instead of a new client, connection and TLS
/// handshake per webhook. A client only ever connects to its pinned address (its DNS override),
/// and a delivery takes the client of the address the policy just checked, so reuse opens no
/// DNS-rebinding window. At most `capacity` clients are kept: the least recently used is shut
/// down to make room, and the rest when the last transport sharing them goes away.
final class PinnedClients: Sendable {
    private struct Key: Hashable {
        var host: String
        var address: String
    }

    private struct Entry {
        var client: HTTPClient
        var lastUse: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var uses: UInt64 = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int = 32) {
        self.capacity = max(1, capacity)
    }

    /// The client for `host` pinned to `address`, made by `make` the first time.
    func client(host: String, address: String, make: () -> HTTPClient) -> HTTPClient {
        let key = Key(host: host, address: address)
        let (client, evicted) = state.withLock { state -> (HTTPClient, HTTPClient?) in
            state.uses += 1
            if var entry = state.entries[key] {
                entry.lastUse = state.uses
                state.entries[key] = entry
                return (entry.client, nil)
            }
            var evicted: HTTPClient?
            if state.entries.count >= capacity, let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                evicted = oldest.value.client
                state.entries[oldest.key] = nil
            }
            let client = make()
            state.entries[key] = Entry(client: client, lastUse: state.uses)
            return (client, evicted)
        }
        // A request still running on the evicted client may fail (its connection closes): that
        // delivery is retried like any failed attempt. With 32 receivers kept, this is rare.
        evicted?.shutdown { _ in }
        return client
    }

    deinit {
        // The shutdown keeps each client alive until it is done.
        for entry in state.withLock({ $0.entries.values }) { entry.client.shutdown { _ in } }
    }
}
