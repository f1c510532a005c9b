public import AMCashConfiguration
import AMCashContract
import AMCashDomain
public import AMCashWire
public import AsyncHTTPClient
import Foundation
public import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The AIR MILES Cash API over HTTPS (or plain HTTP to a loopback simulator), on async-http-client.
///
/// Guarantees: a bearer token on every call, fetched once and shared; redirects never followed;
/// connect and read timeouts always set; REDEEM and REVERSE re-sent only as the same bytes with
/// the same `Idempotency-Key`; a lost answer is `unknown`, never declined; no secret and no full
/// card number in any log line. Call `shutdown()` when done.
public final class HostClient: RedemptionHost {
    public let settings: HostSettings
    public let timeouts: HostTimeouts
    let http: HTTPClient
    let tokens: TokenCache
    let logger: Logger

    public init(
        settings: HostSettings, credentials: ClientCredentials, timeouts: HostTimeouts = .standard,
        logger: Logger = Logger(label: "amcash.host")
    ) {
        self.settings = settings
        self.timeouts = timeouts
        self.logger = logger
        let http = Self.makeHTTPClient(caFile: settings.caFile, timeouts: timeouts)
        self.http = http
        let tokenURL = settings.tokenURL
        let audience = settings.audience
        let deadline = timeouts.connect + timeouts.read
        let tokenLogger = logger
        tokens = TokenCache {
            try await HostClient.fetchToken(
                http: http, url: tokenURL, audience: audience, credentials: credentials,
                deadline: deadline, logger: tokenLogger)
        }
    }

    /// Closes the connections. Call once, after the last request.
    public func shutdown() async {
        try? await http.shutdown()
    }

    /// A client dropped without `shutdown()` (a caller that threw on its way out) still closes its connections,
    /// in the background: async-http-client traps in debug builds, and leaks in release, when its last
    /// reference goes before its shutdown. A second shutdown of a closed client only throws, ignored.
    deinit {
        let http = http
        Task { try? await http.shutdown() }
    }

    // MARK: - The four calls

    public func echo(_ call: PreparedCall) async -> HostResult<EchoReply> {
        await exchange(call, decode: ReplyDecoder.echo)
    }

    public func inquire(_ call: PreparedCall) async -> HostResult<InquiryReply> {
        let first = await exchange(call, decode: ReplyDecoder.inquiry)
        guard Self.deservesAnotherTry(first, changesBalance: false) else { return first }
        logger.notice("inquire retried once", metadata: ["traceId": "\(call.traceId)"])
        return await exchange(call, decode: ReplyDecoder.inquiry)
    }

    public func redeem(_ call: PreparedCall, policy: ResendPolicy) async -> HostResult<RedemptionReply> {
        let result = await resend(call, policy: policy, decode: ReplyDecoder.redemption)
        // The host redeems at most what was asked: a larger approval is not an answer to this request.
        if case .answered(let reply) = result, let approval = reply.approval, let asked = Self.dollarsAsked(in: call.body),
            approval.discount.cents > asked.cents
        {
            // Not shown, but not forgotten either: the journal keeps its confirmation number and voids it.
            return .unknown(
                .unshowableApproval(
                    confirmationNumber: approval.confirmationNumber, units: approval.unitsRedeemed,
                    reason: "an approval of \(approval.discount) when \(asked) was asked"))
        }
        return result
    }

    /// `dollarRedeemRequest` of a journaled REDEEM body.
    static func dollarsAsked(in body: Data) -> Money? {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
            let text = object["dollarRedeemRequest"] as? String
        else { return nil }
        return try? Money(parsing: text)
    }

    public func reverse(_ call: PreparedCall, policy: ResendPolicy) async -> HostResult<ReversalReply> {
        await resend(call, policy: policy, decode: ReplyDecoder.reversal)
    }

    // MARK: - Retrying

