import Testing
import AMCashDomain

@Suite struct TransactionStateTests {
    /// The whole machine: every (state, event) pair not listed here must be refused.
    static let legal: [TransactionState: [TransactionEvent: TransactionState]] = [
        .draft: [.send: .sending],
        .sending: [.hostApproved: .approved, .hostDeclined: .declined, .responseLost: .unknown],
        .unknown: [.hostApproved: .approved, .hostDeclined: .declined],
        .approved: [.reverse: .reversing],
        .reversing: [.reversalApproved: .reversed],
        .declined: [:],
        .reversed: [:],
    ]

    @Test(arguments: TransactionState.allCases, TransactionEvent.allCases)
    func everyStateAndEventDoesWhatTheTableSays(state: TransactionState, event: TransactionEvent) throws {
        if let expected = Self.legal[state]?[event] {
            #expect(try state.applying(event) == expected)
        } else {
            #expect(throws: IllegalTransition(from: state, event: event)) { try state.applying(event) }
        }
    }

    @Test func theTableCoversEveryState() {
        #expect(Set(Self.legal.keys) == Set(TransactionState.allCases))
    }

    @Test func aLostResponseIsResolvedByResendingNeverDeclinedByItself() throws {
        let lost = try TransactionState.draft.applying(.send).applying(.responseLost)
        #expect(lost == .unknown && lost.needsResolution)
        #expect(try lost.applying(.hostApproved) == .approved)
    }

    @Test func finalStatesTakeNothing() {
        for state in TransactionState.allCases where state.isFinal {
            for event in TransactionEvent.allCases {
                #expect(throws: IllegalTransition.self) { try state.applying(event) }
            }
        }
        #expect(TransactionState.allCases.filter(\.isFinal) == [.declined, .reversed])
    }

    @Test func theRefusalNamesTheTransition() {
        #expect(IllegalTransition(from: .declined, event: .reverse).description == "a declined transaction cannot take reverse")
    }
}
