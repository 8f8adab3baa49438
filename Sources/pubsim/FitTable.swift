import Foundation
import Learning

/// The fit check's table, printed by `pubsim extract RUN.pcap --compare ORIGINAL.pcap`.
enum FitTable {
  static func text(_ comparison: FitComparison, original: String, candidate: String) -> String {
    let width = max(comparison.rows.map(\.name.count).max() ?? 0, 6)
    var lines = [
      "original:  \(original)", "this run:  \(candidate)", "",
      "figure".padded(width) + "  " + "original".leftPadded(10) + "  " + "this run".leftPadded(10) + "  "
        + "difference".leftPadded(10) + "  result",
    ]
    for row in comparison.rows {
      let difference = row.difference.map { String(format: "%+.1f %%", $0 * 100) } ?? "n/a"
      let result = row.checked ? (row.within ? "ok" : "OFF") : "(info)"
      lines.append(
        row.name.padded(width) + "  " + value(row.original).leftPadded(10) + "  "
          + value(row.candidate).leftPadded(10) + "  " + difference.leftPadded(10) + "  " + result)
    }
    let off = comparison.rows.filter { !$0.within }.count
    let limit = String(format: "%g %%", comparison.tolerance * 100)
    lines.append(
      off == 0
        ? "every checked figure within \(limit)"
        : "\(off) of \(comparison.rows.filter(\.checked).count) checked figures differ by more than \(limit)")
    return lines.joined(separator: "\n")
  }

  private static func value(_ value: Double?) -> String {
    guard let value else { return "-" }
    if value != 0 && abs(value) < 0.01 { return String(format: "%.3g", value) }
    return String(format: value.rounded() == value && abs(value) >= 1 ? "%.0f" : "%.4g", value)
  }
}
