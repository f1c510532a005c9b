public import AMCashConfiguration
import AMCashJournal
public import Foundation
import HTTPServing
import Hummingbird
import HummingbirdCore
public import Logging
import NIOCore

/// The store register's API (`register-openapi.yaml`, under `/v1`), served by the console on a loopback
/// address or a unix socket: the register pushes a sale, reads its outcome (from the journal, so it
/// survives restarts), acknowledges the discount it applied, cancels or reverses. Every request carries
/// the bearer token; bodies over 64 KiB and peers off loopback are refused.
public final class RegisterServer: Sendable {
    /// The port it listens on (a free one when started with port 0); nil on a unix socket.
    public let port: Int?
    public let address: RegisterListenAddress
    public let desk: RegisterDesk
    private let running: RunningServer

    public static let maximumBody = 64 * 1024
    /// The longest `?wait=` a long poll may ask for, in seconds.
    public static let maximumWait = 60

    private init(port: Int?, address: RegisterListenAddress, desk: RegisterDesk, running: RunningServer) {
        self.port = port
        self.address = address
        self.desk = desk
        self.running = running
    }

    /// Starts listening on `address` (port 0 picks a free one) and returns once it is.
    public static func start(
        address: RegisterListenAddress, token: RegisterToken, desk: RegisterDesk, now: @escaping @Sendable () -> Date = { Date() },
        pollInterval: Duration = .milliseconds(200), logger: Logger = Logger(label: "amcash.register")
    ) async throws -> RegisterServer {
        let router = Router(context: RegisterRequestContext.self)
        router.add(middleware: RegisterGuard(token: token, logger: logger))
        let api = RegisterRoutes(desk: desk, now: now, pollInterval: pollInterval)
        api.register(on: router)
        let bind: BindAddress =
            switch address {
            case .loopback(let host, let port): .hostname(host, port: port)
            case .unixSocket(let path): .unixDomainSocket(path: path)
            }
        if case .unixSocket(let path) = address {
            // A socket left by a till that died is removed; the folder's permissions guard it.
            unlink(path)
        }
        guard
            let running = try await RunningServer.start(
                router: router, address: bind, serverName: "amcash-register-api", logger: logger,
                whenListening: { if case .unixSocket(let path) = address { chmod(path, 0o600) } })
        else {
            throw RegisterServerError(reason: "the register API stopped before it was listening on \(address)")
        }
        return RegisterServer(port: running.port, address: address, desk: desk, running: running)
    }

    /// Stops listening; answers in flight finish.
    public func stop() async {
        await running.stop()
        if case .unixSocket(let path) = address { unlink(path) }
    }
}

/// Why the register API could not start.
public struct RegisterServerError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}

/// A request's context: Hummingbird's, plus the peer's address (only loopback and unix-socket peers are served).
struct RegisterRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// Before any route: the peer must be local, the token right, the body at most 64 KiB (by its
/// Content-Length; a body without one is cut at the limit when it is read).
struct RegisterGuard: RouterMiddleware {
    typealias Context = RegisterRequestContext
    let token: RegisterToken
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let peer = context.remoteAddress, !Self.isLocal(peer) {
            logger.warning("register API: refused a request from \(peer) (not loopback)")
            return RegisterRoutes.error(status: .forbidden, code: "forbidden", "the register API answers loopback and unix-socket peers only")
        }
        guard token.accepts(authorization: request.headers[.authorization]) else {
            // The header is never logged: it may be a real token sent to the wrong till.
            logger.warning(
                "register API: 401 for \(request.method) \(request.uri.path): \(request.headers[.authorization] == nil ? "no Authorization header" : "a wrong bearer token")"
            )
            var response = RegisterRoutes.error(status: .unauthorized, code: "unauthorized", "a bearer token from registerTokenFile is required")
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > RegisterServer.maximumBody {
            return RegisterRoutes.error(
                status: .contentTooLarge, code: "too-large", "the body has \(length) bytes; at most \(RegisterServer.maximumBody)")
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // No route: a method the path does not take is a 405 naming the one it does; anything else a JSON 404.
            if let allowed = RegisterRoutes.allowedMethod(forPath: request.uri.path), allowed != request.method {
                return RegisterRoutes.methodNotAllowed(allowed: allowed)
            }
            return RegisterRoutes.error(status: .notFound, code: "not-found", "no such path in the register API (see register-openapi.yaml)")
        }
    }

    static func isLocal(_ address: SocketAddress) -> Bool {
        switch address {
        case .unixDomainSocket: return true
        case .v4: return address.ipAddress?.hasPrefix("127.") ?? false
        case .v6: return address.ipAddress == "::1" || (address.ipAddress?.hasPrefix("::ffff:127.") ?? false)
        }
    }
}

/// The `/v1` routes: each turns a request into a question for the `RegisterDesk` and its answer into JSON.
struct RegisterRoutes: Sendable {
    let desk: RegisterDesk
    let now: @Sendable () -> Date
    let pollInterval: Duration

