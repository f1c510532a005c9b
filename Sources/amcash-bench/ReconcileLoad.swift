import AMCashDomain
import AMCashJournal
import Foundation
import GRDB
import Glibc

/// `amcash-bench reconcile`: `amcash reconcile` (the release binary beside this one) on a daily file
/// of N records against a journal holding the matching N rows, once with every record matched and
/// once with 1% of each break class. Floor: reading the same file and splitting each line on `%%`,
/// nothing else, in this process.
struct ReconcileLoad {
    var records = 1_000_000
    /// Keep the generated files here (to profile `amcash reconcile` on them).
    var keep: String?
    /// Only make one case's file and journal (`--make FILE JOURNAL clean|breaks`), in a process of its own.
    var make: (file: String, journal: String, breaks: Bool)?

    init(_ arguments: ArraySlice<String>) throws {
        try readFlags(
            arguments, into: &self,
            [
                .number("--records", \.records), .text("--keep", \.keep),
                BenchFlag(name: "--make") { settings, value in
                    let parts = commaSeparated(value)
                    guard parts.count == 3, ["clean", "breaks"].contains(parts[2]) else { throw BenchError("--make FILE,JOURNAL,clean|breaks") }
                    settings.make = (parts[0], parts[1], parts[2] == "breaks")
                },
            ])
        guard records >= 100 else { throw BenchError("--records: at least 100") }
    }

    static let day = "2026-11-27"

    func run() throws {
        if let make {
            try Self.makeCase(records: records, breaks: make.breaks, file: make.file, journal: make.journal)
            return
        }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("amcash").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw BenchError("no amcash binary at \(binary): build it first") }
        let work = keep.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory.appendingPathComponent("amcash-recon-\(UUID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(at: work) } }
        print("reconcile benchmark: \(records) detail records against a journal of the matching rows")
        print("row                                         elapsed s   peak MB   ÷ floor   breaks   target")
        for withBreaks in [false, true] {
            let file = work.appendingPathComponent(withBreaks ? "breaks.txt" : "clean.txt").path
            let journal = work.appendingPathComponent(withBreaks ? "breaks.sqlite" : "clean.sqlite").path
            try? FileManager.default.removeItem(atPath: journal)
            FileHandle.standardError.write(Data("  making \(records) records and journal rows (\(withBreaks ? "with breaks" : "clean"))…\n".utf8))
            // Made by another process: the million lines it holds must not be this one's peak memory, which a
            // child spawned from it would start from (Linux carries the peak across a vfork's exec).
            let bench = URL(fileURLWithPath: CommandLine.arguments[0]).path
            let made = try Self.timedChild(
                bench, ["reconcile", "--records", "\(records)", "--make", "\(file),\(journal),\(withBreaks ? "breaks" : "clean")"])
            guard made.status == 0 else { throw BenchError("making the \(withBreaks ? "breaks" : "clean") case failed (exit \(made.status))") }
            if keep != nil { try FileManager.default.copyItem(atPath: journal, toPath: journal + ".fresh") }
            // On disk before the clock starts: the run's own commit must not pay for flushing the journal just written.
            for path in [journal, journal + "-wal", file] {
                let descriptor = open(path, O_RDONLY)
                if descriptor >= 0 {
                    fsync(descriptor)
                    close(descriptor)
                }
            }
            let floor = try Self.floor(file)
            let (elapsed, peak, breaks) = try Self.reconcile(binary: binary, file: file, journal: journal)
            let name = withBreaks ? "1% of each break class" : "every record matched"
            print(
                "read and split on %% (floor), \(withBreaks ? "breaks" : "clean")".padding(toLength: 44, withPad: " ", startingAt: 0)
                    + String(format: "%9.2f", floor) + "         -     1.00×        -")
            print(
                "amcash reconcile, \(name)".padding(toLength: 44, withPad: " ", startingAt: 0)
                    + String(format: "%9.2f %9d %8.1f× %8d", elapsed, peak, elapsed / floor, breaks) + "   ≤ 2 s, ≤ 300 MB")
        }
    }

    /// The floor: every line read and split on "%%", nothing checked, nothing kept.
    static func floor(_ path: String) throws -> Double {
        let start = ContinuousClock.now
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var fields = 0
        var carry: [UInt8] = []
        while let chunk = try handle.read(upToCount: 256 * 1024), !chunk.isEmpty {
            var bytes = carry
            bytes.append(contentsOf: chunk)
            var lineStart = 0
            bytes.withUnsafeBufferPointer { buffer in
                var index = 0
                while index < buffer.count {
                    if buffer[index] == 0x0A {
                        var position = lineStart
                        while position + 1 < index {
                            if buffer[position] == 0x25 && buffer[position + 1] == 0x25 {
                                fields += 1
                                position += 2
                            } else {
                                position += 1
                            }
                        }
                        fields += 1
                        lineStart = index + 1
                    }
                    index += 1
                }
            }
            carry = Array(bytes[lineStart...])
        }
        precondition(fields > 0)
        return (ContinuousClock.now - start).seconds
    }

    static func reconcile(binary: String, file: String, journal: String) throws -> (Double, Int, Int) {
        let run = try timedChild(binary, ["reconcile", file, "--journal", journal, "--json", "--max-breaks", "10"])
        guard run.status <= 1, let report = try JSONSerialization.jsonObject(with: run.output) as? [String: Any],
            let summary = report["summary"] as? [[String: Any]]
        else {
            throw BenchError("amcash reconcile exited \(run.status): \(String(decoding: run.output.prefix(300), as: UTF8.self))")
        }
        let breaks = summary.filter { ($0["classification"] as? String) != "matched" }.reduce(0) { $0 + (($1["count"] as? Int) ?? 0) }
        return (run.elapsed, run.peakMegabytes, breaks)
    }

