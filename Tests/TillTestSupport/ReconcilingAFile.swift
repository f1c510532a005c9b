public import AMCashDomain

extension Reconciler {
    /// Reads `file`'s records with a fresh parser and reconciles each detail, as `amcash reconcile` does, then
    /// finishes: the findings (the rows no record matched last) and how many records were read.
    public mutating func reconcile(_ file: ReconciliationFile) throws -> (findings: [ReconciliationFinding], records: Int) {
        var parser = ReconciliationParser()
        var findings: [ReconciliationFinding] = []
        for line in file.records {
            if let detail = try parser.consume(Substring(line)), let finding = consume(detail, recordNumber: parser.recordNumber) {
                findings.append(finding)
            }
        }
        try parser.finish()
        findings += finish()
        return (findings, parser.recordNumber)
    }
}
