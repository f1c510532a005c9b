import Foundation
public import TOMLKit

/// A TOML file read for configuration, with the position of every key, so that each bad value
/// can be reported as `file:line:column: message`. TOMLKit reports positions for syntax errors
/// only; the key positions come from `TOMLPositionScanner`.
public struct TOMLDocument: @unchecked Sendable {
    /// The file name used in messages.
    public let path: String
    public let root: TOMLTable
    private let positions: [[String]: SourcePosition]
    private let keyPositions: [[String]: SourcePosition]

    public init(path: String, text: String) throws(ConfigurationError) {
        self.path = path
        // toml++ recurses per dotted-key part and nesting level: too deep a file is refused before it sees it.
        try TOMLDepthScan.check(text, path: path)
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(
                file: path, line: error.source.begin.line, column: error.source.begin.column,
                message: "not valid TOML: \(error.description)")
        } catch {
            throw ConfigurationError(file: path, line: 1, column: 1, message: "not valid TOML: \(error)")
        }
        let scanner = TOMLPositionScanner.scan(text)
        positions = scanner.positions
        keyPositions = scanner.keyPositions
    }

    /// Where the value of `keyPath` ("key" or "table.key") starts; the file's start if unknown.
    public func position(of keyPath: String) -> SourcePosition {
        position(of: keyPath.split(separator: ".").map(String.init))
    }

    /// Where the value at `components` starts (`["styles", "banner.training", "fg"]`; an array's
    /// elements are `"#0"`, `"#1"`, …); the nearest enclosing key's position if that one is unknown.
    public func position(of components: [String]) -> SourcePosition {
        var path = components
        while !path.isEmpty {
            if let position = positions[path] { return position }
            path.removeLast()
        }
        return SourcePosition(line: 1, column: 1)
    }

    /// An error about the key at `components` itself (an unknown name), not its value.
    public func keyError(at components: [String], _ message: String) -> ConfigurationError {
        let position = keyPositions[components] ?? position(of: components)
        return ConfigurationError(file: path, line: position.line, column: position.column, message: message)
    }

    /// An error about the value at `keyPath`.
    public func error(at keyPath: String, _ message: String) -> ConfigurationError {
        error(at: keyPath.split(separator: ".").map(String.init), message)
    }

    /// An error about the value at `components` (see `position(of:)`).
    public func error(at components: [String], _ message: String) -> ConfigurationError {
        let position = position(of: components)
        return ConfigurationError(file: path, line: position.line, column: position.column, message: message)
    }
}

/// A line and column in a text file, both counted from 1.
public struct SourcePosition: Sendable, Hashable {
    public let line: Int
    public let column: Int
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

/// Every error found in one or more files, so that `amcash lint` can list them all at once.
public struct ConfigurationErrors: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [ConfigurationError]

    public init(_ errors: [ConfigurationError]) {
        self.errors = errors
    }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Reads a user-editable file (a terminal configuration, a theme, a keymap, a collectors file) as
/// UTF-8 text. Such files are small: one over 1 MiB is refused before it is read, so a mistaken or
/// hostile file cannot take the till's memory and time.
public enum ConfigurationFileText {
    public static let maximumBytes = 1024 * 1024

    public static func read(_ path: String, what: String = "file") throws(ConfigurationError) -> String {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        if let size, size > maximumBytes {
            throw ConfigurationError(
                file: path, line: 0, column: 0,
                message: "the \(what) is \(size) bytes; at most \(maximumBytes) (1 MiB) are read")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(file: path, line: 0, column: 0, message: "cannot read the \(what) (missing or not readable)")
        }
        guard data.count <= maximumBytes else {
            throw ConfigurationError(file: path, line: 0, column: 0, message: "the \(what) is over 1 MiB")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(file: path, line: 1, column: 1, message: "the file is not UTF-8 text")
        }
        return text
    }
}
