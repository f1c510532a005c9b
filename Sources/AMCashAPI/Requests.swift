/// The requests the client sends are built in AMCashRequests (no HTTP stack there, so the journal and
/// the console's runtime build without one); users of the client see them through this module too.
@_exported public import AMCashRequests