    func register(on router: Router<RegisterRequestContext>) {
        router.post("/v1/sales") { request, _ in try await startSale(request) }
        router.get("/v1/sales/:saleId") { request, context in try await status(request, context) }
        router.post("/v1/sales/:saleId/ack") { _, context in await acknowledge(context) }
        router.post("/v1/sales/:saleId/cancel") { _, context in await cancel(context) }
        router.post("/v1/sales/:saleId/reverse") { _, context in await reverse(context) }
    }

    /// The one method a path of the API takes (nil: not a path of the API).
    static func allowedMethod(forPath path: String) -> HTTPRequest.Method? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0].isEmpty, parts[1] == "v1", parts[2] == "sales" else { return nil }
        switch parts.count {
        case 3: return .post
        case 4 where !parts[3].isEmpty: return .get
        case 5 where !parts[3].isEmpty && ["ack", "cancel", "reverse"].contains(parts[4]): return .post
        default: return nil
        }
    }

    /// The answer to a method the path does not take, with the one it does in `Allow`.
    static func methodNotAllowed(allowed: HTTPRequest.Method) -> Response {
        var response = error(
            status: .methodNotAllowed, code: "method-not-allowed", "this path takes \(allowed.rawValue) only")
        response.headers[.allow] = allowed.rawValue
        return response
    }

    func startSale(_ request: Request) async throws -> Response {
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: RegisterServer.maximumBody) } catch {
            return Self.error(status: .contentTooLarge, code: "too-large", "the body is larger than \(RegisterServer.maximumBody) bytes")
        }
        do {
            let sale = try RegisterSale(json: Data(buffer.readableBytesView))
            let start = try await desk.start(sale)
            return Self.json(status: start == .started ? .created : .ok, try await desk.status(of: sale.saleId))
        } catch {
            return Self.error(error)
        }
    }

    func status(_ request: Request, _ context: RegisterRequestContext) async throws -> Response {
        let saleId: String
        do { saleId = try Self.saleId(context) } catch { return Self.error(error) }
        var wait = 0
        if let text = request.uri.queryParameters["wait"] {
            guard let seconds = Int(String(text)), (0...RegisterServer.maximumWait).contains(seconds) else {
                return Self.error(.badRequest("wait: a whole number of seconds from 0 to \(RegisterServer.maximumWait)"))
            }
            wait = seconds
        }
        do {
            let first = try await desk.status(of: saleId)
            guard wait > 0, first.state.isInProgress else {
                await desk.noteRead(saleId, at: now())
                return Self.json(status: .ok, first)
            }
            // A long poll: answered as soon as the sale moves, or when the wait is over.
            let deadline = ContinuousClock.now + .seconds(wait)
            var latest = first
            while ContinuousClock.now < deadline, latest == first {
                try? await Task.sleep(for: pollInterval)
                if Task.isCancelled { break }
                latest = try await desk.status(of: saleId)
            }
            await desk.noteRead(saleId, at: now())
            return Self.json(status: .ok, latest)
        } catch {
            return Self.error(error)
        }
    }

    func acknowledge(_ context: RegisterRequestContext) async -> Response {
        let saleId: String
        do { saleId = try Self.saleId(context) } catch { return Self.error(error) }
        switch await desk.acknowledge(saleId, at: now()) {
        case .acknowledged, .alreadyAcknowledged:
            return Self.json(status: .ok, (try? await desk.status(of: saleId)) ?? RegisterSaleStatus(saleId: saleId, state: .approved))
        case .refused(let entry, let reason):
            guard entry != nil else { return Self.error(.notFound(reason)) }
            return Self.error(.conflict(reason + ": do not apply the discount", inProgress: nil))
        }
    }

    func cancel(_ context: RegisterRequestContext) async -> Response {
        do {
            let saleId = try Self.saleId(context)
            return Self.json(status: .ok, try await desk.cancel(saleId))
        } catch {
            return Self.error(error)
        }
    }

    func reverse(_ context: RegisterRequestContext) async -> Response {
        do {
            let saleId = try Self.saleId(context)
            return Self.json(status: .accepted, try await desk.reverse(saleId))
        } catch {
            return Self.error(error)
        }
    }

    // MARK: - JSON

    static func saleId(_ context: RegisterRequestContext) throws(RegisterRequestError) -> String {
        let raw = context.parameters.get("saleId") ?? ""
        let saleId = raw.removingPercentEncoding ?? raw
        if let problem = RegisterSale.problem(withSaleId: saleId) { throw .badRequest(problem) }
        return saleId
    }

    static func json(status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    struct ErrorBody: Encodable {
        let error: String
        let message: String
        let inProgress: String?
    }

    static func error(status: HTTPResponse.Status, code: String, _ message: String, inProgress: String? = nil) -> Response {
        json(status: status, ErrorBody(error: code, message: message, inProgress: inProgress))
    }

    static func error(_ error: RegisterRequestError) -> Response {
        let inProgress: String? = if case .conflict(_, let saleId) = error { saleId } else { nil }
        return Self.error(status: HTTPResponse.Status(code: error.status), code: error.code, error.description, inProgress: inProgress)
    }

    static func error(_ error: any Error) -> Response {
        if let error = error as? RegisterRequestError { return Self.error(error) }
        return Self.error(status: .internalServerError, code: "internal", "\(error)")
    }
}
