import AMCashDomain
import AMCashWire
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The Issuance endpoints (`/checkout/issuance/...`) on the simulator's server: the same token, the same
/// idempotency rules and the same test collectors as AM Cash; a body it cannot read is a 400 that names
/// the field; a collector with another transaction in progress gets the parallel-transaction answer.
struct IssuanceDesk: Sendable {
    let tokens: TokenIssuer
    let dice: FaultDice
    let ledger: any IssuanceBooks
    let activity: CollectorActivity
    let clock: @Sendable () -> Date
    let behaviours: [String: TestCollector.Behaviour]
    /// How each test collector earns (`SimulatorOptions.collectorProfiles`, made once).
    let profiles: [String: TestCollector]
    /// The training room's accounts: a classroom attempt's behaviour and faults strike its earning as they
    /// strike its redemption (as they do when the trainee works alone, on a simulator of the exercise's own).
    let room: TrainingRoom
    let slowDelay: Duration
    let logger: Logger

    func register(on router: Router<BasicRequestContext>) {
        for operation in IssuanceOperation.allCases {
            router.post(RouterPath(stringLiteral: operation.path)) { request, _ in
                try await handle(operation, request)
            }
        }
    }

    func handle(_ operation: IssuanceOperation, _ request: Request) async throws -> Response {
        guard let token = HostFrontDoor.bearerToken(request), tokens.isValid(token) else {
            return HostFrontDoor.json(status: .unauthorized, ["message": "Unauthorized"])
        }
        dice.count("issuance/" + operation.rawValue)
        var request = request
        let raw: Data
        do {
            raw = Data(try await request.collectBody(upTo: HostFrontDoor.maximumBody).readableBytesView)
        } catch {
            return reply(400, IssuanceReplyBody(responseCode: "0035", message: "the request body is larger than \(HostFrontDoor.maximumBody) bytes"))
        }
        let body: IssuanceRequestBody
        do {
            let partner = [.post, .postEvent, .reverse, .reverseEvent].contains(operation)
            body = try IssuanceRequestBody(json: IssuanceJSON.parse(raw), basketAmountsRequired: !partner)
        } catch {
            return reply(400, IssuanceReplyBody(responseCode: "0035", message: "missing or invalid field: \(error.description)"))
        }
        // One transaction at a time per collector (CALCULATE, which moves nothing, is not one).
        let guarded = operation == .calculate && !IssuanceDecisions.calculateIsATransaction ? nil : body.collectorNumber
        guard let number = guarded else { return try await serve(operation, request, body: body, raw: raw) }
        let served = try await activity.during(number, issuance: true) { try await serve(operation, request, body: body, raw: raw) }
        return served ?? parallel(body)
    }

    /// An Issuance call the collector's activity admitted: the collector's behaviour, the faults, then the books.
    private func serve(_ operation: IssuanceOperation, _ request: Request, body: IssuanceRequestBody, raw: Data) async throws -> Response {
        switch body.collectorNumber.flatMap({ behaviours[$0] ?? room.behaviour(of: $0) }) {
        case .timesOut?:
            try await Task.sleep(for: .milliseconds(50))
            return reply(408, IssuanceReplyBody(responseCode: "0008", message: HostWording.message(for: .hostTimedOut)))
        case .slow?:
            try await Task.sleep(for: slowDelay)
        default:
            break
        }
        // Faults scoped to the collector (or to every call) strike Issuance as they strike AM Cash; "issuance" and
        // an operation's own name ("issue:drop") strike Issuance alone.
        var dropAfterApplying = false
        let endpoint = "issuance/" + operation.rawValue
        let roomFaults = body.collectorNumber.map { room.faults(for: $0, endpoint: endpoint) } ?? []
        for fault in dice.draw(endpoint: endpoint, collector: body.collectorNumber) + roomFaults {
            switch fault {
            case .delay(let duration): try await Task.sleep(for: duration)
            case .serverError: return reply(500, IssuanceReplyBody(responseCode: "0096", message: HostWording.message(for: .serverError)))
            case .outage: return reply(503, IssuanceReplyBody(responseCode: "0092", message: HostWording.message(for: .scheduledOutage)))
            case .hostTimeout: return reply(408, IssuanceReplyBody(responseCode: "0008", message: HostWording.message(for: .hostTimedOut)))
            case .conflict:
                return reply(409, IssuanceReplyBody(responseCode: nil, message: "the request context changed (a fault the trainer injected)"))
            case .dropAfterApplying: dropAfterApplying = true
            }
        }
        let answer: IssuanceAnswer
        do {
            answer = try await ledger.handle(
                operation, body, key: request.headers[HTTPField.Name("Idempotency-Key")!], rawBody: raw, now: clock(),
                profile: body.collectorNumber.flatMap { profiles[$0] ?? room.earningProfile(of: $0) })
        } catch {
            logger.error("issuance ledger failure", metadata: ["error": "\(error)"])
            return reply(500, IssuanceReplyBody(responseCode: "0096", message: "the simulator could not save its ledger"))
        }
        switch answer {
        case .conflict:
            return reply(409, IssuanceReplyBody(responseCode: nil, message: "this Idempotency-Key was used with a different request"))
        case .reply(let status, let body):
            guard dropAfterApplying else { return reply(status, body) }
            logger.notice("fault: dropping the answer after applying", metadata: ["endpoint": "issuance/\(operation.rawValue)"])
            return HostFrontDoor.brokenCopy(of: reply(status, body))
        }
    }

    /// Decision (`IssuanceDecisions.parallelTransactionCode`): another transaction for the collector is in progress.
    func parallel(_ body: IssuanceRequestBody) -> Response {
        reply(
            IssuanceDecisions.parallelTransactionStatus,
            IssuanceReplyBody(
                responseCode: IssuanceDecisions.parallelTransactionCode,
                message: "another transaction for this collector is in progress; nothing was done",
                checkoutTransactionId: body.checkoutTransactionId))
    }

    func reply(_ status: Int, _ body: IssuanceReplyBody) -> Response {
        Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body.json.data)))
    }
}
