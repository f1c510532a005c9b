import AMCashDomain
import Foundation
import Testing

/// A generator of journal/file pairs with every break class injected, and the truth to check against.
@Suite struct ReconcilerTests {
    static let day = ProgramDay(try! CalendarDay(parsing: "2026-11-27"))
    static let midday = ISO8601DateFormatter().date(from: "2026-11-27T13:00:00-05:00")!
    static let lateEvening = ISO8601DateFormatter().date(from: "2026-11-27T23:55:00-05:00")!
    /// 18 minutes before the cut-off: past the 15-minute timing window, inside the 20-minute orphan window.
    static let insideOrphanWindow = ISO8601DateFormatter().date(from: "2026-11-27T23:42:00-05:00")!
    static let nextDayEarly = ISO8601DateFormatter().date(from: "2026-11-28T00:05:00-05:00")!

    enum Scenario: CaseIterable {
        case matched, missingAtHost, missingAtTerminal, amountMismatch, typeMismatch, doubleDebit, repeatedRecord,
            timingBeforeCutoff, timingNextDayJournal, unresolved, notDebited, unknownInsideOrphanWindow, resolvedUnknown
    }

    struct Case {
        var records: [TerminalRecord] = []
        var details: [ReconciliationDetail] = []
        var expectedForDetail: [String: ReconciliationClass] = [:]  // by a unique tag: confirmation + "#" + occurrence
        var expectedForTerminal: [TerminalRecord.Key: ReconciliationClass] = [:]
        var expectedResolutions: Set<TerminalRecord.Key> = []
        var expectedSettlements: Set<TerminalRecord.Key> = []
    }

    static func detail(
        _ type: ReconciliationTransactionType, _ confirmation: String, trace: String, device: String, units: Int,
        original: String? = nil
    ) -> ReconciliationDetail {
        ReconciliationDetail(
            type: type, hostDateTime: "2026-11-27T13:00:00-05:00", sponsorCode: "LOY1", storeId: "0001", deviceId: device,
            traceId: trace, collectorNumber: "81000000001", units: Units(units), miles: Miles(units * 95),
            money: Money(dollars: units * 10), confirmationNumber: confirmation, originalConfirmationNumber: original)
    }

    static func record(
        _ key: TerminalRecord.Key, _ type: ReconciliationTransactionType = .redeem, confirmation: String?, trace: String,
        device: String, units: Int, day: ProgramDay = ReconcilerTests.day, at: Date = ReconcilerTests.midday
    ) -> TerminalRecord {
        TerminalRecord(
            key: key, type: type, isUnknown: confirmation == nil, confirmationNumber: confirmation, traceId: trace,
            cardTerminalId: "LOY10001" + device, maskedCard: "•••••••0001", units: confirmation == nil ? nil : Units(units),
            miles: confirmation == nil ? nil : Miles(units * 95), money: confirmation == nil ? nil : Money(dollars: units * 10),
            day: day, createdAt: at)
    }

