import AMCashContract
import AMCashDomain
import Foundation
import OpenAPIRuntime

/// The contract's server side: each generated operation answered from the ledger.
struct SimulatorAPI: APIProtocol {
    let ledger: any LedgerBooks
    let tokens: TokenIssuer
    let audience: String
    let clock: @Sendable () -> Date

    /// Answers as Auth0 does: a grant other than client credentials is 400 `unsupported_grant_type`,
    /// wrong credentials 401 `invalid_client`, an audience it does not serve 403 `access_denied`. A
    /// request without an audience gets the tenant's default one (the partner API), as Auth0 allows.
    func token(_ input: Operations.Token.Input) async throws -> Operations.Token.Output {
        guard case .urlEncodedForm(let form) = input.body else { throw ContractViolation("a form-encoded body") }
        guard form.grantType == "client_credentials" else {
            return .badRequest(
                .init(
                    body: .json(
                        .init(
                            error: "unsupported_grant_type",
                            errorDescription: "Unsupported grant type: \(String(form.grantType.prefix(64)))"))))
        }
        guard tokens.accepts(clientId: form.clientId, clientSecret: form.clientSecret) else {
            return .unauthorized(.init(body: .json(.init(error: "invalid_client", errorDescription: "Unknown client or wrong secret"))))
        }
        if let asked = form.audience, asked != audience {
            return .forbidden(.init(body: .json(.init(error: "access_denied", errorDescription: "Service not found: \(String(asked.prefix(200)))"))))
        }
        guard let issued = tokens.issue(clientId: form.clientId, clientSecret: form.clientSecret) else {
            return .unauthorized(.init(body: .json(.init(error: "invalid_client", errorDescription: "Unknown client or wrong secret"))))
        }
        return .ok(.init(body: .json(.init(accessToken: issued.token, tokenType: "Bearer", expiresIn: issued.expiresIn))))
    }

    func echo(_ input: Operations.Echo.Input) async throws -> Operations.Echo.Output {
        guard case .json(let body) = input.body else { throw ContractViolation("a JSON body") }
        var response = Components.Schemas.EchoResponse(
            deviceId: body.deviceId, sponsorCode: body.sponsorCode, storeId: body.storeId, traceId: body.traceId,
            vendorId: body.vendorId, responseCode: ResponseCode.approved.rawValue, message: HostWording.message(for: .approved),
            transDateTime: TorontoTime.iso8601(clock()))
        if let problem = RequestValidator.check(
            sponsorCode: body.sponsorCode, storeId: body.storeId, deviceId: body.deviceId,
            vendorId: body.vendorId, acquirerId: nil, traceId: body.traceId, dateTime: nil)
        {
            response.responseCode = ResponseCode.invalidField.rawValue
            response.message = problem
            return .badRequest(.init(body: .json(response)))
        }
        return .ok(.init(body: .json(response)))
    }

    func inquire(_ input: Operations.Inquire.Input) async throws -> Operations.Inquire.Output {
        guard case .json(let body) = input.body else { throw ContractViolation("a JSON body") }
        let (status, response) = try await askingLedger { try await ledger.inquire(body, now: clock()) }
        return .decided(status, response)
    }

    func redeem(_ input: Operations.Redeem.Input) async throws -> Operations.Redeem.Output {
        guard case .json(let body) = input.body else { throw ContractViolation("a JSON body") }
        let reply = try await askingLedger {
            try await ledger.redeem(body, key: input.headers.idempotencyKey, rawBody: RequestCapture.rawBody ?? Data(), now: clock())
        }
        return .decided(reply, clock: clock)
    }

    func reverse(_ input: Operations.Reverse.Input) async throws -> Operations.Reverse.Output {
        guard case .json(let body) = input.body else { throw ContractViolation("a JSON body") }
        let reply = try await askingLedger {
            try await ledger.reverse(body, key: input.headers.idempotencyKey, rawBody: RequestCapture.rawBody ?? Data(), now: clock())
        }
        return .decided(reply, clock: clock)
    }

    /// The ledger's answer, or a `LedgerFailure` (any error it throws becomes one, so the front door answers 0096).
    private func askingLedger<Answer>(_ ask: () async throws -> Answer) async throws -> Answer {
        do {
            return try await ask()
        } catch let failure as LedgerFailure {
            throw failure
        } catch {
            throw LedgerFailure(reason: String(describing: error))
        }
    }
}

/// A request the generated types accepted but the contract does not (wrong content type).
struct ContractViolation: Error, CustomStringConvertible {
    let expected: String
    init(_ expected: String) { self.expected = expected }
    var description: String { "expected \(expected)" }
}
