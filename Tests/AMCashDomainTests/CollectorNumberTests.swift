import AMCashDomain
import Testing

@Suite struct CollectorNumberTests {
    let reader = CardReader()

    @Test func maskedFormShowsOnlyTheLastFourDigits() throws {
        let number = try CollectorNumber(digits: "81234561234")
        #expect(number.masked == "•••••••1234")
        #expect(number.maskedASCII == "*******1234")
        #expect(number.lastFour == "1234")
    }

    @Test func noOrdinaryWayOfPrintingShowsTheFullNumber() throws {
        let number = try CollectorNumber(digits: "81234567890")
        var dumped = ""
        dump(number, to: &dumped)
        let renderings = [
            number.description, number.debugDescription, "\(number)", String(describing: number),
            String(reflecting: number), dumped, "\([number])", "\(Optional(number) as Any)",
        ]
        for rendering in renderings {
            #expect(!rendering.contains("8123456"), "leaked in: \(rendering)")
            #expect(rendering.contains("7890"), "last four missing in: \(rendering)")
        }
    }

    @Test(arguments: [
        ("81234567890\r\n", "81234567890"),
        ("]C081234567890", "81234567890"),
        ("]E081234567890\n", "81234567890"),
        ("*81234567890*", "81234567890"),
        ("  8123456 7890 ", "81234567890"),
        ("STX81234567890ETX", "81234567890"),
    ])
    func aScanLosesItsScannersPrefixSuffixAndWhitespace(raw: String, digits: String) throws {
        let read = try reader.scanned(raw)
        #expect(read.number.unmaskedDigits == digits)
        #expect(read.entryMode == .scan)
        #expect(read.canRedeem)
    }

    @Test(arguments: [
        ("8123A4567890", CardReadError.notDigits),
        ("", .empty),
        ("\r\n", .empty),
        ("8123456789", .wrongLength(actual: 10, expected: 11...11)),
        ("812345678901", .wrongLength(actual: 12, expected: 11...11)),
    ])
    func aMalformedScanIsRefusedWithItsReason(raw: String, error: CardReadError) {
        #expect(throws: error) { try reader.scanned(raw) }
    }

    @Test(arguments: [
        (";81234567890=49121010000000000000?", "81234567890"),
        ("%B81234567890^COLLECTOR/TEST^4912101?;81234567890=4912101?", "81234567890"),
        ("%B81234567890^COLLECTOR/TEST^4912101?", "81234567890"),
        (";81234567890?", "81234567890"),
    ])
    func aSwipeReadsTheNumberFromTrackData(track: String, digits: String) throws {
        let read = try reader.swiped(track)
        #expect(read.number.unmaskedDigits == digits)
        #expect(read.entryMode == .swipe)
    }

    @Test(arguments: ["81234567890", "no track here", "%B81234567890"])
    func aSwipeWithoutTrackSentinelsIsUnreadable(track: String) {
        #expect(throws: CardReadError.unreadableTrack) { try reader.swiped(track) }
    }

    @Test func keyedDigitsMayBeGroupedButOnlyLookUpABalance() throws {
        let read = try reader.keyed("812 3456-7890")
        #expect(read.number.unmaskedDigits == "81234567890")
        #expect(read.entryMode == .manual)
        #expect(!read.canRedeem)
    }

    @Test func manualEntryCannotRedeem() {
        #expect(CardEntryMode.allCases.filter { !$0.canRedeem } == [.manual])
    }

    @Test func entryModesHaveTheWireSpelling() {
        #expect(CardEntryMode.allCases.map(\.rawValue) == ["SCAN", "SWIPE", "MANUAL"])
    }

    @Test func longerCardsNeedAConfiguredFormat() throws {
        let format = try CollectorNumberFormat(lengths: 11...19)
        let reader = CardReader(format: format)
        #expect(try reader.scanned("8123456789012345678").number.masked == "•••••••••••••••5678")
        #expect(throws: CardReadError.wrongLength(actual: 20, expected: 11...19)) {
            try reader.scanned("81234567890123456789")
        }
        #expect(throws: CardReadError.unsupportedFormat(11...20)) { try CollectorNumberFormat(lengths: 11...20) }
        #expect(throws: CardReadError.unsupportedFormat(0...11)) { try CollectorNumberFormat(lengths: 0...11) }
    }

    @Test func aLuhnInvalidNumberIsStillAccepted() throws {
        // No check digit is documented; the host, not the terminal, decides (0025).
        #expect(try CollectorNumber(digits: "81234567891").lastFour == "7891")
        #expect(try CollectorNumber(digits: "81234567892").lastFour == "7892")
    }

    @Test(arguments: [
        CardReadError.empty, .notDigits, .wrongLength(actual: 3, expected: 11...11), .unreadableTrack,
        .unsupportedFormat(0...30),
    ])
    func everyCardErrorSpeaksBothLanguages(error: CardReadError) {
        #expect(!error.message.english.isEmpty)
        #expect(!error.message.french.isEmpty)
        #expect(error.message.english != error.message.french)
    }

    @Test func wrongLengthSaysHowManyDigitsAreExpected() {
        #expect(CardReadError.wrongLength(actual: 10, expected: 11...11).description == "A card number has 11 digits; this one has 10.")
        #expect(CardReadError.wrongLength(actual: 20, expected: 11...19).description == "A card number has 11 to 19 digits; this one has 20.")
    }
}
