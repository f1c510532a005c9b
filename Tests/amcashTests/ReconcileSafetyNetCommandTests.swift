import Foundation
import Testing

/// Issue #24: the real `amcash reconcile` never says "No breaks" for a debit nobody was shown. The till
/// dies between committing an approval and drawing it; the host's daily file shows the debit.
@Suite struct ReconcileSafetyNetCommandTests {
    @Test func anApprovalTheTillNeverDrewIsAnUnshownDebitAndReconcileQueuesItsVoid() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-home-\(UUID())").path
        let crashed = try await CommandLineTests.amcash(
            ["redeem", "--card", "81000000001", "--entry", "scan", "--basket", "45", "--amount", "30"], home: home,
            extraEnvironment: ["AMCASH_TEST_CRASH_AT": "after-outcome-commit"])
        #expect(crashed.killed && !crashed.output.contains("APPROVED"), "\(crashed.output)\(crashed.errors)")
        let file = home + "/daily.txt"
        func export() async throws {
            let run = try await CommandLineTests.amcash(
                [
                    "sim", "export-recon", "--db", home + "/data/amcash/cert-simulator.sqlite", "--day", ReconcileCommandTests.today(), "--output",
                    file,
                ],
                home: home)
            #expect(run.status == 0, "\(run.errors)")
        }
        try await export()

        let first = try await CommandLineTests.amcash(["reconcile", file, "--json"], home: home)
        #expect(first.status == 1, "a break, not \"No breaks\": \(first.output)\(first.errors)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(first.output.utf8)) as? [String: Any])
        let breaks = try #require(report["breaks"] as? [[String: Any]])
        #expect(breaks.map { $0["classification"] as? String } == ["unshown-debit"])
        let note = try #require(breaks.first?["note"] as? String)
        #expect(note.contains("reverse it, or credit the collector") && note.contains("queued"), "\(note)")
        #expect(report["voidsQueued"] as? Int == 1)
        #expect((report["period"] as? String)?.contains(" to ") == true)

        let text = try await CommandLineTests.amcash(["reconcile", file], home: home)
        #expect(text.output.contains("unshown debit") && text.output.contains("period "), "\(text.output)")

        // The till's next start (any command) sends the queued void; the next file then agrees with the journal.
        #expect(try await CommandLineTests.amcash(["echo"], home: home).status == 0)
        try await export()
        let after = try await CommandLineTests.amcash(["reconcile", file], home: home)
        #expect(after.status == 0 && after.output.contains("No breaks"), "\(after.output)\(after.errors)")
    }
}
