public import AMCashPostgres
import Foundation
public import Glibc
import Logging
import PostgresNIO

/// PostgreSQL for the tests and the benchmarks: `AMCASH_TEST_DATABASE_URL`'s server when it is set, otherwise a
/// throwaway cluster of this test process's own (initdb and pg_ctl in a temporary folder, a free
/// loopback port, password authentication), stopped and deleted when the process exits. Each test
/// gets a database of its own: tests never share state.
public enum TestPostgres {
    /// A new, empty database; its address carries the password (a test's own cluster).
    public static func freshDatabase(durable: Bool = false) async throws -> PostgresAddress {
        var server = try (durable ? durableServerAddress : serverAddress).get()
        let name = "amcash_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        _ = try await PostgresSession.with(server) { client in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        server.database = name
        return server
    }

    /// The address as a URL with its password, for a child process's command line.
    public static func url(_ address: PostgresAddress) -> String {
        "postgresql://\(address.user):\(address.password ?? "")@\(address.host):\(address.port)/\(address.database)?sslmode=disable"
    }

    static let logger = Logger(label: "amcash.test.postgres")

    /// The server: started once per test process, on first use.
    static let serverAddress: Result<PostgresAddress, any Error> = Result {
        if let url = ProcessInfo.processInfo.environment["AMCASH_TEST_DATABASE_URL"], !url.isEmpty {
            return try PostgresAddress(parsing: url)
        }
        return try ThrowawayCluster.start(durable: false)
    }

    /// The same with fsync and synchronous commits on, as a real server runs (for the benchmarks).
    static let durableServerAddress: Result<PostgresAddress, any Error> = Result {
        if let url = ProcessInfo.processInfo.environment["AMCASH_TEST_DATABASE_URL"], !url.isEmpty {
            return try PostgresAddress(parsing: url)
        }
        return try ThrowawayCluster.start(durable: true)
    }
}

/// Why the tests could not have a PostgreSQL server.
public struct TestPostgresUnavailable: Error, CustomStringConvertible {
    public let description: String
}

/// initdb + pg_ctl in a temporary folder. As root (CI), the server runs as the `postgres` user,
/// which the Debian package creates: PostgreSQL refuses to run as root.
enum ThrowawayCluster {
    static func start(durable: Bool) throws -> PostgresAddress {
        guard let bin = binDirectory() else {
            throw TestPostgresUnavailable(
                description: "no PostgreSQL server programs (initdb, pg_ctl): apt-get install postgresql, or set AMCASH_TEST_DATABASE_URL")
        }
        let runAs: String? = geteuid() == 0 ? "postgres" : nil
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-pg-\(getpid())-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let password = UUID().uuidString
        try Data(password.utf8).write(to: URL(fileURLWithPath: folder + "/pwfile"))
        if let runAs { try run("/bin/chown", ["-R", runAs, folder], as: nil) }
        let data = folder + "/data"
        try run(
            bin + "/initdb",
            [
                "-D", data, "-U", "amcash", "--auth-host=scram-sha-256", "--auth-local=trust", "--pwfile=" + folder + "/pwfile",
                "-E", "UTF8", "--locale=C", "--no-sync",
            ], as: runAs)
        let port = try LoopbackPort.free()
        try run(
            bin + "/pg_ctl",
            [
                "-D", data, "-l", folder + "/server.log", "-w", "-t", "60", "start", "-o",
                "-c listen_addresses=127.0.0.1 -p \(port) -k \(folder) -c max_connections=300"
                    + (durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"),
            ],
            as: runAs)
        atexit_b {
            _ = try? ThrowawayCluster.run(bin + "/pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"], as: runAs)
            try? FileManager.default.removeItem(atPath: folder)
        }
        return PostgresAddress(host: "127.0.0.1", port: port, user: "amcash", password: password, database: "postgres", tls: .disable)
    }

