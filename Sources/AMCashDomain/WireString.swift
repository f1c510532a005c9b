/// A value the wire writes as one JSON string ("43.35", "1615", "2026-11-27", "000000000042"):
/// Codable through its own parser, so a malformed value is a decoding error with the parser's reason.
public protocol WireStringRepresentable: Codable {
    init(wireString: String) throws
    var wireString: String { get }
}

extension WireStringRepresentable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(wireString: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: String(describing: error)))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wireString)
    }
}
