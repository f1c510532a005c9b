import AMCashDomain
import Testing

@Suite struct ResponseCodeCatalogueTests {
    @Test(arguments: [
        ("0000", 200, Outcome.approved), ("0001", 202, .approved), ("0002", 401, .declined),
        ("0005", 202, .declined), ("0006", 202, .declined), ("0008", 408, .retryable),
        ("0009", 403, .declined), ("0025", 401, .declined), ("0035", 400, .declined),
        ("0051", 202, .declined), ("0065", 202, .declined), ("0092", 503, .retryable),
        ("0096", 500, .retryable),
    ])
    func everyDocumentedCodeHasItsStatusAndOutcome(code: String, status: Int, outcome: Outcome) {
        let meaning = ResponseCode(code).meaning
        #expect(meaning.httpStatus == status)
        #expect(meaning.outcome == outcome)
    }

    @Test func theCatalogueHoldsExactlyTheDocumentedCodes() {
        #expect(
            ResponseCodeCatalogue.all.map(\.code.rawValue) == [
                "0000", "0001", "0002", "0005", "0006", "0008", "0009", "0025", "0035", "0051", "0065", "0092", "0096",
            ])
    }

    @Test func everyCodeHasAMessageInBothLanguagesAndAnAction() {
        for meaning in ResponseCodeCatalogue.all {
            #expect(!meaning.message.english.isEmpty && !meaning.message.french.isEmpty, "\(meaning.code)")
            #expect(meaning.message.english != meaning.message.french, "\(meaning.code)")
            #expect((meaning.action == .none) == (meaning.outcome == .approved), "\(meaning.code)")
        }
    }

    @Test func onlyApprovalsAreApproved() {
        #expect(ResponseCodeCatalogue.all.filter { $0.outcome == .approved }.map(\.code) == ["0000", "0001"])
    }

    @Test(arguments: ["0003", "9999", "", "0000 ", "000", "00000", "APPROVED", "0"])
    func anUnknownCodeIsNeverApproved(code: String) {
        let meaning = ResponseCode(code).meaning
        #expect(meaning.outcome == .unknown)
        #expect(meaning.action == .callSupport)
        #expect(meaning.httpStatus == nil)
        #expect(meaning.message.english.contains(code.isEmpty ? "no code" : code))
    }

    @Test func aGarbledCodeNeverReachesTheScreenAsControlCharacters() {
        let meaning = ResponseCode("\u{1B}[2J0000\n<html>").meaning
        #expect(meaning.outcome == .unknown)
        #expect(meaning.message.english == "AIR MILES sent an unknown answer ([2J0000<).")
        #expect(ResponseCode("\u{1B}").meaning.message.french == "AIR MILES a envoyé une réponse inconnue (aucun code).")
    }

    @Test func aKeyedCardIsToldToScan() {
        #expect(ResponseCode.cardNotSwipedOrScanned.meaning.action == .scanCard)
    }

    @Test func hiddenBalancesAreMarked() {
        #expect(!ResponseCode.approvedBalanceHidden.meaning.showsBalance)
        #expect(!ResponseCode.balanceHiddenUnableToRedeem.meaning.showsBalance)
        #expect(ResponseCode.approved.meaning.showsBalance)
    }

    @Test func everyActionSpeaksBothLanguages() {
        for action in CashierAction.allCases {
            #expect(!action.text.english.isEmpty && action.text.english != action.text.french, "\(action)")
        }
    }
}