    static func makeCase(_ generator: inout SplitMix64) -> Case {
        var made = Case()
        let count = 1 + Int(generator.next() % 14)
        for index in 0..<count {
            let scenario = Scenario.allCases[Int(generator.next() % UInt64(Scenario.allCases.count))]
            let journal = Int(generator.next() % 2)
            let device = journal == 0 ? "001" : "002"
            let key = TerminalRecord.Key(journal: journal, id: Int64(index + 1))
            let confirmation = "RD\(index)x\(generator.next() % 1_000_000)"
            let trace = String(format: "%012d", index + 1)
            let units = 1 + Int(generator.next() % 75)
            func tag(_ c: String, _ n: Int = 1) -> String { "\(c)#\(n)" }
            switch scenario {
            case .matched:
                made.records.append(record(key, confirmation: confirmation, trace: trace, device: device, units: units))
                made.details.append(detail(.redeem, confirmation, trace: trace, device: device, units: units))
                made.expectedForDetail[tag(confirmation)] = .matched
            case .missingAtHost:
                made.records.append(record(key, confirmation: confirmation, trace: trace, device: device, units: units))
                made.expectedForTerminal[key] = .missingAtHost
            case .missingAtTerminal:
                made.details.append(detail(.redeem, confirmation, trace: trace, device: device, units: units))
                made.expectedForDetail[tag(confirmation)] = .missingAtTerminal
            case .amountMismatch:
                made.records.append(record(key, confirmation: confirmation, trace: trace, device: device, units: units))
                made.details.append(detail(.redeem, confirmation, trace: trace, device: device, units: units + 1))
                made.expectedForDetail[tag(confirmation)] = .amountMismatch
            case .typeMismatch:
                made.records.append(record(key, confirmation: confirmation, trace: trace, device: device, units: units))
                made.details.append(detail(.reverse, confirmation, trace: trace, device: device, units: units, original: "RDX"))
                made.expectedForDetail[tag(confirmation)] = .typeMismatch
            case .doubleDebit:
                made.records.append(record(key, confirmation: confirmation, trace: trace, device: device, units: units))
                made.details.append(detail(.redeem, confirmation, trace: trace, device: device, units: units))
                made.details.append(detail(.redeem, confirmation + "b", trace: trace, device: device, units: units))
                made.expectedForDetail[tag(confirmation)] = .matched
                made.expectedForDetail[tag(confirmation + "b")] = .duplicate
            case .repeatedRecord:
                made.records.append(record(key, confirmation: confirmation, trace: trace, device: device, units: units))
                made.details.append(detail(.redeem, confirmation, trace: trace, device: device, units: units))
                made.details.append(detail(.redeem, confirmation, trace: trace, device: device, units: units))
                // Whichever comes first matches; the other is the duplicate.
                made.expectedForDetail[tag(confirmation, 1)] = .matched
                made.expectedForDetail[tag(confirmation, 2)] = .duplicate
            case .timingBeforeCutoff:
                made.records.append(record(key, confirmation: confirmation, trace: trace, device: device, units: units, at: lateEvening))
                made.expectedForTerminal[key] = .timing
            case .timingNextDayJournal:
                made.records.append(
                    record(
                        key, confirmation: confirmation, trace: trace, device: device, units: units,
                        day: ProgramDay(day.date.next), at: nextDayEarly))
                made.details.append(detail(.redeem, confirmation, trace: trace, device: device, units: units))
                made.expectedForDetail[tag(confirmation)] = .timing
            case .unresolved:
                // A reversal whose outcome is unknown and that the file does not show: for a person to look at.
                made.records.append(record(key, .reverse, confirmation: nil, trace: trace, device: device, units: units))
                made.expectedForTerminal[key] = .unresolved
            case .notDebited:
                // A REDEEM of unknown outcome the file does not show, made long before the cut-off: the host
                // never debited it, and no replay can after the orphan window; settled, not a break.
                made.records.append(record(key, confirmation: nil, trace: trace, device: device, units: units))
                made.expectedForTerminal[key] = .notDebited
                made.expectedSettlements.insert(key)
            case .unknownInsideOrphanWindow:
                // Made 18 minutes before the cut-off: a replay may still debit it after midnight.
                made.records.append(record(key, confirmation: nil, trace: trace, device: device, units: units, at: insideOrphanWindow))
                made.expectedForTerminal[key] = .timing
            case .resolvedUnknown:
                // A debit nobody was shown: never matched.
                made.records.append(record(key, confirmation: nil, trace: trace, device: device, units: units))
                made.details.append(detail(.redeem, confirmation, trace: trace, device: device, units: units))
                made.expectedForDetail[tag(confirmation)] = .unshownDebit
                made.expectedResolutions.insert(key)
            }
        }
        // The host's file is in its own order.
        for index in made.details.indices.reversed() {
            let other = Int(generator.next() % UInt64(index + 1))
            made.details.swapAt(index, other)
        }
        return made
    }

