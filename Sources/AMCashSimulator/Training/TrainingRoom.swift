import AMCashConfiguration
import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// A shared training server's side of `amcash train --classroom`. Each attempt at an exercise gets an
/// account of its own (a fresh collector number, set up as the exercise says, with its faults scoped
/// to that number), so a class can work the same exercise at once without touching one another's
/// miles. The terminals report each attempt's verdict here, to the room's scorecard.
///
/// Endpoints (HTTP Basic with the simulator's client credentials, as the terminals already hold):
/// - `POST /training/setup` `{trainee, exercise, cashMiles, dreamMiles, redeemedTodayUnits, behaviour, earning, faults}`
///   → `{collector, attempt}`;
/// - `GET /training/collectors/NUMBER` → `{cashMiles, standing}` (redemptions not reversed);
/// - `POST /training/collectors/NUMBER/network-back`: the exercise's faults end;
/// - `POST /training/attempts/ID` `{passed, mistakes}`: the verdict, on the scorecard;
/// - `POST /training/passed` `{trainee}` → `{exercises}`: what the trainee has passed (to resume).
public final class TrainingRoom: Sendable {
    struct Setup {
        let behaviour: TestCollector.Behaviour
        /// How the account earns (an exercise's pending or refused earning); nil: as any account.
        var earning: TestCollector.EarningBehaviour? = nil
        /// The exercise's faults, drawn as `--fault`'s are.
        let dice: FaultDice
    }

    private struct State {
        var next: Int
        var setups: [String: Setup] = [:]
    }

    private let state: NIOLockedValueBox<State>
    let scorecard: Scorecard?

    init(scorecard: Scorecard?, now: Date) {
        self.scorecard = scorecard
        // Numbers start from the clock, so a restarted room does not hand out an old attempt's account.
        state = NIOLockedValueBox(State(next: Int(now.timeIntervalSince1970) % 1_000_000 * 1_000))
    }

    func behaviour(of number: String) -> TestCollector.Behaviour? { state.withLockedValue { $0.setups[number]?.behaviour } }

    /// How an attempt's account earns, for the Issuance books (nil for a number the room did not hand out).
    func earningProfile(of number: String) -> TestCollector? {
        guard let setup = state.withLockedValue({ $0.setups[number] }) else { return nil }
        return TestCollector(number: number, situation: "", summary: "", cashMiles: 0, dreamMiles: 0, earning: setup.earning)
    }

    /// The faults of the attempt this number belongs to, for this endpoint.
    func faults(for number: String, endpoint: String) -> [FaultRule.Kind] {
        state.withLockedValue { $0.setups[number]?.dice }?.draw(endpoint: endpoint, collector: number) ?? []
    }

    private func allocate(_ setup: Setup) -> String {
        state.withLockedValue { state in
            state.next += 1
            let number = "89" + String(format: "%09d", state.next % 1_000_000_000)
            state.setups[number] = setup
            return number
        }
    }

    private func networkBack(_ number: String) { state.withLockedValue { $0.setups[number]?.dice }?.replace(with: FaultPlan()) }

    func register(on router: Router<BasicRequestContext>, ledger: any LedgerBooks, tokens: TokenIssuer, clock: @escaping @Sendable () -> Date) {
        @Sendable func authorized(_ request: Request) -> Bool {
            guard let header = request.headers[.authorization], header.hasPrefix("Basic "),
                let decoded = Data(base64Encoded: String(header.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }),
                let colon = decoded.firstIndex(of: ":")
            else { return false }
            return tokens.accepts(clientId: String(decoded[..<colon]), clientSecret: String(decoded[decoded.index(after: colon)...]))
        }
        @Sendable func json(_ status: HTTPResponse.Status, _ object: [String: Any]) -> Response {
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
            return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        @Sendable func body(_ request: Request) async throws -> [String: Any] {
            var request = request
            let buffer = try await request.collectBody(upTo: 16 * 1024)
            return (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any]) ?? [:]
        }
        let unauthorized = json(.unauthorized, ["message": "the training endpoints take the simulator's client credentials (HTTP Basic)"])

        router.post("/training/setup") { [self] request, _ -> Response in
            guard authorized(request) else { return unauthorized }
            let fields = try await body(request)
            func count(_ key: String) -> Int { max(0, min(1_000_000_000, fields[key] as? Int ?? 0)) }
            guard let trainee = fields["trainee"] as? String, !trainee.isEmpty, trainee.count <= 80,
                let exercise = fields["exercise"] as? String, !exercise.isEmpty, exercise.count <= 80
            else { return json(.badRequest, ["message": "trainee and exercise are needed (at most 80 characters each)"]) }
            guard let behaviour = TestCollector.Behaviour(rawValue: fields["behaviour"] as? String ?? "normal") else {
                return json(.badRequest, ["message": "behaviour must be one of \(TestCollector.Behaviour.allCases.map(\.rawValue))"])
            }
            guard let earning = TestCollector.EarningBehaviour(rawValue: fields["earning"] as? String ?? "normal") else {
                return json(.badRequest, ["message": "earning must be one of \(TestCollector.EarningBehaviour.allCases.map(\.rawValue))"])
            }
            var faults: [FaultRule] = []
            for text in fields["faults"] as? [String] ?? [] {
                guard let rule = try? FaultRule(parsing: text) else {
                    return json(.badRequest, ["message": "fault \(text) is not one amcash sim knows"])
                }
                faults.append(rule)
            }
            let number = allocate(Setup(behaviour: behaviour, earning: earning, dice: FaultDice(plan: FaultPlan(rules: faults))))
            try await ledger.openAccount(
                TestCollector(
                    number: number, situation: exercise, summary: exercise, cashMiles: count("cashMiles"), dreamMiles: count("dreamMiles"),
                    redeemedTodayUnits: count("redeemedTodayUnits"), behaviour: behaviour, earning: earning),
                now: clock())
            let attempt = try scorecard?.begin(trainee: trainee, exercise: exercise, at: clock()) ?? 0
            return json(.ok, ["collector": number, "attempt": attempt])
        }
        router.get("/training/collectors/:number") { request, context -> Response in
            guard authorized(request) else { return unauthorized }
            let number = context.parameters.get("number") ?? ""
            guard number.count == 11, number.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                return json(.notFound, ["message": "no such collector"])
            }
            guard let cash = try await ledger.cashBalance(of: number, now: clock()) else { return json(.notFound, ["message": "no such collector"]) }
            let standing = try await ledger.standingRedemptions(of: number)
            return json(.ok, ["cashMiles": cash, "standing": standing])
        }
        router.post("/training/collectors/:number/network-back") { [self] request, context -> Response in
            guard authorized(request) else { return unauthorized }
            networkBack(context.parameters.get("number") ?? "")
            return json(.ok, [:])
        }
        router.post("/training/passed") { [self] request, _ -> Response in
            guard authorized(request) else { return unauthorized }
            guard let trainee = try await body(request)["trainee"] as? String else { return json(.badRequest, ["message": "a trainee"]) }
            return json(.ok, ["exercises": try scorecard?.passed(by: trainee).sorted() ?? []])
        }
        router.post("/training/attempts/:id") { [self] request, context -> Response in
            guard authorized(request) else { return unauthorized }
            guard let id = context.parameters.get("id").flatMap(Int64.init) else { return json(.badRequest, ["message": "an attempt id"]) }
            let fields = try await body(request)
            try scorecard?.finish(id, passed: fields["passed"] as? Bool ?? false, mistakes: fields["mistakes"] as? [String] ?? [], at: clock())
            return json(.ok, [:])
        }
    }
}
