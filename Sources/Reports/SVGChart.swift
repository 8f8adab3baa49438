/// Small line charts as inline SVG: straight segments between points, a linear y axis from zero
/// with five grid lines, labelled x ticks and a legend. The project's own drawing code, so a
/// report needs nothing from the network. The SVG scales to its container's width.
enum SVGChart {
  struct Series {
    var name: String
    var points: [(x: Double, y: Double)]
    var color: String
    var dashed = false
  }

  static let width = 800.0
  static let height = 280.0
  static let left = 70.0
  static let right = 16.0
  static let top = 24.0
  static let bottom = 34.0

  static func render(_ series: [Series], xTicks: [(x: Double, label: String)], yUnit: String, title: String)
    -> String
  {
    let xs = series.flatMap { $0.points.map(\.x) } + xTicks.map(\.x)
    let lowestX = xs.min() ?? 0
    let highestX = max(xs.max() ?? 1, lowestX + 1e-9)
    let values = series.flatMap { $0.points.map(\.y) }
    let yAxis = niceAxis(upTo: values.max() ?? 1, integral: values.allSatisfy { $0 == $0.rounded() })
    let highestY = yAxis.top
    let plotWidth = width - left - right
    let plotHeight = height - top - bottom
    func x(_ value: Double) -> Double { left + (value - lowestX) / (highestX - lowestX) * plotWidth }
    func y(_ value: Double) -> Double { top + plotHeight - value / highestY * plotHeight }
    var svg =
      "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(ReportHTML.escape(title))\" "
      + "xmlns=\"http://www.w3.org/2000/svg\" font-family=\"system-ui,sans-serif\">"
    for step in 0...Int((yAxis.top / yAxis.step).rounded()) {
      let value = yAxis.step * Double(step)
      svg +=
        "<line x1=\"\(f(left))\" y1=\"\(f(y(value)))\" x2=\"\(f(width - right))\" y2=\"\(f(y(value)))\" stroke=\"#e5e5e5\"/>"
      svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y(value) + 4))\" font-size=\"11\" text-anchor=\"end\">"
      svg += "\(ReportHTML.format(value))\(yUnit)</text>"
    }
    for (index, tick) in xTicks.enumerated() {
      let atRightEdge = index == xTicks.count - 1 && tick.x >= highestX - (highestX - lowestX) / 20
      let anchor = index == 0 ? "start" : (atRightEdge ? "end" : "middle")
      svg +=
        "<line x1=\"\(f(x(tick.x)))\" y1=\"\(f(top))\" x2=\"\(f(x(tick.x)))\" y2=\"\(f(top + plotHeight))\" stroke=\"#f0f0f0\"/>"
      svg += "<text x=\"\(f(x(tick.x)))\" y=\"\(f(height - 12))\" font-size=\"11\" text-anchor=\"\(anchor)\">"
      svg += "\(ReportHTML.escape(tick.label))</text>"
    }
    // Each legend entry takes 110 points, or more for a long name (about 6.5 points a letter).
    var legendX = left + 8
    for line in series {
      let points = line.points.map { "\(f(x($0.x))),\(f(y(min($0.y, highestY))))" }.joined(separator: " ")
      svg += "<polyline fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"1.6\""
      svg += (line.dashed ? " stroke-dasharray=\"5 3\"" : "") + " points=\"\(points)\"/>"
      defer { legendX += max(110, 24 + 6.5 * Double(line.name.count)) }
      svg += "<rect x=\"\(f(legendX))\" y=\"6\" width=\"10\" height=\"10\" fill=\"\(line.color)\"/>"
      svg += "<text x=\"\(f(legendX + 14))\" y=\"15\" font-size=\"11\">\(ReportHTML.escape(line.name))</text>"
    }
    return svg + "</svg>"
  }

  /// A round number at or above `value` for the top of the y axis (1, 2 or 5 times a power of 10).
  static func niceCeiling(_ value: Double) -> Double {
    guard value > 0 else { return 1 }
    let magnitude = pow10(floorLog10(value))
    for step in [1.0, 2, 5, 10] where step * magnitude >= value { return step * magnitude }
    return 10 * magnitude
  }

  /// A y axis reaching `value` in at most six round steps (1, 2 or 5 times a power of 10), so
  /// grid lines read 0, 1, 2, 3, 4, 5 ms rather than 0, 1.25, 2.5; whole steps for counts.
  static func niceAxis(upTo value: Double, integral: Bool = false) -> (top: Double, step: Double) {
    var step = niceCeiling(max(value, 1e-9) / 6)
    if integral { step = max(step, 1) }
    let top = max((value / step).rounded(.up), 1) * step
    return (top, step)
  }

  /// Ticks for an axis of seconds from 0 to `last`: at most seven, at round intervals (1, 2, 5,
  /// 10, 15 or 30 s, then minutes and hours), labelled in the unit that reads best.
  static func timeTicks(upTo last: Double) -> [(x: Double, label: String)] {
    let steps: [Double] = [
      1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 14_400, 43_200, 86_400,
    ]
    let step = steps.first { last / $0 <= 6 } ?? niceCeiling(last / 6)
    return stride(from: 0, through: max(last, 0), by: step).map { (x: $0, label: timeLabel($0, step: step)) }
  }

  private static func timeLabel(_ seconds: Double, step: Double) -> String {
    if step < 60 { return "\(Int(seconds)) s" }
    if step < 3_600 { return "\(Int(seconds / 60)) min" }
    return "\(ReportHTML.format(seconds / 3_600)) h"
  }

  private static func floorLog10(_ value: Double) -> Int {
    var exponent = 0
    var scaled = value
    while scaled >= 10 {
      scaled /= 10
      exponent += 1
    }
    while scaled < 1 {
      scaled *= 10
      exponent -= 1
    }
    return exponent
  }

  private static func pow10(_ exponent: Int) -> Double {
    var result = 1.0
    if exponent >= 0 {
      for _ in 0..<exponent { result *= 10 }
    } else {
      for _ in 0..<(-exponent) { result /= 10 }
    }
    return result
  }

  private static func f(_ value: Double) -> String { ReportHTML.format(value) }
}
