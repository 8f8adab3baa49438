import Foundation
import Metrics

/// Writes a run's report folder: run.json (the contract), timeseries.csv and report.html.
public enum ReportWriter {
  public static func write(_ report: RunReport, timeSeries: TimeSeries, to directory: URL) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(report).write(to: directory.appendingPathComponent("run.json"))
    try Data(TimeSeriesCSV.render(timeSeries).utf8).write(
      to: directory.appendingPathComponent("timeseries.csv"))
    try Data(ReportHTML.render(report, timeSeries: timeSeries).utf8)
      .write(to: directory.appendingPathComponent("report.html"))
  }
}
