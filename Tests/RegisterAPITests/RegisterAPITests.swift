import AMCashConfiguration
import AMCashDomain
import AMCashJournal
import Foundation
import RegisterAPI
import Testing

/// The register API as a register meets it: a real socket, a real journal. Each refusal is a clear
/// error that changes nothing (no sale reaches the console, nothing is journaled).
@Suite struct RegisterAPITests {
    static var sale: [String: Any] { ["saleId": "POS7-000123", "postTaxTotal": "43.35", "preTaxTotal": "38.50", "language": "fr-CA"] }

    @Test func aPushedSaleReachesTheConsoleOnceAndIsWaitingForTheCard() async throws {
        let fixture = try await RegisterFixture.start()
        let pushed = try await fixture.push(Self.sale)
        #expect(pushed.status == 201, "\(pushed.text)")
        #expect(pushed.body["state"] as? String == "waiting-for-card")
        #expect(pushed.body["postTaxTotal"] as? String == "43.35" && pushed.body["language"] as? String == "fr-CA")
        RegisterContract.check(pushed)
        let read = try await fixture.request(.GET, "/v1/sales/POS7-000123")
        #expect(read.status == 200 && read.body["state"] as? String == "waiting-for-card")
        RegisterContract.check(read)
        let expected = RegisterSale(saleId: "POS7-000123", postTaxTotal: Money(cents: 4335), preTaxTotal: Money(cents: 3850), language: .french)
        #expect(fixture.recordedEvents == [.saleArrived(expected)])
        await fixture.stop()
    }

    /// `registerListen = "unix:/path"`: the same API over a socket file only its owner can open,
    /// removed when the console stops.
    @Test func aUnixSocketServesTheSameAPIAndOnlyItsOwnerMayOpenIt() async throws {
        let socket = "/tmp/amcash-reg-\(UUID().uuidString.prefix(8)).sock"
        let fixture = try await RegisterFixture.start(address: .unixSocket(path: socket))
        #expect(fixture.server.port == nil)
        let mode = (try FileManager.default.attributesOfItem(atPath: socket)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600, "the socket is the console user's alone: \(String(mode ?? 0, radix: 8))")
        let pushed = try await fixture.push(Self.sale)
        #expect(pushed.status == 201 && pushed.body["state"] as? String == "waiting-for-card", "\(pushed.text)")
        RegisterContract.check(pushed)
        let unauthorised = try await fixture.request(.GET, "/v1/sales/POS7-000123", token: nil)
        #expect(unauthorised.status == 401, "a unix socket still needs the token: \(unauthorised.text)")
        let read = try await fixture.request(.GET, "/v1/sales/POS7-000123")
        #expect(read.status == 200 && read.body["saleId"] as? String == "POS7-000123")
        await fixture.stop()
        #expect(!FileManager.default.fileExists(atPath: socket), "the socket file is removed when the console stops")
    }

    @Test func theSameSaleIdWithTheSameBodyIsTheSameSaleAndWithAnotherBodyA409() async throws {
        let fixture = try await RegisterFixture.start()
        #expect(try await fixture.push(Self.sale).status == 201)
        let again = try await fixture.push(Self.sale)
        #expect(again.status == 200 && again.body["state"] as? String == "waiting-for-card", "\(again.text)")
        var other = Self.sale
        other["postTaxTotal"] = "43.36"
        let conflict = try await fixture.push(other)
        #expect(conflict.status == 409 && conflict.body["error"] as? String == "conflict", "\(conflict.text)")
        #expect((conflict.body["message"] as? String)?.contains("another body") == true)
        RegisterContract.check(conflict)
        #expect(fixture.recordedEvents.count == 1, "the console saw one sale: \(fixture.recordedEvents)")
        await fixture.stop()
    }

    @Test func aSecondSaleWhileOneIsInProgressIs409NamingIt() async throws {
        let fixture = try await RegisterFixture.start()
        #expect(try await fixture.push(Self.sale).status == 201)
        let second = try await fixture.push(["saleId": "POS7-000124", "postTaxTotal": "10.00"])
        #expect(second.status == 409, "\(second.text)")
        #expect(second.body["inProgress"] as? String == "POS7-000123")
        RegisterContract.check(second)
        #expect(try await fixture.request(.GET, "/v1/sales/POS7-000124").status == 404, "nothing was made of it")
        // Once the first is cancelled, the next one is taken.
        let cancelled = try await fixture.request(.POST, "/v1/sales/POS7-000123/cancel")
        #expect(cancelled.status == 200 && cancelled.body["state"] as? String == "cancelled", "\(cancelled.text)")
        RegisterContract.check(cancelled)
        #expect(try await fixture.push(["saleId": "POS7-000124", "postTaxTotal": "10.00"]).status == 201)
        #expect(fixture.recordedEvents.count == 3, "arrived, cancelled, arrived: \(fixture.recordedEvents)")
        await fixture.stop()
    }

