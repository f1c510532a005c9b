import AMCashDomain

/// The code page a receipt is printed in: the printer is told which (ESC t n) and every character
/// goes as one byte of it, so no UTF-8 ever reaches the paper. CP863 (Canadian French, the
/// default) holds every accented capital French needs; CP858 (multilingual Latin 1 with €) is the
/// alternative for printers without CP863. What a page lacks is folded as the console's ASCII mode does.
public enum ReceiptCodePage: String, Sendable, Hashable, CaseIterable, Codable {
    case cp863 = "CP863"
    case cp858 = "CP858"

    /// The page number of ESC t n on Epson TM printers and the printers that copy them.
    public var escPosNumber: UInt8 {
        switch self {
        case .cp863: 4
        case .cp858: 19
        }
    }

    /// The characters of bytes 0x80 to 0xFF, in order (generated from Python's codecs).
    var upperHalf: String {
        switch self {
        case .cp863:
            "ÇüéâÂà¶çêëèïî‗À§ÉÈÊôËÏûù¤ÔÜ¢£ÙÛƒ¦´óú¨¸³¯Î⌐¬½¼¾«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{00A0}"
        case .cp858:
            "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈ€ÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u{00AD}±‗¾¶§÷¸°¨·¹³²■\u{00A0}"
        }
    }

    private static let tables: [ReceiptCodePage: (encode: [Character: UInt8], decode: [Character])] = {
        var tables: [ReceiptCodePage: (encode: [Character: UInt8], decode: [Character])] = [:]
        for page in ReceiptCodePage.allCases {
            let decode = Array(page.upperHalf)
            precondition(decode.count == 128, "a code page table holds 128 characters")
            var encode: [Character: UInt8] = [:]
            for (offset, character) in decode.enumerated() where encode[character] == nil { encode[character] = UInt8(128 + offset) }
            tables[page] = (encode, decode)
        }
        return tables
    }()

    /// `text` as bytes of this page: ASCII as is, what the page holds as its byte, anything else folded
    /// to ASCII (and `?` when even that fails). Control characters become spaces.
    public func encode(_ text: String) -> [UInt8] {
        let encode = Self.tables[self]?.encode ?? [:]
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for character in text {
            if let ascii = character.asciiValue {
                bytes.append(ascii < 0x20 || ascii == 0x7F ? 0x20 : ascii)
            } else if let byte = encode[character] {
                bytes.append(byte)
            } else {
                bytes += Self.foldToASCII(String(character)).utf8
            }
        }
        return bytes
    }

    /// The character a byte of this page stands for (what the printer prints).
    public func decode(_ byte: UInt8) -> Character {
        guard byte >= 0x80 else { return Character(Unicode.Scalar(byte)) }
        return Self.tables[self]?.decode[Int(byte) - 128] ?? "?"
    }

    /// amcash's one ASCII fold (`AsciiFold`): look-alikes for symbols, letters without accents, else `?`.
    public static func foldToASCII(_ text: String) -> String { AsciiFold.fold(text) }
}
