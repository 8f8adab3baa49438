import Measurements

extension ReportHTML {
  /// A replay's fidelity: how many transactions got their recorded final code live, recorded
  /// against live latency (per recorded operation, and as percentile curves), the recorded →
  /// live code pairs, and the first transactions that differed.
  static func fidelity(_ report: RunReport, metrics: RunMetrics?) -> String {
    guard let fidelity = report.fidelity else { return "" }
    var html = "<h2>Fidelity: recorded vs live</h2><div class=\"cards\">"
    let cards: [(String, String)] = [
      ("same final code", format(fidelity.sameFinalCodePercent) + " %"),
      ("comparable", String(fidelity.comparable)),
      ("replayed", "\(fidelity.transactions) of \(fidelity.planned)"),
      ("recorded p50", micros(fidelity.recordedLatencyMicros.p50)),
      ("live p50", micros(fidelity.liveLatencyMicros.p50)),
      ("recorded p99", micros(fidelity.recordedLatencyMicros.p99)),
      ("live p99", micros(fidelity.liveLatencyMicros.p99)),
      ("skipped / reinitiated", "\(fidelity.skipped) / \(fidelity.reinitiated)"),
    ]
    for (label, value) in cards { html += "<div class=\"card\">\(label)<b>\(escape(value))</b></div>" }
    html += "</div>"
    if let measured = metrics?.fidelity {
      html += fidelityPlot(measured)
    }
    html += fidelityOperations(fidelity)
    html += fidelityCodes(fidelity)
    html += fidelityDifferences(fidelity)
    return html
  }

  private static func fidelityPlot(_ measured: FidelityMetrics) -> String {
    percentilePlot(
      [
        PercentileLine("recorded", measured.recordedLatency, color: "#999", dashed: true),
        PercentileLine("live", measured.liveLatency, color: "#1f77b4"),
      ], title: "recorded and live latency by percentile")
  }

  private static func fidelityOperations(_ fidelity: RunReport.Fidelity) -> String {
    var html = "<div class=\"scroll\"><table><tr><th>recorded operation</th><th>comparable</th>"
    html +=
      "<th>same code</th><th>recorded p50</th><th>live p50</th><th>recorded p99</th><th>live p99</th></tr>"
    for (name, operation) in fidelity.operations.sorted(by: { $0.key < $1.key }) {
      let same =
        operation.comparable == 0 ? 100 : Double(operation.sameFinalCode) / Double(operation.comparable) * 100
      html += "<tr><td>\(escape(name))</td><td>\(operation.comparable)</td><td>\(format(same)) %</td>"
      html +=
        "<td>\(micros(operation.recordedLatencyMicros.p50))</td><td>\(micros(operation.liveLatencyMicros.p50))</td>"
      html +=
        "<td>\(micros(operation.recordedLatencyMicros.p99))</td><td>\(micros(operation.liveLatencyMicros.p99))</td></tr>"
    }
    return html + "</table></div>"
  }

  private static func fidelityCodes(_ fidelity: RunReport.Fidelity) -> String {
    var html = "<div class=\"scroll\"><table><tr><th>recorded → live</th><th>transactions</th></tr>"
    for (pair, count) in fidelity.codes.sorted(by: { $0.key < $1.key }) {
      let parts = pair.components(separatedBy: " → ")
      let kind = parts.count == 2 && parts[0] != parts[1] ? " class=\"fail\"" : ""
      html += "<tr><td\(kind)>\(escape(pair))</td><td>\(count)</td></tr>"
    }
    return html + "</table></div>"
  }

  private static func fidelityDifferences(_ fidelity: RunReport.Fidelity) -> String {
    guard !fidelity.differences.isEmpty else {
      return "<p class=\"note\">Every comparable transaction got its recorded final code live.</p>"
    }
    var html = "<h3>First differences</h3><div class=\"scroll\"><table><tr><th>due</th><th>resource</th>"
    html += "<th>event</th><th>recorded</th><th>sent</th><th>recorded code</th><th>live</th>"
    html += "<th>recorded latency</th><th>live latency</th></tr>"
    for row in fidelity.differences {
      html += "<tr><td>\(format(row.dueMillis / 1000)) s</td><td>\(escape(row.resource))</td>"
      html += "<td>\(escape(row.event))</td><td>\(escape(row.recordedOperation))</td>"
      html += "<td>\(escape(row.liveOperation))</td><td>\(row.recordedStatus.map(String.init) ?? "–")</td>"
      html += "<td class=\"fail\">\(escape(row.live))</td>"
      html +=
        "<td>\(row.recordedLatencyMicros.map(micros) ?? "–")</td><td>\(row.liveLatencyMicros.map(micros) ?? "–")</td></tr>"
    }
    return html + "</table></div>"
  }
}
