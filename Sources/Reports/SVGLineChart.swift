/// A small line chart as inline SVG: one x axis (seconds), one linear y axis from zero, a legend.
/// The project's own drawing code, so the report needs nothing from the network.
enum SVGLineChart {
  static func render(series: [(name: String, values: [Double], color: String)], yUnit: String) -> String {
    let width = 800.0
    let height = 260.0
    let left = 60.0
    let bottom = 30.0
    let top = 20.0
    let count = max(series.map(\.values.count).max() ?? 0, 2)
    let highest = max(series.flatMap(\.values).max() ?? 0, 1)
    let plotWidth = width - left - 10
    let plotHeight = height - top - bottom
    func x(_ index: Int) -> Double { left + Double(index) / Double(count - 1) * plotWidth }
    func y(_ value: Double) -> Double { top + plotHeight - value / highest * plotHeight }
    var svg =
      "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">"
    for step in 0...4 {
      let value = highest * Double(step) / 4
      let position = y(value)
      svg +=
        "<line x1=\"\(left)\" y1=\"\(position)\" x2=\"\(width - 10)\" y2=\"\(position)\" stroke=\"#e5e5e5\"/>"
      svg += "<text x=\"\(left - 6)\" y=\"\(position + 4)\" font-size=\"11\" text-anchor=\"end\">"
      svg += "\(ReportHTML.format(value))\(yUnit)</text>"
    }
    svg += "<text x=\"\(left)\" y=\"\(height - 8)\" font-size=\"11\">0 s</text>"
    svg +=
      "<text x=\"\(width - 10)\" y=\"\(height - 8)\" font-size=\"11\" text-anchor=\"end\">\(count - 1) s</text>"
    for (offset, line) in series.enumerated() {
      let points = line.values.enumerated().map {
        "\(ReportHTML.format(x($0.offset))),\(ReportHTML.format(y($0.element)))"
      }
      svg +=
        "<polyline fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/>"
      let legendX = left + 10 + Double(offset) * 120
      svg += "<rect x=\"\(legendX)\" y=\"4\" width=\"10\" height=\"10\" fill=\"\(line.color)\"/>"
      svg += "<text x=\"\(legendX + 14)\" y=\"13\" font-size=\"11\">\(ReportHTML.escape(line.name))</text>"
    }
    return svg + "</svg>"
  }
}
