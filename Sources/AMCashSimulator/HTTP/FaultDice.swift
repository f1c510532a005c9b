import AMCashDomain

/// Draws the faults for each request from the plan, with the plan's seed.
actor FaultDice {
    private var plan: FaultPlan
    private var generator: SplitMix64
    /// Requests seen per endpoint, faults or not (the trainer's and the tests' view of the traffic).
    private(set) var requests: [String: Int] = [:]

    init(plan: FaultPlan) {
        self.plan = plan
        generator = SplitMix64(seed: plan.seed)
    }

    /// Replaces the plan (and restarts its seeded draws), while the simulator runs.
    func replace(with plan: FaultPlan) {
        self.plan = plan
        generator = SplitMix64(seed: plan.seed)
    }

    func count(_ endpoint: String) { requests[endpoint, default: 0] += 1 }

    /// The faults that strike this request.
    func draw(endpoint: String, collector: String?) -> [FaultRule.Kind] {
        var struck: [FaultRule.Kind] = []
        for rule in plan.rules where rule.applies(endpoint: endpoint, collector: collector) {
            let roll = Int(generator.next() % 1000)
            if roll < rule.perMille { struck.append(rule.kind) }
        }
        return struck
    }
}
