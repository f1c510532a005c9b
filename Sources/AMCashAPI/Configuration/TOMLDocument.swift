public import TOMLKit

/// A TOML file read for configuration, with the position of every key, so that each bad value
/// can be reported as `file:line:column: message`. TOMLKit reports positions for syntax errors
/// only; the key positions come from a light scan of the text.
public struct TOMLDocument: @unchecked Sendable {
    /// The file name used in messages.
    public let path: String
    public let root: TOMLTable
    private let positions: [String: SourcePosition]

    public init(path: String, text: String) throws(ConfigurationError) {
        self.path = path
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(file: path, line: error.source.begin.line, column: error.source.begin.column,
                                     message: "not valid TOML: \(error.description)")
        } catch {
            throw ConfigurationError(file: path, line: 1, column: 1, message: "not valid TOML: \(error)")
        }
        positions = TOMLDocument.scanKeyPositions(text)
    }

    /// Where the value of `keyPath` ("key" or "table.key") starts; the file's start if unknown.
    public func position(of keyPath: String) -> SourcePosition {
        positions[keyPath] ?? SourcePosition(line: 1, column: 1)
    }

    /// An error about the value at `keyPath`.
    public func error(at keyPath: String, _ message: String) -> ConfigurationError {
        let position = position(of: keyPath)
        return ConfigurationError(file: path, line: position.line, column: position.column, message: message)
    }

    /// Finds `key = value` lines and `[table]` headers; records where each value begins.
    static func scanKeyPositions(_ text: String) -> [String: SourcePosition] {
        var positions: [String: SourcePosition] = [:]
        var table: [String] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.hasPrefix("[") {
                let name = trimmed.drop { $0 == "[" }.prefix { $0 != "]" }
                table = splitKey(String(name))
                positions[table.joined(separator: ".")] = SourcePosition(line: index + 1, column: line.count - trimmed.count + 1)
                continue
            }
            guard !trimmed.hasPrefix("#"), let equals = indexOfAssignment(in: trimmed) else { continue }
            let key = splitKey(String(trimmed[trimmed.startIndex..<equals]))
            guard !key.isEmpty else { continue }
            let afterEquals = trimmed[trimmed.index(after: equals)...]
            let valueStart = afterEquals.drop { $0 == " " || $0 == "\t" }
            let column = line.count - valueStart.count + 1
            positions[(table + key).joined(separator: ".")] = SourcePosition(line: index + 1, column: column)
        }
        return positions
    }

    private static func indexOfAssignment(in line: Substring) -> Substring.Index? {
        var quote: Character?
        for index in line.indices {
            let character = line[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "=" {
                return index
            }
        }
        return nil
    }

    private static func splitKey(_ key: String) -> [String] {
        key.split(separator: ".").map {
            $0.trimmingCharacters(in: [" ", "\t", "\"", "'"])
        }.filter { !$0.isEmpty }
    }
}

extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}

/// A line and column in a text file, both counted from 1.
public struct SourcePosition: Sendable, Hashable {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}

/// Something wrong in a configuration file, with where it is: `terminal.toml:4:11: storeId must be
/// 4 digits, got "61"`.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int
    public let message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(file):\(line):\(column): \(message)" }
}
