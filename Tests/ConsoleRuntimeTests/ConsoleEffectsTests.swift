import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashJournal
import AMCashWire
import ConsoleCore
import ConsoleRuntime
import ConsoleTestSupport
import Foundation
import ReceiptPrinting
import Testing

/// A host that answers from a script and counts what it was asked (the real one is tested end to end).
final class FakeHost: RedemptionHost, @unchecked Sendable {
    private let lock = NSLock()
    private var calls: [HostOperation] = []
    let redeemAnswer: HostResult<RedemptionReply>

    init(redeemAnswer: HostResult<RedemptionReply> = .answered(Fixtures.approvedRedemption)) { self.redeemAnswer = redeemAnswer }

    var asked: [HostOperation] { lock.withLock { calls } }
    private func note(_ call: PreparedCall) { lock.withLock { calls.append(call.operation) } }

    func echo(_ call: PreparedCall) async -> HostResult<EchoReply> {
        note(call)
        return .answered(EchoReply(answer: Fixtures.answer(.approved)))
    }

    func inquire(_ call: PreparedCall) async -> HostResult<InquiryReply> {
        note(call)
        return .answered(Fixtures.plentyInquiry)
    }

    func redeem(_ call: PreparedCall, policy: ResendPolicy) async -> HostResult<RedemptionReply> {
        note(call)
        return redeemAnswer
    }

    func reverse(_ call: PreparedCall, policy: ResendPolicy) async -> HostResult<ReversalReply> {
        note(call)
        return .answered(
            ReversalReply(
                answer: Fixtures.answer(.approved), reversalConfirmationNumber: "RV0000000001",
                unitsReversed: Units(3), balances: .none))
    }
}

/// The effect performer: each effect does its I/O (a real journal in a temporary folder, a fake host)
/// and answers with the message `update` expects.
@Suite struct ConsoleEffectsTests {
    struct Setup {
        let folder: String
        let journal: Journal
        let host: FakeHost
        let effects: ConsoleEffects
        var receipts: String { folder + "/receipts.txt" }
    }

    static func setUp(host: FakeHost = FakeHost(), pin: SupervisorPinHash? = nil, ascii: Bool = false) throws -> Setup {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-effects-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let journal = try Journal(path: folder + "/journal.sqlite")
        let builder = RequestBuilder(identity: .training)
        let transactions = JournaledTransactions(journal: journal, host: host, builder: builder)
        let effects = ConsoleEffects(
            journal: journal, transactions: transactions, host: host, builder: builder,
            receiptPath: folder + "/receipts.txt", asciiReceipts: ascii, supervisorPin: pin,
            lockoutFile: KioskLockoutFile(path: folder + "/kiosk-lockout"))
        return Setup(folder: folder, journal: journal, host: host, effects: effects)
    }

    /// Performs one effect and collects what it sends back.
    static func perform(_ effect: Effect, _ setup: Setup) async -> [Msg] {
        let box = MessageBox()
        await setup.effects.perform(effect) { box.append($0) }
        return box.messages
    }

