import AMCashDomain
import ConsoleCore
import ConsoleUI
import Foundation

/// `amcash-bench frame`: one key on the history screen (200 rows) through `update`, `view` and the
/// canvas's text, 80×24 — the console's work per key, without the terminal. Floor: taking the text
/// of the canvas already drawn (an unchanged screen), in the same run.
struct FrameLoad {
    var keys = 20_000

    init(_ arguments: ArraySlice<String>) throws {
        try readFlags(arguments, into: &self, [.number("--keys", \.keys)])
    }

    func run() throws {
        var model = Model(settings: ConsoleSettings())
        model.columns = 80
        model.rows = 24
        _ = update(&model, .key(KeyPress(.function(4), at: 0)))
        var lines: [HistoryLine] = []
        for index in 0..<200 {
            let time = String(format: "%02d:%02d", 9 + index / 60, index % 60)
            let kind = index % 7 == 0 ? "REVERSE" : "REDEEM"
            let card = "•••••••" + String(format: "%04d", index)
            let money = Money(dollars: 10 * (1 + index % 7))
            lines.append(
                HistoryLine(
                    time: time, kind: kind, maskedCard: card, state: "shown", money: money,
                    confirmationNumber: String(format: "RD%010d", index)))
        }
        _ = update(&model, .historyLoaded(lines))
        guard model.kind == .history else { throw BenchError("the history screen did not open (\(model.kind))") }
        var canvas = Frame(columns: 80, rows: 24)
        view(model, into: &canvas)
        var sink = 0
        var floor: [Duration] = []
        var frames: [Duration] = []
        floor.reserveCapacity(keys)
        frames.reserveCapacity(keys)
        for index in 0..<keys {
            var start = ContinuousClock.now
            sink &+= canvas.text.utf8.count
            floor.append(ContinuousClock.now - start)
            start = ContinuousClock.now
            _ = update(&model, .key(KeyPress(index % 40 < 20 ? .down : .up, at: Int64(1_000 + index * 200))))
            canvas = Frame(columns: 80, rows: 24)
            view(model, into: &canvas)
            sink &+= canvas.text.utf8.count
            frames.append(ContinuousClock.now - start)
        }
        func percentile(_ values: [Duration], _ fraction: Double) -> Duration {
            let sorted = values.sorted()
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
        }
        print("frame benchmark: \(keys) keys on the history screen (200 rows), 80×24 (checksum \(sink % 997))")
        print("row                                              p50 ms   p99 ms   p99 ÷ floor p99")
        let floorP99 = percentile(floor, 0.99)
        for (label, values) in [("text of an unchanged canvas (floor)", floor), ("key → update → view → canvas text", frames)] {
            print(
                label.padding(toLength: 48, withPad: " ", startingAt: 0) + percentile(values, 0.5).milliseconds.leftPadded(8)
                    + percentile(values, 0.99).milliseconds.leftPadded(9)
                    + String(format: "%12.1f×", percentile(values, 0.99).seconds / floorP99.seconds))
        }
        print("peak memory of the benchmark process: \(peakResidentMegabytes()) MB")
    }
}
