/// Two runs side by side: per operation p50 and p99 (from intended send), and for the whole run
/// the achieved rate and the error rate, each with a verdict. Differences inside the noise band
/// (latency within 10 % or 100 µs, rate within 5 %, error rate within 0.1 percentage point) are
/// "same": a load test is not a microbenchmark, and a verdict must survive a rerun.
public struct RunComparison: Sendable, Equatable {
  public enum Verdict: String, Sendable, Codable {
    case regression
    case improvement
    case same
  }

  public struct Row: Sendable, Equatable {
    public var scope: String
    public var metric: String
    public var base: Double
    public var current: Double
    public var verdict: Verdict
    /// How the value is shown: µs, per second or percent.
    public var unit: String
  }

  public var rows: [Row]

  /// The overall verdict: a regression anywhere is a regression.
  public var verdict: Verdict {
    if rows.contains(where: { $0.verdict == .regression }) { return .regression }
    if rows.contains(where: { $0.verdict == .improvement }) { return .improvement }
    return .same
  }

  public init(current: RunReport, base: RunReport) {
    var rows: [Row] = []
    for operation in ["initial", "refresh", "modify", "remove"] {
      guard let now = current.operations[operation], let then = base.operations[operation],
        now.count > 0, then.count > 0
      else { continue }
      rows.append(
        Self.latency(operation, "p50", Double(then.latencyMicros.p50), Double(now.latencyMicros.p50)))
      rows.append(
        Self.latency(operation, "p99", Double(then.latencyMicros.p99), Double(now.latencyMicros.p99)))
    }
    rows.append(Self.latency("all", "p50", Double(base.latencyMicros.p50), Double(current.latencyMicros.p50)))
    rows.append(Self.latency("all", "p99", Double(base.latencyMicros.p99), Double(current.latencyMicros.p99)))
    let rateChange =
      base.rate.achieved == 0 ? 0 : (current.rate.achieved - base.rate.achieved) / base.rate.achieved
    rows.append(
      Row(
        scope: "all", metric: "rate", base: base.rate.achieved, current: current.rate.achieved,
        verdict: abs(rateChange) <= 0.05 ? .same : (rateChange < 0 ? .regression : .improvement), unit: "/s"))
    let errorChange = current.errorRate - base.errorRate
    rows.append(
      Row(
        scope: "all", metric: "errors", base: base.errorRate * 100, current: current.errorRate * 100,
        verdict: abs(errorChange) <= 0.001 ? .same : (errorChange > 0 ? .regression : .improvement), unit: "%"
      ))
    self.rows = rows
  }

  private static func latency(_ scope: String, _ metric: String, _ base: Double, _ current: Double) -> Row {
    let difference = current - base
    let relative = base == 0 ? (current == 0 ? 0 : 1) : difference / base
    let verdict: Verdict =
      abs(difference) <= 100 || abs(relative) <= 0.10 ? .same : (difference > 0 ? .regression : .improvement)
    return Row(scope: scope, metric: metric, base: base, current: current, verdict: verdict, unit: "µs")
  }

  /// The comparison as a table for the terminal.
  public var text: String {
    var lines = ["scope     metric        base     current    change  verdict"]
    for row in rows {
      let change = row.base == 0 ? "" : ReportHTML.format((row.current - row.base) / row.base * 100) + " %"
      let cells = [
        row.scope.padded(8), row.metric.padded(7), show(row.base, row.unit).leftPadded(11),
        show(row.current, row.unit).leftPadded(11), change.leftPadded(9), "  " + row.verdict.rawValue,
      ]
      lines.append(cells.joined(separator: " "))
    }
    lines.append("verdict: \(verdict.rawValue)")
    return lines.joined(separator: "\n")
  }

  private func show(_ value: Double, _ unit: String) -> String {
    unit == "µs"
      ? ReportHTML.micros(UInt64(max(value, 0))) : ReportHTML.format(value) + (unit == "%" ? " %" : "/s")
  }
}

extension String {
  fileprivate func padded(_ width: Int) -> String {
    self + String(repeating: " ", count: max(0, width - count))
  }
  fileprivate func leftPadded(_ width: Int) -> String {
    String(repeating: " ", count: max(0, width - count)) + self
  }
}
