import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A browser without JavaScript, for the tests: keeps cookies, follows no redirect (the tests look at them).
final class WebClient: @unchecked Sendable {
    struct Page {
        let status: Int
        let headers: HTTPHeaders
        let body: String

        var location: String? { headers.first(name: "location") }
        /// The value of the first hidden input `name` on the page.
        func hidden(_ name: String) -> String? { value(after: "name=\"\(name)\" value=\"") }

        func value(after marker: String) -> String? {
            guard let start = body.range(of: marker) else { return nil }
            return String(body[start.upperBound...].prefix { $0 != "\"" })
        }
    }

    let baseURL: String
    private let http: HTTPClient
    private let lock = NSLock()
    private var jar: [String: String] = [:]
    private(set) var setCookies: [String] = []

    init(baseURL: String) {
        self.baseURL = baseURL
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func shutdown() async { try? await http.shutdown() }

    var cookies: [String: String] { lock.locked { jar } }

    func get(_ path: String, headers: [(String, String)] = []) async throws -> Page {
        try await send(path, method: .GET, body: nil, headers: headers)
    }

    func post(_ path: String, _ form: [(String, String)]) async throws -> Page {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let body = form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        return try await send(path, method: .POST, body: body, headers: [("Content-Type", "application/x-www-form-urlencoded")])
    }

    private func send(_ path: String, method: HTTPMethod, body: String?, headers: [(String, String)]) async throws -> Page {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let cookieLine = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")
        if !cookieLine.isEmpty { request.headers.add(name: "Cookie", value: cookieLine) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        let received = response.headers["set-cookie"]
        lock.locked {
            setCookies += received
            for line in received {
                let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(pair[0])
                let value = pair.count > 1 ? String(pair[1]) : ""
                if line.contains("Max-Age=0") || value.isEmpty { jar[name] = nil } else { jar[name] = value }
            }
        }
        return Page(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    /// Opens the sign-in form and posts it.
    func signIn(_ name: String, _ password: String) async throws -> Page {
        let form = try await get("/login")
        return try await post("/login", [("csrf", form.hidden("csrf") ?? ""), ("name", name), ("password", password)])
    }
}

extension NSLock {
    /// Runs `body` holding the lock.
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
