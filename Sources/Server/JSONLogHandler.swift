import Foundation
public import Logging
import Synchronization

/// A swift-log handler writing one JSON object per line: `time`, `level`, `label`, `message`
/// and the metadata (the request id as `request_id`), so log collectors parse it without rules.
public struct JSONLogHandler: LogHandler {
    /// Where lines go (standard error by default; a test passes its own sink).
    public typealias Sink = @Sendable (String) -> Void

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let sink: Sink

    public init(label: String, level: Logger.Level = .info, sink: @escaping Sink = JSONLogHandler.standardError) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: Any] = [
            "time": Self.timestamp(Date()), "level": event.level.rawValue, "label": label, "message": event.message.description,
        ]
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for (key, value) in merged { fields[key == "hb.request.id" ? "request_id" : key] = Self.json(value) }
        if event.level >= .warning { fields["source"] = "\(event.file):\(event.line)" }
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return
        }
        sink(String(decoding: data, as: UTF8.self))
    }

    static func json(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let text): return text
        case .stringConvertible(let value): return value.description
        case .array(let values): return values.map(json)
        case .dictionary(let values): return values.mapValues(json)
        }
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    private static let lock = Mutex(())

    /// Writes a line to standard error, whole (lines of concurrent requests never interleave).
    public static let standardError: Sink = { line in
        lock.withLock { _ in FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
}
