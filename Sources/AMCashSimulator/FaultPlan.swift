import AMCashDomain

/// Faults the simulator injects, so a trainee (and the tests) can see what the network and the host
/// do on a bad day. Each rule has a scope (everything, one endpoint, one collector), a kind and a
/// chance in per-mille; draws come from a seeded generator, so a run can be repeated exactly.
public struct FaultPlan: Sendable, Hashable {
    public var rules: [FaultRule]
    public var seed: UInt64

    public init(rules: [FaultRule] = [], seed: UInt64 = 1) {
        self.rules = rules
        self.seed = seed
    }
}

/// One fault: what, where, how often.
public struct FaultRule: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// Wait this long before handling the request.
        case delay(Duration)
        /// Apply the request, then break the connection before the answer is complete.
        case dropAfterApplying
        /// Answer HTTP 500 with 0096 without applying.
        case serverError
        /// Answer HTTP 503 with 0092 without applying.
        case outage
        /// Answer HTTP 408 with 0008 without applying.
        case hostTimeout
        /// Answer HTTP 409 (the request context changed) without applying.
        case conflict
    }

    public enum Scope: Sendable, Hashable {
        case everything
        /// "echo", "inquire", "redeem", "reverse" or "token" (AM Cash); "issuance" (every Issuance call), or
        /// "calculate", "issue" or "return" (that Issuance call alone).
        case endpoint(String)
        case collector(String)
    }

    public var kind: Kind
    public var scope: Scope
    /// Chance per request, 0…1000 (1000 = always).
    public var perMille: Int

    public init(kind: Kind, scope: Scope = .everything, perMille: Int = 1000) {
        self.kind = kind
        self.scope = scope
        self.perMille = max(0, min(1000, perMille))
    }

    /// Parses `[SCOPE:]KIND[@PERCENT]`, e.g. `redeem:drop`, `81000000001:delay=3000`, `outage@25`.
    /// Kinds: `delay=MS`, `drop`, `5xx`, `outage`, `timeout`, `409`.
    public init(parsing text: String) throws(FaultRuleError) {
        var rest = Substring(text)
        var perMille = 1000
        if let at = rest.lastIndex(of: "@") {
            guard let percent = Int(rest[rest.index(after: at)...]), (0...100).contains(percent) else { throw FaultRuleError(text: text) }
            perMille = percent * 10
            rest = rest[..<at]
        }
        var scope = Scope.everything
        if let colon = rest.firstIndex(of: ":") {
            let name = String(rest[..<colon])
            rest = rest[rest.index(after: colon)...]
            if Self.endpoints.contains(name) {
                scope = .endpoint(name)
            } else if !name.isEmpty, name.allSatisfy({ $0.isASCII && $0.isNumber }) {
                scope = .collector(name)
            } else {
                throw FaultRuleError(text: text)
            }
        }
        let kind: Kind
        switch rest {
        case "drop": kind = .dropAfterApplying
        case "5xx": kind = .serverError
        case "outage": kind = .outage
        case "timeout": kind = .hostTimeout
        case "409": kind = .conflict
        default:
            guard rest.hasPrefix("delay="), let milliseconds = Int(rest.dropFirst(6)), (0...120_000).contains(milliseconds) else {
                throw FaultRuleError(text: text)
            }
            kind = .delay(.milliseconds(milliseconds))
        }
        self.init(kind: kind, scope: scope, perMille: perMille)
    }

    /// The endpoints a fault can be scoped to. An Issuance call is drawn as "issuance/OPERATION": "issuance"
    /// strikes every one, "calculate", "issue" and "return" their own (a trainer shows a pending earning while
    /// redemptions go through; "reverse" stays AM Cash's REVERSE).
    static let endpoints = ["echo", "inquire", "redeem", "reverse", "token", "issuance", "calculate", "issue", "return"]

    func applies(endpoint: String, collector: String?) -> Bool {
        switch scope {
        // The token endpoint only by name: a fault for every call strikes the host's calls, not the tokens they need.
        case .everything: endpoint != "token"
        case .endpoint("issuance"): endpoint.hasPrefix("issuance/")
        case .endpoint(let name) where ["calculate", "issue", "return"].contains(name): endpoint == "issuance/" + name
        case .endpoint(let name): name == endpoint
        case .collector(let number): number == collector
        }
    }

    public var description: String {
        let scopeText: String =
            switch scope {
            case .everything: ""
            case .endpoint(let name): "\(name):"
            case .collector(let number): "\(number):"
            }
        let kindText: String =
            switch kind {
            case .delay(let duration): "delay=\(duration.wholeMilliseconds)"
            case .dropAfterApplying: "drop"
            case .serverError: "5xx"
            case .outage: "outage"
            case .hostTimeout: "timeout"
            case .conflict: "409"
            }
        return scopeText + kindText + (perMille == 1000 ? "" : "@\(perMille / 10)")
    }
}

/// A fault written in a form the simulator does not know.
public struct FaultRuleError: Error, Sendable, CustomStringConvertible {
    public let text: String
    public var description: String {
        "\"\(text)\" is not a fault; write [SCOPE:]KIND[@PERCENT] with KIND one of delay=MS, drop, 5xx, outage, timeout, 409 and SCOPE an endpoint (echo, inquire, redeem, reverse, token; issuance, or calculate, issue, return alone) or a collector number, e.g. redeem:drop@50"
    }
}
