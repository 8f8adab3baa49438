import Measurements
import Publication

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// report.html: one self-contained page (no scripts, nothing fetched) that reads on a desktop
/// and a phone: summary, thresholds, latency percentile distribution per operation (log
/// percentile axis, as HdrHistogram plots), latency and throughput over time, errors over time,
/// status codes, per-operation table and the run's parameters.
public enum ReportHTML {
  static let colors = [
    "initial": "#1f77b4", "refresh": "#2ca02c", "modify": "#ff7f0e", "remove": "#9467bd", "all": "#444",
  ]

  public static func render(_ report: RunReport, metrics: RunMetrics?) -> String {
    let series = metrics?.timeSeries ?? TimeSeries()
    var html = head(report)
    html += summary(report)
    html += thresholds(report)
    html += fidelity(report, metrics: metrics)
    html += propagation(report, metrics: metrics)
    html += "<h2>Latency by percentile (from intended send)</h2>"
    html += percentileChart(metrics)
    html += "<h2>Latency over time (from intended send)</h2>"
    html += timeChart(
      series,
      [
        ("p50", "#2ca02c", { Double($0.latency.micros(atPercentile: 50)) / 1000 }),
        ("p99", "#ff7f0e", { Double($0.latency.micros(atPercentile: 99)) / 1000 }),
        ("max", "#d62728", { Double($0.latency.maxMicros) / 1000 }),
      ], unit: "ms", title: "latency over time")
    html += "<h2>Throughput over time</h2>"
    html += timeChart(
      series,
      [
        ("offered/s", "#999", { Double($0.offered) }), ("sent/s", "#17becf", { Double($0.sent) }),
        ("completed/s", "#1f77b4", { Double($0.completed) }),
      ], unit: "/s", title: "throughput over time")
    html += "<h2>Errors and load over time</h2>"
    html += timeChart(
      series,
      [
        ("errors/s", "#d62728", { Double($0.errors) }), ("in flight", "#8c564b", { Double($0.inFlight) }),
      ], unit: "", title: "errors over time")
    html += statusCodes(report)
    html += operationsTable(report)
    html += parameters(report)
    html += "<p class=\"note\">Made by pubsim. Latency from the intended send time includes any wait a slow "
    html +=
      "server imposed on the schedule (no coordinated omission); latency from the actual send does not.</p>"
    return html + "</body></html>\n"
  }

  // MARK: Sections

  private static func head(_ report: RunReport) -> String {
    page(
      title: "pubsim \(report.kind): \(report.profile)", heading: "pubsim \(report.kind) — \(report.profile)",
      note: "target \(report.target) · started \(report.startedAt) · \(format(report.durationSeconds)) s"
        + (report.stoppedEarly ? " · stopped early" : ""))
  }

  /// The page's head, style and title lines, shared by the run report and the probe's.
  static func page(title: String, heading: String, note: String) -> String {
    """
    <!doctype html><html lang="en"><head><meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>\(escape(title))</title>
    <style>
    body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:66rem;padding:0 1rem;color:#222}
    h1{font-size:1.4rem;margin-bottom:.2rem}h2{font-size:1.08rem;margin:2rem 0 .5rem}
    .scroll{overflow-x:auto}table{border-collapse:collapse;margin:.4rem 0 1rem;min-width:100%}
    th,td{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}
    th:first-child,td:first-child{text-align:left}svg{width:100%;height:auto;background:#fcfcfc;border:1px solid #eee}
    .note{color:#666;font-size:.9rem}tr.none td{color:#999}.pass{color:#2a7d2a;font-weight:600}.fail{color:#c0392b;font-weight:600}
    .warn{color:#b8860b;font-weight:600}.skip{color:#888;font-weight:600}
    .probe th,.probe td{text-align:left;vertical-align:top}.probe td.text{white-space:normal;overflow-wrap:anywhere;min-width:12rem}
    .bar{background:#1f77b4;height:.8rem;display:inline-block;vertical-align:middle}.bar.err{background:#d62728}
    .cards{display:flex;flex-wrap:wrap;gap:.6rem}.card{border:1px solid #e3e3e3;border-radius:6px;padding:.5rem .8rem;min-width:9rem}
    .card b{display:block;font-size:1.25rem}.kv th,.kv td{white-space:normal}.kv td{text-align:right}
    </style></head><body>
    <h1>\(escape(heading))</h1>
    <p class="note">\(escape(note))</p>
    """
  }

