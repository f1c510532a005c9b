import AMCashConfiguration
import Foundation
import Logging

/// Logs go to standard error (standard output is the command's answer), or to `file` for the
/// console (anything written to the terminal would tear the screen), from `level` up.
/// Called once per process, by the subcommand that runs.
func bootstrapLogging(level: Logger.Level, file: String? = nil) {
    let sink = file.flatMap(LogFile.init(path:))
    LoggingSystem.bootstrap { label in
        if let sink { return FileLogHandler(label: label, file: sink, logLevel: level) }
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}

/// An append-only log file shared by every logger of the process.
final class LogFile: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()

    init?(path: String) {
        // 0600, an existing looser log tightened: it names tills and traces.
        guard let handle = PrivateFile.openForAppending(path) else { return nil }
        self.handle = handle
    }

    func write(_ line: String) { lock.withLock { handle.write(Data((line + "\n").utf8)) } }
}

/// swift-log to a file: time, level, label, message, metadata.
struct FileLogHandler: LogHandler {
    let label: String
    let file: LogFile
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    init(label: String, file: LogFile, logLevel: Logger.Level) {
        self.label = label
        self.file = file
        self.logLevel = logLevel
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        file.write("\(ISO8601DateFormatter().string(from: Date())) \(event.level) \(label): \(event.message) \(fields)")
    }
}
