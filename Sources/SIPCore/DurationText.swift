/// Reads the durations users type on command lines and in profiles: `250us`, `5ms`, `1.5s`,
/// `2m`, `1h`; a bare number is seconds.
public enum DurationText {
  /// Nanoseconds, or nil if the text is not a non-negative duration.
  public static func nanoseconds(_ text: String) -> UInt64? {
    let trimmed = text.trimmingSIPWhitespace().lowercased()
    let units: [(suffix: String, scale: Double)] = [
      ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]
    for unit in units where trimmed.hasSuffix(unit.suffix) {
      return scaled(String(trimmed.dropLast(unit.suffix.count)), by: unit.scale)
    }
    return scaled(trimmed, by: 1e9)
  }

  private static func scaled(_ number: String, by scale: Double) -> UInt64? {
    guard !number.isEmpty, let value = Double(number), value.isFinite, value >= 0 else { return nil }
    let nanos = value * scale
    guard nanos < 1.8e19 else { return nil }
    return UInt64(nanos.rounded())
  }

  /// A compact human form: `850us`, `5ms`, `1.5s`.
  public static func describe(nanoseconds: UInt64) -> String {
    let value = Double(nanoseconds)
    if nanoseconds < 1_000 { return "\(nanoseconds)ns" }
    if nanoseconds < 1_000_000 { return trim(value / 1e3) + "us" }
    if nanoseconds < 1_000_000_000 { return trim(value / 1e6) + "ms" }
    return trim(value / 1e9) + "s"
  }

  private static func trim(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
  }
}