  private static func summary(_ report: RunReport) -> String {
    let cards: [(String, String)] = [
      ("achieved", format(report.rate.achieved) + "/s"), ("offered", format(report.rate.offered) + "/s"),
      ("p50", micros(report.latencyMicros.p50)), ("p99", micros(report.latencyMicros.p99)),
      ("max", micros(report.latencyMicros.max)), ("errors", format(report.errorRate * 100) + " %"),
      ("timeouts", String(report.transactions.timeouts)),
      ("publishers (peak)", String(report.publishers.peak)),
    ]
    var html = "<h2>Summary</h2><div class=\"cards\">"
    for (label, value) in cards { html += "<div class=\"card\">\(label)<b>\(escape(value))</b></div>" }
    html += "</div><div class=\"scroll\"><table class=\"kv\">"
    let t = report.transactions
    let rows: [(String, String)] = [
      ("transactions sent / completed", "\(t.sent) / \(t.completed)"),
      ("timeouts / transport errors", "\(t.timeouts) / \(t.transportErrors)"),
      ("retransmissions sent", String(t.retransmissions)),
      ("late / stray responses", "\(t.lateResponses) / \(t.strayResponses)"),
      (
        "412 recoveries / 423 retries / auth challenges",
        "\(report.recovery.conditionalFailed412) / \(report.recovery.intervalTooBrief423) / \(report.recovery.authChallenges)"
      ),
      (
        "2xx without SIP-ETag / unanswerable challenges",
        "\(report.protocolErrors?.successWithoutEntityTag ?? 0) / \(report.protocolErrors?.unanswerableChallenges ?? 0)"
      ),
      (
        "latency p50 / p99 / max from intended send",
        "\(micros(report.latencyMicros.p50)) / \(micros(report.latencyMicros.p99)) / \(micros(report.latencyMicros.max))"
      ),
      (
        "latency p50 / p99 / max from actual send",
        "\(micros(report.latencyMicrosUncorrected.p50)) / \(micros(report.latencyMicrosUncorrected.p99)) / "
          + micros(report.latencyMicrosUncorrected.max)
      ),
      ("publishers peak / publications left live", "\(report.publishers.peak) / \(report.publishers.active)"),
    ]
    for (label, value) in rows { html += "<tr><th>\(escape(label))</th><td>\(escape(value))</td></tr>" }
    return html + "</table></div>"
  }

  private static func thresholds(_ report: RunReport) -> String {
    guard let results = report.thresholds, !results.isEmpty else { return "" }
    var html =
      "<h2>Thresholds</h2><div class=\"scroll\"><table><tr><th>rule</th><th>actual</th><th>result</th></tr>"
    for result in results {
      html += "<tr><td>\(escape(result.rule))</td><td>\(escape(result.actual))</td>"
      html += result.passed ? "<td class=\"pass\">pass</td></tr>" : "<td class=\"fail\">FAIL</td></tr>"
    }
    return html + "</table></div>"
  }

  /// Latency by percentile per operation, from the intended send.
  private static func percentileChart(_ metrics: RunMetrics?) -> String {
    var lines: [PercentileLine] = []
    if let metrics {
      for operation in PublishOperation.allCases {
        guard let histogram = metrics.operations[operation]?.corrected else { continue }
        lines.append(
          PercentileLine(operation.rawValue, histogram, color: colors[operation.rawValue] ?? "#444"))
      }
      lines.append(PercentileLine("all", metrics.all.corrected, color: "#444", dashed: true))
    }
    return percentilePlot(lines, title: "latency by percentile")
  }

  struct PercentileLine {
    var name: String
    var histogram: LatencyHistogram
    var color: String
    var dashed = false

    init(_ name: String, _ histogram: LatencyHistogram, color: String, dashed: Bool = false) {
      self.name = name
      self.histogram = histogram
      self.color = color
      self.dashed = dashed
    }
  }

  /// HdrHistogram-style: x is the percentile on a log scale of 1/(1-p), y the latency in ms.
  /// Empty histograms are left out.
  static func percentilePlot(_ lines: [PercentileLine], title: String) -> String {
    let percentiles = [0.0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999]
    func position(_ percentile: Double) -> Double { log10(1 / (1 - percentile / 100)) }
    let series = lines.filter { $0.histogram.count > 0 }.map { line in
      SVGChart.Series(
        name: line.name,
        points: percentiles.map {
          (x: position($0), y: Double(line.histogram.micros(atPercentile: $0)) / 1000)
        },
        color: line.color, dashed: line.dashed)
    }
    guard !series.isEmpty else { return "<p class=\"note\">No latency recorded (no metrics.json).</p>" }
    let ticks = [(0.0, "0%"), (1, "90%"), (2, "99%"), (3, "99.9%"), (4, "99.99%"), (5, "99.999%")]
    return SVGChart.render(series, xTicks: ticks.map { (x: $0.0, label: $0.1) }, yUnit: "ms", title: title)
  }

