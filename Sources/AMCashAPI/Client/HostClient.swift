import AMCashContract
import AMCashDomain
import AsyncHTTPClient
import Foundation
public import Logging
import NIOCore
import NIOHTTP1

/// The AIR MILES Cash API over HTTPS (or plain HTTP to a loopback simulator), on async-http-client.
///
/// Guarantees: a bearer token on every call, fetched once and shared; redirects never followed;
/// connect and read timeouts always set; REDEEM and REVERSE re-sent only as the same bytes with
/// the same `Idempotency-Key`; a lost answer is `unknown`, never declined; no secret and no full
/// card number in any log line. Call `shutdown()` when done.
public final class HostClient: RedemptionHost {
    public let settings: HostSettings
    public let timeouts: HostTimeouts
    private let http: HTTPClient
    private let tokens: TokenCache
    private let logger: Logger

    public init(settings: HostSettings, credentials: ClientCredentials, timeouts: HostTimeouts = .standard,
                logger: Logger = Logger(label: "amcash.host")) {
        self.settings = settings
        self.timeouts = timeouts
        self.logger = logger
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .nanoseconds(Int64(timeouts.connect.nanoseconds)),
                           read: .nanoseconds(Int64(timeouts.read.nanoseconds))))
        configuration.httpVersion = .http1Only
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.http = http
        let tokenURL = settings.tokenURL
        let audience = settings.audience
        let deadline = timeouts.connect + timeouts.read
        let tokenLogger = logger
        tokens = TokenCache {
            try await HostClient.fetchToken(http: http, url: tokenURL, audience: audience, credentials: credentials,
                                            deadline: deadline, logger: tokenLogger)
        }
    }

    /// Closes the connections. Call once, after the last request.
    public func shutdown() async {
        try? await http.shutdown()
    }

    // MARK: - The four calls

    public func echo(_ call: PreparedCall) async -> HostResult<EchoReply> {
        await exchange(call, decode: ReplyDecoder.echo)
    }

    public func inquire(_ call: PreparedCall) async -> HostResult<InquiryReply> {
        let first = await exchange(call, decode: ReplyDecoder.inquiry)
        guard Self.deservesAnotherTry(first) else { return first }
        logger.notice("inquire retried once", metadata: ["traceId": "\(call.traceId)"])
        return await exchange(call, decode: ReplyDecoder.inquiry)
    }

    public func redeem(_ call: PreparedCall, policy: ResendPolicy) async -> HostResult<RedemptionReply> {
        await resend(call, policy: policy, decode: ReplyDecoder.redemption)
    }

    public func reverse(_ call: PreparedCall, policy: ResendPolicy) async -> HostResult<ReversalReply> {
        await resend(call, policy: policy, decode: ReplyDecoder.reversal)
    }

    // MARK: - Retrying

    /// Re-sends while the outcome is unknown or the host asks for another try (0008, 0096),
    /// always the same bytes with the same key.
    private func resend<Reply: HostReply>(_ call: PreparedCall, policy: ResendPolicy,
                                          decode: @escaping @Sendable (Int, Data) -> Result<Reply, HostFailure>) async -> HostResult<Reply> {
        var result = await exchange(call, decode: decode)
        var attempt = 1
        while attempt < policy.attempts, Self.deservesAnotherTry(result) {
            attempt += 1
            try? await Task.sleep(for: policy.delay(beforeAttempt: attempt))
            if Task.isCancelled { break }
            logger.notice("re-sending with the same idempotency key",
                          metadata: ["operation": "\(call.operation.rawValue)", "traceId": "\(call.traceId)", "attempt": "\(attempt)"])
            result = await exchange(call, decode: decode)
        }
        // Still retryable after the last attempt: for a balance-changing call that is unknown.
        if case .answered(let reply) = result, reply.answer.outcome == .retryable,
           reply.answer.code != ResponseCode.scheduledOutage, call.operation.changesBalance {
            return .unknown(.garbledResponse(status: reply.answer.httpStatus, reason: "still \(reply.answer.code) after \(attempt) attempts"))
        }
        return result
    }

    /// Whether to try again: no usable answer, or a host timeout / server error (not an outage).
    private static func deservesAnotherTry<Reply: HostReply>(_ result: HostResult<Reply>) -> Bool {
        switch result {
        case .unknown(.conflict): return false
        case .unknown: return true
        case .notSent: return false
        case .answered(let reply):
            return reply.answer.code == ResponseCode.hostTimedOut || reply.answer.code == ResponseCode.serverError
        }
    }

    // MARK: - One exchange

    /// One call with a token; a bare 401 gets one new token and one retry.
    private func exchange<Reply: HostReply>(_ call: PreparedCall,
                                            decode: @Sendable (Int, Data) -> Result<Reply, HostFailure>) async -> HostResult<Reply> {
        var refusedToken: String?
        for _ in 0..<2 {
            let token: String
            do {
                token = try await tokens.token()
            } catch let failure as HostFailure {
                return .notSent(failure)
            } catch {
                return .notSent(.cannotConnect(String(describing: error)))
            }
            if token == refusedToken { return .notSent(.unauthorized) }
            let started = ContinuousClock.now
            let sent = await send(call, token: token)
            let latency = (ContinuousClock.now - started).components
            let milliseconds = latency.seconds * 1000 + latency.attoseconds / 1_000_000_000_000_000
            var metadata: Logger.Metadata = ["operation": "\(call.operation.rawValue)", "traceId": "\(call.traceId)",
                                             "latencyMs": "\(milliseconds)"]
            if let card = call.maskedCard { metadata["card"] = "\(card)" }
            switch sent {
            case .failure(let failure):
                metadata["failure"] = "\(failure)"
                logger.warning("host call failed", metadata: metadata)
                return failure.mayHaveReachedHost ? .unknown(failure) : .notSent(failure)
            case .success(let (status, body, location)):
                metadata["status"] = "\(status)"
                switch ReplyDecoder.envelope(status: status, body: body, location: location) {
                case .bareUnauthorized:
                    logger.notice("token refused; fetching a new one", metadata: metadata)
                    await tokens.invalidate(token)
                    refusedToken = token
                    continue
                case .failure(let failure):
                    metadata["failure"] = "\(failure)"
                    logger.warning("host answer unusable", metadata: metadata)
                    return failure.mayHaveReachedHost ? .unknown(failure) : .notSent(failure)
                case .reply(let data):
                    switch decode(status, data) {
                    case .success(let reply):
                        metadata["code"] = "\(reply.answer.code)"
                        logger.info("host answered", metadata: metadata)
                        return .answered(reply)
                    case .failure(let failure):
                        metadata["failure"] = "\(failure)"
                        logger.warning("host answer unusable", metadata: metadata)
                        return .unknown(failure)
                    }
                }
            }
        }
        return .notSent(.unauthorized)
    }

    private func send(_ call: PreparedCall, token: String) async -> Result<(Int, Data, String?), HostFailure> {
        var request = HTTPClientRequest(url: settings.baseURL.url(for: call.operation.path))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let key = call.idempotencyKey {
            request.headers.add(name: "Idempotency-Key", value: key.uuidString.lowercased())
        }
        request.headers.add(name: "X-Request-Id", value: UUID().uuidString.lowercased())
        request.body = .bytes(ByteBuffer(bytes: call.body))
        return await Self.perform(http: http, request: request, deadline: timeouts.connect + timeouts.read)
    }

    static func perform(http: HTTPClient, request: HTTPClientRequest, deadline: Duration) async -> Result<(Int, Data, String?), HostFailure> {
        do {
            let response = try await http.execute(request, timeout: .nanoseconds(Int64(deadline.nanoseconds)))
            let buffer = try await response.body.collect(upTo: ReplyDecoder.maximumBodyBytes)
            return .success((Int(response.status.code), Data(buffer.readableBytesView), response.headers.first(name: "Location")))
        } catch {
            return .failure(classify(error))
        }
    }

    /// Sorts transport errors into "nothing was sent" and "it may have reached the host".
    static func classify(_ error: any Error) -> HostFailure {
        if let error = error as? HTTPClientError {
            let beforeSending: [HTTPClientError] = [.connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout,
                                                    .invalidURL, .emptyHost, .emptyScheme, .alreadyShutdown]
            if beforeSending.contains(error) { return .cannotConnect(String(describing: error)) }
            if error == .readTimeout || error == .deadlineExceeded { return .timedOut }
            if String(describing: error).contains("responseBodyTooBig") {
                return .garbledResponse(status: 0, reason: "a body of more than \(ReplyDecoder.maximumBodyBytes) bytes")
            }
            return .connectionDropped(String(describing: error))
        }
        let text = String(describing: error)
        // NIO's connection errors (refused, unreachable, DNS, TLS handshake) come before any request byte.
        if text.contains("NIOConnectionError") || text.contains("connection refused") || text.contains("Connection refused")
            || text.contains("ECONNREFUSED") || text.contains("connect(descriptor") || text.contains("NIOSSL")
            || text.contains("handshakeFailed") || text.contains("SSL") {
            return .cannotConnect(text)
        }
        return .connectionDropped(text)
    }

    // MARK: - Tokens

    static func fetchToken(http: HTTPClient, url: HostEndpoint, audience: String, credentials: ClientCredentials,
                           deadline: Duration, logger: Logger) async throws -> AccessToken {
        var request = HTTPClientRequest(url: url.url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        let form = [("grant_type", "client_credentials"), ("client_id", credentials.clientId),
                    ("client_secret", credentials.clientSecret), ("audience", audience)]
            .map { "\($0.0)=\(formEncode($0.1))" }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: form))
        switch await perform(http: http, request: request, deadline: deadline) {
        case .failure(let failure):
            logger.warning("token request failed", metadata: ["failure": "\(failure)"])
            throw failure.mayHaveReachedHost ? HostFailure.cannotConnect("token service: \(failure)") : failure
        case .success(let (status, body, location)):
            if (300...399).contains(status) { throw HostFailure.redirectRefused(status: status, location: location) }
            guard status == 200 else {
                let error = (try? JSONDecoder().decode(Components.Schemas.TokenError.self, from: body))?.error
                logger.error("token refused", metadata: ["status": "\(status)", "error": "\(error ?? "-")"])
                throw HostFailure.credentialsRejected("HTTP \(status)\(error.map { ", \($0)" } ?? "")")
            }
            guard let token = try? JSONDecoder().decode(Components.Schemas.TokenResponse.self, from: body),
                  !token.accessToken.isEmpty, token.expiresIn > 0 else {
                throw HostFailure.cannotConnect("the token service's answer was unusable")
            }
            logger.info("token fetched", metadata: ["expiresIn": "\(token.expiresIn)"])
            return AccessToken(value: token.accessToken, lifetime: .seconds(token.expiresIn))
        }
    }

    private static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let parts = components
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }
}
