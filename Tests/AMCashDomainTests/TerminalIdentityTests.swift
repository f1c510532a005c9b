import Testing

@testable import AMCashDomain

@Suite struct TerminalIdentityTests {
    @Test func aDocumentedIdentityIsAccepted() throws {
        let identity = try TerminalIdentity(
            sponsorCode: "LOY1", storeId: "0001", deviceId: "001",
            vendorId: "12345678901234567890123456789012345", acquirerId: "12345678901")
        #expect(identity.cardTerminalId == "LOY10001001")
    }

    @Test(arguments: [
        ("LOY", "0001", "001", "1", "1", "sponsorCode"),
        ("LOY1", "61", "001", "1", "1", "storeId"),
        ("LOY1", "00A1", "001", "1", "1", "storeId"),
        ("LOY1", "0001", "1", "1", "1", "deviceId"),
        ("LOY1", "0001", "001", "", "1", "vendorId"),
        ("LOY1", "0001", "001", "123456789012345678901234567890123456", "1", "vendorId"),
        ("LOY1", "0001", "001", "1", "123456789012", "acquirerId"),
        ("LO-1", "0001", "001", "1", "1", "sponsorCode"),
    ])
    func aMalformedIdentifierIsNamed(
        sponsor: String, store: String, device: String, vendor: String, acquirer: String,
        field: String
    ) {
        #expect {
            try TerminalIdentity(sponsorCode: sponsor, storeId: store, deviceId: device, vendorId: vendor, acquirerId: acquirer)
        } throws: { error in
            (error as? TerminalIdentityError)?.field == field
        }
    }

    @Test func errorSaysWhatWasExpected() {
        let error = TerminalIdentityError(field: "storeId", value: "61", expected: "4 digits")
        #expect(error.description == "storeId must be 4 digits, got \"61\"")
    }

    @Test func traceIdsAreTwelveZeroPaddedDigitsAndWrap() throws {
        #expect(try TraceId(42).description == "000000000042")
        #expect(try TraceId(parsing: "000000000042") == TraceId(42))
        #expect(try TraceId(41).next == TraceId(42))
        #expect(try TraceId(999_999_999_999).next == TraceId(1))
        #expect(throws: NumberParseError.self) { try TraceId(0) }
        #expect(throws: NumberParseError.self) { try TraceId(parsing: "42") }
        #expect(throws: NumberParseError.self) { try TraceId(parsing: "0000000000420") }
    }
}
