/// The fixed latency buckets live metrics are exported in (Prometheus histograms need fixed
/// bounds; the exact latencies stay in the HdrHistograms). Bounds in microseconds, 0.5 ms to
/// 30 s; the last slot counts everything above.
public enum LiveBuckets {
  public static let boundsMicros: [UInt64] = [
    500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000,
    5_000_000,
    10_000_000, 30_000_000,
  ]

  /// The slot of a latency: the first bound at or above it, or the overflow slot.
  public static func index(micros: UInt64) -> Int {
    var low = 0
    var high = boundsMicros.count
    while low < high {
      let middle = (low + high) / 2
      if boundsMicros[middle] >= micros { high = middle } else { low = middle + 1 }
    }
    return low
  }
}
