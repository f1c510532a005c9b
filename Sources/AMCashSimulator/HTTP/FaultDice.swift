/// Draws the faults for each request from the plan, with the plan's seed.
actor FaultDice {
    private let plan: FaultPlan
    private var generator: SeededGenerator

    init(plan: FaultPlan) {
        self.plan = plan
        generator = SeededGenerator(seed: plan.seed)
    }

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
