import Foundation

/// Reads a file line by line in 64 KiB chunks, so a file of any size is read in constant memory.
/// Lines end at LF; a CR before it is left for the caller (the reconciliation parser accepts CRLF).
struct LineReader {
    private let handle: FileHandle
    private var buffer = Data()
    private var finished = false

    init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = handle
    }

    /// The next line without its LF, or nil at the end of the file.
    mutating func next() throws -> Substring? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = buffer[buffer.startIndex..<newline]
                buffer.removeSubrange(buffer.startIndex...newline)
                return Substring(String(decoding: line, as: UTF8.self))
            }
            if finished {
                guard !buffer.isEmpty else { return nil }
                defer { buffer.removeAll() }
                return Substring(String(decoding: buffer, as: UTF8.self))
            }
            let chunk = try handle.read(upToCount: 64 * 1024) ?? Data()
            if chunk.isEmpty { finished = true } else { buffer.append(chunk) }
        }
    }
}
