public import AMCashConfiguration
public import AMCashDomain
public import AMCashJournal
public import AMCashRequests
public import AMCashWire
public import ConsoleCore
import ConsoleUI
public import Foundation
import Logging
import ReceiptPrinterIO
public import ReceiptPrinting

/// What the console's effects do: the journaled transaction for REDEEM and REVERSE, the host for
/// ECHO and INQUIRE, the journal for the lists, the receipt file, the kiosk's PIN and lockout.
public struct ConsoleEffects: EffectPerformer {
    let journal: Journal
    let transactions: JournaledTransactions
    let host: any RedemptionHost
    let builder: RequestBuilder
    /// The receipt printer: a file, a device or a network printer, in text or ESC/POS (ReceiptPrinterIO).
    let printer: ReceiptPrinter
    let supervisorPin: SupervisorPinHash?
    let lockoutFile: KioskLockoutFile
    let now: @Sendable () -> Date
    /// The store register's API, when `registerListen` is configured.
    let register: (any RegisterLink)?
    /// The receipts recorded in the journal before their ISSUE went out, until they print with the miles.
    let held = HeldReceipts()

    public init(
        journal: Journal, transactions: JournaledTransactions, host: any RedemptionHost, builder: RequestBuilder,
        receiptPath: String, asciiReceipts: Bool, supervisorPin: SupervisorPinHash?, lockoutFile: KioskLockoutFile,
        printer: ReceiptPrinterSettings? = nil, now: @escaping @Sendable () -> Date = { ProcessClock.now() },
        register: (any RegisterLink)? = nil
    ) {
        self.register = register
        self.journal = journal
        self.transactions = transactions
        self.host = host
        self.builder = builder
        // Without printer settings, today's behaviour: text appended to the receipt file, folded to ASCII
        // (`--ascii`) when the printer on such a till is as likely to print mojibake for "é" as the screen is.
        self.printer = ReceiptPrinter(
            settings: printer ?? ReceiptPrinterSettings(destination: .file(receiptPath), format: .text, asciiText: asciiReceipts))
        self.supervisorPin = supervisorPin
        self.lockoutFile = lockoutFile
        self.now = now
    }

    /// The ISSUE a REDEEM's intent journals with it: the whole sale, held until the REDEEM ends.
    static func wholeSale(_ request: RedemptionRequest) -> EarningRequest {
        EarningRequest(card: request.card, preTaxAmount: request.preTaxAmount ?? request.basket, postTaxAmount: request.basket)
    }

    /// The wall clock as the status line shows it.
    public static let clockText: @Sendable () -> String = { time(Date()) }

