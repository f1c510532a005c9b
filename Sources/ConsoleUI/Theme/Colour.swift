/// How many colours the terminal has, from terminfo (`none`: monochrome, by NO_COLOR or terminfo).
public enum ColourMode: Sendable, Hashable, CaseIterable {
    case none, colours8, colours16, colours256

    /// The highest colour index the mode can show, plus one.
    var count: Int {
        switch self {
        case .none: 0
        case .colours8: 8
        case .colours16: 16
        case .colours256: 256
        }
    }
}

/// A colour as a theme writes it: the terminal's own default, a terminal colour index 0–255 (the
/// names `red`, `bright-blue` … are 0–15), or `#rrggbb`, shown as the nearest colour the terminal has.
public enum Colour: Sendable, Hashable {
    case terminalDefault
    case indexed(Int)
    case rgb(red: Int, green: Int, blue: Int)

    /// The terminal colour names, in index order.
    public static let names = [
        "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
        "bright-black", "bright-red", "bright-green", "bright-yellow", "bright-blue", "bright-magenta", "bright-cyan", "bright-white",
    ]

    /// Reads `red`, `bright-blue`, `grey`, `default`, `#0055aa`; nil if it is none of them.
    public init?(name text: String) {
        let lowered = text.lowercased()
        if lowered == "default" {
            self = .terminalDefault
        } else if let index = Self.names.firstIndex(of: lowered) {
            self = .indexed(index)
        } else if lowered == "gray" || lowered == "grey" {
            self = .indexed(8)
        } else if lowered.hasPrefix("#"), lowered.count == 7, let value = Int(lowered.dropFirst(), radix: 16) {
            self = .rgb(red: value >> 16, green: (value >> 8) & 0xFF, blue: value & 0xFF)
        } else {
            return nil
        }
    }

    /// The colour index to use on a terminal with `mode`; nil for the terminal's default (or no colour).
    public func index(for mode: ColourMode) -> Int? {
        guard mode != .none else { return nil }
        switch self {
        case .terminalDefault:
            return nil
        case .indexed(let index) where index < mode.count:
            return index
        case .indexed(let index) where mode == .colours8 && index < 16:
            return index - 8  // a bright colour becomes its plain one
        case .indexed(let index):
            return Self.nearest(Self.rgb(ofIndex: index), among: 0..<mode.count)
        case .rgb(let red, let green, let blue) where mode == .colours256:
            // Colours 0–15 are whatever the terminal's owner set them to; the cube and the greys are fixed.
            return Self.nearest((red, green, blue), among: 16..<256)
        case .rgb(let red, let green, let blue):
            return Self.nearest((red, green, blue), among: 0..<mode.count)
        }
    }

    /// xterm's colours 0–15.
    static let basic: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    /// The red, green and blue of an xterm colour index: 16 basic, a 6×6×6 cube, 24 greys.
    static func rgb(ofIndex index: Int) -> (Int, Int, Int) {
        if index < 16 { return basic[max(0, index)] }
        if index < 232 {
            let levels = [0, 95, 135, 175, 215, 255]
            let cube = index - 16
            return (levels[cube / 36], levels[(cube / 6) % 6], levels[cube % 6])
        }
        let grey = 8 + (index - 232) * 10
        return (grey, grey, grey)
    }

    /// The index in `indexes` whose colour is nearest (squared distance in RGB; integers only).
    static func nearest(_ colour: (Int, Int, Int), among indexes: Range<Int>) -> Int {
        var best = indexes.lowerBound
        var bestDistance = Int.max
        for index in indexes {
            let candidate = rgb(ofIndex: index)
            let distance =
                (candidate.0 - colour.0) * (candidate.0 - colour.0) + (candidate.1 - colour.1) * (candidate.1 - colour.1)
                + (candidate.2 - colour.2) * (candidate.2 - colour.2)
            if distance < bestDistance {
                best = index
                bestDistance = distance
            }
        }
        return best
    }
}
