public import AMCashDomain
public import AMCashWire
public import ReceiptPrinting

/// Something that happened: a key, a tick of the clock, the terminal's size, an answer from the host
/// or the journal. Every change to the model arrives as one of these.
public enum Msg: Sendable {
    case key(KeyPress)
    /// Once a second: the wall clock as the status line shows it.
    case tick(clock: String)
    /// The wall clock read at start, without counting a second.
    case clock(String)
    case resized(columns: Int, rows: Int)
    case inquired(HostResult<InquiryReply>)
    case redeemed(HostResult<RedemptionReply>, traceId: String)
    case reversibleLoaded([ReversibleItem])
    case reversed(ReversalOutcome)
    case historyLoaded([HistoryLine])
    case echoed(Bool)
    case pendingCount(Int)
    case recovering(Bool)
    /// The printer's state after a receipt or a reprint (nil: it printed, and a problem shown before is
    /// cleared) and how many receipts wait to be reprinted.
    case printerState(PrinterProblem?, unprinted: Int)
    case quitRequested
    /// Whether the typed PIN is the supervisor's (kiosk mode).
    case supervisorPinChecked(Bool)
    /// The screen was drawn (sent by the loop after each frame): an approval on it has been shown.
    case drawn
    /// Training: the verdict on the exercise, from the journal and the simulator's ledger.
    case exerciseChecked(ExerciseVerdict)
    /// The store's register pushed a sale with its basket.
    case registerSaleArrived(RegisterSaleOrigin)
    /// The register cancelled its sale (before the REDEEM was sent).
    case registerSaleCancelled(saleId: String)
    /// The register applied the approved discount: the debit stands.
    case registerAcknowledged(saleId: String)
    /// The register never acknowledged the approval: it was voided, the collector keeps the miles.
    case registerApprovalVoided(saleId: String)
    /// The journal could not record this APPROVED as shown (it was drawn too late — kept under the help past
    /// the time to show it, and recovery voided it — or the write failed): no debit stands, so the screen must
    /// not keep telling the cashier to give the discount.
    case approvalNotShown(confirmationNumber: String)
    /// The register voids an acknowledged sale: the cashier reverses it with the card.
    case registerReversalRequested(saleId: String, confirmationNumber: String)
    /// The sale's ISSUE ended for now (the miles the host recorded, pending, or refused), with the
    /// receipt its `Effect.earn` carried, to print with the miles line.
    case earned(EarningRequest, EarningOutcome, receipt: ReceiptDocument?, traceId: String?)
    /// The host's CALCULATE for the offer's sale as it stood (`request`): a preview, nothing recorded.
    case calculated(EarningRequest, EarningOutcome)
    /// Today's sales that earned at this till and are not returned yet, newest first (the return screen's list).
    case returnableLoaded([ReturnableSale])
    /// The sale a scanned receipt names, found in the journal, or why it cannot be returned here.
    case returnableFound(Result<ReturnableSale, ReturnLookupRefusal>)
    /// The RETURN ended for now: the miles the host took back, pending (stored and forwarded), or refused.
    case saleReturned(EarningOutcome)
}

/// Names an effect that a later one may cancel: a new one with the same id replaces the old.
public enum EffectID: Hashable, Sendable {
    /// The INQUIRE of the sale on screen: cancelled when the cashier stops waiting.
    case inquiry
    /// The CALCULATE of the offer on screen: a newer amount replaces it; its failure only leaves the line out.
    case calculation
}