    public func perform(_ effect: Effect, send: @escaping @Sendable (Msg) -> Void) async {
        switch effect {
        case .inquire(let request):
            guard let trace = try? journal.nextTraceId() else { return send(.inquired(.notSent(.cannotConnect("journal unavailable")))) }
            let result = await host.inquire(builder.inquire(request, traceId: trace, at: now()))
            send(.inquired(result))
        case .redeem(let request):
            // Journal, send, journal: an error after the send is "not confirmed", never "nothing was redeemed".
            // The sale's ISSUE (whole sale) is journaled held in the same commit: a till that dies before the
            // REDEEM's end reaches `.earn` still earns, through recovery.
            let whole = Self.wholeSale(request)
            let redemption = await transactions.redeem(request, earning: whole)
            send(.redeemed(redemption.result, traceId: redemption.traceId))
            send(.pendingCount((try? journal.statusPendingCount()) ?? 0))
        case .redeemForRegister(let request, let saleId):
            guard let register, await register.beginRedeem(saleId) else {
                return send(
                    .redeemed(
                        .notSent(.notAttempted("the register cancelled sale \(saleId) before the redemption was sent")), traceId: "-"))
            }
            let seconds = register.acknowledgeSeconds
            // The sale's ISSUE is journaled held with the intent, as a till's own sale's: a console that stops after
            // the register's ack still earns (recovery releases it less the acknowledged discount).
            let whole = Self.wholeSale(request)
            let redemption = await transactions.redeem(request, saleId: saleId, acknowledgeWithin: TimeInterval(seconds), earning: whole)
            send(.redeemed(redemption.result, traceId: redemption.traceId))
            send(.pendingCount((try? journal.statusPendingCount()) ?? 0))
            guard redemption.result.outcome == .approved, let entry = redemption.entry else { return }
            // Not shown until the register acknowledges it. Past its time, recovery voids it: the cashier hears of it.
            try? await Task.sleep(for: .seconds(seconds + 2))
            if let row = try? journal.entry(id: entry.id), row.state != .shown, row.state != .reversing, row.state != .reversed {
                send(.registerApprovalVoided(saleId: saleId))
            }
        case .earn(let request, var receipt, let traceId, let behind, let ifNotShown):
            // The receipt ("Miles earned: pending") is recorded before the ISSUE goes out: a console that stops
            // while the ISSUE is with the host leaves it for the reprint. It prints with the miles in `printReceipt`.
            // An approval's receipt says APPROVED only once the journal holds the approval shown: until then the
            // sale's receipt without the redemption is the one recorded (a till that stops in between reprints no
            // discount it may not have given), and it is the one printed if the approval is voided instead.
            if let behind, let approval = receipt, let ifNotShown {
                holdReceipt(ifNotShown, traceId: traceId)
                receipt = ifNotShown
                if await approvalStood(behind) {
                    replaceHeldReceipt(ifNotShown, with: approval)
                    receipt = approval
                }
            } else if let receipt {
                holdReceipt(receipt, traceId: traceId)
            }
            // Journaled before it is sent (after a REDEEM, with its intent); unanswered, it stays queued and recovery forwards it.
            let earning = await transactions.earn(request, behind: behind)
            send(.earned(request, earning.outcome, receipt: Self.naming(receipt, earning), traceId: traceId))
            send(.pendingCount((try? journal.statusPendingCount()) ?? 0))
        case .earnAfterRedemption(let request, let redemptionTraceId, let receipt, let saleId):
            // Journaled held behind the unconfirmed REDEEM (with its intent, or now); recovery sends it once that REDEEM ends.
            let earning = await transactions.earnAfterRedemption(request, redemptionTraceId: redemptionTraceId)
            if let saleId { await register?.earned(saleId, earning.outcome) }
            send(.earned(request, earning.outcome, receipt: Self.naming(receipt, earning), traceId: nil))
            send(.pendingCount((try? journal.statusPendingCount()) ?? 0))
        case .earnForRegister(let request, let saleId):
            // Cancelled by the register as the cashier confirmed (the REDEEM refused before it went out): the sale
            // did not happen here, so it earns nothing — rung again, it earns there.
            if let register, await register.cancelled(saleId) {
                let outcome = EarningOutcome.refused(code: nil, message: "not sent: the register cancelled sale \(saleId)")
                return send(.earned(request, outcome, receipt: nil, traceId: nil))
            }
            let earning = await transactions.earn(request, registerSale: saleId)
            await register?.earned(saleId, earning.outcome)
            send(.earned(request, earning.outcome, receipt: nil, traceId: nil))
            send(.pendingCount((try? journal.statusPendingCount()) ?? 0))
        case .calculate(let request):
            // A preview: never journaled; its failure only leaves the offer's line out.
            send(.calculated(request, await transactions.calculate(request)))
        case .loadReturnable:
            let entries = (try? journal.returnableEarnings(since: Self.issuanceDayStart(now()))) ?? []
            send(.returnableLoaded(entries.compactMap { Self.returnableSale($0.sale, returns: $0.returns) }))
        case .findReturnable(let scanned):
            send(.returnableFound(findReturnable(scanned)))
        case .returnSale(let request):
            // Nothing goes back twice: items (or a whole sale) an earlier RETURN of this till names are refused, unsent,
            // by the journal in the intent's own transaction (`Journal.refuseReturnedAgain`).
            // Journaled before it is sent; unanswered, it stays queued and recovery forwards it with the same key and body.
            send(.saleReturned(await transactions.returnSale(request).outcome))
            send(.pendingCount((try? journal.statusPendingCount()) ?? 0))
        case .registerSaleMoved(let saleId, let step):
            await register?.moved(saleId, to: step)
        case .registerSaleClosed(let saleId):
            await register?.closed(saleId)
        case .markSaleSeen(let traceId):
            // Retried while the journal refuses the write (another console holding it a moment): a seen sale whose
            // mark is lost would be taken for an interrupted one and not earn.
            for _ in 0..<50 {
                if transactions.markSaleSeen(behind: traceId) { break }
                try? await Task.sleep(for: .milliseconds(200))
            }
        case .markShown(let traceId):
            // The result screen with APPROVED was drawn: the debit stands. Unrecorded, recovery voids it.
            // Not recorded (voided meanwhile, or the journal refused the write): recovery voids it, so the
            // screen must stop saying APPROVED — the debit would not match the discount given.
            let entry = try? journal.entry(traceId: traceId)
            if let entry, !transactions.markShown(entry), let now = try? journal.entry(traceId: traceId), now.state != .shown,
                let confirmation = entry.confirmationNumber
            {
                send(.approvalNotShown(confirmationNumber: confirmation))
            }
            send(.pendingCount((try? journal.statusPendingCount()) ?? 0))
        case .loadReversible:
            let entries = (try? journal.reversibleRedemptions(at: now())) ?? []
            send(.reversibleLoaded(entries.compactMap(Self.reversibleItem)))
        case .reverse(let item, let language):
            let reversal = await transactions.reverse(
                ReversalRequest(card: item.card, redemptionConfirmationNumber: item.confirmationNumber, language: language))
            if reversal.isReversed {
                send(.reversed(.reversed(confirmation: reversal.entry?.confirmationNumber, original: item.confirmationNumber)))
            } else if reversal.isQueued {
                send(.reversed(.queued(original: item.confirmationNumber)))
            } else if reversal.isCollectorBusy {
                send(.reversed(.collectorBusy(original: item.confirmationNumber)))
            } else {
                // Refused (by the host, or here before anything was sent) or given up: the redemption stands.
                send(
                    .reversed(
                        .exception(
                            original: item.confirmationNumber,
                            reason: reversal.refusal ?? reversal.entry?.lastFailure ?? "the reversal did not complete")))
            }
            send(.pendingCount((try? journal.statusPendingCount()) ?? 0))
        case .loadHistory:
            let entries = (try? journal.entries(day: ProgramDay.reconciliationDay(at: now()))) ?? []
            send(
                .historyLoaded(
                    entries.reversed().map {
                        HistoryLine(
                            time: Self.time($0.createdAt), kind: $0.kind.rawValue, maskedCard: $0.maskedCard, state: $0.state.rawValue,
                            money: $0.money, confirmationNumber: $0.confirmationNumber)
                    }))
        case .echo:
            guard let trace = try? journal.nextTraceId() else { return send(.echoed(false)) }
            send(.echoed(await host.echo(builder.echo(traceId: trace)).outcome == .approved))
        case .printReceipt(let document, let traceId):
            send(await Self.offThePool { printReceipt(document, traceId: traceId) })
        case .reprintReceipts:
            send(await Self.offThePool { reprintReceipts() })
        case .checkPrinter:
            let unprinted = unprintedCount()
            if case .problem(let problem) = await Self.offThePool({ printer.condition() }) {
                send(.printerState(problem, unprinted: unprinted))
            } else if unprinted > 0 {
                send(.printerState(nil, unprinted: unprinted))
            }
        case .checkSupervisorPin(let pin):
            let matches = supervisorPin?.matches(pin) ?? false
            if matches {
                lockoutFile.clear()
            } else {
                Logger(label: "amcash.kiosk").warning("a wrong supervisor PIN was typed")
            }
            send(.supervisorPinChecked(matches))
        case .supervisorLockedOut(let seconds, let lockouts):
            Logger(label: "amcash.kiosk").warning(
                "supervisor screen locked after three wrong PINs",
                metadata: ["seconds": "\(seconds)", "lockouts": "\(lockouts)"])
            lockoutFile.record(until: now().addingTimeInterval(TimeInterval(seconds)), lockouts: lockouts)
        case .cancel:
            break
        case .checkExercise:
            // Training only: `amcash train`'s performer checks the exercise and passes everything else here.
            break
        }
    }

