import AMCashDomain
import Foundation

/// A progress line on standard error for work a person waits for (`amcash reconcile` on a big file):
/// what was done, how fast, what share, and about how long is left, rewritten in place a few times a
/// second. Only when standard error is a terminal and the output is not JSON: a pipe or a log file
/// never gets it.
struct ProgressLine {
    let enabled: Bool
    private let what: String
    private let started = ContinuousClock.now
    private var lastDrawn: ContinuousClock.Instant?
    private var drawn = false

    init(what: String, json: Bool) {
        self.what = what
        enabled = !json && isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    /// Redraws at most four times a second: `done` items so far, `share` of the whole (0...1) when known.
    mutating func update(done: Int, share: Double?) {
        guard enabled else { return }
        let now = ContinuousClock.now
        if let lastDrawn, now - lastDrawn < .milliseconds(250) { return }
        lastDrawn = now
        let elapsed = Double((now - started).wholeNanoseconds) / 1e9
        var parts = ["\(what): \(Self.grouped(done)) records"]
        if elapsed > 0 { parts.append("\(Self.grouped(Int(Double(done) / elapsed)))/s") }
        if let share, share > 0 {
            parts.append("\(Int(share * 100))%")
            if elapsed >= 1 { parts.append("about \(Int((elapsed / share - elapsed).rounded(.up))) s left") }
        }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + parts.joined(separator: ", ")).utf8))
        drawn = true
    }

    /// Says what comes next on the same line (a phase with no count, such as reading the journal).
    mutating func phase(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[K\(what): \(text)").utf8))
        drawn = true
    }

    /// Clears the line, so the report starts on a clean one.
    mutating func finish() {
        guard enabled, drawn else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        drawn = false
    }

    static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return out
    }
}
