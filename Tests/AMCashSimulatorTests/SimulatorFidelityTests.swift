import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashWire
import AsyncHTTPClient
import Foundation
import GRDB
import NIOCore
import Testing

@testable import AMCashSimulator

/// The simulator as an integrator meets it: the partner documentation's own sample requests, every
/// generation of the request, and the host's rules on idempotency, offers, codes and tokens, sent
/// as raw HTTP over a real socket.
@Suite struct SimulatorFidelityTests {
    /// The card of the developer portal's samples, named by a collectors file as a partner would.
    static let sampleCollectors = try! TestCollectors.parse(
        """
        [[collector]]
        number = "84095202006"
        situation = "portal-sample"
        summary = "the developer portal's sample card"
        cashMiles = 1900
        dreamMiles = 500
        """, path: "portal.toml")

    /// One raw exchange: status and the JSON object answered.
    struct Answer {
        let status: Int
        let json: [String: Any]
        var code: String? { json["responseCode"] as? String }
        var message: String? { json["message"] as? String }
        subscript(_ key: String) -> String? { json[key] as? String }
    }

    final class Wire: Sendable {
        /// The process's shared client: never shut down, so a test that throws mid-call (a timeout on a loaded
        /// machine) fails alone instead of a client's deinit trapping the whole test process.
        let http = HTTPClient.shared
        let base: String
        init(_ simulator: SimulatorServer) { base = simulator.baseURL }