    /// Re-sends while the outcome is unknown or the host asks for another try (0008, 0096, 409),
    /// always the same bytes with the same key, with growing, jittered pauses.
    ///
    /// Once any attempt may have reached the host, only an approval is conclusive: a refusal or a
    /// failure to connect on a later attempt may be caused by the lost first one (it used the balance,
    /// the host went away), so the call ends `unknown`, never declined or not sent.
    private func resend<Reply: HostReply>(
        _ call: PreparedCall, policy: ResendPolicy,
        decode: @escaping @Sendable (Int, Data) -> Result<Reply, HostFailure>
    ) async -> HostResult<Reply> {
        var result = await exchange(call, decode: decode)
        var firstDoubt = Self.doubt(in: result)
        var attempt = 1
        while attempt < policy.attempts, Self.deservesAnotherTry(result, changesBalance: call.operation.changesBalance) {
            attempt += 1
            try? await Task.sleep(for: policy.jitteredDelay(beforeAttempt: attempt))
            if Task.isCancelled { break }
            logger.notice(
                "re-sending with the same idempotency key",
                metadata: ["operation": "\(call.operation.rawValue)", "traceId": "\(call.traceId)", "attempt": "\(attempt)"])
            result = await exchange(call, decode: decode)
            firstDoubt = firstDoubt ?? Self.doubt(in: result)
        }
        guard call.operation.changesBalance else { return result }
        if case .answered(let reply) = result, reply.answer.outcome == .approved { return result }
        if let firstDoubt {
            switch result {
            case .unknown: return result
            case .notSent(let failure):
                return .unknown(.garbledResponse(status: 0, reason: "\(firstDoubt); then \(failure)"))
            case .answered(let reply):
                return .unknown(
                    .garbledResponse(
                        status: reply.answer.httpStatus,
                        reason: "\(firstDoubt); then \(reply.answer.code) to the same key, which proves nothing"))
            }
        }
        return result
    }

    /// Why an attempt leaves the outcome in doubt, if it does: it may have reached the host and gave
    /// no conclusive answer (an approval or a first, clean refusal are conclusive).
    private static func doubt<Reply: HostReply>(in result: HostResult<Reply>) -> String? {
        switch result {
        case .notSent: return nil
        case .unknown(let failure): return failure.description
        case .answered(let reply):
            // A scheduled outage (0092) is the host saying it did nothing; 0008 and 0096 may come after it acted.
            if reply.answer.code == ResponseCode.scheduledOutage { return nil }
            switch reply.answer.outcome {
            case .approved, .declined: return nil
            case .retryable, .unknown: return "the host answered \(reply.answer.code)"
            }
        }
    }

    /// Whether to try again: no usable answer, a 409, or a host timeout / server error (not an outage).
    /// A call that changes no balance is never re-sent after a 409.
    private static func deservesAnotherTry<Reply: HostReply>(_ result: HostResult<Reply>, changesBalance: Bool) -> Bool {
        switch result {
        case .unknown(.conflict), .unknown(.collectorBusy): return changesBalance
        // The host did approve; the same key brings the same approval back. The journal voids it.
        case .unknown(.unshowableApproval): return false
        case .unknown: return true
        case .notSent: return false
        case .answered(let reply):
            return reply.answer.code == ResponseCode.hostTimedOut || reply.answer.code == ResponseCode.serverError
        }
    }

    // MARK: - One exchange

    /// One call with a token; a bare 401 gets one new token and one retry.
    private func exchange<Reply: HostReply>(
        _ call: PreparedCall,
        decode: @Sendable (Int, Data) -> Result<Reply, HostFailure>
    ) async -> HostResult<Reply> {
        await withToken(notSent: { .notSent($0) }) { token in
            let started = ContinuousClock.now
            let sent = await post(path: call.operation.path, body: call.body, idempotencyKey: call.idempotencyKey, token: token)
            let milliseconds = (ContinuousClock.now - started).wholeMilliseconds
            var metadata: Logger.Metadata = [
                "operation": "\(call.operation.rawValue)", "traceId": "\(call.traceId)",
                "latencyMs": "\(milliseconds)",
            ]
            if let card = call.maskedCard { metadata["card"] = "\(card)" }
            switch sent {
            case .failure(let failure):
                metadata["failure"] = "\(failure)"
                logger.warning("host call failed", metadata: metadata)
                return .done(failure.mayHaveReachedHost ? .unknown(failure) : .notSent(failure))
            case .success(let (status, body, location)):
                metadata["status"] = "\(status)"
                switch ReplyDecoder.envelope(status: status, body: body, location: location) {
                case .bareUnauthorized:
                    logger.notice("token refused; fetching a new one", metadata: metadata)
                    return .tokenRefused
                case .failure(let failure):
                    metadata["failure"] = "\(failure)"
                    logger.warning("host answer unusable", metadata: metadata)
                    return .done(failure.mayHaveReachedHost ? .unknown(failure) : .notSent(failure))
                case .reply(let data):
                    switch decode(status, data) {
                    case .success(let reply):
                        metadata["code"] = "\(reply.answer.code)"
                        logger.info("host answered", metadata: metadata)
                        return .done(.answered(reply))
                    case .failure(let failure):
                        metadata["failure"] = "\(failure)"
                        logger.warning("host answer unusable", metadata: metadata)
                        return .done(.unknown(failure))
                    }
                }
            }
        }
    }

