public import Foundation

/// A JSON value that keeps every number as the text it was written with, so money reaches integer
/// cents without passing through floating point (Issuance sends money as JSON numbers, `24.97`).
/// Parse errors name the line and column; output has sorted keys, so one body is always the same bytes.
public indirect enum IssuanceJSON: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number exactly as written (`24.97`, `3`).
    case number(String)
    case string(String)
    case array([IssuanceJSON])
    case object([String: IssuanceJSON])

    /// The value at `key` of an object.
    public subscript(_ key: String) -> IssuanceJSON? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    /// Compact JSON with sorted keys.
    public var data: Data { Data(text.utf8) }

    public var text: String {
        var out = ""
        write(into: &out)
        return out
    }

    private func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .number(let literal): out += literal
        case .string(let value): Self.quote(value, into: &out)
        case .array(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                value.write(into: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (index, key) in fields.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                Self.quote(key, into: &out)
                out += ":"
                fields[key]!.write(into: &out)
            }
            out += "}"
        }
    }

    private static func quote(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// Parses one JSON document (at most 64 levels deep).
    public static func parse(_ data: Data) throws(IssuanceBodyError) -> IssuanceJSON {
        var parser = Parser(bytes: Array(data))
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.index == parser.bytes.count else { throw parser.error("unexpected text after the JSON value") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        func error(_ reason: String) -> IssuanceBodyError {
            var line = 1
            var column = 1
            for byte in bytes[..<min(index, bytes.count)] {
                if byte == 0x0A {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            }
            return IssuanceBodyError(field: nil, reason: "line \(line), column \(column): \(reason)")
        }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func value(depth: Int) throws(IssuanceBodyError) -> IssuanceJSON {
            guard depth < 64 else { throw error("nested more than 64 levels") }
            guard index < bytes.count else { throw error("the body ends where a value was expected") }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var fields: [String: IssuanceJSON] = [:]
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(fields)
                }
                while true {
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a field name in quotes") }
                    let key = try string()
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after \"\(key)\"") }
                    index += 1
                    skipSpace()
                    guard fields[key] == nil else { throw error("the field \"\(key)\" appears twice") }
                    fields[key] = try value(depth: depth + 1)
                    skipSpace()
                    guard index < bytes.count else { throw error("the body ends inside an object") }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    guard bytes[index] == UInt8(ascii: "}") else { throw error("expected ',' or '}'") }
                    index += 1
                    return .object(fields)
                }
            case UInt8(ascii: "["):
                index += 1
                var values: [IssuanceJSON] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(values)
                }
                while true {
                    skipSpace()
                    values.append(try value(depth: depth + 1))
                    skipSpace()
                    guard index < bytes.count else { throw error("the body ends inside a list") }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    guard bytes[index] == UInt8(ascii: "]") else { throw error("expected ',' or ']'") }
                    index += 1
                    return .array(values)
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"): return try word("true", .bool(true))
            case UInt8(ascii: "f"): return try word("false", .bool(false))
            case UInt8(ascii: "n"): return try word("null", .null)
            default:
                return .number(try number())
            }
        }

        mutating func word(_ text: String, _ value: IssuanceJSON) throws(IssuanceBodyError) -> IssuanceJSON {
            let expected = Array(text.utf8)
            guard index + expected.count <= bytes.count, Array(bytes[index..<index + expected.count]) == expected else {
                throw error("not a JSON value")
            }
            index += expected.count
            return value
        }

        mutating func number() throws(IssuanceBodyError) -> String {
            let start = index
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            let allowed = Set("0123456789.eE+-".utf8)
            while index < bytes.count, allowed.contains(bytes[index]) { index += 1 }
            let literal = String(decoding: bytes[start..<index], as: UTF8.self)
            guard !literal.isEmpty, literal.contains(where: \.isNumber) else { throw error("not a JSON value") }
            return literal
        }

        mutating func string() throws(IssuanceBodyError) -> String {
            index += 1
            var scalars = String.UnicodeScalarView()
            var raw: [UInt8] = []
            func flush() {
                scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
                raw.removeAll()
            }
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    flush()
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    flush()
                    guard index < bytes.count else { break }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""): scalars.append("\"")
                    case UInt8(ascii: "\\"): scalars.append("\\")
                    case UInt8(ascii: "/"): scalars.append("/")
                    case UInt8(ascii: "b"): scalars.append("\u{8}")
                    case UInt8(ascii: "f"): scalars.append("\u{C}")
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "r"): scalars.append("\r")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    case UInt8(ascii: "u"):
                        guard index + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
                        else { throw error("a \\u escape needs 4 hex digits") }
                        index += 4
                        scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                    default: throw error("unknown escape in a string")
                    }
                default:
                    guard byte >= 0x20 else { throw error("a control character inside a string") }
                    raw.append(byte)
                }
            }
            throw error("a string is not closed")
        }
    }
}

/// Why an Issuance body cannot be used: the field (a path such as `items[2].baseAmount`) and the reason.
public struct IssuanceBodyError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String?
    public let reason: String

    public init(field: String?, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { field.map { "\($0): \(reason)" } ?? reason }
}

/// Money on the Issuance wire: a JSON number with exactly two decimals, written from integer cents
/// and read back into integer cents from its text — never through floating point.
public enum IssuanceMoney {
    /// `2497` → `24.97`; `-150` → `-1.50`.
    public static func literal(cents: Int) -> String {
        let sign = cents < 0 ? "-" : ""
        let magnitude = cents.magnitude
        let fraction = String(magnitude % 100)
        return sign + String(magnitude / 100) + "." + (fraction.count == 1 ? "0" + fraction : fraction)
    }

    /// `24.97` → 2497, `25` → 2500, `24.9` → 2490. No exponent, at most two decimals, at most 13 whole digits.
    public static func cents(literal: String) -> Int? {
        var text = Substring(literal)
        var negative = false
        if text.first == "-" {
            negative = true
            text = text.dropFirst()
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = parts.first, (1...13).contains(whole.count), whole.allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        var fraction = parts.count == 2 ? parts[1] : "00"
        guard (1...2).contains(fraction.count), fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        if fraction.count == 1 { fraction += "0" }
        guard let dollars = Int(whole), let cents = Int(fraction) else { return nil }
        let value = dollars * 100 + cents
        return negative ? -value : value
    }
}