        func post(
            _ path: String, body: String, headers: [(String, String)] = [],
            contentType: String = "application/json"
        ) async throws -> Answer {
            var request = HTTPClientRequest(url: base + path)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: contentType)
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.body = .bytes(ByteBuffer(string: body))
            let response = try await http.execute(request, timeout: .seconds(10))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            let json = (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))) as? [String: Any] ?? [:]
            return Answer(status: Int(response.status.code), json: json)
        }

        func token(
            _ form: String = "grant_type=client_credentials&client_id=\(ClientCredentials.simulator.clientId)"
                + "&client_secret=\(ClientCredentials.simulator.clientSecret)&audience=https%3A%2F%2Fpartners.loyalty.com"
        ) async throws -> Answer {
            try await post("/oauth/token", body: form, contentType: "application/x-www-form-urlencoded")
        }

        /// A call the way the portal's curl samples make it: bearer token, JSON, `cache-control: no-cache`.
        func call(_ endpoint: String, _ body: String, key: String? = nil) async throws -> Answer {
            let token = try #require(try await self.token()["access_token"])
            var headers = [("Authorization", "Bearer \(token)"), ("cache-control", "no-cache")]
            if let key { headers.append(("Idempotency-Key", key)) }
            return try await post("/checkout/amcash/" + endpoint, body: body, headers: headers)
        }

    }

    static func start(_ options: SimulatorOptions) async throws -> (SimulatorServer, Wire) {
        let simulator = try await SimulatorServer.start(options: options)
        return (simulator, Wire(simulator))
    }

    static let echoSample = #"{"deviceId":"01","sponsorCode":"LOY1","storeId":"0001","traceId":"999999999999","vendorId":"100087"}"#
    static let inquireSample = """
        {"acquirerId":"100000","cardEntryMode":"Scan","collectorNumber":"84095202006","dateTime":"2026-11-30T10:15:00.000-05:00",\
        "deviceId":"01","instantMessage":"en-CA","postTaxBasketAmount":"16.12","sponsorCode":"LOY1","storeId":"0001",\
        "traceId":"999999999998","vendorId":"100087"}
        """
    static func legacyRedeem(trace: String = "999999999997", dateTime: String = "2026-11-30T10:16:00-0500", mode: String = "Swipe") -> String {
        """
        {"acquirerId":"100000","cardEntryMode":"\(mode)","collectorNumber":"84095202006","dateTime":"\(dateTime)",\
        "deviceId":"01","dollarRedeemRequest":"16.12","instantMessage":"en-CA","preTaxBasketAmount":"15.00",\
        "postTaxBasketAmount":"16.12","sponsorCode":"LOY1","storeId":"0001","traceId":"\(trace)","vendorId":"100087"}
        """
    }
    static func legacyReverse(_ confirmation: String, mode: String = "swipe", trace: String = "999999999996") -> String {
        """
        {"acquirerId":"100000","cardEntryMode":"\(mode)","collectorNumber":"84095202006","dateTime":"2026-11-30T10:17:00.123-05:00",\
        "deviceId":"01","instantMessage":"en-CA","redemptionConfirmationNum":"\(confirmation)","sponsorCode":"LOY1","storeId":"0001",\
        "traceId":"\(trace)","vendorId":"100087"}
        """
    }

    static func clockAt(_ text: String) -> TestClock { TestClock(start: ISO8601DateFormatter().date(from: text)!) }

    /// The sample collectors on `clock`, every REDEEM applied and its answer lost (`redeem:drop`).
    static func losingRedeemAnswers(_ clock: TestClock) throws -> SimulatorOptions {
        SimulatorOptions(
            collectors: sampleCollectors, faults: FaultPlan(rules: [try FaultRule(parsing: "redeem:drop")]), clock: { clock.now })
    }

    /// `token:…` strikes the token endpoint as an OAuth server fails (503 temporarily_unavailable, 500 server_error, a
    /// lost answer), and only a fault scoped to it does: an `outage` of every call leaves the tokens the calls need. Before,
    /// `--fault token:outage` was accepted and did nothing.
    @Test func tokenFaultsStrikeTheTokenEndpointOnlyWhenScopedToIt() async throws {
        let (simulator, wire) = try await Self.start(SimulatorOptions(faults: FaultPlan(rules: [try FaultRule(parsing: "token:outage")])))
        defer {
            Task {
                await simulator.stop()
            }
        }
        let refused = try await wire.token()
        #expect(refused.status == 503 && refused["error"] == "temporarily_unavailable" && refused["access_token"] == nil, "\(refused.json)")
        await simulator.injectFaults(FaultPlan(rules: [try FaultRule(parsing: "token:5xx")]))
        #expect(try await wire.token().status == 500)
        await simulator.injectFaults(FaultPlan(rules: [try FaultRule(parsing: "token:drop")]))
        await #expect(throws: (any Error).self, "the token's answer is lost") { _ = try await wire.token() }
        await simulator.injectFaults(FaultPlan(rules: [try FaultRule(parsing: "outage")]))
        let token = try await wire.token()
        #expect(token.status == 200 && token["access_token"] != nil, "an outage of every call leaves the tokens")
        #expect(try await wire.call("echo", Self.echoSample).code == "0092", "and strikes the call")
    }

    @Test func thePortalsSampleRequestsAreApprovedAsTheHostWordsIt() async throws {
        let clock = Self.clockAt("2026-11-30T10:15:00-05:00")
        let (simulator, wire) = try await Self.start(SimulatorOptions(collectors: Self.sampleCollectors, clock: { clock.now }))
        let echo = try await wire.call("echo", Self.echoSample)
        let inquire = try await wire.call("inquire", Self.inquireSample)
        let redeem = try await wire.call("redeem", Self.legacyRedeem())
        let confirmation = try #require(redeem["txnConfirmationNumber"])
        let reverse = try await wire.call("reverse", Self.legacyReverse(confirmation))
        for (name, answer) in [("ECHO", echo), ("INQUIRE", inquire), ("REDEEM", redeem), ("REVERSE", reverse)] {
            #expect(answer.status == 200 && answer.code == "0000", "\(name): \(answer.status) \(answer.json)")
            #expect(answer.message == "Approved", "\(name): the host says Approved, no period")
            #expect(answer["transDateTime"] != nil, "\(name) carries transDateTime")
        }
        #expect(redeem["unitsRedeemed"] == "1", "$16.12 asked: one $10 unit")
        #expect(reverse["redemptionConfirmationNumber"] == confirmation && reverse["txnConfirmationNumber"] != nil)
        #expect(await simulator.cashBalance(of: "84095202006") == 1_900, "redeemed and reversed: the balance is whole again")
        await simulator.stop()
    }

    @Test(arguments: ["SCAN", "Scan", "scan", "SWIPE", "Swipe", "swipe"])
    func everyCaseOfAReadCardRedeems(mode: String) async throws {
        let (simulator, wire) = try await Self.start(SimulatorOptions(collectors: Self.sampleCollectors))
        let redeem = try await wire.call("redeem", Self.legacyRedeem(mode: mode), key: UUID().uuidString)
        #expect(redeem.code == "0000", "\(mode): \(redeem.json)")
        await simulator.stop()
    }

    @Test(arguments: ["MANUAL", "Manual", "manual"])
    func aKeyedCardCannotRedeemOrReverse(mode: String) async throws {
        let (simulator, wire) = try await Self.start(SimulatorOptions(collectors: Self.sampleCollectors))
        let redeem = try await wire.call("redeem", Self.legacyRedeem(mode: mode))
        #expect(redeem.status == 403 && redeem.code == "0009")
        let approved = try #require(try await wire.call("redeem", Self.legacyRedeem(trace: "000000000042"))["txnConfirmationNumber"])
        let reverse = try await wire.call("reverse", Self.legacyReverse(approved, mode: mode))
        #expect(reverse.status == 403 && reverse.code == "0009", "the reverse page's warning: \(reverse.json)")
        #expect(await simulator.cashBalance(of: "84095202006") == 1_900 - 95, "the keyed reversal gave nothing back")
        await simulator.stop()
    }

    @Test(arguments: [
        "2026-11-30T10:16:00-0500", "2026-11-30T10:16:00-05:00", "2026-11-30T10:16:00.5-04:00",
        "2026-11-30T10:16:00.123456Z",
    ])
    func dateTimesOfEveryGenerationAreAccepted(dateTime: String) async throws {
        let (simulator, wire) = try await Self.start(SimulatorOptions(collectors: Self.sampleCollectors))
        #expect(try await wire.call("redeem", Self.legacyRedeem(dateTime: dateTime)).code == "0000")
        await simulator.stop()
    }

    @Test(arguments: ["2026-11-30 10:16:00-0500", "2026-11-30T10:16:00", "2026-11-30T10:16:00.-05:00", "2026-11-30T10:16:00-5"])
    func aDateTimeWithoutAnOffsetIsRefused(dateTime: String) async throws {
        let (simulator, wire) = try await Self.start(SimulatorOptions(collectors: Self.sampleCollectors))
        let answer = try await wire.call("redeem", Self.legacyRedeem(dateTime: dateTime))
        #expect(answer.status == 400 && answer.code == "0035" && answer.message?.contains("dateTime") == true)
        await simulator.stop()
    }

    @Test func withoutAKeyAByteIdenticalBodyIsARepeatAndAChangedOneIsNew() async throws {
        let (simulator, wire) = try await Self.start(SimulatorOptions(collectors: Self.sampleCollectors))
        let first = try await wire.call("redeem", Self.legacyRedeem())
        let again = try await wire.call("redeem", Self.legacyRedeem())
        #expect(first.code == "0000" && again["txnConfirmationNumber"] == first["txnConfirmationNumber"])
        #expect(await simulator.cashBalance(of: "84095202006") == 1_900 - 95, "the repeat debited nothing")
        let newTime = try await wire.call("redeem", Self.legacyRedeem(dateTime: "2026-11-30T10:16:01-0500"))
        #expect(
            newTime.code == "0000" && newTime["txnConfirmationNumber"] != first["txnConfirmationNumber"],
            "a new timestamp is a new transaction, as the documentation warns")
        #expect(await simulator.cashBalance(of: "84095202006") == 1_900 - 2 * 95)
        await simulator.stop()
    }

    @Test func aKeyReplaysItsAnswerRefusesAnotherBodyAndDoesNotKeepAValidationRefusal() async throws {
        let (simulator, wire) = try await Self.start(SimulatorOptions(collectors: Self.sampleCollectors))
        let key = UUID().uuidString
        let invalid = try await wire.call("redeem", Self.legacyRedeem(trace: "12345"), key: key)
        #expect(invalid.status == 400 && invalid.code == "0035" && invalid.message?.contains("traceId") == true)
        let corrected = try await wire.call("redeem", Self.legacyRedeem(), key: key)
        #expect(corrected.code == "0000", "a 0035 is not stored under its key: the corrected request goes through")
        let replay = try await wire.call("redeem", Self.legacyRedeem(), key: key)
        #expect(replay["txnConfirmationNumber"] == corrected["txnConfirmationNumber"])
        let other = try await wire.call("redeem", Self.legacyRedeem(trace: "000000000777"), key: key)
        #expect(other.status == 409)
        #expect(await simulator.cashBalance(of: "84095202006") == 1_900 - 95)
        await simulator.stop()
    }

    @Test func aKeyIsForgottenAfterItsRetention() async throws {
        let clock = Self.clockAt("2026-11-30T10:15:00-05:00")
        var options = SimulatorOptions(collectors: Self.sampleCollectors, clock: { clock.now })
        options.keyRetention = .seconds(3_600)
        let (simulator, wire) = try await Self.start(options)
        let key = UUID().uuidString
        let first = try await wire.call("redeem", Self.legacyRedeem(), key: key)
        clock.set("2026-11-30T11:14:59-05:00")
        #expect(try await wire.call("redeem", Self.legacyRedeem(), key: key)["txnConfirmationNumber"] == first["txnConfirmationNumber"])
        clock.set("2026-11-30T11:15:00-05:00")
        let late = try await wire.call("redeem", Self.legacyRedeem(), key: key)
        #expect(
            late.code == "0000" && late["txnConfirmationNumber"] != first["txnConfirmationNumber"],
            "past the retention the same key and body are a new transaction: the client must stop replaying before then")
        #expect(await simulator.cashBalance(of: "84095202006") == 1_900 - 2 * 95)
        clock.set("2026-11-30T13:00:00-05:00")
        _ = try await wire.call("inquire", Self.inquireSample)
        #expect(await simulator.storedAnswers() == 0, "expired answers are pruned")
        await simulator.stop()
    }

    @Test func offerFieldsComeOnlyWhenTheDocumentedConditionsHold() async throws {
        let (simulator, wire) = try await Self.start(SimulatorOptions())
        func inquire(_ number: String, mode: String) async throws -> Answer {
            try await wire.call(
                "inquire",
                Self.inquireSample.replacingOccurrences(of: "84095202006", with: number)
                    .replacingOccurrences(of: "\"Scan\"", with: "\"\(mode)\""))
        }
        let offerFields = ["availableOfferUnits", "offerType", "offerId", "offerDescEn", "offerDescFr"]
        let read = try await inquire("81000000001", mode: "SCAN")
        #expect(offerFields.allSatisfy { read[$0] != nil }, "\(read.json)")
        #expect(read["availableOfferUnits"] == "1", "$16.12 covers one unit")
        for (number, mode, why) in [
            ("81000000001", "MANUAL", "keyed"), ("81000000003", "SCAN", "below one unit"),
            ("81000000005", "SCAN", "limit reached"), ("81000000008", "SCAN", "unable to redeem"),
        ] {
            let answer = try await inquire(number, mode: mode)
            #expect(offerFields.allSatisfy { answer[$0] == nil }, "\(why): \(answer.json)")
        }
        let keyed = try await inquire("81000000001", mode: "MANUAL")
        #expect(keyed.code == "0000" && keyed["cashBalance"] == "50000", "a keyed card still looks up its balance")
        let hidden = try await inquire("81000000007", mode: "SCAN")
        #expect(hidden.code == "0001" && hidden["cashBalance"] == nil && hidden["availableOfferUnits"] != nil, "0001: the offer still comes")
        await simulator.stop()
    }

    @Test func balanceHiddenAndUnableToRedeemIsCode0005() async throws {
        let (simulator, wire) = try await Self.start(SimulatorOptions())
        let inquire = try await wire.call("inquire", Self.inquireSample.replacingOccurrences(of: "84095202006", with: "81000000012"))
        #expect(inquire.status == 202 && inquire.code == "0005" && inquire["cashBalance"] == nil)
        let redeem = try await wire.call("redeem", Self.legacyRedeem().replacingOccurrences(of: "84095202006", with: "81000000012"))
        #expect(redeem.status == 202 && redeem.code == "0005")
        await simulator.stop()
    }

    @Test func theTokenEndpointAnswersAsTheAuthorizationServerDoes() async throws {
        let (simulator, wire) = try await Self.start(SimulatorOptions())
        let credentials = "client_id=\(ClientCredentials.simulator.clientId)&client_secret=\(ClientCredentials.simulator.clientSecret)"
        let wrongAudience = try await wire.token("grant_type=client_credentials&\(credentials)&audience=https%3A%2F%2Felsewhere.example")
        #expect(wrongAudience.status == 403 && wrongAudience["error"] == "access_denied")
        let password = try await wire.token("grant_type=password&\(credentials)&audience=https%3A%2F%2Fpartners.loyalty.com")
        #expect(password.status == 400 && password["error"] == "unsupported_grant_type")
        let wrongSecret = try await wire.token("grant_type=client_credentials&client_id=x&client_secret=y")
        #expect(wrongSecret.status == 401 && wrongSecret["error"] == "invalid_client")
        let noAudience = try await wire.token("grant_type=client_credentials&\(credentials)")
        #expect(noAudience.status == 200 && noAudience["access_token"] != nil, "no audience: the tenant's default, the partner API")
        #expect(await simulator.tokensIssued() == 1, "only the good request got a token")
        await simulator.stop()
    }

    @Test func theHostRefundsARedemptionWhoseAnswerWasLostAndNeverAskedForAgain() async throws {
        let clock = Self.clockAt("2026-11-30T10:15:00-05:00")
        var options = try Self.losingRedeemAnswers(clock)
        options.orphanRefund = .seconds(20 * 60)
        let (simulator, wire) = try await Self.start(options)
        let key = UUID().uuidString
        await #expect(throws: (any Error).self) { _ = try await wire.call("redeem", Self.legacyRedeem(), key: key) }
        #expect(await simulator.cashBalance(of: "84095202006") == 1_900 - 95, "applied; the answer was lost")
        clock.set("2026-11-30T10:34:59-05:00")
        #expect(await simulator.cashBalance(of: "84095202006") == 1_900 - 95, "not yet: 20 minutes")
        clock.set("2026-11-30T10:35:00-05:00")
        #expect(await simulator.cashBalance(of: "84095202006") == 1_900, "the host gave the miles back itself")
        let redemption = try #require(await simulator.redemptions().first)
        #expect(redemption.refundedByHost && redemption.reversalConfirmationNumber?.hasPrefix("RF") == true)
        let file = try await simulator.reconciliationFile(day: ProgramDay(try CalendarDay(parsing: "2026-11-30")), sponsorCode: "LOY1")
        #expect(file.details.map(\.type) == [.redeem, .reverse], "the refund is in the daily file")
        // A terminal's void arriving later is approved with the refund's number and credits nothing again.
        await simulator.injectFaults(FaultPlan())
        let void = try await wire.call("reverse", Self.legacyReverse(redemption.confirmationNumber), key: UUID().uuidString)
        #expect(void.code == "0000" && void["txnConfirmationNumber"] == redemption.reversalConfirmationNumber)
        #expect(await simulator.cashBalance(of: "84095202006") == 1_900)
        await simulator.stop()
    }

    @Test func aReplayInTimeDeliversTheAnswerAndCancelsTheRefund() async throws {
        let clock = Self.clockAt("2026-11-30T10:15:00-05:00")
        let (simulator, wire) = try await Self.start(try Self.losingRedeemAnswers(clock))
        let key = UUID().uuidString
        await #expect(throws: (any Error).self) { _ = try await wire.call("redeem", Self.legacyRedeem(), key: key) }
        await simulator.injectFaults(FaultPlan())
        clock.set("2026-11-30T10:20:00-05:00")
        #expect(try await wire.call("redeem", Self.legacyRedeem(), key: key).code == "0000")
        clock.set("2026-11-30T11:20:00-05:00")
        #expect(await simulator.cashBalance(of: "84095202006") == 1_900 - 95, "delivered: the redemption stands")
        await simulator.stop()
    }

    @Test func twoSimulatorsOnOneLedgerFileBothLand() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-shared-\(UUID()).sqlite").path
        let collector = TestCollector(number: "84095202006", situation: "shared", summary: "", cashMiles: 95 * 30, dreamMiles: 0)
        let options = SimulatorOptions(collectors: [collector], dailyLimitUnits: 20, databasePath: path)
        let (console, consoleWire) = try await Self.start(options)
        let (oneShot, oneShotWire) = try await Self.start(options)
        // Forty $10 redemptions, half through each process, at once: exactly the limit lands.
        let approved = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<40 {
                group.addTask {
                    let wire = index.isMultiple(of: 2) ? consoleWire : oneShotWire
                    let body = Self.legacyRedeem(trace: String(format: "%012d", index + 1)).replacingOccurrences(of: "16.12", with: "10.00")
                    return try await wire.call("redeem", body, key: UUID().uuidString).code == "0000" ? 1 : 0
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(approved == 20)
        let first = try #require(await console.redemptions().first)
        #expect(try await oneShotWire.call("reverse", Self.legacyReverse(first.confirmationNumber), key: UUID().uuidString).code == "0000")
        #expect(await console.cashBalance(of: collector.number) == 95 * 30 - 19 * 95, "the console's process sees the other's reversal")
        #expect(await oneShot.redemptions().count == 20)
        await console.stop()
        await oneShot.stop()
    }
}

