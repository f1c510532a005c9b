import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashWire
import Foundation
import FuzzSupport
import Testing

@testable import AMCashSimulator

/// The simulator as a network service a classroom can reach, with public training credentials:
/// bounded loops on loopback only.
@Suite(.serialized) struct SimulatorAbuseTests {
    /// A TCP connection to the simulator on loopback, or -1.
    static func connection(port: Int) -> Int32 { LoopbackSocket.connect(port: port) }

    /// One raw HTTP/1.1 exchange on loopback (URLSession is not used: a test must see exact statuses).
    static func exchange(port: Int, _ request: Data) throws -> String {
        let socket = connection(port: port)
        guard socket >= 0 else { throw CocoaError(.fileReadUnknown) }
        defer { close(socket) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // A server that stops reading a huge body must not hold the test: sending gives up after 2 s.
        var sendTimeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
        _ = request.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var reply = [UInt8](repeating: 0, count: 4096)
        let count = recv(socket, &reply, reply.count, 0)
        return count > 0 ? String(decoding: reply[0..<count], as: UTF8.self) : ""
    }

    static func port(_ simulator: SimulatorServer) -> Int { Int(simulator.baseURL.split(separator: ":").last!)! }

    /// Blocking socket work on a thread of its own: the shared task threads (two on this machine) must
    /// stay free for the in-process simulators of every test running beside this one.
    static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }

    @Test func aHugeTokenRequestIsRefusedBeforeItIsRead() async throws {
        let simulator = try await SimulatorServer.start()
        let body = String(repeating: "a", count: 4 * 1024 * 1024)
        let head =
            "POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        let port = Self.port(simulator)
        let reply = try await Self.onOwnThread { try Self.exchange(port: port, Data((head + body).utf8)) }
        #expect(reply.hasPrefix("HTTP/1.1 400") || reply.hasPrefix("HTTP/1.1 413") || reply.isEmpty, "\(reply.prefix(40))")
        await simulator.stop()
    }

