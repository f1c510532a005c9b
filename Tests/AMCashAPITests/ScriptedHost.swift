import AMCashAPI
import AMCashConfiguration
import AMCashWire
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A real HTTP server on loopback that answers what a test scripts: a redirect, an HTML error
/// page, a garbled body — what the simulator never does, for the client's defensive paths.
struct ScriptedHost {
    struct Answer: Sendable {
        var status: Int
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        var body: String
        /// Sends the body one byte at a time with this pause between bytes (a host that drips).
        var drip: Duration? = nil
    }

    let baseURL: String

    static func with<T>(
        tokenStatus: Int = 200, tokenBody: String? = nil, _ script: @escaping @Sendable (String) -> Answer,
        _ body: (ScriptedHost) async throws -> T
    ) async throws -> T {
        let router = Router()
        router.post("/oauth/token") { _, _ in
            let body =
                tokenBody
                ?? (tokenStatus == 200 ? #"{"access_token":"scripted","token_type":"Bearer","expires_in":3600}"# : #"{"error":"invalid_client"}"#)
            return Response(
                status: .init(code: tokenStatus), headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        router.post("/checkout/amcash/:operation") { request, _ in
            let answer = script(request.uri.path)
            var headers = HTTPFields()
            for (name, value) in answer.headers { headers[HTTPField.Name(name)!] = value }
            if let drip = answer.drip {
                let bytes = Array(answer.body.utf8)
                return Response(
                    status: .init(code: answer.status), headers: headers,
                    body: ResponseBody { writer in
                        for byte in bytes {
                            try await writer.write(ByteBuffer(bytes: [byte]))
                            try await Task.sleep(for: drip)
                        }
                        try await writer.finish(nil)
                    })
            }
            return Response(
                status: .init(code: answer.status), headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
        var logger = Logger(label: "scripted-host")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        defer { task.cancel() }
        let value = try await body(ScriptedHost(baseURL: "http://127.0.0.1:\(port)"))
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        return value
    }

    /// Generous timeouts by default: a full run starts consoles and simulators beside these tests on two
    /// cores, and a 2 s read was seen to expire on a token request; a test about a deadline passes its own.
    func client(timeouts: HostTimeouts = HostTimeouts(connect: .seconds(5), read: .seconds(10))) throws -> HostClient {
        HostClient(settings: HostSettings(baseURL: try HostEndpoint(baseURL)), credentials: .simulator, timeouts: timeouts)
    }
}
