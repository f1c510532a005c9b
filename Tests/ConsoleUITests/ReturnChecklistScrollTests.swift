import AMCashDomain
import AMCashWire
import ConsoleCore
import ConsoleTestSupport
import Testing

@testable import ConsoleUI

/// Issue #28: the return checklist of a sale with more items than the screen holds pages the way help and history do
/// (`Paging`): the page is the selected item's, so the selection is always on screen, and the title says which page.
@Suite struct ReturnChecklistScrollTests {
    /// The screen `model` draws at its size.
    static func draw(_ model: Model) -> Frame {
        var frame = Frame(columns: model.columns, rows: model.rows)
        view(model, into: &frame)
        return frame
    }

    /// A frame's rows as text (`Frame.text` ends each with a newline).
    static func lines(_ frame: Frame) -> [String] { frame.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }

    /// Down to the last of 30 items and back up, each step stated on the model and checked on the screen: the
    /// selected item is on screen, on the line the cursor rests on, the only one marked; its page is the one the
    /// title names; nothing runs over the legend or past the width.
    @Test(arguments: [(40, 12, 7, Language.english), (40, 12, 7, .french), (80, 24, 16, .english), (80, 24, 16, .french)])
    func theSelectedItemStaysOnScreenDownToTheLastAndBack(columns: Int, rows: Int, perPage: Int, language: Language) {
        let sale = Fixtures.returnableWithManyItems
        var settings = Fixtures.settings
        settings.language = language
        let store = UpdateStore.console(Model(settings: settings))
        store.send(.resized(columns: columns, rows: rows)) {
            $0.columns = columns
            $0.rows = rows
        }
        store.press(.function(5), effects: [.loadReturnable]) { $0.screen = .returnList(ReturnList()) }
        let list = ReturnList(items: [sale])
        store.send(.returnableLoaded([sale])) { $0.screen = .returnList(list) }
        store.press(.enter) { $0.screen = .returnItems(list, ReturnChecklist(sale: sale)) }
        let labels = sale.remainingItemLabels(language)
        #expect(labels.count == 30)
        let pages = (labels.count + perPage - 1) / perPage
        // The legend's rows (one at 40 columns, two at 80), as the first page draws them.
        let legend = Self.lines(Self.draw(store.model)).suffix(columns < 80 ? 1 : 2)
        #expect(legend.joined(separator: " ").contains("F1 ") && legend.allSatisfy { !$0.isEmpty && !$0.contains("[ ]") }, "\(legend)")

        func check(_ selected: Int, sourceLocation: SourceLocation = #_sourceLocation) {
            let frame = Self.draw(store.model)
            let lines = Self.lines(frame)
            let marked = lines.indices.filter { lines[$0].hasPrefix(" > ") }
            #expect(marked.count == 1, "one line is selected:\n\(frame.text)", sourceLocation: sourceLocation)
            guard let row = marked.first else { return }
            #expect(
                lines[row] == " > [ ] " + labels[selected], "item \(selected + 1) is the one on screen:\n\(frame.text)",
                sourceLocation: sourceLocation)
            #expect(frame.cursor?.row == row, "the cursor rests on it", sourceLocation: sourceLocation)
            let page = ConsoleText.helpPage(selected / perPage + 1, of: pages).text(language)
            #expect(lines.contains { $0.contains(page) }, "the title says \(page):\n\(frame.text)", sourceLocation: sourceLocation)
            // The page holds the items of its page, in order, and the next page's first item is not on it.
            let first = selected / perPage * perPage
            for index in first..<min(labels.count, first + perPage) {
                #expect(lines.contains { $0.hasSuffix("[ ] " + labels[index]) }, "item \(index + 1) on the page", sourceLocation: sourceLocation)
            }
            if first + perPage < labels.count {
                #expect(!lines.contains { $0.hasSuffix("[ ] " + labels[first + perPage]) }, sourceLocation: sourceLocation)
            }
            #expect(lines.count == rows && lines.allSatisfy { $0.count <= columns }, sourceLocation: sourceLocation)
            #expect(lines.suffix(legend.count) == legend, "the legend is not written over:\n\(frame.text)", sourceLocation: sourceLocation)
        }

