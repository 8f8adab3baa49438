import Foundation
import Measurements

/// Several runs made into the one run they were parts of: shards of a test run by hand on
/// several machines, or the instances of a split test (`--instance I/N`). Counts add up and
/// histograms merge exactly (from each run's metrics.json); seconds line up by wall clock;
/// the duration runs from the first start to the last end.
public enum RunMerge {
  /// One run to merge: where it was read from (for messages), its run.json and metrics.json.
  public struct Part {
    public var path: String
    public var report: RunReport
    public var metrics: RunMetrics

    public init(path: String, report: RunReport, metrics: RunMetrics) {
      self.path = path
      self.report = report
      self.metrics = metrics
    }
  }

  /// Why the runs cannot be merged as one test, or nil. Instances of a split test must all be
  /// there, once each, from a split into the same number: a missing one would pass off part of
  /// the load as the whole, a repeated one would count its part twice.
  public static func instanceProblem(_ parts: [Part]) -> String? {
    let split = parts.filter { $0.report.instance != nil }
    guard !split.isEmpty else { return nil }
    if let whole = parts.first(where: { $0.report.instance == nil }) {
      return "\(whole.path) is a whole run, the others are instances of a split test"
    }
    let count = split[0].report.instance?.count ?? 0
    if let other = split.first(where: { $0.report.instance?.count != count }) {
      return "\(other.path) is instance \(describe(other.report.instance)), but \(split[0].path) is "
        + "\(describe(split[0].report.instance)): not one split test"
    }
    var seen: [Int: String] = [:]
    for part in split {
      let index = part.report.instance?.index ?? 0
      if let earlier = seen[index] {
        return "\(earlier) and \(part.path) are both instance \(index)/\(count)"
      }
      seen[index] = part.path
    }
    let missing = (0..<count).filter { seen[$0] == nil }
    guard missing.isEmpty else {
      let listed = missing.prefix(10).map { "\($0)/\(count)" }.joined(separator: ", ")
      return "instance\(missing.count == 1 ? "" : "s") \(listed)\(missing.count > 10 ? ", …" : "") missing: "
        + "\(split.count) of \(count) instance reports given"
    }
    return nil
  }

  private static func describe(_ instance: RunReport.Instance?) -> String {
    instance.map { "\($0.index)/\($0.count)" } ?? "whole"
  }

  /// The merged measurements and the report around them (kind `merged`), of at least one part.
  /// Without a start to the millisecond in every run (reports of earlier versions) seconds line
  /// up by index.
  public static func merge(_ parts: [Part]) -> (report: RunReport, metrics: RunMetrics) {
    precondition(!parts.isEmpty, "nothing to merge")
    let starts = parts.compactMap(\.report.startedAtUnixMillis)
    let aligned = starts.count == parts.count
    let first = starts.min() ?? 0
    let offsets = parts.map { aligned ? Double(($0.report.startedAtUnixMillis ?? first) - first) / 1000 : 0 }
    // From the earliest run: the others' shifts are seconds after it.
    let earliest = offsets.indices.min { offsets[$0] < offsets[$1] } ?? 0
    var metrics = parts[earliest].metrics
    for index in parts.indices where index != earliest {
      metrics.merge(parts[index].metrics, shiftedBy: Int((offsets[index] - offsets[earliest]).rounded()))
    }
    let lead = parts[earliest].report
    let duration = zip(parts, offsets).map { $1 + $0.report.durationSeconds }.max() ?? 0
    var report = RunReport(
      kind: "merged", profile: lead.profile, target: lead.target, startedAt: lead.startedAt,
      durationSeconds: duration, stoppedEarly: parts.contains { $0.report.stoppedEarly }, metrics: metrics,
      peakPublishers: parts.reduce(0) { $0 + $1.report.publishers.peak },
      activePublishers: parts.reduce(0) { $0 + $1.report.publishers.active })
    report.startedAtUnixMillis = aligned ? first : nil
    report.parameters = lead.parameters
    if let count = parts.first?.report.instance?.count {
      var parameters = report.parameters ?? [:]
      parameters["instance"] = nil
      parameters["instances"] = "\(count), merged"
      report.parameters = parameters
    }
    return (report, metrics)
  }
}
