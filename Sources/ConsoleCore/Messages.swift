public import AMCashAPI
public import AMCashDomain

/// Something that happened: a key, a tick of the clock, an answer from the host or the journal.
public enum Msg: Sendable {
    case key(KeyPress)
    /// Once a second: the wall clock as the status line shows it.
    case tick(clock: String)
    case resized(columns: Int, rows: Int)
    case inquired(HostResult<InquiryReply>)
    case redeemed(HostResult<RedemptionReply>, traceId: String)
    case reversibleLoaded([ReversibleItem])
    case reversed(ReversalOutcome)
    case historyLoaded([HistoryLine])
    case echoed(Bool)
    case pendingCount(Int)
    case recovering(Bool)
    case receiptWritten
    case quitRequested
    /// Whether the typed PIN is the supervisor's (kiosk mode).
    case supervisorPinChecked(Bool)
    /// The screen was drawn (sent by the loop after each frame): an approval on it has been shown.
    case drawn
}

/// Work for the run loop, as data: it performs each one and feeds the result back as a `Msg`.
public enum Effect: Sendable, Equatable {
    case inquire(InquiryRequest)
    case cancelInquiry
    case redeem(RedemptionRequest)
    case loadReversible
    case reverse(ReversibleItem, Language)
    case loadHistory
    case echo
    case printReceipt([String])
    /// Checks a typed supervisor PIN against the configured hash; answers `supervisorPinChecked`.
    case checkSupervisorPin(String)
    /// Kiosk mode: three wrong PINs; the lockout is written down so a restart does not end it.
    case supervisorLockedOut(seconds: Int, lockouts: Int)
    /// The cashier saw APPROVED for this trace: the journal records it shown, so the debit stands.
    case markShown(traceId: String)
    case quit
}
