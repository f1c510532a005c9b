import AMCashDomain
import AMCashWire
import ConsoleCore
import ConsoleTestSupport
import Foundation
import Testing

@testable import ConsoleUI

/// A busy day: more sales to return and redemptions to reverse than a screen holds. Each is told apart on screen by its
/// time (09:00, 09:01, …), the first thing its line shows at any width.
enum BusyDay {
    /// The time of the `index`th entry (from 0), one a minute from 09:00.
    static func time(_ index: Int) -> String {
        let hour = 9 + index / 60
        let minute = index % 60
        return (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }

    /// `count` sales of today that earned, the `index`th earning `index` + 1 miles.
    static func returnable(_ count: Int) -> [ReturnableSale] {
        (0..<count).map { index in
            let id = "LOY10001001000000" + String(200_000 + index)
            return ReturnableSale(
                journalId: Int64(100 + index), checkoutTransactionId: id, maskedCard: "•••••••0001", milesEarned: index + 1,
                time: time(index),
                request: EarningRequest(
                    card: CardRead(number: Fixtures.card.number, entryMode: .manual), preTaxAmount: Money(dollars: 10 + index),
                    postTaxAmount: Money(dollars: 10 + index), originalCheckoutTransactionId: id))
        }
    }

    /// `count` redemptions of today that can be reversed, the `index`th of `index` + 1 dollars.
    static func reversible(_ count: Int) -> [ReversibleItem] {
        (0..<count).map { index in
            ReversibleItem(
                journalId: Int64(100 + index), confirmationNumber: "RD" + String(1_000_000_000 + index), card: Fixtures.card,
                maskedCard: "•••••••0001", money: Money(dollars: index + 1), time: time(index))
        }
    }
}

/// The return screen's list of the day's sales and the reverse screen's list of redemptions page with their selection,
/// the way help, history and the return checklist do (`Paging`): the page is the selected entry's, so the selection is
/// always on screen, and the title says which page. The keys and the model are as before: only the drawing pages.
@Suite struct SaleListScrollTests {
    static func draw(_ model: Model) -> Frame {
        var frame = Frame(columns: model.columns, rows: model.rows)
        view(model, into: &frame)
        return frame
    }

    static func lines(_ frame: Frame) -> [String] { frame.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }

    static func store(_ columns: Int, _ rows: Int, _ language: Language) -> UpdateStore {
        var settings = Fixtures.settings
        settings.language = language
        let store = UpdateStore.console(Model(settings: settings))
        store.send(.resized(columns: columns, rows: rows)) {
            $0.columns = columns
            $0.rows = rows
        }
        return store
    }

    /// The frame of `model` shows the `selected`th of `count` entries, on the cursor's line and the only one marked;
    /// the page holding it (of `perPage` entries), in order, named in the title; nothing past the width or over the
    /// `legend` (the legend's rows as the first frame drew them).
    static func check(
        _ model: Model, selected: Int, count: Int, perPage: Int, legend: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let frame = draw(model)
        let lines = lines(frame)
        let marked = lines.indices.filter { lines[$0].hasPrefix(" > ") }
        #expect(marked.count == 1, "one line is selected:\n\(frame.text)", sourceLocation: sourceLocation)
        guard let row = marked.first else { return }
        #expect(
            lines[row].hasPrefix(" > " + BusyDay.time(selected) + " "), "entry \(selected + 1) is the one selected:\n\(frame.text)",
            sourceLocation: sourceLocation)
        #expect(frame.cursor?.row == row, "the cursor rests on it", sourceLocation: sourceLocation)
        let pages = (count + perPage - 1) / perPage
        let page = ConsoleText.helpPage(selected / perPage + 1, of: pages).text(model.language)
        #expect(lines.contains { $0.hasSuffix("  (" + page + ")") }, "the title says \(page):\n\(frame.text)", sourceLocation: sourceLocation)
        let first = selected / perPage * perPage
        let listed = lines.compactMap { line in (0..<count).first { line.dropFirst(3).hasPrefix(BusyDay.time($0) + " ") } }
        #expect(listed == Array(first..<min(count, first + perPage)), "the page's entries, in order:\n\(frame.text)", sourceLocation: sourceLocation)
        #expect(lines.count == model.rows && lines.allSatisfy { $0.count <= model.columns }, sourceLocation: sourceLocation)
        #expect(lines.suffix(legend.count) == legend, "the legend is not written over:\n\(frame.text)", sourceLocation: sourceLocation)
    }

