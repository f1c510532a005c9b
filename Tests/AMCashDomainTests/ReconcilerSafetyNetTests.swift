import AMCashDomain
import Foundation
import Testing

/// Issue #24, R1–R5: reconcile never says "matched" for a debit nobody saw, reads its period from
/// H2, matches reversals in exception, and never lets the last of two rows with one number win.
@Suite struct ReconcilerSafetyNetTests {
    static let day = ProgramDay(try! CalendarDay(parsing: "2026-11-27"))
    static func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
    static let midday = at("2026-11-27T13:00:00-05:00")
    /// The same evening: the reversal window of a 13:00 redemption is open until 03:00 the next morning.
    static let evening = at("2026-11-27T20:00:00-05:00")
    static let nextMorning = at("2026-11-28T04:00:00-05:00")

    static func row(
        _ id: Int64, _ type: ReconciliationTransactionType = .redeem, confirmation: String?, trace: String, unshown: UnshownDebit? = nil,
        units: Int = 4, day: ProgramDay = ReconcilerSafetyNetTests.day, at: Date = ReconcilerSafetyNetTests.midday
    ) -> TerminalRecord {
        TerminalRecord(
            key: TerminalRecord.Key(journal: 0, id: id), type: type, isUnknown: confirmation == nil, confirmationNumber: confirmation,
            traceId: trace, cardTerminalId: "LOY10001001", maskedCard: "•••••••0001", units: confirmation == nil ? nil : Units(units),
            miles: confirmation == nil ? nil : Miles(units * 95), money: confirmation == nil ? nil : Money(dollars: units * 10), day: day,
            createdAt: at, unshown: unshown)
    }

    static func detail(
        _ confirmation: String, trace: String, units: Int = 4, type: ReconciliationTransactionType = .redeem, original: String? = nil
    ) -> ReconciliationDetail {
        ReconciliationDetail(
            type: type, hostDateTime: "2026-11-27T13:00:00-05:00", sponsorCode: "LOY1", storeId: "0001", deviceId: "001", traceId: trace,
            collectorNumber: "81000000001", units: Units(units), miles: Miles(units * 95), money: Money(dollars: units * 10),
            confirmationNumber: confirmation, originalConfirmationNumber: original)
    }

    /// Every finding of a run: the records' (held ones included) and the journal rows'.
    static func run(_ reconciler: inout Reconciler, _ details: [ReconciliationDetail]) -> [ReconciliationFinding] {
        var findings = details.enumerated().compactMap { reconciler.consume($0.element, recordNumber: $0.offset + 3) }
        findings += reconciler.finish()
        return findings
    }

    @Test func r1AnExceptionWithoutAConfirmationNumberIsAnUnshownDebitAndItsVoidIsQueuedWhileTheWindowIsOpen() throws {
        let exception = Self.row(1, confirmation: nil, trace: "000000000001", unshown: .exception)
        var open = Reconciler(day: Self.day, terminalRecords: [exception], now: Self.evening)
        let findings = Self.run(&open, [Self.detail("RD1", trace: "000000000001")])
        let finding = try #require(findings.first)
        #expect(findings.count == 1)
        #expect(finding.classification == .unshownDebit, "never matched: \(finding.note)")
        #expect(finding.classification.isBreak && finding.classification.label == "unshown debit")
        #expect(finding.queuesVoid && finding.resolvesUnknown && finding.reconciles == exception.key)
        #expect(finding.note.contains("reverse it, or credit the collector") && finding.note.contains("queued"), "\(finding.note)")
        #expect(finding.note.contains("2026-11-28T03:00:00-05:00"), "the window's end is named: \(finding.note)")
        #expect(open.summary[.matched].count == 0 && open.summary[.unshownDebit] == .init(count: 1, miles: 380, cents: 4000))

        // Past 03:00 nothing can void it: the row stays open and is reported again, for a person to settle.
        var closed = Reconciler(day: Self.day, terminalRecords: [exception], now: Self.nextMorning)
        let lateFindings = Self.run(&closed, [Self.detail("RD1", trace: "000000000001")])
        let late = try #require(lateFindings.first)
        #expect(late.classification == .unshownDebit && !late.queuesVoid && late.reconciles == nil && late.rollsForward)
        #expect(late.note.contains("closed"), "\(late.note)")
    }

    @Test(arguments: [UnshownDebit.exception, .approved, .voidQueued])
    func r2AnUnshownDebitWithAConfirmationNumberIsNeverMatched(state: UnshownDebit) throws {
        let debit = Self.row(1, confirmation: "RD1", trace: "000000000001", unshown: state)
        var reconciler = Reconciler(day: Self.day, terminalRecords: [debit], now: Self.evening)
        let findings = Self.run(&reconciler, [Self.detail("RD1", trace: "000000000001")])
        let finding = try #require(findings.first)
        #expect(finding.classification == .unshownDebit, "\(state): \(finding.note)")
        #expect(finding.queuesVoid == (state != .voidQueued), "a void already queued is not queued twice")
        #expect(finding.reconciles == debit.key, "something gives it back, so it is not looked for again")
        #expect(reconciler.summary.breaks == 1)
        // The chain database cannot queue a till's void: it says to reverse it at the till.
        var chain = Reconciler(day: Self.day, terminalRecords: [debit], now: Self.evening, queuesVoids: false)
        let chainFindings = Self.run(&chain, [Self.detail("RD1", trace: "000000000001")])
        let said = try #require(chainFindings.first)
        #expect(said.classification == .unshownDebit && !said.queuesVoid)
        #expect(said.reconciles == (state == .exception ? nil : debit.key), "an exception stays open until a person settles it")
    }

