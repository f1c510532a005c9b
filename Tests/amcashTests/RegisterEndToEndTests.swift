import Foundation
import ScratchPostgres
import Testing

/// The store's register and the real console: amcash runs in tmux with `registerListen`; the sample
/// register (scripts/register-demo) pushes a sale, long-polls, acknowledges; the cashier scans and confirms.
@Suite(.serialized) struct RegisterEndToEndTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs scripts/register-demo to its end on a thread of its own; its output and exit status.
    static func demo(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    with: Result {
                        let process = Process()
                        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                        process.arguments = ["python3", repository.appendingPathComponent("scripts/register-demo").path] + arguments
                        let out = Pipe()
                        process.standardOutput = out
                        process.standardError = out
                        try process.run()
                        let data = out.fileHandleForReading.readDataToEndOfFile()
                        process.waitUntilExit()
                        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
                    })
            }
        }
    }

    /// A console that listens for the register on a free loopback port, with a 0600 token file, showing its
    /// first screen with the host reached; the port and the token file are what the sample register needs.
    static func consoleListeningForTheRegister(
        configuration: String = ""
    ) async throws -> (console: ConsoleEndToEndTests.Console, port: Int, token: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-register-e2e-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let token = folder + "/register.token"
        #expect(
            FileManager.default.createFile(
                atPath: token, contents: Data("e2e-register-token-0123456789\n".utf8), attributes: [.posixPermissions: 0o600]))
        let port = try LoopbackPort.free()
        let console = try ConsoleEndToEndTests.Console(
            configuration: "registerListen = \"127.0.0.1:\(port)\"\nregisterTokenFile = \"\(token)\"\n" + configuration)
        try await console.waitUntilReady()
        return (console, port, token)
    }

    @Test func theRegistersSaleIsScannedConfirmedAcknowledgedAndJournaledUnderItsSaleId() async throws {
        let (console, port, token) = try await Self.consoleListeningForTheRegister()

        let arguments = ["--listen", "127.0.0.1:\(port)", "--token-file", token, "--sale-id", "E2E-1", "--total", "43.35", "--wait", "60"]
        let register = Task { try await Self.demo(arguments) }
        let pushed = try await console.waitFor("Sale E2E-1 from the register")
        #expect(pushed.contains("43.35"))
        try await console.redeemOffered(card: "81000000001", offer: "< $40.00  (380 miles) >")
        let run = try await register.value
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("APPLY a discount of $40.00 (confirmation RD"), "\(run.output)")
        try await console.waitFor("The register applied the discount of sale E2E-1")

        // The register lost the answer and asks again: the same sale, the same discount, no second debit.
        let again = try await Self.demo(arguments)
        #expect(again.status == 0 && again.output.contains("APPLY a discount of $40.00"), "\(again.output)")
        try await console.press("Enter")
        try await console.press("F10")
        #expect(await console.waitForExit(), "F10 quits")

        let journal = try await CommandLineTests.amcash(["journal"], home: console.home)
        #expect(journal.output.contains("register sale E2E-1"), "\(journal.output)")
        let redeems = journal.output.split(separator: "\n").filter { $0.contains(" REDEEM ") }
        #expect(redeems.count == 1 && redeems.first?.contains("shown") == true, "one REDEEM, acknowledged: \(journal.output)")
    }

    @Test func anApprovalTheRegisterNeverAcknowledgesIsVoidedAndTheCashierIsTold() async throws {
        let (console, port, token) = try await Self.consoleListeningForTheRegister(configuration: "registerAckSeconds = 10\n")
        let arguments = ["--listen", "127.0.0.1:\(port)", "--token-file", token, "--sale-id", "E2E-NOACK", "--total", "43.35", "--no-ack"]
        let register = Task { try await Self.demo(arguments) }
        try await console.waitFor("Sale E2E-NOACK from the register")
        try await console.redeemOffered(card: "81000000001", offer: "< $40.00  (380 miles) >")
        let run = try await register.value
        #expect(run.status == 1 && run.output.contains("not acknowledged"), "\(run.output)")
        // registerAckSeconds later the APPROVED screen gives way: no discount.
        let voided = try await console.waitFor("NOT APPROVED", seconds: 30)
        #expect(voided.contains("did not confirm sale E2E-NOACK"))
        // Recovery voids it on its next pass (every 30 s): nothing stays open.
        try await console.waitFor("pending 0", seconds: 50)
        try await console.press("Enter")
        try await console.press("F10")
        #expect(await console.waitForExit(), "F10 quits")
        let journal = try await CommandLineTests.amcash(["journal"], home: console.home)
        let redeems = journal.output.split(separator: "\n").filter { $0.contains(" REDEEM ") }
        #expect(redeems.count == 1 && redeems.first?.contains("voided") == true, "voided, the miles back: \(journal.output)")
    }
}
