import AMCashWire
import GRDB

extension IssuanceLedger {
    /// A replay (the same key and body) of an earning answered 202 tells how it stands now
    /// (`IssuanceDecisions.pendingIsLearnedByReplay`): still 202 PENDING while its miles wait, 200 ISSUED
    /// with the same confirmation number and miles once they posted. The replay moves nothing.
    static func asItStandsNow(status: Int, _ replayed: IssuanceReplyBody, db: Database) throws -> Answer {
        guard status == 202, let confirmation = replayed.confirmationNumber,
            try String.fetchOne(db, sql: "SELECT status FROM issuances WHERE confirmation = ?", arguments: [confirmation])
                == IssuanceDecisions.statusIssued
        else { return .reply(status: status, body: replayed) }
        var posted = replayed
        posted.responseCode = "0000"
        posted.message = "Approved"
        posted.status = IssuanceDecisions.statusIssued
        return .reply(status: 200, body: posted)
    }
}
