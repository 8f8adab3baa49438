import Foundation
import Replay
import Reports
import SIPCore

/// A replay's per-transaction outcomes set next to the recording: the first differences for
/// run.json, fidelity.csv with every transaction, and the lines printed on the terminal.
enum FidelityTable {
  /// Differences listed in run.json and report.html.
  static let differenceLimit = 25

  static func transaction(_ outcome: ReplayOutcome, script: ReplayScript) -> RunReport.Fidelity.Transaction {
    let step = script.steps[Int(outcome.step)]
    let recorded = script.publishers[Int(step.publisher)]
    let live: String
    switch outcome.live {
    case .status(let code): live = String(code)
    case .noResponse: live = "none"
    case .skipped: live = "skipped"
    }
    return RunReport.Fidelity.Transaction(
      dueMillis: (Double(outcome.dueAt) / 1e3).rounded() / 1e3,
      resource: script.options.user(recorded.user, copy: Int(outcome.copy)) + "@"
        + SIPHost.text(script.options.domain),
      event: recorded.event, recordedOperation: step.operation?.rawValue ?? "unclassified",
      liveOperation: outcome.operation?.rawValue ?? "skipped", recordedStatus: step.recordedStatus,
      live: live,
      recordedLatencyMicros: step.recordedLatencyMicros,
      liveLatencyMicros: outcome.latencyMicros.map(UInt64.init))
  }

  /// The first transactions (in due order) whose live outcome differed from the recorded one.
  static func differences(_ outcomes: [ReplayOutcome], script: ReplayScript) -> [RunReport.Fidelity
    .Transaction]
  {
    var differences: [RunReport.Fidelity.Transaction] = []
    for outcome in outcomes {
      let step = script.steps[Int(outcome.step)]
      guard let recorded = step.recordedStatus, outcome.liveStatus != recorded else { continue }
      differences.append(transaction(outcome, script: script))
      if differences.count == differenceLimit { break }
    }
    return differences
  }

  /// Writes fidelity.csv: one line per replayed transaction, recorded next to live.
  static func writeCSV(_ outcomes: [ReplayOutcome], script: ReplayScript, to url: URL) throws {
    guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
      throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
    }
    let handle = try FileHandle(forWritingTo: url)
    defer { try? handle.close() }
    var chunk =
      "due_ms,resource,event,copy,loop,recorded_operation,live_operation,recorded_status,live,"
      + "recorded_latency_us,live_latency_us,same\n"
    for outcome in outcomes {
      let row = transaction(outcome, script: script)
      let fields = [
        String(row.dueMillis), row.resource, row.event, String(outcome.copy), String(outcome.loop),
        row.recordedOperation, row.liveOperation, row.recordedStatus.map(String.init) ?? "", row.live,
        row.recordedLatencyMicros.map(String.init) ?? "", row.liveLatencyMicros.map(String.init) ?? "",
        row.recordedStatus == nil ? "" : (row.differs ? "no" : "yes"),
      ]
      chunk += fields.map(csvField).joined(separator: ",") + "\n"
      if chunk.utf8.count > 1 << 20 {
        try handle.write(contentsOf: Data(chunk.utf8))
        chunk = ""
      }
    }
    try handle.write(contentsOf: Data(chunk.utf8))
  }

  private static func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// The fidelity in a few lines for the terminal.
  static func text(_ fidelity: RunReport.Fidelity) -> String {
    var lines = [
      "fidelity: \(fidelity.sameFinalCode) of \(fidelity.comparable) comparable transactions got their recorded "
        + "final code live (\(ReportHTML.format(fidelity.sameFinalCodePercent)) %); of \(fidelity.transactions) "
        + "played, \(fidelity.transactions - min(fidelity.skipped, fidelity.transactions)) sent "
        + "(\(fidelity.reinitiated) as fresh initials) and \(fidelity.skipped) skipped",
      "latency recorded p50 \(ReportHTML.micros(fidelity.recordedLatencyMicros.p50)) p99 "
        + "\(ReportHTML.micros(fidelity.recordedLatencyMicros.p99)); live p50 "
        + "\(ReportHTML.micros(fidelity.liveLatencyMicros.p50)) p99 \(ReportHTML.micros(fidelity.liveLatencyMicros.p99))",
    ]
    if fidelity.planned > fidelity.transactions {
      lines.append(
        "\(fidelity.planned - fidelity.transactions) of \(fidelity.planned) planned transactions were not played "
          + "(the replay stopped first)")
    }
    let codes = fidelity.codes.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
    if !codes.isEmpty { lines.append("recorded → live: " + codes.joined(separator: ", ")) }
    for row in fidelity.differences.prefix(5) {
      lines.append(
        "  differs at \(ReportHTML.format(row.dueMillis / 1000)) s: \(row.resource) \(row.event) "
          + "\(row.recordedOperation) recorded \(row.recordedStatus.map(String.init) ?? "-"), "
          + "sent \(row.liveOperation), live \(row.live)")
    }
    return lines.joined(separator: "\n")
  }
}
