import Foundation
import Measurements
import Publication

/// `--hdr-log FILE`: the run's latency in HdrHistogram's interval log format (version 1.3), for
/// HistogramLogProcessor, hdr-plot or any HdrHistogram library. One tagged line per operation
/// over the whole run (three significant digits, as run.json's percentiles), then one untagged
/// line per second holding that second's latency over all operations (two digits, as the time
/// series keeps it). Values are microseconds from the intended send time; Interval_Max is in
/// milliseconds.
public enum HdrLog {
  public static func text(_ metrics: RunMetrics, startedAtEpochSeconds start: Double, durationSeconds: Double)
    -> String
  {
    let stamp = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: start))
    var lines = [
      "#[Histogram log format version 1.3]",
      "#[StartTime: \(String(format: "%.3f", start)) (seconds since epoch), \(stamp)]",
      "#[pubsim: microseconds from the intended send time; tagged lines: an operation over the run;"
        + " untagged: one second over all operations]",
      "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"",
    ]
    for operation in PublishOperation.allCases {
      guard let histogram = metrics.operations[operation]?.corrected, histogram.count > 0 else { continue }
      lines.append("Tag=\(operation.rawValue)," + line(histogram, at: 0, length: durationSeconds))
    }
    for (second, row) in metrics.timeSeries.seconds.enumerated() where row.completed > 0 {
      let latency = row.latency
      guard latency.count > 0 else { continue }
      lines.append(line(latency, at: Double(second), length: 1))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  private static func line(_ histogram: LatencyHistogram, at start: Double, length: Double) -> String {
    let encoded = Data(HdrHistogramCodec.compressed(histogram)).base64EncodedString()
    let max = Double(histogram.maxMicros) / 1_000
    return String(format: "%.3f,%.3f,%.3f,", start, length, max) + encoded
  }
}
