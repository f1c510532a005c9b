// The terminal's durable journal (GRDB/SQLite) lands here; see the journal issue.
import AMCashDomain
import AMCashAPI

/// Marks the journal module's place in the dependency order until the journal lands.
public enum AMCashJournal {}
