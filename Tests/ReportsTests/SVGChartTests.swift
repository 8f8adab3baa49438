import Testing

@testable import Reports

/// Axes a reader can read: round grid steps, time ticks at round intervals in a fitting unit.
@Suite("Chart axes")
struct SVGChartTests {
  @Test(arguments: [
    (4.35, false, 5.0, 1.0),
    (510.0, false, 600.0, 100.0),
    (1.0, true, 1.0, 1.0),
    (3.0, true, 3.0, 1.0),
    (0.0, false, 2e-10, 2e-10),
    (163.2, false, 200.0, 50.0),
  ])
  func yAxisStepsAreRound(value: Double, integral: Bool, top: Double, step: Double) {
    let axis = SVGChart.niceAxis(upTo: value, integral: integral)
    #expect(abs(axis.top - top) <= top * 1e-9 && abs(axis.step - step) <= step * 1e-9, "\(axis)")
    #expect(axis.top / axis.step <= 6.000_001)
  }

  @Test func shortRunsTickInSeconds() {
    #expect(SVGChart.timeTicks(upTo: 7).map(\.label) == ["0 s", "2 s", "4 s", "6 s"])
    #expect(
      SVGChart.timeTicks(upTo: 30).map(\.label) == ["0 s", "5 s", "10 s", "15 s", "20 s", "25 s", "30 s"])
  }

  @Test func longRunsTickInMinutesThenHours() {
    #expect(SVGChart.timeTicks(upTo: 599).map(\.label) == ["0 min", "2 min", "4 min", "6 min", "8 min"])
    #expect(
      SVGChart.timeTicks(upTo: 6 * 3_600).map(\.label) == ["0 h", "1 h", "2 h", "3 h", "4 h", "5 h", "6 h"])
  }
}
