import Testing

@testable import AMCashDomain

@Suite struct TransactionStateTests {
    /// The whole REDEEM machine: every (state, event) pair not listed here must be refused.
    static let legal: [TransactionState: [TransactionEvent: TransactionState]] = [
        .draft: [.send: .sending],
        .sending: [.hostApproved: .approved, .hostDeclined: .declined, .responseLost: .unknown],
        .unknown: [.hostApproved: .approved, .giveUp: .exception],
        .approved: [.shown: .shown, .void: .voiding],
        .shown: [.reverse: .reversing],
        .voiding: [.reversalApproved: .voided, .giveUp: .exception],
        .reversing: [.reversalApproved: .reversed, .reversalRefused: .shown, .giveUp: .exception],
        .declined: [:],
        .voided: [:],
        .reversed: [:],
        .exception: [:],
    ]

    /// The REVERSE row's machine.
    static let reversalRow: [TransactionState: [TransactionEvent: TransactionState]] = [
        .reversing: [.reversalApproved: .reversed, .reversalRefused: .declined, .giveUp: .exception]
    ]

    @Test(arguments: TransactionState.allCases, TransactionEvent.allCases)
    func everyStateAndEventDoesWhatTheTableSays(state: TransactionState, event: TransactionEvent) throws {
        if let expected = Self.legal[state]?[event] {
            #expect(try state.applying(event) == expected)
        } else {
            #expect(throws: IllegalTransition(from: state, event: event)) { try state.applying(event) }
        }
        if let expected = Self.reversalRow[state]?[event] {
            #expect(try state.reversalRowApplying(event) == expected)
        } else {
            #expect(throws: IllegalTransition(from: state, event: event)) { try state.reversalRowApplying(event) }
        }
    }

    @Test func theTableCoversEveryState() {
        #expect(Set(Self.legal.keys) == Set(TransactionState.allCases))
    }

    @Test func aLostResponseIsResolvedByResendingNeverDeclinedByItself() throws {
        let lost = try TransactionState.draft.applying(.send).applying(.responseLost)
        #expect(lost == .unknown && lost.needsResolution)
        #expect(throws: IllegalTransition.self) { try lost.applying(.hostDeclined) }
        #expect(try lost.applying(.hostApproved) == .approved)
    }

    /// Walks every path of the machine from `draft` and checks the money rule on each final state:
    /// the collector ends debited only on paths that went through `shown` and were not reversed.
    @Test func everyPathEndsDebitedOnlyIfTheCashierSawApproved() throws {
        var finals = 0
        func walk(_ state: TransactionState, sawApproved: Bool, reversed: Bool, depth: Int) throws {
            #expect(depth < 20, "the machine has a cycle that never ends")
            let next = TransactionEvent.allCases.compactMap { event in (try? state.applying(event)).map { (event, $0) } }
            if next.isEmpty {
                finals += 1
                #expect(state.isFinal, "\(state) has no way out but is not final")
                if state == .exception { return }  // a person decides
                #expect(state.isNetDebit == (sawApproved && !reversed), "\(state) after shown=\(sawApproved) reversed=\(reversed)")
                return
            }
            for (event, target) in next where depth < 8 {
                try walk(
                    target, sawApproved: sawApproved || event == .shown, reversed: event == .reversalApproved && state == .reversing,
                    depth: depth + 1)
            }
        }
        try walk(.draft, sawApproved: false, reversed: false, depth: 0)
        #expect(finals > 5)
    }

    @Test func finalStatesTakeNothing() {
        for state in TransactionState.allCases where state.isFinal {
            for event in TransactionEvent.allCases {
                #expect(throws: IllegalTransition.self) { try state.applying(event) }
            }
        }
        #expect(TransactionState.allCases.filter(\.isFinal) == [.declined, .voided, .reversed, .exception])
    }

    @Test func theRefusalNamesTheTransition() {
        #expect(IllegalTransition(from: .declined, event: .reverse).description == "a declined transaction cannot take reverse")
    }
}
