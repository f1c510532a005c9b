import Foundation
import Testing

/// Issue 25 through the real binary: no input from a file or a person makes it trap.
@Suite struct HardeningCommandTests {
    static func home() throws -> String {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-home-\(UUID())").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        return home
    }

    /// A token service on a real loopback socket that answers every request with `body`, counting the
    /// requests that are not for a token. Blocking, on a thread of its own.
    final class TokenService: @unchecked Sendable {
        let port: Int
        private let listener: Int32
        private let lock = NSLock()
        private var others = 0
        var apiRequests: Int { lock.withLock { others } }

        init(body: String) throws {
            let listener = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            self.listener = listener
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var one: Int32 = 1
            setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0, listen(listener, 16) == 0 else { throw CocoaError(.fileWriteUnknown) }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
            port = Int(UInt16(bigEndian: address.sin_port))
            let answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            Thread.detachNewThread { [self] in
                while true {
                    let connection = accept(listener, nil, nil)
                    guard connection >= 0 else { return }
                    var buffer = [UInt8](repeating: 0, count: 8192)
                    let count = recv(connection, &buffer, buffer.count, 0)
                    let head = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
                    if !head.hasPrefix("POST /oauth/token") { lock.withLock { others += 1 } }
                    _ = answer.withCString { send(connection, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                    close(connection)
                }
            }
        }

        func stop() {
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
        }
    }

    /// Item 1: a token of 70,000 characters made AsyncHTTPClient trap (exit 132) in every command.
    @Test func aSeventyThousandCharacterTokenIsExitTwoAndNothingIsSent() async throws {
        let home = try Self.home()
        let service = try TokenService(
            body: #"{"access_token":""# + String(repeating: "A", count: 70_000) + #"","token_type":"Bearer","expires_in":3600}"#)
        defer { service.stop() }
        let config = home + "/terminal.toml"
        try "hostBaseURL = \"http://127.0.0.1:\(service.port)\"\njournalPath = \"\(home)/journal.sqlite\"\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        let run = try await CommandLineTests.amcash(
            ["inquire", "--config", config, "--card", "81000000001", "--entry", "scan", "--basket", "43.35"], home: home,
            extraEnvironment: CrashTests.credentials)
        #expect(run.status == 2, "exit \(run.status): \(run.output)\(run.errors)")
        #expect(
            (run.output + run.errors).contains("the token service answered something unusable (a token of 70000 bytes"), "\(run.output)\(run.errors)")
        #expect(service.apiRequests == 0, "no request reached the API")
    }

    /// Item 2: 600 REDEEM and 600 REVERSE records of $99,999,999,999,999.99 pass the parser's per-type
    /// totals; the per-class summary overflows. The file is refused with exit 2, the record named.
    @Test func aDailyFileWhoseTotalsOverflowIsRefusedNamingTheRecord() async throws {
        let home = try Self.home()
        let day = "2026-11-27"
        var lines = ["H1%%AMCASHRECON%%1%%LOY1%%20261128", "H2%%2026-11-27T00:00:00-05:00%%2026-11-28T00:00:00-05:00%%\(day)"]
        for index in 1...1_200 {
            let reverse = index > 600
            let trace = String(format: "%012d", index)
            lines.append(
                [
                    "D", reverse ? "REVERSE" : "REDEEM", "2026-11-27T13:00:00-05:00", "LOY1", "0001", "001", "LOY10001001", trace, "81000000001",
                    "1", "95", "99999999999999.99", "C\(index)", reverse ? "O\(index)" : "",
                ].joined(separator: "%%"))
        }
        let total = "59999999999999994.00"  // 600 × 99999999999999.99
        lines.append("T1%%1200%%600%%600")
        lines.append("T2%%57000%%\(total)%%57000%%\(total)")
        let file = home + "/hostile.txt"
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let run = try await CommandLineTests.amcash(["reconcile", file, "--day", day], home: home)
        #expect(run.status == 2, "exit \(run.status): \(run.errors)")
        #expect(run.errors.contains("is unusable: record 925 makes the missing at terminal total of dollars too large"), "\(run.errors)")
        #expect(run.errors.contains("Nothing was changed"), "\(run.errors)")
    }

    /// Item 8: numbers from the command line are range-checked, never trapped on.
    @Test(arguments: [
        ["backoffice", "exceptions", "--stale-minutes", "99999999999999", "--database", "postgresql://u@127.0.0.1:1/x"],
        ["backoffice", "exceptions", "--stale-minutes", "0", "--database", "postgresql://u@127.0.0.1:1/x"],
        ["sim", "--token-lifetime", "99999999999999999"],
        ["sim", "--token-lifetime", "86401"],
        ["sim", "--daily-limit", "9223372036854775807"],
        ["sim", "--max-tokens", "0"],
        ["reconcile", "/dev/null", "--max-breaks=-1"],
    ])
    func aNumberOutOfRangeIsAUsageErrorNotATrap(arguments: [String]) async throws {
        let run = try await CommandLineTests.amcash(arguments)
        #expect(run.status == 2, "exit \(run.status) for \(arguments): \(run.errors)")
        #expect(run.errors.contains("must be"), "\(run.errors)")
    }

    /// Item 6: an old hash (made when a PIN could be 4 digits) fails lint with the fix.
    @Test func anOldPinHashFailsLintWithTheFix() async throws {
        let home = try Self.home()
        let old = "pbkdf2-sha256$210000$00112233445566778899aabbccddeeff$" + String(repeating: "0f", count: 32)
        try "kiosk = true\nsupervisorPinHash = \"\(old)\"\n".write(toFile: home + "/terminal.toml", atomically: true, encoding: .utf8)
        let run = try await CommandLineTests.amcash(["lint", home + "/terminal.toml"], home: home)
        #expect(run.status == 1, "\(run.output)\(run.errors)")
        #expect(
            run.output.contains("terminal.toml:2:21: supervisorPinHash is an old hash") && run.output.contains("amcash hash-pin"), "\(run.output)")
    }

    /// Item 7: 30,000 dotted keys (60 KB) made lint segfault inside toml++.
    @Test func thirtyThousandDottedKeysFailLintWithAPlaceNotASegfault() async throws {
        let home = try Self.home()
        try (Array(repeating: "a", count: 30_000).joined(separator: ".") + "=1\n").write(
            toFile: home + "/terminal.toml", atomically: true, encoding: .utf8)
        let run = try await CommandLineTests.amcash(["lint", home + "/terminal.toml"], home: home)
        #expect(run.status == 1, "exit \(run.status): \(run.output)\(run.errors)")
        #expect(run.output.contains("terminal.toml:1:64: a dotted key of more than 32 parts"), "\(run.output)")
    }
}