    /// The legend's rows (one below 80 columns, two from 80) of the frame `model` draws.
    static func legend(_ model: Model) -> [String] { Array(lines(draw(model)).suffix(model.columns < 80 ? 1 : 2)) }

    static let sizes = [(40, 12, 7, Language.english), (40, 12, 7, .french), (80, 24, 16, .english), (80, 24, 16, .french)]

    /// 40 sales on the return screen: down to the last and back up, each step stated on the model and checked on screen.
    @Test(arguments: sizes)
    func theSelectedSaleStaysOnScreenDownToTheLastAndBack(columns: Int, rows: Int, perPage: Int, language: Language) {
        let sales = BusyDay.returnable(40)
        let store = Self.store(columns, rows, language)
        store.press(.function(5), effects: [.loadReturnable]) { $0.screen = .returnList(ReturnList()) }
        store.send(.returnableLoaded(sales)) { $0.screen = .returnList(ReturnList(items: sales)) }
        let legend = Self.legend(store.model)
        #expect(legend.joined(separator: " ").contains("F1 ") && legend.allSatisfy { !$0.isEmpty && !$0.hasPrefix(" ") }, "\(legend)")
        Self.check(store.model, selected: 0, count: 40, perPage: perPage, legend: legend)
        for selected in 1..<40 {
            store.press(.down) { $0.screen = .returnList(ReturnList(items: sales, selected: selected)) }
            Self.check(store.model, selected: selected, count: 40, perPage: perPage, legend: legend)
        }
        store.press(.down)
        Self.check(store.model, selected: 39, count: 40, perPage: perPage, legend: legend)
        // Enter takes the last sale, as it did before the list paged.
        let last = ReturnList(items: sales, selected: 39)
        store.press(.enter) { $0.screen = .returnConfirm(last, sales[39]) }
        store.press(.character("n")) { $0.screen = .returnList(last) }
        for selected in (0..<39).reversed() {
            store.press(.up) { $0.screen = .returnList(ReturnList(items: sales, selected: selected)) }
            Self.check(store.model, selected: selected, count: 40, perPage: perPage, legend: legend)
        }
    }

