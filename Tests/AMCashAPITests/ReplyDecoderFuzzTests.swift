import AMCashConfiguration
import AMCashDomain
import AMCashWire
import Foundation
import FuzzSupport
import Testing

@testable import AMCashAPI

/// Feeds random and mutated bodies to the reply decoder: it must never crash, and nothing but a
/// complete, well-formed approval may ever come out approved.
@Suite struct ReplyDecoderFuzzTests {
    static let seeds: [String] = [
        #"{"responseCode":"0000","message":"Approved.","unitsRedeemed":"4","unitValueDollars":"10.00","unitValueAMCash":"95","txnConfirmationNumber":"RD0000000001","cashBalance":"49620","dreamBalance":"12000","availableCashBalance":"49620"}"#,
        #"{"responseCode":"0001","unitsRedeemed":"1","txtConfirmationNumber":"RD0000000002"}"#,
        #"{"responseCode":"0051","message":"Not enough","cashBalance":"60"}"#,
        #"{"responseCode":"0000","cashBalance":"50000","dreamBalance":"12000","availableCashBalance":"50000","availableDollarAmount":"5260.00","unitValueAMCash":"95","unitValueDollars":"10.00","availableOfferUnits":"4","dailyOfferLimit":"75","offerType":"RGL","offerId":"X","offerDescEn":"e","offerDescFr":"f"}"#,
        #"{"responseCode":"0000","reversalConfirmationNumber":"RV0000000003","unitsReversed":"4"}"#,
    ]
    static let statuses = [200, 202, 400, 401, 403, 408, 409, 500, 502, 503, 302]
    static let interesting: [UInt8] = Array("\"{}[],:0123456789-.enulltrue\\ \u{7F}".utf8) + [0, 0xFF, 0xC3]

    /// Returns an error text if `reply` breaks the rule "approved only when complete".
    static func violation(_ reply: RedemptionReply, status: Int) -> String? {
        guard reply.answer.outcome == .approved else { return reply.approval == nil ? nil : "an approval on a non-approved outcome" }
        guard (200...299).contains(status) else { return "approved on HTTP \(status)" }
        guard let approval = reply.approval else { return "approved without an approval" }
        if approval.unitsRedeemed.count < 1 { return "approved with 0 units" }
        if !ReplyDecoder.isUsableConfirmation(approval.confirmationNumber) { return "approved with an unusable confirmation" }
        return nil
    }

    @Test func mutatedBodiesNeverCrashAndNeverApproveIncompleteAnswers() {
        let seed = UInt64.random(in: 1...UInt64.max)
        print("ReplyDecoderFuzzTests seed \(seed) (set AMCASH_FUZZ_SEED to replay)")
        var generator = ByteMutator(
            seed: ProcessInfo.processInfo.environment["AMCASH_FUZZ_SEED"].flatMap(UInt64.init) ?? seed,
            interesting: Self.interesting)
        var approvals = 0
        for iteration in 0..<12_000 {
            let base = Array(Self.seeds[Int(generator.next() % UInt64(Self.seeds.count))].utf8)
            let body = Data(generator.mutate(base))
            let status = Self.statuses[Int(generator.next() % UInt64(Self.statuses.count))]
            _ = ReplyDecoder.envelope(status: status, body: body, location: nil)
            _ = ReplyDecoder.inquiry(status: status, body: body)
            _ = ReplyDecoder.reversal(status: status, body: body)
            _ = ReplyDecoder.echo(status: status, body: body)
            if case .success(let reply) = ReplyDecoder.redemption(status: status, body: body) {
                if reply.answer.outcome == .approved { approvals += 1 }
                if let problem = Self.violation(reply, status: status) {
                    Issue.record("seed \(generator.seed), iteration \(iteration): \(problem) for \(String(decoding: body, as: UTF8.self))")
                    return
                }
            }
        }
        #expect(approvals > 0, "the mutations left some approvals intact, so the check had something to check (seed \(generator.seed))")
    }

    @Test func randomBodiesAreNeverApproved() {
        var generator = ByteMutator(seed: UInt64.random(in: 1...UInt64.max), interesting: Self.interesting)
        for iteration in 0..<10_000 {
            let length = Int(generator.next() % 200)
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if iteration % 2 == 0 {
                // Printable JSON-ish noise made of the contract's own words.
                let words = [
                    "{", "}", "\"responseCode\"", ":", "\"0000\"", ",", "\"unitsRedeemed\"", "\"3\"", "\"txnConfirmationNumber\"",
                    "null", "[", "]", "1", "true", "\"\"",
                ]
                bytes = Array((0..<Int(generator.next() % 24)).map { _ in words[Int(generator.next() % UInt64(words.count))] }.joined().utf8)
            }
            let status = Self.statuses[Int(generator.next() % UInt64(Self.statuses.count))]
            if case .success(let reply) = ReplyDecoder.redemption(status: status, body: Data(bytes)),
                let problem = Self.violation(reply, status: status)
            {
                Issue.record("seed \(generator.seed), iteration \(iteration): \(problem)")
                return
            }
        }
    }
}

/// Review s9 #4/#8: a 409 says which 409 it is — 0094 (another transaction for the collector in progress)
/// is not "this key with a different body" — and both are resent by a call that changes a balance.
@Suite struct ConflictTextTests {
    @Test func a409With0094SaysTheCollectorWasBusy() {
        let busy = ReplyDecoder.envelope(
            status: 409, body: Data(#"{"responseCode":"0094","message":"Parallel transaction"}"#.utf8), location: nil)
        guard case .failure(let failure) = busy else {
            Issue.record("a 409 is a failure: \(busy)")
            return
        }
        #expect(failure == .collectorBusy("Parallel transaction"))
        #expect(failure.description.contains("another transaction for this collector"))
        #expect(!failure.description.contains("different body"))
        #expect(failure.mayHaveReachedHost)
        let other = ReplyDecoder.envelope(status: 409, body: Data(#"{"message":"key reused"}"#.utf8), location: nil)
        guard case .failure(let conflict) = other else {
            Issue.record("a 409 is a failure: \(other)")
            return
        }
        #expect(conflict == .conflict("key reused"))
        #expect(conflict.description.contains("different body"))
    }
}