    @Test(arguments: [
        (#"{"saleId":"S1","postTaxTotal":"12.345"}"#, "postTaxTotal"),
        (#"{"saleId":"S1","postTaxTotal":12.5}"#, "postTaxTotal"),
        (#"{"saleId":"S1","postTaxTotal":"1,234.00"}"#, "postTaxTotal"),
        (#"{"saleId":"S1","postTaxTotal":"-5.00"}"#, "postTaxTotal"),
        (#"{"saleId":"S1","postTaxTotal":"0.00"}"#, "postTaxTotal"),
        (#"{"saleId":"S1"}"#, "postTaxTotal"),
        (#"{"saleId":"S1","postTaxTotal":"5.00","preTaxTotal":"6.00"}"#, "preTaxTotal"),
        (#"{"saleId":"S1","postTaxTotal":"5.00","language":"en-US"}"#, "language"),
        (#"{"saleId":"S1","postTaxTotal":"5.00","discount":"5.00"}"#, "discount"),
        (#"{"saleId":"POS\u0007BELL","postTaxTotal":"5.00"}"#, "control character"),
        (#"{"saleId":"S\nNEWLINE","postTaxTotal":"5.00"}"#, "control character"),
        (#"{"saleId":"1234567890123456789012345678901234567","postTaxTotal":"5.00"}"#, "37 characters"),
        (#"{"saleId":"","postTaxTotal":"5.00"}"#, "empty"),
        (#"{"saleId":"S1","postTaxTotal":"5.00""#, "JSON"),
        (#"["S1","5.00"]"#, "JSON"),
    ])
    func aBadSaleIsA400NamingWhatIsWrongAndChangesNothing(body: String, named: String) async throws {
        let fixture = try await RegisterFixture.start()
        let answer = try await fixture.request(.POST, "/v1/sales", body: Data(body.utf8))
        #expect(answer.status == 400, "\(answer.text)")
        #expect((answer.body["message"] as? String)?.contains(named) == true, "\(answer.text) names \(named)")
        RegisterContract.check(answer)
        #expect(fixture.recordedEvents.isEmpty)
        #expect(try fixture.journal.entries().isEmpty)
        await fixture.stop()
    }

    /// Found by scripts/register-fuzz: a method a path does not take was a bare 404.
    @Test func anotherMethodOnAPathOfTheAPIIs405NamingTheOneItTakes() async throws {
        let fixture = try await RegisterFixture.start()
        for (verb, path, allowed) in [
            (RegisterFixture.Verb.PUT, "/v1/sales", "POST"), (.TRACE, "/v1/sales", "POST"), (.DELETE, "/v1/sales/POS7-1", "GET"),
            (.GET, "/v1/sales/POS7-1/ack", "POST"), (.PUT, "/v1/sales/POS7-1/cancel", "POST"), (.DELETE, "/v1/sales/POS7-1/reverse", "POST"),
        ] {
            let answer = try await fixture.request(verb, path)
            #expect(answer.status == 405 && answer.allow == allowed, "\(verb) \(path): \(answer.status) \(answer.text)")
            #expect(answer.body["error"] as? String == "method-not-allowed")
            RegisterContract.check(answer)
        }
        // A path the API does not have: a 404 in the API's own error body.
        let unknown = try await fixture.request(.GET, "/v1/receipts")
        #expect(unknown.status == 404 && unknown.body["error"] as? String == "not-found", "\(unknown.text)")
        RegisterContract.check(unknown)
        // Without the token it is still a 401: nothing about the API is told to a stranger.
        #expect(try await fixture.request(.PUT, "/v1/sales", token: nil).status == 401)
        #expect(fixture.recordedEvents.isEmpty)
        await fixture.stop()
    }

    /// Found by scripts/register-fuzz: the contract allowed a total of "0" that the console refuses. What
    /// the contract's patterns take, the console takes, and what it refuses, they refuse.
    @Test func theContractsAmountsAreTheOnesTheConsoleTakes() throws {
        let positive = try #require(RegisterContract.schema("PositiveAmount")["pattern"] as? String)
        let amount = try #require(RegisterContract.schema("Amount")["pattern"] as? String)
        for text in ["0.01", "0.5", "0.10", "1", "43.35", "10.0", "99999999999999.99"] {
            #expect(text.range(of: positive, options: .regularExpression) != nil, "\(text)")
            #expect(text.range(of: amount, options: .regularExpression) != nil, "\(text)")
            let sale = try RegisterSale(json: try JSONSerialization.data(withJSONObject: ["saleId": "S", "postTaxTotal": text]))
            #expect(sale.postTaxTotal.cents > 0)
        }
        for text in ["0", "0.0", "0.00", "00", "", "1.234", "-1", "1e3", "100000000000000"] {
            #expect(text.range(of: positive, options: .regularExpression) == nil, "\(text)")
            #expect(throws: RegisterRequestError.self) {
                try RegisterSale(json: try JSONSerialization.data(withJSONObject: ["saleId": "S", "postTaxTotal": text]))
            }
        }
    }

    @Test func aSaleIdWithAControlCharacterInThePathIsA400() async throws {
        let fixture = try await RegisterFixture.start()
        let answer = try await fixture.request(.GET, "/v1/sales/POS%07BELL")
        #expect(answer.status == 400 && (answer.body["message"] as? String)?.contains("control character") == true, "\(answer.text)")
        RegisterContract.check(answer)
        await fixture.stop()
    }

    @Test func aBodyOver64KiBIsRefusedAndNothingChanges() async throws {
        let fixture = try await RegisterFixture.start()
        let padding = String(repeating: "x", count: 70 * 1024)
        let body = Data("{\"saleId\":\"BIG\",\"postTaxTotal\":\"5.00\",\"pad\":\"\(padding)\"}".utf8)
        let answer = try await fixture.request(.POST, "/v1/sales", body: body)
        #expect(answer.status == 413, "\(answer.status) \(answer.text.prefix(200))")
        RegisterContract.check(answer)
        #expect(fixture.recordedEvents.isEmpty)
        #expect(try await fixture.request(.GET, "/v1/sales/BIG").status == 404)
        await fixture.stop()
    }

    @Test func aWrongOrMissingTokenIs401AndTheLogNeverHoldsTheToken() async throws {
        let fixture = try await RegisterFixture.start()
        let wrong = "a-wrong-token-that-must-not-be-logged"
        let withWrong = try await fixture.request(.POST, "/v1/sales", body: try JSONSerialization.data(withJSONObject: Self.sale), token: wrong)
        #expect(withWrong.status == 401, "\(withWrong.text)")
        RegisterContract.check(withWrong)
        let withNone = try await fixture.request(.GET, "/v1/sales/POS7-000123", token: nil)
        #expect(withNone.status == 401)
        let almost = try await fixture.request(.GET, "/v1/sales/POS7-000123", token: String(RegisterFixture.token.dropLast()))
        #expect(almost.status == 401, "a prefix of the token is not the token")
        #expect(fixture.recordedEvents.isEmpty)
        let lines = fixture.logs.lines
        #expect(lines.filter { $0.contains("register API: 401") }.count == 3, "\(lines)")
        #expect(!lines.contains { $0.contains(wrong) || $0.contains(RegisterFixture.token.dropLast()) }, "\(lines)")
        await fixture.stop()
    }

    @Test func aTokenFileOthersCanReadIsRefusedAndSoIsAListenAddressOffLoopback() throws {
        let open = try RegisterFixture.tokenFile(mode: 0o644)
        do {
            _ = try RegisterToken(file: open)
            Issue.record("a 0644 token file was accepted")
        } catch {
            #expect(error.description.contains("chmod 600"), "\(error)")
        }
        #expect(try RegisterToken(file: try RegisterFixture.tokenFile()).accepts(authorization: "Bearer " + RegisterFixture.token))
        for address in ["0.0.0.0:8089", "192.168.1.20:8089", "[::]:8089", "example.com:80", "unix:relative.sock", "127.0.0.1:0", "127.0.0.1"] {
            #expect(throws: RegisterListenError.self, "\(address)") { try RegisterListenAddress(parsing: address) }
        }
        #expect(try RegisterListenAddress(parsing: "127.0.0.1:8089") == .loopback(host: "127.0.0.1", port: 8089))
        #expect(try RegisterListenAddress(parsing: "[::1]:8089") == .loopback(host: "::1", port: 8089))
        #expect(try RegisterListenAddress(parsing: "unix:/run/amcash/register.sock") == .unixSocket(path: "/run/amcash/register.sock"))
    }

    @Test func aLongPollWaitsForTheSaleToMoveAndAWaitOver60IsRefused() async throws {
        let fixture = try await RegisterFixture.start()
        #expect(try await fixture.push(Self.sale).status == 201)
        let tooLong = try await fixture.request(.GET, "/v1/sales/POS7-000123?wait=61")
        #expect(tooLong.status == 400, "\(tooLong.text)")
        let desk = fixture.server.desk
        Task {
            try await Task.sleep(for: .milliseconds(400))
            await desk.report("POS7-000123", .offer)
        }
        let started = ContinuousClock.now
        let moved = try await fixture.request(.GET, "/v1/sales/POS7-000123?wait=10")
        let waited = ContinuousClock.now - started
        #expect(moved.body["state"] as? String == "offer", "\(moved.text)")
        #expect(waited >= .milliseconds(300) && waited < .seconds(5), "answered when the sale moved, after \(waited)")
        await fixture.stop()
    }
}
