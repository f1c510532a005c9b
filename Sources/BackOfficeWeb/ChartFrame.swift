/// Where a back-office chart draws: the SVG's size and the margins left of and below (and above) the bars.
/// The charts of the day and host pages open, draw their axis and label their hours the same way from it.
struct ChartFrame {
    let width: Double
    let height: Double
    let left: Double
    let bottom: Double
    let top: Double

    /// A chart without an axis under it (the answers' horizontal bars) needs no bottom or top margin.
    init(width: Double, height: Double, left: Double, bottom: Double = 0, top: Double = 0) {
        self.width = width
        self.height = height
        self.left = left
        self.bottom = bottom
        self.top = top
    }

    /// The y of the axis the bars stand on.
    var baseline: Double { height - bottom }
    /// The height the tallest bar (the scale) reaches.
    var plotHeight: Double { height - bottom - top }

    /// The figure and its SVG, announced to screen readers by `title` (`id` names the title element).
    func opening(id: String, title: String) -> String {
        "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" "
            + "height=\"\(Int(height))\" role=\"img\" aria-labelledby=\"\(id)\"><title id=\"\(id)\">\(title)</title>"
    }

    /// The axis under the bars, the scale's top written at the top left and 0 at the bottom left.
    func axis(scale: String) -> String {
        "<line x1=\"\(left)\" y1=\"\(baseline)\" x2=\"\(width)\" y2=\"\(baseline)\" stroke=\"#555\"/>\n"
            + "<text x=\"\(left - 4)\" y=\"\(top + 4)\" text-anchor=\"end\" font-size=\"11\">\(scale)</text>\n"
            + "<text x=\"\(left - 4)\" y=\"\(baseline)\" text-anchor=\"end\" font-size=\"11\">0</text>"
    }

    /// An hour's label under the axis, centred on `x`.
    func hourLabel(_ hour: Int, centredOn x: Double) -> String {
        "<text x=\"\(x)\" y=\"\(height - 8)\" text-anchor=\"middle\" font-size=\"11\">\(hour)h</text>"
    }
}
