import ArgumentParser

struct ConsoleCommand: PlannedCommand {
    static let configuration = CommandConfiguration(
        commandName: "console", abstract: "(planned) the cashier console: scan, offer, redeem, reverse")
}

struct EchoCommand: PlannedCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo", abstract: "(planned) check the connection to the AIR MILES host")
}

struct InquireCommand: PlannedCommand {
    static let configuration = CommandConfiguration(
        commandName: "inquire", abstract: "(planned) show a collector's balances and the offer for a basket")
}

struct RedeemCommand: PlannedCommand {
    static let configuration = CommandConfiguration(
        commandName: "redeem", abstract: "(planned) redeem AIR MILES Cash against a basket")
}

struct ReverseCommand: PlannedCommand {
    static let configuration = CommandConfiguration(
        commandName: "reverse", abstract: "(planned) reverse a redemption by its confirmation number")
}

struct SimulatorCommand: PlannedCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim", abstract: "(planned) serve the CERT simulator for a training room")
}

struct JournalCommand: PlannedCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal", abstract: "(planned) list the terminal's journaled transactions")
}

struct ReconcileCommand: PlannedCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile", abstract: "(planned) reconcile the AIR MILES daily file against the journal")
}

struct LintCommand: PlannedCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint", abstract: "(planned) check themes, keymaps and the terminal configuration")
}