@Suite struct LedgerUpgradeTests {
    @Test func aFirstGenerationLedgerFileOpensWithItsBalancesRedemptionsAndAnswers() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-legacy-\(UUID()).sqlite").path
        var snapshot = LegacyLedgerSnapshot()
        snapshot.accounts["84095202006"] = LegacyAccount(number: "84095202006", cash: 1_805, dream: 500, behaviour: .normal)
        snapshot.usage["84095202006|2026-11-30"] = 1
        let terminal = LegacyTerminal(sponsorCode: "LOY1", storeId: "0001", deviceId: "001")
        snapshot.redemptions["RD0000000007"] = LegacyRedemption(
            confirmation: "RD0000000007", number: "84095202006", units: 1, miles: 95, cents: 1_000,
            at: ISO8601DateFormatter().date(from: "2026-11-30T10:15:00-05:00")!, day: "2026-11-30", terminal: terminal,
            traceId: "000000000001", reversal: nil)
        snapshot.replies["k-1"] = LegacyReply(
            operation: "redeem", requestBody: Data("{}".utf8), status: 200,
            responseBody: Data(#"{"responseCode":"0000","txnConfirmationNumber":"RD0000000007"}"#.utf8))
        snapshot.sequence = 7
        let queue = try DatabaseQueue(path: path)
        let state = try JSONEncoder().encode(snapshot)
        try await queue.write { db in
            try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
            try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v1: ledger state')")
            try db.execute(sql: "CREATE TABLE ledger_state (id INTEGER PRIMARY KEY CHECK (id = 1), state BLOB NOT NULL, savedAt DATETIME NOT NULL)")
            try db.execute(sql: "INSERT INTO ledger_state VALUES (1, ?, ?)", arguments: [state, Date()])
        }
        try queue.close()

        let simulator = try await SimulatorServer.start(
            options: SimulatorOptions(
                collectors: SimulatorFidelityTests.sampleCollectors,
                databasePath: path))
        #expect(await simulator.cashBalance(of: "84095202006") == 1_805, "the saved balance wins over the collectors file")
        #expect(await simulator.redemptions().map(\.confirmationNumber) == ["RD0000000007"])
        #expect(await simulator.storedAnswers() == 1)
        let wire = SimulatorFidelityTests.Wire(simulator)
        let next = try await wire.call("redeem", SimulatorFidelityTests.legacyRedeem(), key: UUID().uuidString)
        #expect(next["txnConfirmationNumber"] == "RD0000000008", "the confirmation sequence carries on")
        await simulator.stop()
    }
}