    @Test func aDebitTheFileAlsoShowsGivenBackIsMatchedAndNotVoidedAgain() {
        let debit = Self.row(1, confirmation: "RD1", trace: "000000000001", unshown: .exception)
        let void = Self.row(2, .reverse, confirmation: nil, trace: "000000000002")
        var reconciler = Reconciler(day: Self.day, terminalRecords: [debit, void], now: Self.evening)
        let findings = Self.run(
            &reconciler, [Self.detail("RD1", trace: "000000000001"), Self.detail("RV2", trace: "000000000002", type: .reverse, original: "RD1")])
        #expect(findings.allSatisfy { $0.classification == .matched && !$0.queuesVoid }, "\(findings.map(\.note))")
        #expect(findings.count == 2 && reconciler.summary.breaks == 0)
    }

    @Test func anExceptionCarriedForwardIsReportedAgainAsAnUnshownDebit() {
        let yesterday = ProgramDay(Self.day.date.previous)
        let old = Self.row(1, confirmation: "RD1", trace: "000000000001", unshown: .exception, day: yesterday, at: Self.midday - 86_400)
        var reconciler = Reconciler(day: Self.day, terminalRecords: [old], now: Self.evening)
        let findings = Self.run(&reconciler, [])
        #expect(findings.map(\.classification) == [.unshownDebit], "\(findings.map(\.note))")
    }

    @Test func r3TheRowsAreThoseOfTheH2PeriodNotOfTheCalendarDay() {
        // A resubmitted file covering 23:30–24:00 only.
        let period = Self.at("2026-11-27T23:30:00-05:00")..<Self.at("2026-11-28T00:00:00-05:00")
        let afternoon = Self.row(1, confirmation: "RD1", trace: "000000000001", at: Self.at("2026-11-27T18:02:00-05:00"))
        let inPeriod = Self.row(2, confirmation: "RD2", trace: "000000000002", at: Self.at("2026-11-27T23:31:00-05:00"))
        let missing = Self.row(3, confirmation: "RD3", trace: "000000000003", at: Self.at("2026-11-27T23:32:00-05:00"))
        var reconciler = Reconciler(day: Self.day, period: period, terminalRecords: [afternoon, inPeriod, missing], timingWindow: 60)
        let findings = Self.run(&reconciler, [Self.detail("RD2", trace: "000000000002")])
        #expect(findings.first { $0.terminalKey == afternoon.key } == nil, "18:02 is outside the file's period: not missing at host")
        #expect(findings.first { $0.terminalKey == inPeriod.key }?.classification == .matched)
        #expect(findings.first { $0.terminalKey == missing.key }?.classification == .missingAtHost)
        #expect(reconciler.summary.breaks == 1)
        // A record of the 18:02 row in a file of another period is timing, not a plain match.
        var other = Reconciler(day: Self.day, period: period, terminalRecords: [afternoon])
        let timing = other.consume(Self.detail("RD1", trace: "000000000001"), recordNumber: 3)
        #expect(timing?.classification == .timing)
    }

    @Test func r4AReversalTheJournalNeverConfirmedIsMatchedByItsTrace() {
        let reversal = Self.row(1, .reverse, confirmation: nil, trace: "000000000009")
        var reconciler = Reconciler(day: Self.day, terminalRecords: [reversal], now: Self.evening)
        let findings = Self.run(&reconciler, [Self.detail("RV9", trace: "000000000009", type: .reverse, original: "RD0")])
        #expect(findings.map(\.classification) == [.matched] && findings.first?.reconciles == reversal.key)
    }

    @Test func r5TwoRowsWithOneConfirmationNumberAreADuplicateNeverLastWins() {
        let first = Self.row(1, confirmation: "RD7", trace: "000000000001")
        let second = Self.row(2, confirmation: "RD7", trace: "000000000002")
        var reconciler = Reconciler(day: Self.day, terminalRecords: [first, second])
        let findings = Self.run(&reconciler, [Self.detail("RD7", trace: "000000000001")])
        #expect(findings.first { $0.terminalKey == second.key }?.classification == .duplicate, "\(findings.map(\.note))")
        #expect(findings.first { $0.terminalKey == first.key }?.classification == .matched)
        #expect(reconciler.summary.breaks == 1)
        // Two records of the file with one number no journal has: the second is a duplicate, not a second "missing".
        var repeated = Reconciler(day: Self.day, terminalRecords: [])
        let classes = Self.run(&repeated, [Self.detail("RD8", trace: "000000000008"), Self.detail("RD8", trace: "000000000008")])
            .map(\.classification)
        #expect(classes == [.missingAtTerminal, .duplicate])
    }
}
