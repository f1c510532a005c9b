import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashWire
import Foundation
import Testing

/// What the client does with answers no honest host sends.
@Suite struct DefensiveClientTests {
    static let builder = RequestBuilder(identity: .training)
    static var redemption: PreparedCall {
        try! builder.redeem(
            RedemptionRequest(
                card: CardRead(number: try! CollectorNumber(digits: "81000000001"), entryMode: .scan),
                basket: Money(dollars: 50), amount: Money(dollars: 20)),
            traceId: try! TraceId(9), at: Date())
    }

    static func redeem(against answer: ScriptedHost.Answer, policy: ResendPolicy = .once) async throws -> HostResult<RedemptionReply> {
        try await ScriptedHost.with({ _ in answer }) { host in
            let client = try host.client()
            let result = await client.redeem(redemption, policy: policy)
            await client.shutdown()
            return result
        }
    }

    @Test func aRedirectIsNeverFollowedAndARedirectedRedeemIsUnknownNotDeclined() async throws {
        // The request was sent: whatever answered with the redirect may have acted on it.
        for status in [302, 307, 308] {
            let result = try await Self.redeem(
                against: .init(status: status, headers: [("Location", "https://elsewhere.example/redeem")], body: ""))
            guard case .unknown(.redirectRefused(let answered, let location)) = result else {
                Issue.record("expected an unknown redirect, got \(result)")
                return
            }
            #expect(answered == status && location == "https://elsewhere.example/redeem")
        }
    }

    @Test func anApprovalOfMoreThanWasAskedKeepsItsConfirmationNumberToVoidIt() async throws {
        let result = try await Self.redeem(
            against: .init(
                status: 200,
                body: #"{"responseCode":"0000","unitsRedeemed":"3","unitValueDollars":"10.00","unitValueAMCash":"95","txnConfirmationNumber":"RD30"}"#
            ), policy: .atTheTill)
        guard case .unknown(.unshowableApproval(let confirmation, let units, _)) = result else {
            Issue.record("expected an unshowable approval, got \(result)")
            return
        }
        #expect(confirmation == "RD30" && units == Units(3))
    }

    @Test(arguments: [
        #"{"responseCode":"0000","txnConfirmationNumber":"RD1"}"#,  // no units
        #"{"responseCode":"0000","unitsRedeemed":"0","txnConfirmationNumber":"RD1"}"#,
        #"{"responseCode":"0000","unitsRedeemed":2,"txnConfirmationNumber":"RD1"}"#,  // a number, not a string
        #"{"responseCode":"0000","unitsRedeemed":"999999999","txnConfirmationNumber":"RD1"}"#,
        #"{"responseCode":"0001","unitsRedeemed":"x","txtConfirmationNumber":"RD1"}"#,
    ])
    func anApprovalThatCannotBeReadWholeKeepsItsNumberSoItIsVoided(body: String) async throws {
        let result = try await Self.redeem(against: .init(status: 200, body: body))
        guard case .unknown(.unshowableApproval(let confirmation, _, _)) = result else {
            Issue.record("\(body): expected an unshowable approval, got \(result)")
            return
        }
        #expect(confirmation == "RD1")
    }

    @Test(arguments: [("0.01", "1"), ("10.00", "1"), ("20.00", "95"), ("9.99", "95")])
    func anApprovalAtAUnitValueThatIsNotTheProgramsIsNeverShown(dollars: String, miles: String) async throws {
        let result = try await Self.redeem(
            against: .init(
                status: 200,
                body:
                    #"{"responseCode":"0000","unitsRedeemed":"2","unitValueDollars":"\#(dollars)","unitValueAMCash":"\#(miles)","txnConfirmationNumber":"RD8"}"#
            ))
        guard case .unknown(.unshowableApproval(let confirmation, _, let reason)) = result else {
            Issue.record("\(dollars)/\(miles): expected an unshowable approval, got \(result)")
            return
        }
        #expect(confirmation == "RD8" && reason.contains("not the program's"))
    }

    @Test func anHTMLErrorPageIsUnknownForARedeem() async throws {
        let result = try await Self.redeem(
            against: .init(
                status: 502, headers: [("Content-Type", "text/html")],
                body: "<!DOCTYPE html><html><body>Bad Gateway</body></html>"))
        guard case .unknown(.garbledResponse(502, let reason)) = result else {
            Issue.record("expected garbled, got \(result)")
            return
        }
        #expect(reason.contains("HTML"))
    }

    @Test(arguments: [
        #"{"responseCode":"0000","unitsRedeemed":"2"}"#,  // no confirmation number
        #"{"responseCode":"0000","txnConfirmationNumber":"RD1"}"#,  // no units
        #"{"responseCode":"0000","unitsRedeemed":2,"txnConfirmationNumber":"RD1"}"#,  // a number, not a string
        #"{"responseCode":"0000","unitsRedeemed":"0","txnConfirmationNumber":"RD1"}"#,  // zero units approved
        #"{"responseCode":"0000","unitsRedeemed":"2","txnConfirmationNumber":"RD 1\u001b[2J"}"#,  // not printable
        #"{"responseCode":"0000","unitsRedeemed":"2.5","txnConfirmationNumber":"RD1"}"#,
        #"{"responseCode":0,"unitsRedeemed":"2","txnConfirmationNumber":"RD1"}"#,
        #"{"unitsRedeemed":"2","txnConfirmationNumber":"RD1"}"#,
        #"{"responseCode":"00000","unitsRedeemed":"2","txnConfirmationNumber":"RD1"}"#,
        #"{"responseCode":"0000","unitsRedeemed":"2","txnConfirmationNumber":"RD1","cashBalance":"-5"}"#,
        "[]", "null", "", "{", "0000",
    ])
    func aGarbledApprovalIsUnknownNeverApproved(body: String) async throws {
        let result = try await Self.redeem(against: .init(status: 200, body: body))
        #expect(result.outcome == .unknown, "\(body) → \(result)")
    }