    /// What one attempt with a token came to: an outcome, or a bare 401 (the token was refused).
    enum TokenAttempt<Outcome> {
        case done(Outcome)
        case tokenRefused
    }

    /// The one token rule of every call, AIR MILES Cash and Issuance alike: `attempt` runs with the shared
    /// token; a refused token is dropped and `attempt` runs once more with a new one. No token (or the same
    /// refused one again) is `notSent`.
    func withToken<Outcome>(
        notSent: (HostFailure) -> Outcome, _ attempt: (String) async -> TokenAttempt<Outcome>
    ) async -> Outcome {
        var refusedToken: String?
        for _ in 0..<2 {
            let token: String
            do {
                token = try await tokens.token()
            } catch let failure as HostFailure {
                return notSent(failure)
            } catch {
                return notSent(.cannotConnect(String(describing: error)))
            }
            if token == refusedToken { return notSent(.unauthorized) }
            switch await attempt(token) {
            case .done(let outcome): return outcome
            case .tokenRefused:
                await tokens.invalidate(token)
                refusedToken = token
            }
        }
        return notSent(.unauthorized)
    }

    /// One JSON POST to a path under the base URL, with the token, the key (if any) and a new request id.
    func post(path: String, body: Data, idempotencyKey: UUID?, token: String) async -> Result<(Int, Data, String?), HostFailure> {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "Authorization", value: "Bearer \(token)")
        if let idempotencyKey {
            headers.add(name: "Idempotency-Key", value: idempotencyKey.uuidString.lowercased())
        }
        headers.add(name: "X-Request-Id", value: UUID().uuidString.lowercased())
        return await Self.perform(
            http: http, url: settings.baseURL.url(for: path), headers: headers, body: body, deadline: timeouts.connect + timeouts.read)
    }

    static func perform(
        http: HTTPClient, url: String, headers: HTTPHeaders, body: Data,
        deadline: Duration
    ) async -> Result<(Int, Data, String?), HostFailure> {
        let delegate = ExchangeRecorder(limit: ReplyDecoder.maximumBodyBytes)
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(url: url, method: .POST, headers: headers, body: .bytes(body))
        } catch {
            return .failure(.cannotConnect("the URL \(url) cannot be requested: \(error)"))
        }
        // One deadline for the whole exchange, the body included: a host that drips bytes cannot hold the till.
        let task = http.execute(request: request, delegate: delegate, deadline: .now() + .nanoseconds(deadline.wholeNanoseconds))
        do {
            let response = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
            return .success((response.status, response.body, response.location))
        } catch {
            return .failure(classify(error, headSent: delegate.headSent))
        }
    }

    /// Sorts transport errors by phase. Only a failure before the request head was written — the
    /// connection or the TLS handshake could not be made — is "nothing was sent"; everything after,
    /// and every error we do not recognise, may have reached the host.
    static func classify(_ error: any Error, headSent: Bool) -> HostFailure {
        if let error = error as? HTTPClientError {
            // The deadline cuts the exchange wherever it is: the head may be in the socket while its write is still
            // being confirmed to us (`headSent` then lags the wire). Only a connect-phase error below proves "not
            // sent" — a host that cannot be reached fails its connect timeout, which is shorter than the deadline.
            if error == .readTimeout || error == .deadlineExceeded { return .timedOut }
        }
        if error is ExchangeRecorder.BodyTooBig {
            return .garbledResponse(status: 0, reason: "a body of more than \(ReplyDecoder.maximumBodyBytes) bytes")
        }
        if !headSent && isConnectionEstablishment(error) { return .cannotConnect(String(describing: error)) }
        return .connectionDropped(String(describing: error))
    }

    /// Errors that can only come from making the connection: resolving, connecting, the TLS handshake.
    static func isConnectionEstablishment(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            let beforeSending: [HTTPClientError] = [
                .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout,
                .invalidURL, .emptyHost, .emptyScheme, .alreadyShutdown, .socksHandshakeTimeout,
                .httpProxyHandshakeTimeout, .remoteConnectionClosed,
            ]
            return beforeSending.contains(error)
        }
        if error is NIOConnectionError || error is ChannelError || error is IOError || error is SocketAddressError { return true }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError { return true }
        return false
    }

    /// The HTTP client a terminal talks to a host with (the API, or a training room's endpoints): TLS 1.2
    /// at least, certificates always verified against the system's roots and any `caFile`, no redirects.
    public static func makeHTTPClient(caFile: String?, timeouts: HostTimeouts) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: .nanoseconds(timeouts.connect.wholeNanoseconds),
                read: .nanoseconds(timeouts.read.wholeNanoseconds)))
        configuration.httpVersion = .http1Only
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = .fullVerification
        if let caFile { tls.additionalTrustRoots = [.file(caFile)] }
        configuration.tlsConfiguration = tls
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    // MARK: - Tokens

    static func fetchToken(
        http: HTTPClient, url: HostEndpoint, audience: String, credentials: ClientCredentials,
        deadline: Duration, logger: Logger
    ) async throws -> AccessToken {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        headers.add(name: "Accept", value: "application/json")
        let form = [
            ("grant_type", "client_credentials"), ("client_id", credentials.clientId),
            ("client_secret", credentials.clientSecret), ("audience", audience),
        ]
        .map { "\($0.0)=\(formEncode($0.1))" }.joined(separator: "&")
        switch await perform(http: http, url: url.url.absoluteString, headers: headers, body: Data(form.utf8), deadline: deadline) {
        case .failure(let failure):
            logger.warning("token request failed", metadata: ["failure": "\(failure)"])
            throw failure.mayHaveReachedHost ? HostFailure.cannotConnect("token service: \(failure)") : failure
        case .success(let (status, body, location)):
            if (300...399).contains(status) { throw HostFailure.redirectRefused(status: status, location: location) }
            guard status == 200 else {
                // The service's words are host text: sanitised before they are logged or shown.
                let error = ((try? JSONDecoder().decode(Components.Schemas.TokenError.self, from: body))?.error).map {
                    HostText.sanitised($0, limit: 120)
                }
                logger.error("token refused", metadata: ["status": "\(status)", "error": "\(error ?? "-")"])
                throw HostFailure.credentialsRejected("HTTP \(status)\(error.map { ", \($0)" } ?? "")")
            }
            guard let token = try? JSONDecoder().decode(Components.Schemas.TokenResponse.self, from: body),
                !token.accessToken.isEmpty, token.expiresIn > 0
            else {
                throw HostFailure.cannotConnect("the token service's answer was unusable")
            }
            // A token goes into every request's head: AsyncHTTPClient traps on a head too large to
            // write (swift-server/async-http-client, "request body producing can not start before we
            // have successfully send the header"), and a header cannot carry control characters. Both
            // are refused here, before any request is made.
            if let problem = Self.problem(withToken: token.accessToken) {
                logger.error("token unusable", metadata: ["problem": "\(problem)"])
                throw HostFailure.tokenUnusable(problem)
            }
            logger.info("token fetched", metadata: ["expiresIn": "\(token.expiresIn)"])
            return AccessToken(value: token.accessToken, lifetime: .seconds(token.expiresIn))
        }
    }

    /// The longest bearer token the client sends (16 KiB): real ones are a few hundred bytes to a few
    /// kilobytes; larger ones are a broken or hostile token service.
    public static let maximumTokenBytes = 16 * 1024

    /// Why a token cannot be sent, or nil when it can: too long, or not the visible ASCII of RFC 6750's `b64token`.
    static func problem(withToken token: String) -> String? {
        let bytes = token.utf8.count
        if bytes > maximumTokenBytes { return "a token of \(bytes) bytes, more than \(maximumTokenBytes)" }
        if !token.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) { return "a token with characters a header cannot carry" }
        return nil
    }

    private static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

