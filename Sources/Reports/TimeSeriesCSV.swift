import Measurements

/// timeseries.csv: one row per second of the run, for spreadsheets and plotting tools.
public enum TimeSeriesCSV {
  public static let header =
    "second,offered,sent,completed,achieved_per_s,p50_us,p90_us,p99_us,max_us,errors,in_flight,active_publishers"

  public static func render(_ series: TimeSeries) -> String {
    var lines = [header]
    for (second, bucket) in series.seconds.enumerated() {
      let latency = bucket.latency
      let fields: [String] = [
        String(second), String(bucket.offered), String(bucket.sent), String(bucket.completed),
        String(bucket.completed),
        String(latency.micros(atPercentile: 50)), String(latency.micros(atPercentile: 90)),
        String(latency.micros(atPercentile: 99)), String(latency.maxMicros), String(bucket.errors),
        String(bucket.inFlight), String(bucket.activePublishers),
      ]
      lines.append(fields.joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
