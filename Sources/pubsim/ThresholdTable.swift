import Reports

/// The pass/fail table printed after a run (and by `pubsim report`).
enum ThresholdTable {
  static func render(_ results: [ThresholdResult]) -> String {
    let width = max(results.map(\.rule.count).max() ?? 0, 9)
    var lines = ["threshold".padded(width) + "  " + "actual".padded(12) + "  result"]
    for result in results {
      lines.append(
        result.rule.padded(width) + "  " + result.actual.padded(12) + "  " + (result.passed ? "pass" : "FAIL")
      )
    }
    let failed = results.filter { !$0.passed }.count
    lines.append(
      failed == 0
        ? "all \(results.count) thresholds passed" : "\(failed) of \(results.count) thresholds FAILED")
    return lines.joined(separator: "\n")
  }
}

extension String {
  /// Left-aligned in a column of `width` characters.
  func padded(_ width: Int) -> String {
    self + String(repeating: " ", count: max(0, width - count))
  }

  /// Right-aligned in a column of `width` characters.
  func leftPadded(_ width: Int) -> String {
    String(repeating: " ", count: max(0, width - count)) + self
  }
}
