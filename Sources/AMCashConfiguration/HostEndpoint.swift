public import Foundation

/// A base URL the console may talk to: HTTPS always, plain HTTP only to a loopback simulator, so
/// a bearer token and a collector number never cross a network in the clear.
public struct HostEndpoint: Sendable, Hashable, CustomStringConvertible {
    public let url: URL

    public init(_ text: String) throws(HostEndpointError) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw .notAURL(text)
        }
        switch scheme {
        case "https":
            break
        case "http":
            guard HostEndpoint.isLoopback(host) else { throw .plainHTTPToNetwork(text) }
        default:
            throw .unsupportedScheme(text)
        }
        if url.user != nil || url.password != nil { throw .credentialsInURL }
        // Keep the base without a trailing slash, so paths join the same way every time.
        var trimmed = url.absoluteString
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.url = URL(string: trimmed)!
    }

    /// The full URL of `path` (which starts with "/") on this host.
    public func url(for path: String) -> String { url.absoluteString + path }

    public var isLoopback: Bool { HostEndpoint.isLoopback(url.host ?? "") }

    public var description: String { url.absoluteString }

    /// 127.0.0.0/8, ::1 and localhost: addresses that never leave the machine.
    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare == "::1" || bare == "0:0:0:0:0:0:0:1" { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
                && (Int(part) ?? 256) <= 255
        }
    }
}

/// Why a base URL was refused.
public enum HostEndpointError: Error, Sendable, Equatable, CustomStringConvertible {
    case notAURL(String)
    case plainHTTPToNetwork(String)
    case unsupportedScheme(String)
    case credentialsInURL

    public var description: String {
        switch self {
        case .notAURL(let text):
            return "\"\(text)\" is not a URL; write it like https://cert.airmilesapis.ca"
        case .plainHTTPToNetwork(let text):
            return
                "\"\(text)\" uses plain http:// to a network host; AIR MILES is reached over https:// only (http:// is allowed for a loopback simulator such as http://127.0.0.1:8080)"
        case .unsupportedScheme(let text):
            return "\"\(text)\" is neither https:// nor http://"
        case .credentialsInURL:
            return
                "a base URL must not carry a user name or password; credentials come from AMCASH_CLIENT_ID/AMCASH_CLIENT_SECRET or a credentials file"
        }
    }
}
