import Foundation
import Measurements

/// Writes a run's report folder: run.json (the contract), metrics.json (every histogram and the
/// time series, lossless, so that runs can be merged and re-rendered later), timeseries.csv and
/// report.html.
public enum ReportWriter {
  /// Each file is written whole or not at all (a temporary file renamed), run.json last: a
  /// folder with a run.json is complete, even when a retried instance of a split test was killed
  /// while rewriting it, and a merge never reads half a file.
  public static func write(_ report: RunReport, metrics: RunMetrics, to directory: URL) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try JSONEncoder().encode(metrics).write(
      to: directory.appendingPathComponent("metrics.json"), options: .atomic)
    try Data(TimeSeriesCSV.render(metrics.timeSeries).utf8)
      .write(to: directory.appendingPathComponent("timeseries.csv"), options: .atomic)
    try Data(ReportHTML.render(report, metrics: metrics).utf8)
      .write(to: directory.appendingPathComponent("report.html"), options: .atomic)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(report).write(to: directory.appendingPathComponent("run.json"), options: .atomic)
  }

  /// A run.json of a schema newer than this pubsim reads.
  public struct NewerSchema: Error, CustomStringConvertible {
    public var version: Int
    public var description: String {
      "run.json schema version \(version) is newer than this pubsim reads (\(RunReport.currentSchemaVersion)); "
        + "use a newer pubsim"
    }
  }

  /// Reads a run.json, and the metrics.json beside it when there is one. A newer schema is
  /// refused rather than read wrong.
  public static func read(_ runFile: URL) throws -> (report: RunReport, metrics: RunMetrics?) {
    let report = try JSONDecoder().decode(RunReport.self, from: Data(contentsOf: runFile))
    guard report.schemaVersion <= RunReport.currentSchemaVersion else {
      throw NewerSchema(version: report.schemaVersion)
    }
    let metricsFile = runFile.deletingLastPathComponent().appendingPathComponent("metrics.json")
    let metrics = try? JSONDecoder().decode(RunMetrics.self, from: Data(contentsOf: metricsFile))
    return (report, metrics)
  }
}
