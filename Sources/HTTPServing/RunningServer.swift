public import Hummingbird
public import HummingbirdCore
import HummingbirdTLS
public import Logging
import NIOCore
import NIOSSL
public import ServiceLifecycle

/// A Hummingbird application in a service group of our own, as the simulator, the web back office
/// and the register API each run one: no signal handlers (the command that started it owns those),
/// the port it bound learned from the running server (port 0 asks for a free one), and a graceful
/// stop that lets answers in flight finish.
public struct RunningServer: Sendable {
    /// The port it listens on; nil on a unix socket.
    public let port: Int?
    private let task: Task<Void, any Error>
    private let group: ServiceGroup

    /// Starts `router` on `address` and returns once it listens, or nil if it stopped before it did
    /// (the caller says why, in its own words). `whenListening` runs as soon as the socket exists
    /// (e.g. to narrow a unix socket's mode).
    public static func start<Router: HTTPResponderBuilder>(
        router: Router, server: HTTPServerBuilder = .http1(), address: BindAddress, serverName: String, logger: Logger,
        whenListening: @escaping @Sendable () -> Void = {}
    ) async throws -> RunningServer? where Router.Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int?.self)
        let app = Application(
            router: router, server: server, configuration: .init(address: address, serverName: serverName),
            onServerRunning: { channel in
                whenListening()
                portContinuation.yield(channel.localAddress?.port)
                portContinuation.finish()
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task {
            do {
                try await group.run()
            } catch {
                portContinuation.finish()
                throw error
            }
        }
        var iterator = portStream.makeAsyncIterator()
        guard let bound = await iterator.next() else {
            _ = try await task.value
            return nil
        }
        return RunningServer(port: bound, task: task, group: group)
    }

    /// HTTP/1.1 as `http` configures it, over TLS 1.2 or later when a certificate chain and its key
    /// (PEM) are given.
    public static func server(_ http: HTTPServerBuilder, tls: (certificatePEM: String, privateKeyPEM: String)?) throws -> HTTPServerBuilder {
        guard let tls else { return http }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(tls.certificatePEM.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(tls.privateKeyPEM.utf8), format: .pem)))
        configuration.minimumTLSVersion = .tlsv12
        return try .tls(http, tlsConfiguration: configuration)
    }

    /// Stops listening; answers in flight finish.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// Waits until the server stops (a long-running command's main wait).
    public func waitUntilStopped() async throws { try await task.value }
}
