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
      using the metrics.json written beside each, their seconds lined up by wall clock. A folder \
      stands for the run.json in it, or for every instance-I/run.json in it: the instances of a \
      test split with --instance I/N, which must all be there. The runs' thresholds (and any \
      --threshold) are checked on the merged result: exit code 2 when one fails. With --compare, \
      p50 and p99 per operation, the achieved rate and the error rate are compared with the \
      baseline; exit code 2 on a regression with --fail-on-regression.
      """
  )

  @Argument(
    help: ArgumentHelp(
      "run.json files or folders holding them (one, or several to merge).", valueName: "run.json|dir"))
  var runs: [String]

  @Option(
    help: ArgumentHelp(
      "Pass/fail rule checked on the (merged) run, as run's --threshold; repeatable.", valueName: "rule"),
    transform: LoadOptions.threshold)
  var threshold: [Threshold] = []

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
    let paths = try runs.flatMap(Self.runFiles)
    var (report, metrics, runRules) = try load(paths)
    StandardOutput.line(RunSummaryText.render(report))
    if let fidelity = report.fidelity { StandardOutput.line(FidelityTable.text(fidelity)) }
    let checked = try checkThresholds(&report, metrics: metrics, runRules: runRules)
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
    if checked && report.thresholds?.contains(where: { !$0.passed }) == true { throw ExitCode(2) }
  }

  /// Checks `runRules` (the merged runs' own) and `--threshold` on the (merged) run; true when it
  /// checked any (a single run's stored results are shown as they are).
  private func checkThresholds(_ report: inout RunReport, metrics: RunMetrics?, runRules: [String]) throws
    -> Bool
  {
    var rules: [Threshold] = []
    for rule in runRules {
      do {
        rules.append(try Threshold.parse(rule))
      } catch {
        throw CommandError.input("\(error)")
      }
    }
    rules += threshold.filter { rule in !rules.contains { $0.text == rule.text } }
    guard !rules.isEmpty else { return false }
    guard let metrics else {
      throw CommandError.input("--threshold needs the metrics.json beside \(runs[0])")
    }
    report.thresholds = rules.map { $0.check(metrics, durationSeconds: report.durationSeconds) }
    return true
  }

  /// The run.json files an argument names: itself, or a folder's run.json, or else the folder's
  /// instance-I/run.json in instance order.
  static func runFiles(_ argument: String) throws -> [String] {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: argument, isDirectory: &isFolder), isFolder.boolValue else {
      return [argument]
    }
    let folder = URL(fileURLWithPath: argument)
    let own = folder.appendingPathComponent("run.json").path
    if FileManager.default.fileExists(atPath: own) { return [own] }
    let names = (try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []
    let instances = names.compactMap { name -> (Int, String)? in
      guard name.hasPrefix("instance-"), let index = Int(name.dropFirst("instance-".count)) else {
        return nil
      }
      let file = folder.appendingPathComponent(name).appendingPathComponent("run.json").path
      return FileManager.default.fileExists(atPath: file) ? (index, file) : nil
    }
    guard !instances.isEmpty else {
      throw CommandError.input("\(argument) holds no run.json, nor any instance-I/run.json")
    }
    return instances.sorted { $0.0 < $1.0 }.map(\.1)
  }

  /// One run as it is, or several merged from their metrics.json (all instances of a split test,
  /// or runs of no split), with the rules the merged runs were given, once each (every instance
  /// wrote the same ones), to check on the whole.
  private func load(_ paths: [String]) throws -> (RunReport, RunMetrics?, runRules: [String]) {
    let loaded = try paths.map(read)
    guard loaded.count > 1 else { return (loaded[0].report, loaded[0].metrics, []) }
    var parts: [RunMerge.Part] = []
    for (path, run) in zip(paths, loaded) {
      guard let metrics = run.metrics else {
        throw CommandError.input("\(path): no metrics.json beside it, so it cannot be merged exactly")
      }
      parts.append(RunMerge.Part(path: path, report: run.report, metrics: metrics))
    }
    if let problem = RunMerge.instanceProblem(parts) { throw CommandError.input(problem) }
    var (report, merged) = RunMerge.merge(parts)
    var runRules: [String] = []
    for rule in loaded.flatMap({ $0.report.thresholds ?? [] }).map(\.rule) where !runRules.contains(rule) {
      runRules.append(rule)
    }
    if let fidelity = merged.fidelity {
      // Replays merge too: the counts and histograms exactly, the differences as the earliest.
      let differences = loaded.flatMap { $0.report.fidelity?.differences ?? [] }.sorted {
        $0.dueMillis < $1.dueMillis
      }
      report.fidelity = RunReport.Fidelity(
        fidelity, planned: Int(loaded.reduce(UInt64(0)) { $0 + ($1.report.fidelity?.planned ?? 0) }),
        differences: Array(differences.prefix(FidelityTable.differenceLimit)))
    }
    return (report, merged, runRules)
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