    @Test func unknownPathsAreNotFoundAndLeaveNoTrace() async throws {
        let simulator = try await SimulatorServer.start()
        let port = Self.port(simulator)
        let replies = try await Self.onOwnThread {
            try (0..<300).map { n in
                try Self.exchange(
                    port: port, Data("POST /checkout/amcash/x\(n) HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
            }
        }
        #expect(replies.allSatisfy { $0.hasPrefix("HTTP/1.1 404") }, "\(replies.first?.prefix(40) ?? "")")
        #expect(await simulator.requestCount("x1") == 0)
        // Unauthenticated calls to real endpoints are refused and not counted either.
        let refused = try await Self.onOwnThread {
            try Self.exchange(
                port: port, Data("POST /checkout/amcash/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".utf8))
        }
        #expect(refused.hasPrefix("HTTP/1.1 401"))
        #expect(await simulator.requestCount("echo") == 0)
        await simulator.stop()
    }

    @Test func halfSentRequestsAreClosedAndLockNobodyOut() async throws {
        var options = SimulatorOptions()
        options.idleTimeout = .seconds(1)
        let simulator = try await SimulatorServer.start(options: options)
        let port = Self.port(simulator)
        // 200 connections that send half a request head and then nothing.
        let closedByServer = try await Self.onOwnThread { () -> Int in
            var sockets: [Int32] = []
            for _ in 0..<200 {
                let socket = Self.connection(port: port)
                _ = "POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Le".withCString { send(socket, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                sockets.append(socket)
            }
            Thread.sleep(forTimeInterval: 2.5)
            var closed = 0
            for socket in sockets {
                var timeout = timeval(tv_sec: 1, tv_usec: 0)
                setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                var byte: UInt8 = 0
                let got = recv(socket, &byte, 1, 0)
                // 0: the server closed it; -1 with ECONNRESET likewise. A timeout (EAGAIN) means it is still open.
                if got == 0 || (got < 0 && errno == ECONNRESET) { closed += 1 }
                close(socket)
            }
            return closed
        }
        #expect(closedByServer == 200, "only \(closedByServer) of 200 half-sent connections were closed")
        let client = HostClient(settings: HostSettings(baseURL: try HostEndpoint(simulator.baseURL)), credentials: .simulator)
        let echo = await client.echo(RequestBuilder(identity: .training).echo(traceId: try TraceId(1)))
        #expect(echo.outcome == .approved, "a real terminal still gets in")
        await client.shutdown()
        await simulator.stop()
    }

    @Test func connectionsOverTheCapAreClosedAtOnceAndTheCapFreesAsTheyGo() async throws {
        var options = SimulatorOptions()
        options.maximumConnections = 20
        let simulator = try await SimulatorServer.start(options: options)
        let port = Self.port(simulator)
        let (overCapClosed, held) = try await Self.onOwnThread { () -> (Bool, [Int32]) in
            let held = (0..<20).map { _ in Self.connection(port: port) }
            Thread.sleep(forTimeInterval: 0.3)
            let extra = Self.connection(port: port)
            var timeout = timeval(tv_sec: 3, tv_usec: 0)
            setsockopt(extra, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var byte: UInt8 = 0
            let got = recv(extra, &byte, 1, 0)
            close(extra)
            return (got == 0 || (got < 0 && errno == ECONNRESET), held)
        }
        #expect(overCapClosed, "the 21st connection is closed at once")
        for socket in held { close(socket) }
        // The server sees the closes on its own time: give it up to 5 s.
        let client = HostClient(settings: HostSettings(baseURL: try HostEndpoint(simulator.baseURL)), credentials: .simulator)
        var outcome = Outcome.unknown
        var last = ""
        for attempt in 1...25 where outcome != .approved {
            try await Task.sleep(for: .milliseconds(200))
            let result = await client.echo(RequestBuilder(identity: .training).echo(traceId: try TraceId(attempt)))
            outcome = result.outcome
            last = "\(result)"
        }
        #expect(outcome == .approved, "once they go, terminals get in again (last: \(last))")
        await client.shutdown()
        await simulator.stop()
    }

    @Test(
        arguments: [
            (#"{"a":"1","collectorNumber":"81000000010"}"#, "81000000010"),
            (#"{ "collectorNumber" : "81000000011" , "b": 2}"#, "81000000011"),
            (#"{"note":"collectorNumber","collectorNumber":"81000000012"}"#, "81000000012"),
            (#"{"collectorNumber":81000000010}"#, nil), (#"{"collectorNumber":"8100x"}"#, nil), (#"{"deviceId":"001"}"#, nil), ("", nil),
            (#"{"collectorNumber":"123456789012345678901234"}"#, nil),
        ] as [(String, String?)])
    func theFrontDoorFindsTheCardWithoutParsingTheBody(body: String, number: String?) {
        #expect(HostFrontDoor.collectorNumber(in: Data(body.utf8)) == number)
    }

    @Test func expiredTokensArePrunedAndSecretsComparedWhole() async throws {
        let issuer = TokenIssuer(credentials: .simulator, lifetime: .milliseconds(1))
        for _ in 0..<63 { _ = issuer.issue(clientId: ClientCredentials.simulator.clientId, clientSecret: ClientCredentials.simulator.clientSecret) }
        try await Task.sleep(for: .milliseconds(20))
        _ = issuer.issue(clientId: ClientCredentials.simulator.clientId, clientSecret: ClientCredentials.simulator.clientSecret)
        #expect(issuer.held <= 1, "expired tokens pruned")
        #expect(issuer.issue(clientId: ClientCredentials.simulator.clientId, clientSecret: ClientCredentials.simulator.clientSecret + "x") == nil)
        #expect(
            issuer.issue(clientId: ClientCredentials.simulator.clientId, clientSecret: String(ClientCredentials.simulator.clientSecret.dropLast()))
                == nil)
        #expect(
            TokenIssuer.constantTimeEquals("abc", "abc") && !TokenIssuer.constantTimeEquals("abc", "abd") && !TokenIssuer.constantTimeEquals("", "a"))
    }
}