  private static func timeChart(
    _ series: TimeSeries, _ lines: [(String, String, (TimeSeries.Second) -> Double)], unit: String,
    title: String
  ) -> String {
    var seconds = series.seconds
    // The last second holds only the drain after the stop; an empty one would read as a collapse.
    while let last = seconds.last, seconds.count > 1, last.offered == 0, last.completed == 0, last.errors == 0
    {
      seconds.removeLast()
    }
    guard !seconds.isEmpty else { return "<p class=\"note\">No time series.</p>" }
    let chartLines = lines.map { name, color, value in
      SVGChart.Series(
        name: name, points: seconds.enumerated().map { (x: Double($0.offset), y: value($0.element)) },
        color: color)
    }
    let ticks = SVGChart.timeTicks(upTo: Double(max(seconds.count - 1, 1)))
    return SVGChart.render(chartLines, xTicks: ticks, yUnit: unit, title: title)
  }

  private static func statusCodes(_ report: RunReport) -> String {
    let codes = report.responses.sorted { $0.key < $1.key }
    let total = max(codes.reduce(UInt64(0)) { $0 + $1.value }, 1)
    var html =
      "<h2>Status codes</h2><div class=\"scroll\"><table><tr><th>code</th><th>responses</th><th>share</th></tr>"
    for (code, count) in codes {
      let share = Double(count) / Double(total)
      let kind = (Int(code) ?? 0) >= 300 ? "bar err" : "bar"
      html += "<tr><td>\(escape(code))</td><td>\(count)</td><td><span class=\"\(kind)\" "
      html += "style=\"width:\(format(max(share * 6, 0.1)))rem\"></span> \(format(share * 100)) %</td></tr>"
    }
    if report.transactions.timeouts > 0 {
      html += "<tr><td>timeout</td><td>\(report.transactions.timeouts)</td><td></td></tr>"
    }
    return html + "</table></div>"
  }

  private static func operationsTable(_ report: RunReport) -> String {
    var html =
      "<h2>Operations</h2><div class=\"scroll\"><table><tr><th>operation</th><th>count</th><th>p50</th>"
    html +=
      "<th>p90</th><th>p99</th><th>p99.9</th><th>p99.99</th><th>max</th><th>p99 from send</th><th>timeouts</th>"
      + "<th>responses</th></tr>"
    for name in ["initial", "refresh", "modify", "remove"] {
      guard let operation = report.operations[name] else { continue }
      guard operation.count > 0 || operation.timeouts > 0 else {
        html +=
          "<tr class=\"none\"><td>\(name)</td><td>0</td>" + String(repeating: "<td>—</td>", count: 9)
          + "</tr>"
        continue
      }
      let latency = operation.latencyMicros
      let codes = operation.responses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(
        separator: ", ")
      html +=
        "<tr><td>\(name)</td><td>\(operation.count)</td><td>\(micros(latency.p50))</td><td>\(micros(latency.p90))</td>"
      html += "<td>\(micros(latency.p99))</td><td>\(micros(latency.p999))</td>"
      html += "<td>\(latency.p9999.map(micros) ?? "—")</td><td>\(micros(latency.max))</td>"
      html += "<td>\(micros(operation.latencyMicrosUncorrected.p99))</td><td>\(operation.timeouts)</td>"
      html += "<td>\(escape(codes))</td></tr>"
    }
    return html + "</table></div>"
  }

  private static func parameters(_ report: RunReport) -> String {
    guard let parameters = report.parameters, !parameters.isEmpty else { return "" }
    var html = "<h2>Run parameters</h2><div class=\"scroll\"><table class=\"kv\">"
    for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
      html += "<tr><th>\(escape(name))</th><td>\(escape(value))</td></tr>"
    }
    return html + "</table></div>"
  }

  // MARK: Formatting

  public static func micros(_ value: UInt64) -> String {
    if value >= 1_000_000 { return format(Double(value) / 1e6) + " s" }
    if value >= 1_000 { return format(Double(value) / 1e3) + " ms" }
    return "\(value) µs"
  }

  public static func format(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    return rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int(rounded)) : String(rounded)
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
