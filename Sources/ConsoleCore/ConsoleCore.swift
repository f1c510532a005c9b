// The console's Model, Msg, Effect and update() land here; see the console issue.
import AMCashDomain
import AMCashAPI
import AMCashJournal

/// Marks the console core's place in the dependency order until the console lands.
public enum ConsoleCore {}