    /// Whether the approval of REDEEM `traceId` stood: true once recorded shown (or being reversed since), false
    /// once voided or refused. Undecided (the shown mark not yet committed, or a journal that cannot be read a
    /// moment), it waits for the console's shown mark or recovery's void, which comes when the approval's time to
    /// be shown is out; past that and a minute more, false — the receipt then claims no discount the journal
    /// does not hold.
    func approvalStood(_ traceId: String) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(transactions.leases.toShow + 60)
        while ContinuousClock.now < deadline {
            switch (try? journal.entry(traceId: traceId))?.state {
            case .shown?, .reversing?, .reversed?: return true
            case .approved?, nil: try? await Task.sleep(for: .milliseconds(100))
            default: return false
            }
        }
        return false
    }

    /// The receipt recorded for the sale (`holdReceipt`) becomes `receipt`, still held: the approval stood.
    func replaceHeldReceipt(_ recorded: ReceiptDocument, with receipt: ReceiptDocument) {
        guard let id = held.recorded(recorded), let encoded = try? JSONEncoder().encode(receipt),
            (try? journal.replaceUnprintedReceipt(id: id, document: encoded, problem: UnprintedReceipt.awaitingEarning)) != nil
        else { return }
        held.drop(id)
        held.hold(id, receipt: receipt)
    }

    /// Runs blocking printer I/O (bounded by its deadlines, a few seconds at worst) on a thread of its
    /// own, so the pool that runs the host's calls and the loop is never held by a slow printer.
    static func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in Thread.detachNewThread { continuation.resume(returning: work()) } }
    }

    /// Records a receipt in the journal before its sale's ISSUE goes out, held by this console until the
    /// ISSUE ends. Not recorded (the journal failed), it still prints when the ISSUE ends, as before.
    func holdReceipt(_ document: ReceiptDocument, traceId: String?) {
        guard let encoded = try? JSONEncoder().encode(document),
            let id = try? journal.keepUnprintedReceipt(
                traceId: traceId, document: encoded, problem: UnprintedReceipt.awaitingEarning, at: now())
        else { return }
        held.hold(id, receipt: document)
    }

    /// Prints a receipt; one that does not print is kept in the journal for `R`, and the sale goes on.
    /// A receipt recorded before its ISSUE went out (`holdReceipt`) prints with the miles and leaves the
    /// journal; if it does not print, its row keeps this final receipt.
    func printReceipt(_ document: ReceiptDocument, traceId: String?) -> Msg {
        let problem = printer.print(document)
        // Held until the journal has its end (printed, or kept with the miles), so `R` never prints it in between.
        let recorded = held.recorded(document)
        if let problem {
            Logger(label: "amcash.printer").warning(
                "a receipt did not print; kept for a reprint",
                metadata: ["printer": "\(printer.settings.destination.description)", "problem": "\(problem.rawValue)"])
            let encoded = (try? JSONEncoder().encode(document)) ?? Data()
            if let recorded {
                _ = try? journal.replaceUnprintedReceipt(id: recorded, document: encoded, problem: problem.rawValue)
            } else {
                _ = try? journal.keepUnprintedReceipt(traceId: traceId, document: encoded, problem: problem.rawValue, at: now())
            }
        } else if let recorded {
            _ = try? journal.receiptPrinted(id: recorded)
        }
        if let recorded { held.drop(recorded) }
        return .printerState(problem, unprinted: unprintedCount())
    }

    /// The receipts waiting for a reprint: the journal's, less those held while their ISSUE is out.
    func unprintedCount() -> Int {
        ((try? journal.unprintedReceipts()) ?? []).filter { !held.contains($0.id) }.count
    }

    /// Prints the kept receipts, oldest first, stopping at the first that fails again.
    func reprintReceipts() -> Msg {
        var problem: PrinterProblem?
        // A receipt held while its ISSUE is out prints when the ISSUE ends, not here.
        for kept in (try? journal.unprintedReceipts()) ?? [] where !held.contains(kept.id) {
            guard let document = try? JSONDecoder().decode(ReceiptDocument.self, from: kept.document) else {
                _ = try? journal.receiptStillUnprinted(id: kept.id, problem: "unreadable")
                continue
            }
            if let failure = printer.print(document) {
                problem = failure
                _ = try? journal.receiptStillUnprinted(id: kept.id, problem: failure.rawValue)
                break
            }
            _ = try? journal.receiptPrinted(id: kept.id)
        }
        return .printerState(problem, unprinted: unprintedCount())
    }

    /// A journaled redemption as the reverse screen lists it; its card comes from the request it sent.
    static func reversibleItem(_ entry: JournalEntry) -> ReversibleItem? {
        guard let confirmation = entry.confirmationNumber, let money = entry.money,
            let digits = entry.collectorDigits, let mode = entry.entryModeText.flatMap(CardEntryMode.init(rawValue:)),
            let number = try? CollectorNumber(digits: digits, format: CollectorNumberFormat(lengths: 1...19))
        else { return nil }
        return ReversibleItem(
            journalId: entry.id, confirmationNumber: confirmation, card: CardRead(number: number, entryMode: mode),
            maskedCard: entry.maskedCard, money: money, time: time(entry.createdAt))
    }

    /// A journaled ISSUE as the return screen lists it, with the RETURN of the whole sale: the collector,
    /// the amounts and items the sale earned on (already after any AM Cash discount), its coupons, and
    /// its `checkoutTransactionId` as the original. Issuance sends no entry mode, so the card is `manual`.
    /// Left out (nil) when `returns` (the RETURN rows naming it, not refused) gave it back whole; a sale returned in
    /// part carries the lines that went back (two lines with one item id go back each on its own), so only the others
    /// are offered.
    static func returnableSale(_ entry: EarningEntry, returns: [EarningEntry] = []) -> ReturnableSale? {
        guard let body = try? IssuanceRequestBody(json: IssuanceJSON.parse(entry.body)), let digits = body.collectorNumber,
            let number = try? CollectorNumber(digits: digits, format: CollectorNumberFormat(lengths: 1...19))
        else { return nil }
        let returned = Journal.returnedItems(returns, of: body.items)
        guard !returned.whole else { return nil }
        let request = EarningRequest(
            card: CardRead(number: number, entryMode: .manual), preTaxAmount: body.basketPreTaxAmount,
            postTaxAmount: body.basketPostTaxAmount, items: body.items, coupons: body.coupon,
            originalCheckoutTransactionId: entry.checkoutTransactionId)
        return ReturnableSale(
            journalId: entry.id, checkoutTransactionId: entry.checkoutTransactionId, maskedCard: entry.maskedCard,
            milesEarned: entry.state == .issued ? entry.miles : nil, time: time(entry.createdAt), request: request,
            returnedLines: returned.lines)
    }

    /// The receipt of a sale that earned, with the sale's `checkoutTransactionId` as text and as a barcode, so the
    /// Return screen finds the sale by scanning it. Not for an ISSUE refused: it earned nothing to give back.
    static func naming(_ receipt: ReceiptDocument?, _ earning: JournaledTransactions.Earning) -> ReceiptDocument? {
        guard let receipt, let id = earning.checkoutTransactionId else { return receipt }
        if case .refused = earning.outcome { return receipt }
        return Receipt.naming(receipt, checkoutTransactionId: id)
    }

    /// The sale a scanned earning receipt names, from the journal (today's or an earlier day's), or why it cannot
    /// be returned here. The scan may carry the scanner's symbology prefix: the id is the end of it.
    public func findReturnable(_ scanned: String) -> Result<ReturnableSale, ReturnLookupRefusal> {
        let identity = builder.identity
        let length = identity.sponsorCode.count + identity.storeId.count + identity.deviceId.count + TraceId.digits
        let typed = scanned.uppercased()
        var entry = try? journal.earning(checkoutTransactionId: typed)
        if entry == nil, typed.count > length { entry = try? journal.earning(checkoutTransactionId: String(typed.suffix(length))) }
        guard let entry, entry.kind == "ISSUE" else {
            return .failure(
                ReturnLookupRefusal(
                    LocalizedText(
                        english: "No sale of this till has that transaction id: a sale of another till is returned with amcash return --original ID.",
                        french:
                            "Aucune vente de ce terminal ne porte ce n° : une vente d’un autre terminal se retourne avec amcash return --original ID."
                    )))
        }
        guard entry.state == .issued || entry.state == .accepted else {
            return .failure(
                ReturnLookupRefusal(
                    LocalizedText(
                        english: "This sale did not earn miles (\(entry.state.rawValue)): there are none to give back.",
                        french: "Cette vente n’a pas obtenu de milles (\(entry.state.rawValue)) : il n’y en a aucun à reprendre.")))
        }
        let returns = (try? journal.returns(of: entry.checkoutTransactionId)) ?? []
        let number = (try? IssuanceJSON.parse(entry.body))?["collectorNumber"]
        let numberKept: Bool = if case .string(let digits)? = number { !digits.isEmpty && digits.allSatisfy(\.isNumber) } else { false }
        if numberKept, let sale = Self.returnableSale(entry, returns: returns) { return .success(sale) }
        if numberKept {
            return .failure(
                ReturnLookupRefusal(
                    LocalizedText(
                        english: "This sale was returned already: its miles went back.",
                        french: "Cette vente a déjà été retournée : ses milles sont repris.")))
        }
        // Issue #28: an issued ISSUE keeps the full card number a day (`purgeCardNumbers`); the RETURN is built from it.
        return .failure(
            ReturnLookupRefusal(
                LocalizedText(
                    english:
                        "This sale of \(Self.day(entry.createdAt)) is too old to return here: the till keeps its card number one day. Return it with amcash return --original \(entry.checkoutTransactionId) --card N.",
                    french:
                        "Cette vente du \(Self.day(entry.createdAt)) est trop ancienne pour un retour ici : le terminal garde son n° de carte un jour. Retournez-la avec amcash return --original \(entry.checkoutTransactionId) --card N."
                )))
    }

    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }

    /// 00:00 Eastern of the Issuance transaction day `date` falls in (`IssuanceDecisions.transactionDayZone`).
    static func issuanceDayStart(_ date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: IssuanceDecisions.transactionDayZone) ?? .current
        return calendar.startOfDay(for: date)
    }

    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm"
        return formatter.string(from: date)
    }
}
