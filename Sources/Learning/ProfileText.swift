import Foundation

/// How a learned profile writes its values: durations a profile reads back (above 0, three
/// significant figures), figures for its comments, YAML's double-quoted scalars, and text from
/// the capture made safe for a comment line. One place, so that what the learner says in a note
/// and what the YAML writes agree.
enum ProfileText {
  /// The longest time a learned profile writes (31 years): a capture's clock may claim centuries,
  /// and a profile's duration must stay within a UInt64 of nanoseconds.
  static let longest: Double = 1e9

  /// Seconds as a profile's duration: at least a microsecond (a profile refuses 0), at most
  /// ``longest``.
  static func duration(seconds: Double) -> String {
    let clamped = seconds.isFinite ? min(max(seconds, 1e-6), longest) : longest
    return duration(nanoseconds: UInt64(clamped * 1e9))
  }

  /// Three significant figures: a profile's times need no more, and fewer would misstate
  /// short ones.
  static func duration(nanoseconds: UInt64) -> String {
    let value = min(Double(nanoseconds), longest * 1e9)
    let (scaled, unit): (Double, String) =
      value < 1e6 ? (value / 1e3, "us") : value < 1e9 ? (value / 1e6, "ms") : (value / 1e9, "s")
    guard scaled < 100 else { return "\(Int(scaled.rounded()))\(unit)" }
    return String(format: "%.3g", scaled) + unit
  }

  /// A fraction of a lifetime as a percentage.
  static func percent(_ fraction: Double) -> String { figure(fraction * 100) + " %" }

  /// Two decimals at most.
  static func figure(_ value: Double) -> String {
    guard value.isFinite else { return "-" }
    let rounded = (value * 100).rounded() / 100
    return rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int(rounded)) : String(rounded)
  }

  /// A YAML double-quoted scalar: what YAML cannot hold as it is escaped, and the backslash as
  /// `\x5C`, so that no reader mistakes a value ending in one for a quote left open.
  static func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\x5C"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if printable(scalar) && !breaks(scalar) {
          out.unicodeScalars.append(scalar)
        } else if scalar.value <= 0xFF {
          out += String(format: "\\x%02X", scalar.value)
        } else {
          out += String(format: "\\u%04X", scalar.value)
        }
      }
    }
    return out + "\""
  }

  /// Text from the capture made safe for a comment line: what YAML cannot hold as it is (line
  /// breaks, other controls) becomes a space.
  static func plain(_ text: String) -> String {
    String(String.UnicodeScalarView(text.unicodeScalars.map { printable($0) && !breaks($0) ? $0 : " " }))
  }

  /// Whether YAML reads the character as a line break (its own, and Unicode's NEL, LS and PS).
  private static func breaks(_ scalar: Unicode.Scalar) -> Bool {
    [0x0A, 0x0D, 0x85, 0x2028, 0x2029].contains(scalar.value)
  }

  /// Whether YAML takes the character as it is (its printable set, YAML 1.1 §5.1).
  private static func printable(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x09, 0x0A, 0x20...0x7E, 0x85, 0xA0...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
    default: return false
    }
  }

  /// Values by how often they occur, the most common first (ties in the values' order).
  static func ranked<Value: Hashable & Comparable>(_ values: some Sequence<Value>) -> [(
    value: Value, count: Int
  )] {
    var counts: [Value: Int] = [:]
    for value in values { counts[value, default: 0] += 1 }
    return counts.map { ($0.key, $0.value) }.sorted {
      $0.count > $1.count || ($0.count == $1.count && $0.value < $1.value)
    }
  }
}

extension UInt64 {
  /// The sum, or the largest value where it would overflow: times from a capture are untrusted.
  func saturatingAdd(_ other: UInt64) -> UInt64 {
    let (sum, overflow) = addingReportingOverflow(other)
    return overflow ? .max : sum
  }
}