    final class MessageBox: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [Msg] = []
        func append(_ message: Msg) { lock.withLock { stored.append(message) } }
        var messages: [Msg] { lock.withLock { stored } }
    }

    static let request = RedemptionRequest(card: Fixtures.card, basket: Money(cents: 4335), amount: Money(dollars: 30))

    @Test func aRedeemIsJournaledSentAndAnsweredThenListedForReversal() async throws {
        let setup = try Self.setUp()
        let messages = await Self.perform(.redeem(Self.request), setup)
        guard case .redeemed(.answered(let reply), let traceId)? = messages.first else {
            Issue.record("no redeemed message: \(messages)")
            return
        }
        #expect(reply.approval?.confirmationNumber == "RD0000000001")
        #expect(setup.host.asked == [.redeem])
        let entry = try #require(try setup.journal.entry(traceId: traceId))
        #expect(entry.kind == .redeem && entry.confirmationNumber == "RD0000000001")
        #expect(messages.contains { if case .pendingCount(1) = $0 { true } else { false } }, "approved but not yet shown: still open")
        _ = await Self.perform(.markShown(traceId: traceId), setup)
        #expect(try setup.journal.openCount() == 0, "shown: the debit stands and nothing is left to resolve")
        let listed = await Self.perform(.loadReversible, setup)
        guard case .reversibleLoaded(let items)? = listed.first else {
            Issue.record("no list")
            return
        }
        #expect(items.map(\.confirmationNumber) == ["RD0000000001"] && items.first?.card.entryMode == .scan)
    }

    /// An APPROVED drawn too late to be recorded shown (kept under the help past the time to show it, and
    /// voided by recovery meanwhile) must not go on saying APPROVED: the effect tells the screen, which then
    /// says not to give the discount (review s10). A recorded one says nothing more.
    @Test func anApprovalVoidedBeforeItWasDrawnIsToldToTheScreen() async throws {
        let setup = try Self.setUp()
        guard case .redeemed(_, let traceId)? = await Self.perform(.redeem(Self.request), setup).first else {
            Issue.record("no redemption")
            return
        }
        // The console's own background pass, five minutes on: the approval nobody marked shown is voided.
        let later = JournaledTransactions(
            journal: setup.journal, host: setup.host, builder: RequestBuilder(identity: .training),
            leases: LeaseTimes(inLane: 120, toShow: 0), now: { Date().addingTimeInterval(300) })
        _ = try await later.recover(policy: .once)
        #expect(try setup.journal.entry(traceId: traceId)?.state == .voided)
        let messages = await Self.perform(.markShown(traceId: traceId), setup)
        #expect(
            messages.contains { if case .approvalNotShown(let confirmation) = $0 { confirmation == "RD0000000001" } else { false } }, "\(messages)")

        let shown = try Self.setUp()
        guard case .redeemed(_, let shownTrace)? = await Self.perform(.redeem(Self.request), shown).first else {
            Issue.record("no redemption")
            return
        }
        let recorded = await Self.perform(.markShown(traceId: shownTrace), shown)
        #expect(!recorded.contains { if case .approvalNotShown = $0 { true } else { false } }, "\(recorded)")
    }

    /// N3: a REVERSE refused because another transaction for the collector is in progress is not an
    /// exception for the supervisor: nothing was sent, the redemption stands, and it goes through when tried again.
    @Test func aReverseRefusedWhileTheCollectorIsBusySaysTryAgainNotSeeTheSupervisor() async throws {
        let setup = try Self.setUp()
        guard case .redeemed(_, let traceId)? = await Self.perform(.redeem(Self.request), setup).first else {
            Issue.record("no redemption")
            return
        }
        _ = await Self.perform(.markShown(traceId: traceId), setup)
        guard case .reversibleLoaded(let items)? = await Self.perform(.loadReversible, setup).first, let item = items.first else {
            Issue.record("nothing to reverse")
            return
        }
        // Another operation (a recovery pass, another process) holds the collector's row right now.
        let redemption = try #require(try setup.journal.entry(traceId: traceId))
        _ = try #require(try setup.journal.claim(redemption.id, for: LeaseHolder(), at: Date(), leases: .standard, expecting: [.shown]))
        let busy = await Self.perform(.reverse(item, .english), setup)
        guard case .reversed(let outcome)? = busy.first else {
            Issue.record("no reversal outcome: \(busy)")
            return
        }
        #expect(outcome == .collectorBusy(original: "RD0000000001"))
        #expect(setup.host.asked == [.redeem], "nothing was sent")
        #expect(try setup.journal.entry(traceId: traceId)?.state == .shown, "the redemption stands")
        // Once the other operation lets go, the same reversal goes through.
        try setup.journal.release(redemption.id)
        guard case .reversed(.reversed(_, let original))? = await Self.perform(.reverse(item, .english), setup).first else {
            Issue.record("not reversed on the second try")
            return
        }
        #expect(original == "RD0000000001")
    }

    @Test func anUnknownRedeemIsReportedUnknownNotDeclined() async throws {
        let setup = try Self.setUp(host: FakeHost(redeemAnswer: .unknown(.timedOut)))
        let messages = await Self.perform(.redeem(Self.request), setup)
        guard case .redeemed(.unknown, _)? = messages.first else {
            Issue.record("not unknown: \(messages)")
            return
        }
        #expect(try setup.journal.openCount() == 1, "the journal keeps it for recovery")
    }

    @Test func receiptsAreAppendedPrivatelyAndFoldedToASCIIWhenAsked() async throws {
        let setup = try Self.setUp(ascii: true)
        let first = ReceiptDocument(lines: [.title("ÉCHANGE ARGENT AIR MILES"), .amount(label: "Rabais: ", value: "30,00 $"), .barcode("X"), .cut])
        let printed = await Self.perform(.printReceipt(first, traceId: nil), setup)
        guard case .printerState(nil, unprinted: 0)? = printed.first else {
            Issue.record("\(printed)")
            return
        }
        _ = await Self.perform(.printReceipt(ReceiptDocument(lines: [.text("Second")]), traceId: nil), setup)
        let text = try String(contentsOfFile: setup.receipts, encoding: .utf8)
        #expect(text.hasPrefix("ECHANGE ARGENT AIR MILES\nRabais: 30,00 $\n") && text.contains("Second"))
        #expect(text.allSatisfy { $0.isASCII })
        let mode = try FileManager.default.attributesOfItem(atPath: setup.receipts)[.posixPermissions] as? Int
        #expect(mode == 0o600, "a receipt names a collector: only the till's user reads it")
    }

    @Test func aWrongPinIsRefusedAndALockoutIsWrittenDown() async throws {
        let setup = try Self.setUp(pin: try SupervisorPinHash.make(pin: "246813", rounds: 1_000))
        let wrong = await Self.perform(.checkSupervisorPin("111111"), setup)
        guard case .supervisorPinChecked(false)? = wrong.first else {
            Issue.record("\(wrong)")
            return
        }
        let right = await Self.perform(.checkSupervisorPin("246813"), setup)
        guard case .supervisorPinChecked(true)? = right.first else {
            Issue.record("\(right)")
            return
        }
        _ = await Self.perform(.supervisorLockedOut(seconds: 30, lockouts: 1), setup)
        let state = KioskLockoutFile(path: setup.folder + "/kiosk-lockout").read(at: Date())
        #expect(state.lockouts == 1 && (29...31).contains(state.remainingSeconds))
    }
}