    @Test func anApprovalCodeOnAnErrorStatusIsNotAnApproval() async throws {
        let result = try await Self.redeem(
            against: .init(status: 500, body: #"{"responseCode":"0000","unitsRedeemed":"2","txnConfirmationNumber":"RD1"}"#))
        #expect(result.outcome == .unknown)
    }

    @Test func theOtherSpellingOfTheConfirmationNumberIsAccepted() async throws {
        let result = try await Self.redeem(
            against: .init(
                status: 200, body: #"{"responseCode":"0000","unitsRedeemed":"2","unitValueDollars":"10.00","txtConfirmationNumber":"RD42"}"#))
        #expect(result.reply?.approval?.confirmationNumber == "RD42")
        #expect(result.reply?.approval?.discount == Money(dollars: 20))
    }

    @Test func theDiscountIsWhatTheHostRedeemedNotWhatWasAsked() async throws {
        let result = try await Self.redeem(
            against: .init(
                status: 200,
                body: #"{"responseCode":"0000","unitsRedeemed":"1","unitValueDollars":"10.00","unitValueAMCash":"95","txnConfirmationNumber":"RD7"}"#)
        )
        #expect(result.reply?.approval?.discount == Money(dollars: 10))
        #expect(result.reply?.approval?.miles == Miles(95))
    }

    @Test(arguments: [
        #"{"responseCode":"0000","unitsRedeemed":"999999999999","unitValueDollars":"10.00","txnConfirmationNumber":"RD1"}"#,
        #"{"responseCode":"0000","unitsRedeemed":"2","unitValueDollars":"9999999999999.99","unitValueAMCash":"999999999999","txnConfirmationNumber":"RD1"}"#,
        #"{"responseCode":"0000","unitsRedeemed":"3","unitValueDollars":"10.00","txnConfirmationNumber":"RD1"}"#,  // $30 when $20 was asked
    ])
    func anImplausibleApprovalIsUnknownNeverACrash(body: String) async throws {
        let result = try await Self.redeem(against: .init(status: 200, body: body))
        #expect(result.outcome == .unknown, "\(body) → \(result)")
    }

    @Test func aHostsMessageReachesNoTerminalWithItsControlCharacters() async throws {
        let result = try await Self.redeem(
            against: .init(status: 202, body: #"{"responseCode":"0051","message":"\u001b]0;pwned\u0007\u001b[2Jno miles"}"#))
        let message = try #require(result.reply?.answer.hostMessage)
        #expect(!message.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(message.debugDescription)")
        #expect(message.hasSuffix("no miles"))
    }

    @Test func aHostThatDripsItsAnswerCannotHoldTheTillPastOneDeadline() async throws {
        // One byte every 0.5 s: the head comes at once, the body would take 30 s; connect + read is 1 s + 2 s.
        let answer = ScriptedHost.Answer(status: 200, body: String(repeating: " ", count: 60) + "{}", drip: .milliseconds(500))
        let (result, elapsed) = try await ScriptedHost.with({ _ in answer }) { host in
            let client = try host.client(timeouts: HostTimeouts(connect: .seconds(1), read: .seconds(2)))
            // Under a full run's load the token itself can miss its 3 s: that REDEEM was never sent ("not sent"),
            // so it is tried again (for up to 40 s) until one goes out; that one is timed.
            let until = ContinuousClock.now + .seconds(40)
            var started = ContinuousClock.now
            var result = await client.redeem(Self.redemption, policy: .once)
            while case .notSent = result, ContinuousClock.now < until {
                started = ContinuousClock.now
                result = await client.redeem(Self.redemption, policy: .once)
            }
            let elapsed = ContinuousClock.now - started
            await client.shutdown()
            return (result, elapsed)
        }
        #expect(result.outcome == .unknown, "\(result)")
        // Half the drip's 30 s: one deadline of 3 s with room for a loaded two-core machine (8.2 s seen in a full run).
        #expect(elapsed < .seconds(15), "the till waited \(elapsed)")
    }

    @Test func anUnknownCodeIsNeverApproved() async throws {
        let result = try await Self.redeem(
            against: .init(status: 200, body: #"{"responseCode":"0777","unitsRedeemed":"2","txnConfirmationNumber":"RD1"}"#))
        #expect(result.outcome == .unknown)
        #expect(result.reply?.approval == nil)
    }

    @Test func aHostThatAlwaysRefusesTheTokenIsUnauthorizedAfterOneRetry() async throws {
        let result = try await Self.redeem(against: .init(status: 401, body: #"{"message":"Unauthorized"}"#))
        guard case .notSent(.unauthorized) = result else {
            Issue.record("expected unauthorized, got \(result)")
            return
        }
    }

    @Test func refusedCredentialsAreReportedWithoutTheSecret() async throws {
        try await ScriptedHost.with(tokenStatus: 401, { _ in .init(status: 200, body: "{}") }) { host in
            let client = try host.client()
            let result = await client.redeem(Self.redemption, policy: .once)
            await client.shutdown()
            guard case .notSent(let failure) = result, case .credentialsRejected = failure else {
                Issue.record("expected credentialsRejected, got \(result)")
                return
            }
            #expect(!failure.description.contains(ClientCredentials.simulator.clientSecret))
        }
    }
}
