import Measurements

extension ReportHTML {
  /// With watchers: what the NOTIFYs brought of the published changes, the propagation latency
  /// by percentile and over time, the NOTIFYs per second (fan-out), and the subscriptions.
  static func propagation(_ report: RunReport, metrics: RunMetrics?) -> String {
    guard let notify = report.notify, let made = report.subscriptions else { return "" }
    var html = "<h2>Propagation: publish → notify</h2><div class=\"cards\">"
    let owed = notify.expected == 0 ? 100 : Double(notify.received) / Double(notify.expected) * 100
    let cards: [(String, String)] = [
      ("owed changes received", "\(notify.received) of \(notify.expected) (\(format(owed)) %)"),
      ("missing", String(notify.missing)),
      ("superseded / duplicates / stale", "\(notify.superseded) / \(notify.duplicates) / \(notify.stale)"),
      ("propagation p50", micros(notify.latencyMicros.p50)),
      ("propagation p99", micros(notify.latencyMicros.p99)),
      ("from the 2xx p99", micros(notify.latencyMicrosFromAnswer.p99)),
      ("watchers", String(made.watchers)),
      ("NOTIFYs", String(notify.notifies)),
    ]
    for (label, value) in cards { html += "<div class=\"card\">\(label)<b>\(escape(value))</b></div>" }
    html += "</div>"
    if let watchers = metrics?.watchers {
      html += percentilePlot(
        [
          PercentileLine("from intended send", watchers.latency, color: "#1f77b4"),
          PercentileLine("from the 2xx", watchers.latencyFromAnswer, color: "#ff7f0e", dashed: true),
        ], title: "propagation latency by percentile")
      html += propagationOverTime(watchers.timeSeries)
    }
    return html + subscriptionTable(made, notify)
  }

  private static func propagationOverTime(_ series: TimeSeries) -> String {
    let seconds = series.seconds
    guard seconds.count > 1 else { return "" }
    let ticks = SVGChart.timeTicks(upTo: Double(seconds.count - 1))
    func line(_ name: String, _ color: String, _ value: (TimeSeries.Second) -> Double) -> SVGChart.Series {
      SVGChart.Series(
        name: name, points: seconds.enumerated().map { (x: Double($0.offset), y: value($0.element)) },
        color: color)
    }
    let latency = SVGChart.render(
      [
        line("p50", "#2ca02c") { Double($0.latency.micros(atPercentile: 50)) / 1000 },
        line("p99", "#ff7f0e") { Double($0.latency.micros(atPercentile: 99)) / 1000 },
        line("max", "#d62728") { Double($0.latency.maxMicros) / 1000 },
      ], xTicks: ticks, yUnit: "ms", title: "propagation latency over time")
    let fanOut = SVGChart.render(
      [line("owed changes notified/s", "#1f77b4") { Double($0.completed) }], xTicks: ticks, yUnit: "/s",
      title: "notifications over time")
    return latency + fanOut
  }

  private static func subscriptionTable(_ made: RunReport.Subscriptions, _ notify: RunReport.Notify) -> String
  {
    let rows: [(String, String)] = [
      ("subscriptions established / refreshed", "\(made.established) / \(made.refreshed)"),
      ("ended by the watchers / by the notifier", "\(made.ended) / \(made.terminated)"),
      (
        "SUBSCRIBE failed / timed out / retransmitted",
        "\(made.failed) / \(made.timeouts) / \(made.retransmissions)"
      ),
      (
        "SUBSCRIBE answers",
        made.responses.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
      ),
      (
        "SUBSCRIBE latency p50 / p99", "\(micros(made.latencyMicros.p50)) / \(micros(made.latencyMicros.p99))"
      ),
      ("NOTIFY retransmitted / for no dialog", "\(notify.retransmitted) / \(notify.unknownDialog)"),
      ("changes notified before the PUBLISH's 2xx", String(notify.beforeAnswer)),
    ]
    var html = "<div class=\"scroll\"><table class=\"kv\">"
    for (label, value) in rows { html += "<tr><th>\(escape(label))</th><td>\(escape(value))</td></tr>" }
    return html + "</table></div>"
  }
}