    /// 40 redemptions on the reverse screen: down to the last and back up; on the last, the question and its answers
    /// keep their rows under the list (the list pages in fewer rows), and No goes back to the list as it was.
    @Test(arguments: sizes)
    func theSelectedRedemptionStaysOnScreenDownToTheLastAndBack(columns: Int, rows: Int, perPage: Int, language: Language) {
        let items = BusyDay.reversible(40)
        let store = Self.store(columns, rows, language)
        store.press(.function(3), effects: [.loadReversible]) { $0.screen = .reverseList(ReverseList()) }
        store.send(.reversibleLoaded(items)) { $0.screen = .reverseList(ReverseList(items: items)) }
        let legend = Self.legend(store.model)
        #expect(legend.joined(separator: " ").contains("F1 ") && legend.allSatisfy { !$0.isEmpty && !$0.hasPrefix(" ") }, "\(legend)")
        Self.check(store.model, selected: 0, count: 40, perPage: perPage, legend: legend)
        for selected in 1..<40 {
            store.press(.down) { $0.screen = .reverseList(ReverseList(items: items, selected: selected)) }
            Self.check(store.model, selected: selected, count: 40, perPage: perPage, legend: legend)
        }
        store.press(.down)
        Self.check(store.model, selected: 39, count: 40, perPage: perPage, legend: legend)

        let last = ReverseList(items: items, selected: 39)
        store.press(.enter) { $0.screen = .reverseConfirm(last, items[39], notice: nil) }
        let frame = Self.draw(store.model)
        let lines = Self.lines(frame)
        let marked = lines.indices.filter { lines[$0].hasPrefix(" > ") }
        #expect(marked.count == 1 && marked.first.map { lines[$0].hasPrefix(" > " + BusyDay.time(39) + " ") } == true, "\(frame.text)")
        #expect(frame.cursor?.row == marked.first)
        let question = TextWrap.lines(ConsoleText.reverseQuestion.text(language), width: columns - 2)
        let prompt = TextWrap.lines(ConsoleText.reverseScanPrompt.text(language), width: columns - 2)
        let answers = Legend.answers(store.model)
        let body = lines.dropLast(columns < 80 ? 1 : 2).map { $0.trimmingCharacters(in: .whitespaces) }
        for expected in question + prompt + [answers] {
            #expect(body.contains(expected.trimmingCharacters(in: .whitespaces)), "\(expected) stays on screen:\n\(frame.text)")
        }
        // The list pages in the rows the question leaves it, the title naming the last page.
        let asking = perPage - (columns < 80 ? 0 : 1) - question.count - prompt.count - 1
        let page = ConsoleText.helpPage((39 / asking) + 1, of: (40 + asking - 1) / asking).text(language)
        #expect(asking >= 1 && lines.contains { $0.hasSuffix("  (" + page + ")") }, "the title says \(page):\n\(frame.text)")
        #expect(lines.count == rows && lines.allSatisfy { $0.count <= columns })

        // Yes without reading the card: the notice says to read it. It and the answers stay on screen with the selection
        // (at 40×12 the notice stands in for the request to read the card, which leaves the list no row beside it).
        store.press(.character("y")) { $0.screen = .reverseConfirm(last, items[39], notice: ConsoleText.reverseNeedsCard) }
        let noticeFrame = Self.draw(store.model)
        let noticeLines = Self.lines(noticeFrame)
        let noticeMarked = noticeLines.indices.filter { noticeLines[$0].hasPrefix(" > ") }
        #expect(
            noticeMarked.count == 1 && noticeMarked.first.map { noticeLines[$0].hasPrefix(" > " + BusyDay.time(39) + " ") } == true,
            "\(noticeFrame.text)")
        #expect(noticeFrame.cursor?.row == noticeMarked.first)
        let notice = TextWrap.lines(ConsoleText.reverseNeedsCard.text(language), width: columns - 2)
        let noticeBody = noticeLines.dropLast(columns < 80 ? 1 : 2).map { $0.trimmingCharacters(in: .whitespaces) }
        for expected in question + notice + [answers] {
            #expect(noticeBody.contains(expected.trimmingCharacters(in: .whitespaces)), "\(expected) stays on screen:\n\(noticeFrame.text)")
        }
        #expect(noticeLines.count == rows && noticeLines.allSatisfy { $0.count <= columns })

        store.press(.character("n")) { $0.screen = .reverseList(last) }
        for selected in (0..<39).reversed() {
            store.press(.up) { $0.screen = .reverseList(ReverseList(items: items, selected: selected)) }
            Self.check(store.model, selected: selected, count: 40, perPage: perPage, legend: legend)
        }
    }

    /// A list that fits looks as it did before lists paged: no page cue, every entry; one entry more than fits at 40×12
    /// (8 against 7 rows) makes a second page holding the last alone.
    @Test func aListThatFitsHasNoPageCueAndOneMorePages() {
        var model = Model(settings: Fixtures.settings)
        _ = update(&model, .resized(columns: 40, rows: 12))
        model.screen = .returnList(ReturnList(items: BusyDay.returnable(7), selected: 6))
        var lines = Self.lines(Self.draw(model))
        let text = { lines.joined(separator: "\n") }
        #expect(lines[2] == " " + ConsoleText.returnTitle.text(.english), "\(text())")
        #expect((0..<7).allSatisfy { index in lines.contains { $0.dropFirst(3).hasPrefix(BusyDay.time(index) + " ") } }, "\(text())")
        #expect(lines[10].hasPrefix(" > " + BusyDay.time(6) + " "), "\(text())")
        model.screen = .reverseList(ReverseList(items: BusyDay.reversible(8), selected: 7))
        lines = Self.lines(Self.draw(model))
        #expect(lines[2] == " " + ConsoleText.reverseTitle.text(.english) + "  (page 2 of 2)", "\(text())")
        #expect(lines[4].hasPrefix(" > " + BusyDay.time(7) + " ") && lines[5].isEmpty, "\(text())")
    }
}
