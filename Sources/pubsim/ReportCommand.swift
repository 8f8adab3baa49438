import ArgumentParser
import Foundation
import Measurements
import Reports

/// `pubsim report RUN.json...`: read runs back: a summary, the HTML again, several shards merged
/// into one, or a comparison with a baseline and a verdict a CI job can act on.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Summarize, merge, render or compare run.json files.",
    discussion: """
      Several run.json files (shards of one test run on several machines) are merged exactly, \
      using the metrics.json written beside each. With --compare, p50 and p99 per operation, \
      the achieved rate and the error rate are compared with the baseline; exit code 2 on a \
      regression with --fail-on-regression.
      """
  )

  @Argument(help: ArgumentHelp("run.json files (one, or several to merge).", valueName: "run.json"))
  var runs: [String]

  @Option(help: ArgumentHelp("Write report.html for the (merged) run here.", valueName: "file"))
  var html: String?

  @Option(help: ArgumentHelp("Baseline run.json to compare with.", valueName: "base.json"))
  var compare: String?

  @Flag(help: "Exit with code 2 when the comparison finds a regression.")
  var failOnRegression = false

  @Option(help: ArgumentHelp("Write the (merged) run.json here.", valueName: "file"))
  var json: String?

  func validate() throws {
    if failOnRegression && compare == nil {
      throw ValidationError("--fail-on-regression needs --compare BASE.json")
    }
  }

  func run() throws {
    let (report, metrics) = try load()
    StandardOutput.line(RunSummaryText.render(report))
    if let fidelity = report.fidelity { StandardOutput.line(FidelityTable.text(fidelity)) }
    if let thresholds = report.thresholds, !thresholds.isEmpty {
      StandardOutput.line(ThresholdTable.render(thresholds))
    }
    if let json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      try encoder.encode(report).write(to: URL(fileURLWithPath: json))
    }
    if let html {
      if metrics == nil {
        StandardOutput.error(
          "warning: no metrics.json beside \(runs[0]): the page has no latency percentile charts")
      }
      let page = ReportHTML.render(report, metrics: metrics)
      do {
        try Data(page.utf8).write(to: URL(fileURLWithPath: html))
      } catch {
        throw CommandError.input("cannot write \(html): \((error as NSError).localizedDescription)")
      }
      StandardOutput.line("report written to \(html)")
    }
    if let compare {
      let base = try read(compare).report
      let comparison = RunComparison(current: report, base: base)
      StandardOutput.line("\ncompared with \(compare):\n" + comparison.text)
      if failOnRegression && comparison.verdict == .regression { throw ExitCode(2) }
    }
  }

  /// One run as it is, or several merged from their metrics.json.
  private func load() throws -> (RunReport, RunMetrics?) {
    let loaded = try runs.map(read)
    guard loaded.count > 1 else { return (loaded[0].report, loaded[0].metrics) }
    var merged: RunMetrics?
    for (index, run) in loaded.enumerated() {
      guard let metrics = run.metrics else {
        throw CommandError.input("\(runs[index]): no metrics.json beside it, so it cannot be merged exactly")
      }
      if merged == nil { merged = metrics } else { merged?.merge(metrics) }
    }
    let first = loaded[0].report
    var report = RunReport(
      kind: "merged", profile: first.profile, target: first.target, startedAt: first.startedAt,
      durationSeconds: loaded.map(\.report.durationSeconds).max() ?? 0,
      stoppedEarly: loaded.contains { $0.report.stoppedEarly }, metrics: merged ?? RunMetrics(startedAt: 0),
      peakPublishers: loaded.reduce(0) { $0 + $1.report.publishers.peak },
      activePublishers: loaded.reduce(0) { $0 + $1.report.publishers.active })
    if let fidelity = merged?.fidelity {
      // Replays merge too: the counts and histograms exactly, the differences as the earliest.
      let differences = loaded.flatMap { $0.report.fidelity?.differences ?? [] }.sorted {
        $0.dueMillis < $1.dueMillis
      }
      report.fidelity = RunReport.Fidelity(
        fidelity, planned: Int(loaded.reduce(UInt64(0)) { $0 + ($1.report.fidelity?.planned ?? 0) }),
        differences: Array(differences.prefix(FidelityTable.differenceLimit)))
    }
    return (report, merged)
  }

  private func read(_ path: String) throws -> (report: RunReport, metrics: RunMetrics?) {
    do {
      return try ReportWriter.read(URL(fileURLWithPath: path))
    } catch let error as DecodingError {
      throw CommandError.input("\(path) is not a pubsim run.json: \(Self.describe(error))")
    } catch let error as ReportWriter.NewerSchema {
      throw CommandError.input("\(path): \(error)")
    } catch {
      throw CommandError.input("cannot read \(path): \((error as NSError).localizedDescription)")
    }
  }

  private static func describe(_ error: DecodingError) -> String {
    switch error {
    case .keyNotFound(let key, _): return "missing '\(key.stringValue)'"
    case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
      let path = context.codingPath.map(\.stringValue).joined(separator: ".")
      return path.isEmpty ? context.debugDescription : "bad value at \(path)"
    @unknown default: return "unreadable"
    }
  }
}
