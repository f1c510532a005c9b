import Foundation

/// Reads a file a line at a time without loading it whole, in linear time: each byte is searched
/// for a newline once, and a line longer than `maximumLineBytes` is refused as soon as it is seen
/// (a daily file's records are short; a 16 MiB "line" is not a record).
struct LineReader {
    /// A line longer than this is not a record of any file amcash reads.
    static let maximumLineBytes = 64 * 1024

    struct LineTooLong: Error, CustomStringConvertible {
        let lineNumber: Int
        var description: String { "line \(lineNumber) is longer than \(LineReader.maximumLineBytes) bytes: not a record" }
    }

    private let handle: FileHandle
    private var buffer = [UInt8]()
    /// Where the current line starts in `buffer`, and how far it was already searched.
    private var start = 0
    private var searched = 0
    private var finished = false
    private var lineNumber = 0
    /// Bytes read from the file so far (for a progress line's share).
    private(set) var bytesRead = 0

    init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = handle
    }

    /// The next line without its LF, or nil at the end of the file.
    mutating func next() throws -> Substring? {
        try nextLine { Substring(String(decoding: $0, as: UTF8.self)) }
    }

    /// Hands the next line's bytes (without its LF) to `body`, without copying them into a `String`;
    /// nil at the end of the file. The bytes are valid only inside `body`.
    mutating func nextLine<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) throws -> T? {
        while true {
            if let newline = buffer[searched...].firstIndex(of: 0x0A) {
                let range = start..<newline
                start = newline + 1
                searched = start
                lineNumber += 1
                return try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[range])) }
            }
            searched = buffer.count
            guard buffer.count - start <= LineReader.maximumLineBytes else { throw LineTooLong(lineNumber: lineNumber + 1) }
            if finished {
                guard start < buffer.count else { return nil }
                defer {
                    buffer.removeAll()
                    start = 0
                    searched = 0
                }
                lineNumber += 1
                let range = start..<buffer.count
                return try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[range])) }
            }
            // Drop what was already returned before reading more, so the buffer stays about one chunk.
            if start > 0 {
                buffer.removeSubrange(0..<start)
                searched -= start
                start = 0
            }
            let chunk = try handle.read(upToCount: 256 * 1024) ?? Data()
            if chunk.isEmpty {
                finished = true
            } else {
                buffer.append(contentsOf: chunk)
                bytesRead += chunk.count
            }
        }
    }
}