    @Test func everyInjectedBreakIsClassified() {
        let seed = UInt64.random(in: 1...UInt64.max)
        print("ReconcilerTests seed \(seed)")
        var generator = SplitMix64(seed: seed)
        var classesSeen = Set<ReconciliationClass>()
        for caseNumber in 0..<1_500 {
            let made = Self.makeCase(&generator)
            var reconciler = Reconciler(day: Self.day, terminalRecords: made.records)
            var occurrences: [String: Int] = [:]
            var resolutions = Set<TerminalRecord.Key>()
            var tags: [Int: String] = [:]
            var byRecord: [Int: ReconciliationFinding] = [:]
            for (offset, detail) in made.details.enumerated() {
                occurrences[detail.confirmationNumber, default: 0] += 1
                tags[offset + 3] = "\(detail.confirmationNumber)#\(occurrences[detail.confirmationNumber]!)"
                // An unshown debit is held to the end of the file.
                if let finding = reconciler.consume(detail, recordNumber: offset + 3) { byRecord[offset + 3] = finding }
            }
            var terminalFindings: [TerminalRecord.Key: ReconciliationClass] = [:]
            var settlements = Set<TerminalRecord.Key>()
            for finding in reconciler.finish() {
                if let record = finding.recordNumber {
                    byRecord[record] = finding
                } else {
                    classesSeen.insert(finding.classification)
                    terminalFindings[finding.terminalKey!] = finding.classification
                    if finding.settlesNotDebited { settlements.insert(finding.terminalKey!) }
                }
            }
            for (record, tag) in tags.sorted(by: { $0.key < $1.key }) {
                guard let finding = byRecord[record], finding.classification == made.expectedForDetail[tag] else {
                    Issue.record(
                        "seed \(seed) case \(caseNumber): record \(tag) is \(String(describing: byRecord[record]?.classification)), expected \(String(describing: made.expectedForDetail[tag]))"
                    )
                    return
                }
                classesSeen.insert(finding.classification)
                if finding.resolvesUnknown, let key = finding.terminalKey { resolutions.insert(key) }
            }
            guard terminalFindings == made.expectedForTerminal, resolutions == made.expectedResolutions,
                settlements == made.expectedSettlements
            else {
                Issue.record(
                    "seed \(seed) case \(caseNumber): journal rows \(terminalFindings), expected \(made.expectedForTerminal); resolutions \(resolutions) vs \(made.expectedResolutions); settled \(settlements) vs \(made.expectedSettlements)"
                )
                return
            }
            let breaks = made.expectedForDetail.values.filter(\.isBreak).count + made.expectedForTerminal.values.filter(\.isBreak).count
            #expect(reconciler.summary.breaks == breaks, "seed \(seed) case \(caseNumber)")
        }
        // The two scope classes need a scope; `recordsOfTerminalsOutsideTheScope…` tries them.
        #expect(
            classesSeen == Set(ReconciliationClass.allCases).subtracting([.otherTerminal, .terminalNotForwarding]),
            "every class was injected and found (seed \(seed))")
    }

    @Test func recordsOfTerminalsOutsideTheScopeAreCountedOrFlaggedNeverMissing() throws {
        let day = ProgramDay(try CalendarDay(parsing: "2026-11-27"))
        func detail(_ store: String, _ confirmation: String) -> ReconciliationDetail {
            ReconciliationDetail(
                type: .redeem, hostDateTime: "2026-11-27T13:32:00-05:00", sponsorCode: "LOY1", storeId: store, deviceId: "001",
                traceId: "000000000042", collectorNumber: "81000000001", units: Units(1), miles: Miles(95),
                money: Money(dollars: 10), confirmationNumber: confirmation, originalConfirmationNumber: nil)
        }
        for (outside, isBreak) in [(ReconciliationClass.otherTerminal, false), (.terminalNotForwarding, true)] {
            var reconciler = Reconciler(day: day, terminalRecords: [], scope: .terminals(["LOY10001001"], outside: outside))
            let mineFinding = reconciler.consume(detail("0001", "RD1"), recordNumber: 1)
            let theirsFinding = reconciler.consume(detail("0002", "RD2"), recordNumber: 2)
            let mine = try #require(mineFinding)
            let theirs = try #require(theirsFinding)
            #expect(mine.classification == .missingAtTerminal, "a record of a terminal in scope with no row is still missing")
            #expect(theirs.classification == outside && theirs.cardTerminalId == "LOY10002001")
            #expect(outside.isBreak == isBreak)
            #expect(reconciler.summary.breaks == (isBreak ? 2 : 1))
        }
    }

    @Test func aResubmittedOverlappingFileCausesNoFalseDuplicates() {
        // Day D's rows, already reconciled once, and a resubmitted file that covers D again plus part of D+1.
        let rows = (1...5).map {
            Self.record(
                TerminalRecord.Key(journal: 0, id: Int64($0)), confirmation: "RD\($0)", trace: String(format: "%012d", $0), device: "001", units: $0)
        }
        let details = rows.map { Self.detail(.redeem, $0.confirmationNumber!, trace: $0.traceId, device: "001", units: $0.units!.count) }
        for _ in 0..<2 {
            var reconciler = Reconciler(day: Self.day, terminalRecords: rows)
            let findings = details.enumerated().map { reconciler.consume($0.element, recordNumber: $0.offset + 3) }
            #expect(findings.allSatisfy { $0?.classification == .matched })
            #expect(reconciler.finish().isEmpty)
            #expect(reconciler.summary.breaks == 0)
        }
    }

    @Test func theSummaryAddsUpMilesAndDollarsPerClass() {
        let rows = [Self.record(TerminalRecord.Key(journal: 0, id: 1), confirmation: "RD1", trace: "000000000001", device: "001", units: 4)]
        var reconciler = Reconciler(day: Self.day, terminalRecords: rows)
        _ = reconciler.consume(Self.detail(.redeem, "RD1", trace: "000000000001", device: "001", units: 4), recordNumber: 3)
        _ = reconciler.consume(Self.detail(.redeem, "RD9", trace: "000000000009", device: "001", units: 2), recordNumber: 4)
        #expect(reconciler.summary[.matched] == ReconciliationSummary.Line(count: 1, miles: 380, cents: 4000))
        #expect(reconciler.summary[.missingAtTerminal] == ReconciliationSummary.Line(count: 1, miles: 190, cents: 2000))
        #expect(reconciler.summary.breaks == 1)
    }
}