    static func binDirectory() -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        where FileManager.default.isExecutableFile(atPath: directory + "/initdb")
            && FileManager.default.isExecutableFile(atPath: directory + "/pg_ctl")
        {
            return directory
        }
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).compactMap(Int.init).sorted(by: >)
        return versions.map { "/usr/lib/postgresql/\($0)/bin" }.first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
    }

    /// Runs a program to its end with posix_spawn and waitpid (Foundation's Process can miss the
    /// exit of a child that forks a daemon, and then waits forever); its output goes to a file, and
    /// it inherits no other descriptor (glibc 2.34's closefrom action).
    @discardableResult
    static func run(_ program: String, _ arguments: [String], as user: String?) throws -> String {
        let argv = user.map { ["/usr/sbin/runuser", "-u", $0, "--", program] } ?? [program]
        let all = argv + arguments
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-pg-out-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of this process may reach the server, which outlives the call.
        closeInheritedDescriptors(&actions)
        var pid: pid_t = 0
        let cArguments = all.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        let spawned = posix_spawn(&pid, all[0], &actions, nil, cArguments, environ)
        guard spawned == 0 else { throw TestPostgresUnavailable(description: "cannot start \(all[0]): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0
        let code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            throw TestPostgresUnavailable(description: "\((program as NSString).lastPathComponent) failed (status \(status)): \(text)")
        }
        return text
    }

}

@_silgen_name("atexit")
private func c_atexit(_ function: @convention(c) () -> Void) -> Int32

/// Exit handlers for the cluster (Foundation has no block-taking atexit on Linux).
private let exitHandlers = ExitHandlers()

private final class ExitHandlers: @unchecked Sendable {
    private let lock = NSLock()
    private var handlers: [() -> Void] = []
    private var registered = false

    func add(_ handler: @escaping () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        handlers.append(handler)
        if !registered {
            registered = true
            _ = c_atexit { exitHandlers.runAll() }
        }
    }

    func runAll() {
        lock.lock()
        let all = handlers
        handlers = []
        lock.unlock()
        for handler in all { handler() }
    }
}

private func atexit_b(_ handler: @escaping () -> Void) { exitHandlers.add(handler) }

/// A loopback port nothing listens on now, for a child process (a simulator, a console's register API, a
/// database server) to bind a moment later. Never one the kernel hands out itself: a port from its ephemeral
/// range (port 0 binds, outgoing connections) could be taken by any of the hundreds of connections a parallel
/// test run opens before the child binds it ("Address already in use" in CI). So the port comes from below
/// that range, chosen at random, and none is handed out twice by one process.
public enum LoopbackPort {
    public static func free() throws -> Int {
        let range = candidates
        for _ in 0..<200 {
            let port = Int.random(in: range)
            guard handedOut.claim(port), canBind(port) else { continue }
            return port
        }
        throw TestPostgresUnavailable(description: "no free loopback port in \(range)")
    }

    /// Below the kernel's ephemeral range (`ip_local_port_range`, 32768–60999 by default) and above the
    /// well-known services; above the range instead when a machine starts it low (and anywhere when it spans all).
    static let candidates: ClosedRange<Int> = {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let bounds = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        let (low, high) = bounds.count == 2 ? (bounds[0], bounds[1]) : (32_768, 60_999)
        if low >= 12_000 { return 10_000...(low - 1) }
        if high <= 63_000 { return (high + 1)...65_535 }
        // A machine that gives every port out itself: the marks of this process still keep its own picks apart.
        return 10_000...60_000
    }()

    private static let handedOut = ClaimedPorts()

    private static func canBind(_ port: Int) -> Bool {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var reuse: Int32 = 1
        _ = setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 }
        }
    }
}

/// The ports this process has handed out (a child may not have bound its port yet when the next is asked for).
private final class ClaimedPorts: @unchecked Sendable {
    private let lock = NSLock()
    private var ports: Set<Int> = []

    func claim(_ port: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return ports.insert(port).inserted
    }
}

/// A process the tests start and leave running (a database server, a tmux server) must not inherit
/// what other tests have open: another test's output pipe or socket would stay open in it, and that
/// test would wait for its end. Adds glibc 2.34's "close every descriptor from 3" action, when the C
/// library has it.
public func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
        _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, 3)
    }
}
