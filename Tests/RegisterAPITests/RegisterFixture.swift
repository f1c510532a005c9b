import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashJournal
import AsyncHTTPClient
import Foundation
import LogCapture
import NIOCore
import RegisterAPI
import Testing
import Yams

/// A value behind a lock, shared by the server's tasks and the test.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&value) } }
}

/// A clock the test moves by hand, shared by the journal's money path and the API.
final class TestClock: Sendable {
    private let current: Locked<Date>
    init(_ start: Date = TestClock.awayFromTheCutOff()) { current = Locked(start) }

    /// Now, unless the 03:00 Toronto cut-off is less than 15 minutes away: then just after it, so a test
    /// that moves the clock by minutes never crosses the redemption day's end (its void would then be
    /// an exception). The simulator's wall clock stays on the same side of no cut-off the test crosses.
    static func awayFromTheCutOff(_ now: Date = Date()) -> Date {
        let end = ProgramDay.redemptionDay(at: now).redemptionEnd
        return end.timeIntervalSince(now) < 15 * 60 ? end.addingTimeInterval(60) : now
    }
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A register API on a real loopback socket over a real journal, and an HTTP client that talks to it
/// as a register would.
struct RegisterFixture {
    static let token = "register-token-0123456789abcdef"
    let journalPath: String
    let journal: Journal
    let server: RegisterServer
    /// The shared client: never shut down, so a test that throws fails alone (no deinit trap in the test process).
    let client: HTTPClient
    let logs: CapturedLog

    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("amcash-register-\(name)-\(UUID())").path
    }

    /// A token file written 0600, as `registerTokenFile` must be.
    static func tokenFile(mode: Int = 0o600) throws -> String {
        let path = temporaryPath("token")
        #expect(FileManager.default.createFile(atPath: path, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: mode]))
        return path
    }

    static func start(
        journalPath: String = temporaryPath("journal") + ".sqlite", clock: TestClock = TestClock(),
        address: RegisterListenAddress = .loopback(host: "127.0.0.1", port: 0)
    ) async throws -> RegisterFixture {
        let journal = try Journal(path: journalPath)
        let recorded = EventBox()
        let desk = RegisterDesk(journal: journal) { event in recorded.events.withLock { $0.append(event) } }
        let logs = CapturedLog()
        let server = try await RegisterServer.start(
            address: address, token: try RegisterToken(file: try tokenFile()), desk: desk,
            now: { clock.now }, pollInterval: .milliseconds(50), logger: logs.logger(label: "amcash.register.test"))
        return RegisterFixture(
            journalPath: journalPath, journal: journal, server: server, client: HTTPClient.shared, logs: logs,
            box: recorded)
    }

    let box: EventBox

    var recordedEvents: [RegisterEvent] { box.events.withLock { $0 } }

    func stop() async {
        await server.stop()
    }

    struct Answer {
        let status: Int
        let body: [String: Any]
        let text: String
        /// The `Allow` header (a 405's).
        var allow: String? = nil
    }

    /// One request as a register sends it; `token` nil sends no Authorization header.
    enum Verb { case GET, POST, PUT, DELETE, TRACE }

    func request(_ method: Verb, _ path: String, body: Data? = nil, token: String? = RegisterFixture.token) async throws -> Answer {
        let url: String
        if case .unixSocket(let socket) = server.address {
            url = URL(httpURLWithSocketPath: socket, uri: path)!.absoluteString
        } else {
            url = "http://127.0.0.1:\(server.port!)\(path)"
        }
        var request = HTTPClientRequest(url: url)
        request.method =
            switch method {
            case .GET: .GET
            case .POST: .POST
            case .PUT: .PUT
            case .DELETE: .DELETE
            case .TRACE: .TRACE
            }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, timeout: .seconds(90))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let data = Data(bytes.readableBytesView)
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return Answer(
            status: Int(response.status.code), body: object, text: String(decoding: data, as: UTF8.self), allow: response.headers.first(name: "Allow")
        )
    }

    func push(_ fields: [String: Any]) async throws -> Answer {
        try await request(.POST, "/v1/sales", body: try JSONSerialization.data(withJSONObject: fields))
    }
}

final class EventBox: Sendable {
    let events = Locked<[RegisterEvent]>([])
}

/// register-openapi.yaml, read once, and a small JSON-schema check of answers against its schemas
/// (type, required, additionalProperties: false, enum, length, pattern, minimum, $ref).
enum RegisterContract {
    nonisolated(unsafe) static let document: [String: Any] = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/RegisterAPI/register-openapi.yaml").path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return ((try? Yams.load(yaml: text)) as? [String: Any]) ?? [:]
    }()

    static func schema(_ name: String) -> [String: Any] {
        (((document["components"] as? [String: Any])?["schemas"] as? [String: Any])?[name] as? [String: Any]) ?? [:]
    }

    /// The problems of `value` against `schema`, each with its JSON path; empty when it conforms.
    static func problems(_ value: Any, against schema: [String: Any], at path: String = "$") -> [String] {
        if let reference = schema["$ref"] as? String {
            return problems(value, against: Self.schema(String(reference.split(separator: "/").last ?? "")), at: path)
        }
        var found: [String] = []
        switch schema["type"] as? String {
        case "object":
            guard let object = value as? [String: Any] else { return ["\(path): not an object"] }
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { found.append("\(path).\(key): required") }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, child) in object {
                if let childSchema = properties[key] as? [String: Any] {
                    found += problems(child, against: childSchema, at: "\(path).\(key)")
                } else if schema["additionalProperties"] as? Bool == false {
                    found.append("\(path).\(key): not in the schema")
                }
            }
        case "array":
            guard let array = value as? [Any] else { return ["\(path): not an array"] }
            let items = schema["items"] as? [String: Any] ?? [:]
            for (index, item) in array.enumerated() { found += problems(item, against: items, at: "\(path)[\(index)]") }
        case "string":
            guard let text = value as? String else { return ["\(path): not a string"] }
            if let maximum = schema["maxLength"] as? Int, text.count > maximum { found.append("\(path): longer than \(maximum)") }
            if let minimum = schema["minLength"] as? Int, text.count < minimum { found.append("\(path): shorter than \(minimum)") }
            if let pattern = schema["pattern"] as? String, text.range(of: pattern, options: .regularExpression) == nil {
                found.append("\(path): \"\(text)\" does not match \(pattern)")
            }
        case "integer":
            guard let number = value as? Int else { return ["\(path): not an integer"] }
            if let minimum = schema["minimum"] as? Int, number < minimum { found.append("\(path): below \(minimum)") }
        case "boolean":
            guard value is Bool else { return ["\(path): not a boolean"] }
        default: break
        }
        if let allowed = schema["enum"] as? [String], let text = value as? String, !allowed.contains(text) {
            found.append("\(path): \"\(text)\" is not one of \(allowed)")
        }
        return found
    }

    /// Checks an answer against the schema its status documents (Sale for 2xx, Error otherwise).
    static func check(_ answer: RegisterFixture.Answer, sourceLocation: SourceLocation = #_sourceLocation) {
        let schema = (200..<300).contains(answer.status) ? "Sale" : "Error"
        let found = problems(answer.body, against: Self.schema(schema))
        #expect(found.isEmpty, "\(answer.status) \(answer.text) against \(schema): \(found)", sourceLocation: sourceLocation)
    }
}
