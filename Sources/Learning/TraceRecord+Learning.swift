import Trace

extension TraceRecord {
  /// Whether the recorded server accepted the request.
  var isAccepted: Bool { recorded.status.map { (200..<300).contains($0) } ?? false }

  /// The lifetime the request left the publication with, in nanoseconds: what a 2xx granted,
  /// else what was asked, else RFC 3903's hour.
  var grantedNanos: UInt64 { UInt64(recorded.expires ?? expires ?? 3600) * 1_000_000_000 }

  /// When its answer came: the request plus the recorded latency (saturating: untrusted).
  var answeredAt: UInt64 {
    let (latency, overflow) = (recorded.latencyMicros ?? 0).multipliedReportingOverflow(by: 1_000)
    return offsetNanos.saturatingAdd(overflow ? .max : latency)
  }

  /// How far into the lifetime this request left a time is, as a fraction; nil when it left
  /// none (a 2xx granting 0).
  func lifetimeFraction(at time: UInt64) -> Double? {
    guard grantedNanos > 0 else { return nil }
    return Double(time - Swift.min(time, offsetNanos)) / Double(grantedNanos)
  }
}