/// Work for the run loop, as data: it performs each one and feeds the result back as a `Msg`.
public enum Effect: Sendable, Equatable {
    case inquire(InquiryRequest)
    /// Stops the effect running under this id; its answer, if it comes, is not delivered.
    case cancel(EffectID)
    case redeem(RedemptionRequest)
    case loadReversible
    case reverse(ReversibleItem, Language)
    case loadHistory
    case echo
    /// Prints a receipt (its redemption's trace, to journal it with its row if it does not print).
    case printReceipt(ReceiptDocument, traceId: String?)
    /// Prints again the receipts that did not print (key R on a result screen while any wait).
    case reprintReceipts
    /// Asks the printer's state and counts the receipts waiting (at start); answers `printerState` when anything is wrong.
    case checkPrinter
    /// Checks a typed supervisor PIN against the configured hash; answers `supervisorPinChecked`.
    case checkSupervisorPin(String)
    /// Kiosk mode: three wrong PINs; the lockout is written down so a restart does not end it.
    case supervisorLockedOut(seconds: Int, lockouts: Int)
    /// The cashier saw APPROVED for this trace: the journal records it shown, so the debit stands.
    case markShown(traceId: String)
    /// The cashier saw how the sale of REDEEM `traceId` ended (the result frame is on screen): the sale's ISSUE
    /// journaled with that REDEEM earns whatever the end (`JournaledTransactions.markSaleSeen`). Before it, a till
    /// that stops leaves a sale the cashier rings again, which must not earn here too.
    case markSaleSeen(traceId: String)
    /// Training: check the exercise from the journal and the ledger (and the answer to "Did you give
    /// the discount?", when it was asked); answers `exerciseChecked`.
    case checkExercise(discountGiven: Bool?)
    /// The REDEEM of a register's sale: journaled under its saleId; shown only when the register acknowledges it.
    case redeemForRegister(RedemptionRequest, saleId: String)
    /// The register's sale moved on the console before its REDEEM (the card was read, or the form is back).
    case registerSaleMoved(saleId: String, RegisterSaleStep)
    /// The console closed the register's sale (the cashier cancelled it, or moved on to a new sale).
    case registerSaleClosed(saleId: String)
    /// The sale earns (ISSUE, after its REDEEM ended or instead of one): journaled and sent by
    /// `JournaledTransactions.earn`; answers `earned`. It carries the redemption's receipt (and its
    /// trace), printed when the miles are known, so the receipt prints even if the cashier moved on.
    /// No id: an ISSUE is stored and forwarded to its end, never cancelled. `behind`: the REDEEM that just
    /// ended, whose intent journaled the sale's ISSUE held (`JournaledTransactions.earn(_:behind:)`): that
    /// ISSUE is released on this request and sent, never a second one. `ifNotShown`: with a redemption's
    /// receipt, the sale's receipt without it — what prints if that approval is not recorded shown (voided: the
    /// customer paid the whole sale), so no receipt says APPROVED for a debit that did not stand.
    case earn(EarningRequest, receipt: ReceiptDocument?, traceId: String?, behind: String? = nil, ifNotShown: ReceiptDocument? = nil)
    /// A sale whose REDEEM was not confirmed earns later: its ISSUE (on the whole sale) is journaled held
    /// behind that REDEEM (`JournaledTransactions.earnAfterRedemption`), sent by recovery once the REDEEM is
    /// final; answers `earned` with "pending", and the receipt prints "Miles earned: pending". A register's
    /// sale (`saleId`) has no receipt here: the register is told the earning is pending.
    case earnAfterRedemption(EarningRequest, redemptionTraceId: String, receipt: ReceiptDocument?, saleId: String? = nil)
    /// A register's sale earns (its discount declined, or acknowledged by the register): as `earn`, and the
    /// register is told the miles (or pending) to report with the sale's answer; answers `earned`.
    case earnForRegister(EarningRequest, saleId: String)
    /// The offer's "This sale earns N miles" (CALCULATE: moves nothing, journals nothing); answers `calculated`.
    case calculate(EarningRequest)
    /// Reads today's returnable sales from the journal; answers `returnableLoaded`.
    case loadReturnable
    /// Returns a sale (RETURN naming it by `originalCheckoutTransactionId`): journaled and sent by
    /// `JournaledTransactions.returnSale`, stored and forwarded until answered; answers `saleReturned`.
    /// No id: like an ISSUE, it is never cancelled.
    case returnSale(EarningRequest)
    /// A receipt's barcode names a sale the return list does not hold (an earlier day's): the journal finds it by its
    /// `checkoutTransactionId`; answers `returnableFound`.
    case findReturnable(checkoutTransactionId: String)

    /// The id a later `cancel` names this effect by, if any. A REDEEM or REVERSE has none: once it may
    /// have been written to the host it runs to its end, and the journal records that end.
    public var id: EffectID? {
        switch self {
        case .inquire: .inquiry
        case .calculate: .calculation
        default: nil
        }
    }
}
