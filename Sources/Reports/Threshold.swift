import Measurements
import Publication
import SIPCore

/// A pass/fail rule on a run, as written in a profile's `thresholds:` or with `--threshold`:
/// `p99(refresh) < 20ms`, `p50 < 5ms`, `errors < 0.1%`, `rate >= 5000/s`, `timeouts == 0`,
/// `retransmissions < 1%`; with watchers `p99(notify) < 50ms` (propagation, from the changing
/// PUBLISH's intended send to the NOTIFY) and `notifyLoss < 0.1%` (owed changes missing).
/// Latency rules use latency from the intended send time.
public struct Threshold: Sendable, Equatable, CustomStringConvertible {
  public enum Metric: Sendable, Equatable {
    /// A latency percentile (50, 90, 99, 99.9 or 100 for max), of one operation or all.
    case latency(percentile: Double, operation: String?)
    /// Failed transactions (timeouts, transport errors, error responses) as a share of all.
    case errorRate
    /// Timeouts, a count.
    case timeouts
    /// Achieved final responses per second.
    case rate
    /// Retransmissions as a share of requests sent.
    case retransmissionRate
    /// Owed changes no NOTIFY brought, as a share of those owed.
    case notifyLoss
  }

  public enum Comparison: String, Sendable, CaseIterable {
    case lessOrEqual = "<="
    case greaterOrEqual = ">="
    case equal = "=="
    case less = "<"
    case greater = ">"

    func holds(_ actual: Double, _ limit: Double) -> Bool {
      switch self {
      case .less: return actual < limit
      case .lessOrEqual: return actual <= limit
      case .greater: return actual > limit
      case .greaterOrEqual: return actual >= limit
      case .equal: return actual == limit
      }
    }
  }

  /// Why a rule cannot be read; the description names the rule.
  public struct ParseError: Error, CustomStringConvertible, Equatable {
    public var rule: String
    public var reason: String
    public var description: String { "threshold '\(rule)': \(reason)" }
  }

  public var text: String
  public var metric: Metric
  public var comparison: Comparison
  /// The limit in the metric's unit: microseconds, a fraction (0.001 for 0.1 %), a count, or a
  /// rate per second.
  public var limit: Double

  public var description: String { text }

  public static func parse(_ text: String) throws(ParseError) -> Threshold {
    let rule = text.trimmingSIPWhitespace()
    guard let comparison = Comparison.allCases.first(where: { rule.contains($0.rawValue) }),
      let range = rule.range(of: comparison.rawValue)
    else { throw ParseError(rule: text, reason: "expected a comparison: <, <=, >, >= or ==") }
    let left = String(rule[..<range.lowerBound]).trimmingSIPWhitespace().lowercased()
    let right = String(rule[range.upperBound...]).trimmingSIPWhitespace().lowercased()
    let metric = try parseMetric(left, rule: text)
    let limit = try parseLimit(right, for: metric, rule: text)
    return Threshold(text: rule, metric: metric, comparison: comparison, limit: limit)
  }

  private static func parseMetric(_ text: String, rule: String) throws(ParseError) -> Metric {
    switch text {
    case "errors", "error_rate": return .errorRate
    case "timeouts": return .timeouts
    case "rate", "throughput": return .rate
    case "retransmissions": return .retransmissionRate
    case "notifyloss", "notify_loss": return .notifyLoss
    default: break
    }
    var name = text
    var operation: String?
    if let open = text.firstIndex(of: "("), text.hasSuffix(")") {
      name = String(text[..<open])
      operation = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
      guard ["initial", "refresh", "modify", "remove", "notify"].contains(operation ?? "") else {
        throw ParseError(
          rule: rule,
          reason: "unknown operation '\(operation ?? "")' (initial, refresh, modify, remove, notify)")
      }
    }
    let percentiles: [String: Double] = [
      "p50": 50, "p90": 90, "p99": 99, "p999": 99.9, "p99.9": 99.9, "p9999": 99.99, "p99.99": 99.99,
      "max": 100,
    ]
    guard let percentile = percentiles[name] else {
      throw ParseError(
        rule: rule,
        reason:
          "unknown metric '\(name)' (p50, p90, p99, p999, p9999, max, errors, timeouts, rate, retransmissions, "
          + "notifyLoss)"
      )
    }
    return .latency(percentile: percentile, operation: operation)
  }

  /// `0.1%` as 0.001, or a bare fraction as it is; nil unless a number from 0 up.
  public static func fraction(_ text: String) -> Double? {
    let number = text.hasSuffix("%") ? String(text.dropLast()) : text
    guard let value = Double(number.trimmingSIPWhitespace()), value.isFinite, value >= 0 else { return nil }
    return text.hasSuffix("%") ? value / 100 : value
  }

