import Metrics

/// report.html: one self-contained page (no scripts, nothing fetched) with the run's summary,
/// per-operation latency, status codes and two inline SVG charts over time.
public enum ReportHTML {
  public static func render(_ report: RunReport, timeSeries: TimeSeries) -> String {
    let operations = ["initial", "refresh", "modify", "remove"].compactMap { name in
      report.operations[name].map { (name, $0) }
    }
    var html = """
      <!doctype html><html lang="en"><head><meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>pubsim \(escape(report.kind)): \(escape(report.profile))</title>
      <style>
      body{font:15px/1.4 system-ui,sans-serif;margin:1.5rem auto;max-width:64rem;padding:0 1rem;color:#222}
      table{border-collapse:collapse;margin:.5rem 0 1.5rem;width:100%}th,td{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:right}
      th:first-child,td:first-child{text-align:left}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
      svg{width:100%;height:auto;background:#fafafa;border:1px solid #eee}.note{color:#666;font-size:.9rem}
      </style></head><body>
      <h1>pubsim \(escape(report.kind)) — \(escape(report.profile))</h1>
      <p class="note">target \(escape(report.target)) · started \(escape(report.startedAt)) · \
      \(format(report.durationSeconds)) s\(report.stoppedEarly ? " · stopped early" : "")</p>
      <h2>Summary</h2><table><tr><th>transactions sent</th><td>\(report.transactions.sent)</td></tr>
      <tr><th>completed</th><td>\(report.transactions.completed)</td></tr>
      <tr><th>timeouts</th><td>\(report.transactions.timeouts)</td></tr>
      <tr><th>transport errors</th><td>\(report.transactions.transportErrors)</td></tr>
      <tr><th>retransmissions</th><td>\(report.transactions.retransmissions)</td></tr>
      <tr><th>rate offered / achieved (per s)</th><td>\(format(report.rate.offered)) / \(format(report.rate.achieved))</td></tr>
      <tr><th>publishers peak / active at end</th><td>\(report.publishers.peak) / \(report.publishers.active)</td></tr>
      <tr><th>latency p50 / p99 / max (from intended send)</th><td>\(micros(report.latencyMicros.p50)) / \
      \(micros(report.latencyMicros.p99)) / \(micros(report.latencyMicros.max))</td></tr>
      <tr><th>latency p50 / p99 / max (from actual send)</th><td>\(micros(report.latencyMicrosUncorrected.p50)) / \
      \(micros(report.latencyMicrosUncorrected.p99)) / \(micros(report.latencyMicrosUncorrected.max))</td></tr></table>
      <h2>Operations</h2><table><tr><th>operation</th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th>
      <th>max</th><th>timeouts</th><th>responses</th></tr>
      """
    for (name, operation) in operations {
      let latency = operation.latencyMicros
      let codes = operation.responses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(
        separator: ", ")
      html +=
        "<tr><td>\(name)</td><td>\(operation.count)</td><td>\(micros(latency.p50))</td><td>\(micros(latency.p90))</td>"
      html += "<td>\(micros(latency.p99))</td><td>\(micros(latency.p999))</td><td>\(micros(latency.max))</td>"
      html += "<td>\(operation.timeouts)</td><td>\(escape(codes))</td></tr>"
    }
    html += "</table><h2>Status codes</h2><table><tr><th>code</th><th>responses</th></tr>"
    for (code, count) in report.responses.sorted(by: { $0.key < $1.key }) {
      html += "<tr><td>\(escape(code))</td><td>\(count)</td></tr>"
    }
    html += "</table><h2>Throughput over time</h2>"
    html += SVGLineChart.render(
      series: [
        ("offered/s", timeSeries.seconds.map { Double($0.offered) }, "#999"),
        ("completed/s", timeSeries.seconds.map { Double($0.completed) }, "#1f77b4"),
        ("errors/s", timeSeries.seconds.map { Double($0.errors) }, "#d62728"),
      ], yUnit: "/s")
    html += "<h2>Latency over time (from intended send)</h2>"
    html += SVGLineChart.render(
      series: [
        ("p50", timeSeries.seconds.map { Double($0.latency.micros(atPercentile: 50)) / 1000 }, "#2ca02c"),
        ("p99", timeSeries.seconds.map { Double($0.latency.micros(atPercentile: 99)) / 1000 }, "#ff7f0e"),
        ("max", timeSeries.seconds.map { Double($0.latency.maxMicros) / 1000 }, "#d62728"),
      ], yUnit: "ms")
    html += "<p class=\"note\">Made by pubsim. Latency from the intended send time includes any wait a slow "
    html += "server imposed on the schedule (no coordinated omission).</p></body></html>\n"
    return html
  }

  public static func micros(_ value: UInt64) -> String {
    if value >= 1_000_000 { return format(Double(value) / 1e6) + " s" }
    if value >= 1_000 { return format(Double(value) / 1e3) + " ms" }
    return "\(value) µs"
  }

  public static func format(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
  }

  static func escape(_ text: String) -> String {
    var result = ""
    for character in text {
      switch character {
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "&": result += "&amp;"
      case "\"": result += "&quot;"
      default: result.append(character)
      }
    }
    return result
  }
}
