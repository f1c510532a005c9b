import AMCashDomain
public import Foundation

/// What a register's acknowledgement of its sale's discount found.
public enum RegisterAcknowledgement: Sendable, Equatable {
    /// The approval is now shown: the register applied the discount and the debit stands.
    case acknowledged(JournalEntry)
    /// Acknowledged before (the same ack twice answers the same).
    case alreadyAcknowledged(JournalEntry)
    /// Nothing to acknowledge: no approval under this sale, or it was voided, declined or is still open.
    case refused(JournalEntry?, reason: String)
}

extension Journal {
    /// The register applied the discount of sale `saleId`: its approval becomes shown (the debit stands).
    /// Too late — recovery voided it first — or not approved: refused, and the register must not apply it.
    public func acknowledge(saleId: String, at now: Date) -> RegisterAcknowledgement {
        let entry: JournalEntry?
        do { entry = try redemption(saleId: saleId) } catch { return .refused(nil, reason: "the journal cannot be read: \(error)") }
        guard let entry else { return .refused(nil, reason: "sale \(saleId) has no approval") }
        switch entry.state {
        case .shown, .reversing, .reversed: return .alreadyAcknowledged(entry)
        case .approved:
            // Only within its time (`registerAckSeconds`): past it the console has told the cashier it is voided.
            if let until = entry.leaseUntil, until <= now {
                return .refused(entry, reason: "sale \(saleId) was acknowledged too late (its approval lapsed and is being voided)")
            }
            do {
                let shown = try markShown(entry.id, at: now)
                return shown.state == .shown ? .acknowledged(shown) : .refused(shown, reason: "sale \(saleId) is \(shown.state)")
            } catch {
                let current = try? redemption(saleId: saleId)
                return .refused(current ?? entry, reason: "sale \(saleId) could not be acknowledged: \(error)")
            }
        default: return .refused(entry, reason: "sale \(saleId) is \(entry.state), not an approval waiting for the register")
        }
    }
}