  private static func parseLimit(_ text: String, for metric: Metric, rule: String) throws(ParseError)
    -> Double
  {
    switch metric {
    case .latency:
      guard let nanoseconds = DurationText.nanoseconds(text), text.last?.isLetter == true else {
        throw ParseError(rule: rule, reason: "expected a duration such as 20ms or 500us")
      }
      return Double(nanoseconds) / 1e3
    case .errorRate, .retransmissionRate, .notifyLoss:
      guard let value = fraction(text) else {
        throw ParseError(rule: rule, reason: "expected a percentage such as 0.1%")
      }
      return value
    case .timeouts:
      guard let value = Double(text), value >= 0 else {
        throw ParseError(rule: rule, reason: "expected a count")
      }
      return value
    case .rate:
      let number = text.hasSuffix("/s") ? String(text.dropLast(2)) : text
      guard let value = Double(number), value >= 0 else {
        throw ParseError(rule: rule, reason: "expected a rate such as 5000/s")
      }
      return value
    }
  }
}

/// One threshold checked against a run.
public struct ThresholdResult: Sendable, Codable, Equatable {
  public var rule: String
  public var actual: String
  public var passed: Bool
}

extension Threshold {
  /// The metric's value in a run's measurements, in the limit's unit (latency from the intended
  /// send time, in microseconds; rates as fractions; the achieved rate over `durationSeconds`).
  public func actual(in metrics: RunMetrics, durationSeconds: Double) -> Double {
    switch metric {
    case .latency(let percentile, let operation):
      guard let histogram = Self.histogram(operation, in: metrics) else { return 0 }
      return percentile >= 100
        ? Double(histogram.maxMicros) : Double(histogram.micros(atPercentile: percentile))
    case .errorRate: return metrics.errorRate
    case .timeouts: return Double(metrics.timeouts)
    case .rate: return (Double(metrics.completed) / max(durationSeconds, 0.001) * 10).rounded() / 10
    case .retransmissionRate: return Double(metrics.retransmissions) / Double(max(metrics.sent, 1))
    case .notifyLoss: return metrics.watchers?.lossFraction ?? 0
    }
  }

  /// The latency a rule reads: an operation's, the watchers' propagation (`notify`), or all
  /// PUBLISH transactions'.
  private static func histogram(_ operation: String?, in metrics: RunMetrics) -> LatencyHistogram? {
    switch operation {
    case nil: return metrics.all.corrected
    case "notify": return metrics.watchers?.latency
    case let name?: return metrics.operations[PublishOperation(rawValue: name) ?? .initial]?.corrected
    }
  }

  /// Checks the rule on a run's measurements, during the run or at its end. A latency rule over
  /// an operation (or a run) that has no response fails as "no samples": a gate must not pass on
  /// nothing measured.
  public func check(_ metrics: RunMetrics, durationSeconds: Double) -> ThresholdResult {
    if case .latency(_, let operation) = metric, (Self.histogram(operation, in: metrics)?.count ?? 0) == 0 {
      return ThresholdResult(rule: text, actual: "no samples", passed: false)
    }
    if metric == .notifyLoss, (metrics.watchers?.notify.expected ?? 0) == 0 {
      return ThresholdResult(rule: text, actual: "no changes owed to watchers", passed: false)
    }
    let value = actual(in: metrics, durationSeconds: durationSeconds)
    let shown: String
    switch metric {
    case .latency: shown = ReportHTML.micros(UInt64(value))
    case .errorRate, .retransmissionRate, .notifyLoss: shown = ReportHTML.format(value * 100) + " %"
    case .timeouts: shown = String(Int(value))
    case .rate: shown = ReportHTML.format(value) + "/s"
    }
    return ThresholdResult(rule: text, actual: shown, passed: comparison.holds(value, limit))
  }
}

extension RunReport {
  /// Failed transactions (timeouts, transport errors, final responses counted as errors) as a
  /// share of all that ended.
  public var errorRate: Double {
    let failedResponses = responses.reduce(UInt64(0)) { total, entry in
      guard let code = Int(entry.key), code >= 300, code != 401, code != 407 else { return total }
      return total + entry.value
    }
    let violations =
      (protocolErrors?.successWithoutEntityTag ?? 0) + (protocolErrors?.unanswerableChallenges ?? 0)
    let failed = failedResponses + violations + transactions.timeouts + transactions.transportErrors
    let ended = transactions.completed + transactions.timeouts + transactions.transportErrors
    return ended == 0 ? 0 : Double(failed) / Double(ended)
  }
}