/// Issue 25, item 2: totals of a file no one controls are added with overflow checks.
@Suite struct ReconciliationOverflowTests {
    static func hostile(_ type: ReconciliationTransactionType, _ index: Int) -> ReconciliationDetail {
        ReconciliationDetail(
            type: type, hostDateTime: "2026-11-27T13:00:00-05:00", sponsorCode: "LOY1", storeId: "0001", deviceId: "001",
            traceId: String(format: "%012d", index), collectorNumber: "81000000001", units: Units(1), miles: Miles(95),
            money: try! Money(parsing: "99999999999999.99"), confirmationNumber: "X\(index)",
            originalConfirmationNumber: type == .reverse ? "O\(index)" : nil)
    }

    @Test func sixHundredRedeemsAndSixHundredReversesOfTheLargestAmountOverflowNothing() {
        var reconciler = Reconciler(day: ReconcilerTests.day, terminalRecords: [])
        var firstOverflow: Int?
        for index in 1...1_200 {
            _ = reconciler.consume(Self.hostile(index <= 600 ? .redeem : .reverse, index), recordNumber: index + 2)
            if firstOverflow == nil && reconciler.summary.overflow != nil { firstOverflow = index + 2 }
        }
        let overflow = reconciler.summary.overflow
        #expect(
            overflow?.hasPrefix("record \(firstOverflow ?? 0) makes the missing at terminal total of dollars too large") == true,
            "\(overflow ?? "none")")
        #expect(firstOverflow == 923 + 2, "the 923rd detail (after H1 and H2) is the first past Int.max cents: \(firstOverflow ?? 0)")
        #expect(reconciler.summary[.missingAtTerminal].cents > 0, "the totals before it stand")
    }
}