/// Collects one reply (up to a limit) and notes whether the request head was written: the line
/// between "nothing was sent" and "it may have reached the host".
final class ExchangeRecorder: HTTPClientResponseDelegate, @unchecked Sendable {
    struct Reply: Sendable {
        let status: Int
        let body: Data
        let location: String?
    }

    struct BodyTooBig: Error {}

    private let lock = NSLock()
    private let limit: Int
    private var sent = false
    private var status = 0
    private var location: String?
    private var body = Data()

    init(limit: Int) { self.limit = limit }

    var headSent: Bool { lock.withLock { sent } }

    func didSendRequestHead(task: HTTPClient.Task<Reply>, _ head: HTTPRequestHead) {
        lock.withLock { sent = true }
    }

    func didReceiveHead(task: HTTPClient.Task<Reply>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        lock.withLock {
            status = Int(head.status.code)
            location = head.headers.first(name: "Location")
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Reply>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let fits = lock.withLock { () -> Bool in
            guard body.count + buffer.readableBytes <= limit else { return false }
            body.append(contentsOf: buffer.readableBytesView)
            return true
        }
        return fits ? task.eventLoop.makeSucceededVoidFuture() : task.eventLoop.makeFailedFuture(BodyTooBig())
    }

    func didFinishRequest(task: HTTPClient.Task<Reply>) throws -> Reply {
        lock.withLock { Reply(status: status, body: body, location: location) }
    }
}
