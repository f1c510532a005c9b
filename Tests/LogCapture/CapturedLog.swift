import Foundation
public import Logging

/// Log lines kept in memory, for the tests that check what the client and the register API log (what
/// support needs) and do not log (a card number, a secret, a token). One handler, so each such test reads
/// the same line: the level, the message, then every metadata key=value, sorted.
public final class CapturedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []

    public init() {}

    /// A logger, at trace level, whose lines this log keeps.
    public func logger(label: String) -> Logger {
        Logger(label: label) { _ in Handler(log: self) }
    }

    public var lines: [String] { lock.withLock { stored } }
    public var text: String { lines.joined(separator: "\n") }

    func append(_ line: String) { lock.withLock { stored.append(line) } }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            log.append("\(event.level) \(event.message) " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
    }
}
