import AMCashContract
import AMCashDomain
import AMCashWire
import Foundation
import Hummingbird
import Logging
import NIOCore

/// What every API request passes through before the contract's handlers: the bearer token check,
/// the body (kept byte for byte for idempotency), the test collectors' behaviours and the injected
/// faults; and after them, requests the contract cannot decode become 0035 answers, not 500s.
struct HostFrontDoor: RouterMiddleware {
    typealias Context = BasicRequestContext

    let tokens: TokenIssuer
    let dice: FaultDice
    let ledger: any LedgerBooks
    let clock: @Sendable () -> Date
    let behaviours: [String: TestCollector.Behaviour]
    /// The training room's accounts: their behaviours and faults.
    let room: TrainingRoom
    let slowDelay: Duration
    let logger: Logger
    /// Collectors with a transaction in progress, shared with the Issuance desk.
    let activity: CollectorActivity

    static let apiPrefix = "/checkout/amcash/"
    static let maximumBody = 64 * 1024
    /// A token request is a short form: anything longer is refused before it is read whole.
    static let maximumTokenBody = 8 * 1024
    static let endpoints: Set<String> = ["echo", "inquire", "redeem", "reverse"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/oauth/token" {
            do {
                // The body limit comes before anything else: the training credentials are public.
                var request = request
                let body = try await request.collectBody(upTo: Self.maximumTokenBody)
                request.body = RequestBody(buffer: body)
                return try await tokenFaults { try await next(request, context) }
            } catch {
                // Like an OAuth server: a request it cannot read is a 400 invalid_request.
                return Self.json(status: .badRequest, ["error": "invalid_request", "error_description": Self.explainToken(error)])
            }
        }
        guard path.hasPrefix(Self.apiPrefix) else { return try await next(request, context) }
        let endpoint = String(path.dropFirst(Self.apiPrefix.count))
        // An unknown path is answered before any bookkeeping: random paths cannot grow the simulator.
        guard Self.endpoints.contains(endpoint) else { return Self.json(status: .notFound, ["message": "Not Found"]) }
        guard let token = Self.bearerToken(request), tokens.isValid(token) else {
            return Self.json(status: .unauthorized, ["message": "Unauthorized"])
        }
        dice.count(endpoint)
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: Self.maximumBody)
        } catch {
            return answer(.invalidField, message: "the request body is larger than \(Self.maximumBody) bytes")
        }
        let raw = Data(buffer.readableBytesView)
        let collector = Self.collectorNumber(in: raw)
        // One transaction at a time per collector across AM Cash and Issuance (AM Cash calls may overlap each other).
        guard let collector, endpoint != "echo" else {
            return try await serve(request, context: context, next: next, endpoint: endpoint, collector: collector, raw: raw)
        }
        let served = try await activity.during(collector, issuance: false) {
            try await serve(request, context: context, next: next, endpoint: endpoint, collector: collector, raw: raw)
        }
        return served
            ?? Self.json(
                status: HTTPResponse.Status(code: IssuanceDecisions.parallelTransactionStatus),
                [
                    "responseCode": IssuanceDecisions.parallelTransactionCode,
                    "message": "another transaction for this collector is in progress; nothing was done",
                    "transDateTime": TorontoTime.iso8601(clock()),
                ])
    }

    /// Faults scoped to `token` (`token:outage`): the authorization server down, slow, or its answer lost after the
    /// token was issued. Answered as an OAuth server answers, with an `error`.
    private func tokenFaults(_ issue: () async throws -> Response) async throws -> Response {
        var dropAfterApplying = false
        for fault in dice.draw(endpoint: "token", collector: nil) {
            switch fault {
            case .delay(let duration): try await Task.sleep(for: duration)
            case .serverError: return Self.json(status: .internalServerError, ["error": "server_error"])
            case .outage, .hostTimeout, .conflict: return Self.json(status: .serviceUnavailable, ["error": "temporarily_unavailable"])
            case .dropAfterApplying: dropAfterApplying = true
            }
        }
        let response = try await issue()
        return dropAfterApplying ? Self.brokenCopy(of: response) : response
    }

    /// An AM Cash call the collector's activity admitted: the collector's behaviour, the faults, then the contract.
    private func serve(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response, endpoint: String,
        collector: String?, raw: Data
    ) async throws -> Response {
        switch collector.flatMap({ behaviours[$0] ?? room.behaviour(of: $0) }) {
        case .timesOut?:
            try await Task.sleep(for: .milliseconds(50))
            return answer(.hostTimedOut)
        case .slow?:
            try await Task.sleep(for: slowDelay)
        default:
            break
        }
        var dropAfterApplying = false
        for fault in dice.draw(endpoint: endpoint, collector: collector) + (collector.map { room.faults(for: $0, endpoint: endpoint) } ?? []) {
            switch fault {
            case .delay(let duration): try await Task.sleep(for: duration)
            case .serverError: return answer(.serverError)
            case .outage: return answer(.scheduledOutage)
            case .hostTimeout: return answer(.hostTimedOut)
            case .conflict:
                return Self.json(
                    status: .conflict,
                    [
                        "message": "the request context changed (a fault the trainer injected)",
                        "transDateTime": TorontoTime.iso8601(clock()),
                    ])
            case .dropAfterApplying: dropAfterApplying = true
            }
        }

        let response: Response
        do {
            response = try await RequestCapture.$rawBody.withValue(raw) {
                try await next(request, context)
            }
        } catch let failure as LedgerFailure {
            logger.error("ledger failure", metadata: ["error": "\(failure)"])
            return answer(.serverError, message: "the simulator could not save its ledger")
        } catch {
            // The contract could not read the request: a missing header, a missing field, a wrong type.
            return answer(.invalidField, message: Self.explain(error))
        }
        guard dropAfterApplying else { return response }
        logger.notice("fault: dropping the answer after applying", metadata: ["endpoint": "\(endpoint)"])
        if endpoint == "redeem" {
            // The host's safety net starts counting: unless the terminal asks again, the miles come back.
            let key = request.headers[.init("Idempotency-Key")!]
            try? await ledger.answerWasLost(IdempotencyIdentity(operation: endpoint, key: key, rawBody: raw), now: clock())
        }
        return Self.brokenCopy(of: response)
    }

    /// The same head, then half a body and a broken connection: the change is made, the answer lost.
    static func brokenCopy(of response: Response) -> Response {
        var broken = response
        broken.headers[.contentLength] = "4096"
        broken.body = ResponseBody(contentLength: 4096) { writer in
            try await writer.write(ByteBuffer(string: "{\"responseCode\":\"00"))
            throw DroppedOnPurpose()
        }
        return broken
    }

    struct DroppedOnPurpose: Error {}

    /// The `collectorNumber` a body names, found by a scan rather than a JSON parse (the contract
    /// parses the body properly after this): enough to apply a test collector's behaviour and faults.
    static func collectorNumber(in body: Data) -> String? {
        let key = Array(#""collectorNumber""#.utf8)
        return body.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> String? in
            guard bytes.count > key.count else { return nil }
            var index = 0
            search: while index + key.count <= bytes.count {
                for offset in 0..<key.count where bytes[index + offset] != key[offset] {
                    index += 1
                    continue search
                }
                var cursor = index + key.count
                func skipSpaces() { while cursor < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[cursor]) { cursor += 1 } }
                skipSpaces()
                guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: ":") else {
                    index += 1
                    continue
                }
                cursor += 1
                skipSpaces()
                guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "\"") else { return nil }
                cursor += 1
                let start = cursor
                while cursor < bytes.count, (0x30...0x39).contains(bytes[cursor]), cursor - start < 20 { cursor += 1 }
                guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "\""), cursor > start else { return nil }
                return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<cursor]), as: UTF8.self)
            }
            return nil
        }
    }

    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }

    /// An answer the front door gives itself (a fault, a body it cannot read), worded and stamped as the host's.
    func answer(_ code: ResponseCode, message: String? = nil) -> Response {
        let status = HTTPResponse.Status(code: code.meaning.httpStatus ?? 500)
        return Self.json(
            status: status,
            [
                "responseCode": code.rawValue, "message": message ?? HostWording.message(for: code),
                "transDateTime": TorontoTime.iso8601(clock()),
            ])
    }

    static func json(status: HTTPResponse.Status, _ object: [String: String]) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(object)) ?? Data()
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The token endpoint's reason for a form it cannot read.
    static func explainToken(_ error: any Error) -> String {
        error is HTTPError ? "the token request is larger than \(maximumTokenBody) bytes" : explain(error)
    }

    /// A short reason a cashier's IT person can act on, from the generated server's error.
    static func explain(_ error: any Error) -> String {
        let text = String(describing: error)
        for marker in [
            "keyNotFound", "typeMismatch", "valueNotFound", "dataCorrupted", "Missing required", "Unexpected content type",
            "missingRequiredHeader", "header",
        ] where text.contains(marker) {
            if let range = text.range(of: "stringValue: \""), let end = text[range.upperBound...].firstIndex(of: "\"") {
                return "missing or invalid field \(text[range.upperBound..<end])"
            }
            return "missing or invalid field or header (\(marker))"
        }
        return "the request does not follow the contract"
    }
}

/// The exact bytes of the request being handled, for the ledger's idempotency check.
enum RequestCapture {
    @TaskLocal static var rawBody: Data?
}

/// The ledger could not be saved; the request is answered 0096 and nothing is changed.
struct LedgerFailure: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}