    /// Runs a child to its end: seconds, its own peak resident megabytes (`wait4` on its pid: not the
    /// largest child so far, nor this process's), exit status, standard output.
    static func timedChild(_ binary: String, _ arguments: [String]) throws -> (elapsed: Double, peakMegabytes: Int, status: Int32, output: Data) {
        var pipe: [Int32] = [0, 0]
        guard Glibc.pipe(&pipe) == 0 else { throw BenchError("cannot make a pipe for \(binary)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
        posix_spawn_file_actions_addclose(&actions, pipe[0])
        posix_spawn_file_actions_addclose(&actions, pipe[1])
        let argv: [UnsafeMutablePointer<CChar>?] = ([binary] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = ContinuousClock.now
        let spawned = posix_spawn(&pid, binary, &actions, nil, argv, environ)
        close(pipe[1])
        guard spawned == 0 else {
            close(pipe[0])
            throw BenchError("cannot start \(binary): \(String(cString: strerror(spawned)))")
        }
        let output = FileHandle(fileDescriptor: pipe[0], closeOnDealloc: true).readDataToEndOfFile()
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchError("wait4 on \(binary) failed: \(String(cString: strerror(errno)))") }
        }
        let elapsed = (ContinuousClock.now - start).seconds
        // Exited: its status; killed by a signal: 128 + the signal, as a shell says.
        let exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        // ru_maxrss is in kilobytes on Linux.
        return (elapsed, Int(usage.ru_maxrss) / 1024, exitStatus, output)
    }

    /// A daily file of `records` details and a journal with the rows they match; with `breaks`,
    /// 1% of the records fall into each break class.
    static func makeCase(records: Int, breaks: Bool, file: String, journal: String) throws {
        enum Fate { case matched, missingAtHost, missingAtTerminal, amountMismatch, typeMismatch, duplicate, timing, unresolved }
        func fate(_ index: Int) -> Fate {
            guard breaks else { return .matched }
            switch index % 100 {
            case 1: return .missingAtHost
            case 2: return .missingAtTerminal
            case 3: return .amountMismatch
            case 4: return .typeMismatch
            case 5: return .duplicate
            case 6: return .timing
            case 7: return .unresolved
            default: return .matched
            }
        }
        _ = try Journal(path: journal)  // the schema, by the journal's own migrations
        let queue = try DatabaseQueue(path: journal)
        var lines = ["H1%%AMCASHRECON%%1%%LOY1%%20261128", "H2%%2026-11-27T00:00:00-05:00%%2026-11-28T00:00:00-05:00%%\(day)"]
        lines.reserveCapacity(records + 8)
        var count = 0
        var miles = 0
        var cents = 0
        let createdAt = ISO8601DateFormatter().date(from: "2026-11-27T13:00:00-05:00")!
        try queue.write { db in
            let insert = try db.makeStatement(
                sql: """
                    INSERT INTO entries (kind, traceId, idempotencyKey, body, maskedCard, createdAt, redemptionDay, reconciliationDay,
                        requestedCents, state, responseCode, confirmationNumber, units, cents, miles, answeredAt, attempts, isException,
                        isReconciled, resolvedByRecovery, isVoid, sentInDoubt, cardTerminalId)
                    VALUES (?, ?, ?, X'7B7D', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 0, 0, 0, 0, 0, 'LOY10001001')
                    """)
            for index in 0..<records {
                let units = 1 + index % 75
                let trace = String(format: "%012d", index + 1)
                let confirmation = String(format: "RD%010d", index)
                let card = String(format: "8100%07d", index % 10_000_000)
                let kind: String
                let state: String
                var journalUnits = units
                var journalDay = day
                var journalConfirmation: String? = confirmation
                var inJournal = true
                var inFile = true
                var twiceInFile = false
                switch fate(index) {
                case .matched: (kind, state) = ("REDEEM", "shown")
                case .missingAtHost:
                    (kind, state) = ("REDEEM", "shown")
                    inFile = false
                case .missingAtTerminal:
                    (kind, state) = ("REDEEM", "shown")
                    inJournal = false
                case .amountMismatch:
                    (kind, state) = ("REDEEM", "shown")
                    journalUnits = units + 1
                case .typeMismatch: (kind, state) = ("REVERSE", "reversed")
                case .duplicate:
                    (kind, state) = ("REDEEM", "shown")
                    twiceInFile = true
                case .timing:
                    (kind, state) = ("REDEEM", "shown")
                    journalDay = "2026-11-26"
                case .unresolved:
                    (kind, state) = ("REDEEM", "unknown")
                    inFile = false
                    journalConfirmation = nil
                }
                if inJournal {
                    try insert.execute(arguments: [
                        kind, trace, String(format: "00000000-0000-4000-8000-%012x", index), "•••••••" + card.suffix(4), createdAt, journalDay,
                        journalDay, units * 1000, state,
                        journalConfirmation == nil ? nil : "0000", journalConfirmation, journalUnits, journalUnits * 1000,
                        journalUnits * 95, createdAt,
                    ])
                }
                if inFile {
                    for _ in 0..<(twiceInFile ? 2 : 1) {
                        lines.append(
                            "D%%REDEEM%%2026-11-27T13:00:00-05:00%%LOY1%%0001%%001%%LOY10001001%%\(trace)%%\(card)%%\(units)%%\(units * 95)%%\(units * 10).00%%\(confirmation)%%"
                        )
                        count += 1
                        miles += units * 95
                        cents += units * 1000
                    }
                }
            }
        }
        try queue.close()
        lines.append("T1%%\(count)%%\(count)%%0")
        lines.append("T2%%\(miles)%%\(cents / 100).\(String(format: "%02d", cents % 100))%%0%%0.00")
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: false, encoding: .utf8)
    }
}