        check(0)
        for selected in 1..<labels.count {
            store.press(.down) { $0.screen = .returnItems(list, ReturnChecklist(sale: sale, selected: selected)) }
            check(selected)
        }
        // Past the last item: it stays.
        store.press(.down)
        check(labels.count - 1)
        for selected in (0..<labels.count - 1).reversed() {
            store.press(.up) { $0.screen = .returnItems(list, ReturnChecklist(sale: sale, selected: selected)) }
            check(selected)
        }
    }

    /// All 30 items going back: the question's screen lists those it has room for and counts the rest, so the question
    /// and its answers stay on screen at 40×12 and 80×24; the result at 80×24 (which lists them) keeps its receipt line.
    @Test(arguments: [(40, 12), (80, 24)])
    func theQuestionOfManyItemsCountsThoseWithoutRoom(columns: Int, rows: Int) {
        let sale = Fixtures.returnableWithManyItems
        var model = Model(settings: Fixtures.settings)
        _ = update(&model, .resized(columns: columns, rows: rows))
        model.screen = .returnItems(ReturnList(items: [sale]), ReturnChecklist(sale: sale))
        var time: Int64 = 0
        _ = Fixtures.press(.character("a"), &model, &time)
        var lines = Self.lines(Self.draw(model))
        #expect(lines.contains { $0.contains("Return these 30 items") }, "\(lines.joined(separator: "\n"))")
        #expect(lines.contains { $0.hasPrefix(" Y Yes") || $0.contains("Y Yes") })
        let shown = lines.filter { $0.hasPrefix("   Item ") || $0.hasPrefix("   Mug ") }.count
        let counted = lines.first { $0.hasPrefix("   … and ") }
        #expect(counted == "   … and \(30 - shown) more", "\(lines.joined(separator: "\n"))")
        #expect(shown > 0 && shown < 30)
        guard columns == 80 else { return }
        _ = Fixtures.press(.character("y"), &model, &time)
        _ = update(&model, .saleReturned(.earned(miles: 22, confirmationNumber: "IR0000000004", lines: [])))
        lines = Self.lines(Self.draw(model))
        #expect(lines.contains { $0.hasPrefix("   … and ") } && lines.contains { $0.contains("Receipt") }, "\(lines.joined(separator: "\n"))")
    }

    /// The lines already returned take the rows the last page leaves; those that do not fit are counted, never cut.
    @Test func theReturnedLinesThatDoNotFitAreCounted() {
        var items = (1...13).map { IssuanceItem(id: "SKU\($0)", name: "Item \($0)", finalAmount: Money(dollars: $0)) }
        items += (1...3).map { _ in IssuanceItem(id: "CUP", name: "Cup", finalAmount: Money(dollars: 2)) }
        let base = Fixtures.returnableWithManyItems
        let sale = ReturnableSale(
            journalId: base.journalId, checkoutTransactionId: base.checkoutTransactionId, maskedCard: base.maskedCard,
            milesEarned: base.milesEarned, time: base.time,
            request: EarningRequest(
                card: base.request.card, preTaxAmount: Money(dollars: 97), postTaxAmount: Money(dollars: 109), items: items,
                originalCheckoutTransactionId: base.checkoutTransactionId),
            returnedLines: Set(13..<16))
        var model = Model(settings: Fixtures.settings)
        _ = update(&model, .resized(columns: 40, rows: 12))
        // 13 items left, 7 a page: the last page has 6 of them and room for one line more, which counts the 3 returned.
        model.screen = .returnItems(ReturnList(items: [sale]), ReturnChecklist(sale: sale, selected: 12))
        var lines = Self.lines(Self.draw(model))
        #expect(lines.contains("     … and 3 more already returned"), "\(lines.joined(separator: "\n"))")
        #expect(lines.count == 12 && lines[11].hasPrefix("F1 "), "the legend stays")
        // At 80×24 all 13 are on one page, and the 3 returned lines under them.
        _ = update(&model, .resized(columns: 80, rows: 24))
        lines = Self.lines(Self.draw(model))
        #expect(lines.filter { $0 == "     Cup $2.00 (already returned)" }.count == 3, "\(lines.joined(separator: "\n"))")
        #expect(!lines.contains { $0.contains("more already returned") })
    }
}
