import Measurements

/// The latest figures, once a second, for a progress line.
public struct LoadProgress: Sendable {
  public var elapsedSeconds: Double
  public var sent: UInt64
  public var completed: UInt64
  public var errors: UInt64
  public var inFlight: Int
  public var activePublishers: Int
  /// The last whole second: completed responses and their latency.
  public var lastSecond: TimeSeries.Second
  /// Cumulative counts of the whole run, for live metrics.
  public var live = PrometheusExporter.Snapshot()
}
