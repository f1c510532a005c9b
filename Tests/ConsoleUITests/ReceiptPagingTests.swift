import AMCashDomain
import ConsoleCore
import ConsoleTestSupport
import ReceiptPrinting
import Testing

@testable import ConsoleUI

/// At 40×12 every line of a receipt, and every key of help, is on one of its pages, whatever else the screen shows
/// above it: a printer's line and a register's sale each take a row, and a page that did not count them lost its
/// last line under the legend.
@Suite struct ReceiptPagingTests {
    /// Eleven lines and one wider than the screen (wrapped in two): two pages at 40×12, three under a register's
    /// sale (its line takes two rows).
    static let receipt = (1...11).map { "receipt line \($0)" } + ["Transaction AIR MILES: LOY10001001000000000003"]

    static func model(_ above: String) -> Model {
        var model = Model(settings: Fixtures.settings)
        _ = update(&model, .resized(columns: 40, rows: 12))
        if above.contains("printer") { model.status.printer = .paperOut }
        if above.contains("register") { model.register = RegisterSaleOrigin(saleId: "POS7-000123", basket: Money(cents: 4335)) }
        return model
    }

    /// The screen's lines, trailing spaces removed.
    static func lines(_ model: Model) -> [String] {
        var frame = Frame(columns: model.columns, rows: model.rows)
        view(model, into: &frame)
        return frame.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    @Test(arguments: ["nothing", "printer", "register", "register and printer"])
    func everyLineOfAReceiptIsOnOneOfItsPages(above: String) {
        var model = Self.model(above)
        model.screen = .result(RedemptionResult(outcome: .notRedeemed, receipt: Self.receipt, approvalToMark: nil))
        var time: Int64 = 0
        var shown: [String] = []
        var pages = 0
        _ = Fixtures.press(.character("r"), &model, &time)
        while case .result(let result) = model.screen, result.showingReceipt, pages < 10 {
            pages += 1
            shown += Self.lines(model)
            _ = Fixtures.press(.character("r"), &model, &time)
        }
        for line in Self.receipt.dropLast() { #expect(shown.contains(" " + line), "\(line) on no page with \(above) above:\n\(shown)") }
        #expect(shown.contains(" Transaction AIR MILES:") && shown.contains(" LOY10001001000000000003"), "\(shown)")
        #expect(pages == (above.contains("register") ? 3 : 2), "R turned \(pages) pages, then back to the summary")
    }

    @Test(arguments: ["nothing", "printer"])
    func everyKeyOfHelpIsOnOneOfItsPages(above: String) {
        var model = Self.model(above)
        var time: Int64 = 0
        _ = Fixtures.press(.function(1), &model, &time)
        let labels = HelpScreen.lines(model).compactMap { line -> String? in
            guard case .keys(_, let label) = line else { return nil }
            return String(label.text(model.language).prefix(20))
        }
        var shown = ""
        for _ in 0..<HelpScreen.pageCount(model) {
            shown += Self.lines(model).joined(separator: "\n") + "\n"
            _ = Fixtures.press(.pageDown, &model, &time)
        }
        #expect(!labels.isEmpty)
        for label in labels { #expect(shown.contains(label), "\(label) on no page of help with \(above) above") }
    }
}

extension ReceiptPagingTests {
    /// The receipt on screen, page 1 of 2, when its print fails (the ISSUE answered while the cashier read it, and
    /// the printer is out of paper): the legend says "R More", so R turns to page 2 (where the miles are), then back
    /// to the summary; there R prints the waiting receipts again. Before, R reprinted from page 1: page 2 could not
    /// be reached while the printer was out, and the legend said otherwise.
    @Test func rTurnsTheReceiptsPagesWhileReceiptsWaitThenReprintsFromTheSummary() {
        var model = Self.model("nothing")
        model.screen = .result(RedemptionResult(outcome: .notRedeemed, receipt: Self.receipt, approvalToMark: nil))
        var time: Int64 = 0
        _ = Fixtures.press(.character("r"), &model, &time)
        #expect(model.screen.receiptPage(model).map { $0.page } == 0)
        _ = update(&model, .printerState(.paperOut, unprinted: 1))
        let legend = Self.lines(model).last { $0.hasPrefix("F1") } ?? ""
        #expect(legend.contains("More"), "\(legend)")
        var effects = Fixtures.press(.character("r"), &model, &time)
        #expect(effects.isEmpty, "R said More, and did \(effects)")
        guard let shown = model.screen.receiptPage(model) else {
            Issue.record("R left the receipt from page 1 of 2")
            return
        }
        #expect(shown.page + 1 == shown.pages, "R turned to \(shown)")
        #expect(Self.lines(model).contains(" LOY10001001000000000003"))
        effects = Fixtures.press(.character("r"), &model, &time)
        #expect(effects.isEmpty && model.screen.receiptPage(model) == nil, "\(effects)")
        effects = Fixtures.press(.character("r"), &model, &time)
        #expect(effects == [.reprintReceipts])
    }
}

extension ReceiptPagingTests {
    /// Every line of a long receipt is on one of the pages R turns, at every size from 40×12 up and with everything
    /// the screen can show above it at once (the recovery line, the printer's, a register's sale and its notice), in
    /// both languages: the model's page count and the view's rows agree.
    @Test(arguments: [(40, 12), (41, 13), (60, 15), (79, 24), (80, 23), (80, 24), (100, 30)], [false, true])
    func everyLineOfALongReceiptIsOnAPageAtEverySize(size: (Int, Int), everything: Bool) {
        let receipt = (1...40).map { "line \($0) of a receipt" } + ["Transaction AIR MILES: LOY10001001000000000003 and a long tail of words"]
        for french in [false, true] {
            var model = Model(settings: Fixtures.settings)
            _ = update(&model, .resized(columns: size.0, rows: size.1))
            if french { model.language = .french }
            if everything {
                model.status.resolving = true
                model.status.printer = .paperOut
                model.register = RegisterSaleOrigin(saleId: "POS7-000123", basket: Money(cents: 4335))
                model.registerNotice = ConsoleText.receiptNotPrinted
            }
            model.screen = .result(RedemptionResult(outcome: .notRedeemed, receipt: receipt, approvalToMark: nil))
            var time: Int64 = 0
            var shown: [String] = []
            var pages = 0
            _ = Fixtures.press(.character("r"), &model, &time)
            while case .result(let result) = model.screen, result.showingReceipt, pages < 60 {
                pages += 1
                shown += Self.lines(model).map { $0.trimmingCharacters(in: .whitespaces) }
                _ = Fixtures.press(.character("r"), &model, &time)
            }
            for line in receipt.dropLast() {
                #expect(shown.contains(line), "\(line) on no page at \(size) \(french ? "fr" : "en") everything \(everything)")
            }
            let width = size.0 - ReceiptPages.indent(model) - 1
            for part in TextWrap.lines(receipt.last!, width: width) {
                #expect(shown.contains(part), "\(part) on no page at \(size) \(french ? "fr" : "en") everything \(everything):\n\(shown)")
            }
        }
    }
}
