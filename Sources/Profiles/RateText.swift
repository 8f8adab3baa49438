/// Rates as a profile and the command line write them: `500/s`, `30/m`, `100/h` or a plain
/// number per second.
public enum RateText {
  /// The rate per second; nil when the text is not a positive, finite rate.
  public static func perSecond(_ text: String) -> Double? {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count <= 2, let value = parts.first.flatMap({ Double($0) }), value > 0, value.isFinite else {
      return nil
    }
    switch parts.count == 2 ? parts[1].lowercased() : "s" {
    case "s": return value
    case "m": return value / 60
    case "h": return value / 3600
    default: return nil
    }
  }
}
