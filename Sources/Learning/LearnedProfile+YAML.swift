import Foundation
import SIPCore

extension LearnedProfile {
  /// The profile as YAML that `pubsim run` reads, every section with a comment saying what it
  /// was fitted to and how well.
  public var yaml: String {
    var lines = header + population + ["events:"]
    for (position, publisherClass) in classes.enumerated() {
      lines += classLines(publisherClass, position: position)
    }
    lines += ["transport: \(transport)"] + arrivalLines + failureLines
    return lines.joined(separator: "\n") + "\n"
  }

  private var header: [String] {
    [
      "# Learned by pubsim extract --profile from \(plain(captures.joined(separator: ", "))):",
      "# \(transactions) PUBLISH transactions over \(describe(span)). Scale it with --publishers N",
      "# (the arrivals keep their time, so their rate scales too) and lengthen it with --duration.",
      "name: \(quoted(name))",
      "duration: \(describe(duration))",
    ]
  }

  private var population: [String] {
    var lines = [
      "# \(publishers) publishers: a publisher is one publication stream of an address and package;",
      "# sessions of an address that overlap are separate publishers (\(addresses) addresses recorded).",
    ]
    if startedBefore > 0 {
      lines.append(
        "# \(startedBefore) were already publishing when the capture began; here they arrive with an initial."
      )
    }
    // A profile holds at most 10 million publishers.
    lines += ["population:", "  size: \(min(publishers, 10_000_000))", "  identity: \(quoted(identity))"]
    if identityStart != 1 { lines.append("  start: \(identityStart)") }
    if let domain { lines.append("  # domain: \(plain(domain))   (recorded; without it, the target's host)") }
    return lines
  }

  /// One class as an event entry with its own behaviour.
  private func classLines(_ entry: PublisherClass, position: Int) -> [String] {
    var lines = [
      "  # Class \(position + 1) of \(classes.count): \(entry.publishers) publishers of \(plain(entry.package))"
        + (entry.expires.map { " asking Expires \($0)" } ?? " asking no Expires") + ".",
      "  - package: \(quoted(entry.package))", "    weight: \(entry.publishers)",
    ]
    // A template must look like one (markup or a placeholder); other bodies get the package's own.
    if let template = entry.template, template.contains("<") || template.contains("{") {
      if let contentType = entry.contentType { lines.append("    contentType: \(quoted(contentType))") }
      if let sizes = entry.sizes {
        lines.append(
          "    # \(entry.bodies) bodies of \(sizes.low) to \(sizes.high) bytes (median \(sizes.median)); the "
            + "template is the form \(entry.bodiesOfTemplate) of them share.")
      }
      lines.append("    body: \(quoted(template))")
    }
    // Profiles ask for lifetimes of a second to a day.
    lines.append("    expires: \(min(max(entry.expires ?? 3600, 1), 86_400))")
    return lines + refreshLines(entry) + modifyLines(entry) + sessionLines(entry)
  }

  private func refreshLines(_ entry: PublisherClass) -> [String] {
    let chances = entry.refreshChances
    var lines: [String] = []
    var body: [String] = []
    if let first = entry.firstRefresh {
      lines.append(
        "    # Refresh point in the granted lifetime after the initial, \(chances.first) chances: \(first.note)."
      )
      body.append("      first: {empirical: [\(points(first))]}")
    }
    if let later = entry.laterRefresh {
      lines.append(
        "    # After later requests (a modify or the session's end cuts a wait short), \(chances.later) "
          + "chances: \(later.note).")
      body.append("      at: {empirical: [\(points(later))]}")
    } else {
      lines.append(
        "    # No refresh \(entry.firstRefresh == nil ? "" : "after a later request ")in "
          + "\(entry.firstRefresh == nil ? chances.first + chances.later : chances.later) chances "
          + "(sessions ended or changed state first): the usual 80 %.")
      body.append("      at: 0.8")
    }
    return lines + ["    refresh:"] + body
  }

  private func modifyLines(_ entry: PublisherClass) -> [String] {
    let online = seconds(entry.exposure)
    guard let first = entry.firstModify else { return ["    # No modification in \(online) online."] }
    var lines = ["    # First state change after coming online, \(online) online in all: \(first.note)."]
    var body = ["      first: " + distribution(first)]
    if let later = entry.laterModify {
      lines.append("    # Between later changes: \(later.note).")
      body.append("      interval: " + distribution(later))
    } else {
      lines.append("    # No session changed its state twice: one change a session.")
    }
    return lines + ["    modify:"] + body
  }

  private func sessionLines(_ entry: PublisherClass) -> [String] {
    guard let online = entry.online else {
      return ["    # No session was removed: these publishers stay online for the whole run."]
    }
    var lines = [
      "    # Online until remove, \(entry.removes) removes: \(online.note).", "    session:",
      "      online: " + distribution(online),
    ]
    if let offline = entry.offline {
      lines.insert("    # Offline before returning, \(entry.returns) returns: \(offline.note).", at: 1)
      lines.append("      offline: " + distribution(offline))
    } else {
      lines.insert("    # No publisher came back after a remove: each leaves after one session.", at: 1)
    }
    return lines
  }

  private var arrivalLines: [String] {
    let spread = arrivalVariation.map { FittedDistribution.figure($0) } ?? "none"
    return [
      "# Publishers' first requests: \(publishers) within \(describe(arrivalWithin)); the gaps' coefficient "
        + "of variation is \(spread) (about 1: Poisson, near 0: even).",
      "arrival:", "  within: \(describe(arrivalWithin))", "  process: \(arrivalPoisson ? "poisson" : "even")",
    ]
  }

  private var failureLines: [String] {
    var lines = ["# The recorded server's refusals, for information (a run's server answers for itself):"]
    if failures.isEmpty && unanswered == 0 { return lines + ["#   none."] }
    lines += failures.map { "#   \($0.kind): \($0.count) of \(transactions)" }
    if unanswered > 0 { lines.append("#   unanswered: \(unanswered) of \(transactions)") }
    return lines
  }

  // MARK: Values

  private func distribution(_ fit: FittedDistribution) -> String {
    switch fit.form {
    case .fixed(let value): return "{fixed: \(seconds(value))}"
    case .exponential(let mean): return "{exponential: \(seconds(mean))}"
    case .empirical(let values): return "{empirical: [\(values.map(seconds).joined(separator: ", "))]}"
    }
  }

  private func points(_ fit: FittedDistribution) -> String {
    let values: [Double]
    switch fit.form {
    case .fixed(let value): values = [value, value]
    case .exponential(let mean): values = [mean, mean]
    case .empirical(let quantiles): values = quantiles
    }
    return values.map { String(format: "%.6g", $0) }.joined(separator: ", ")
  }

  private func seconds(_ value: Double) -> String {
    // Profiles take durations above 0 and below a UInt64 of nanoseconds.
    describe(UInt64(min(max(value, 1e-6), 1e9) * 1e9))
  }

  private func describe(_ nanoseconds: UInt64) -> String {
    // Three significant figures: a profile's times need no more, and fewer would misstate
    // short ones.
    let value = Double(nanoseconds)
    let (scaled, unit): (Double, String) =
      nanoseconds < 1_000_000
      ? (value / 1e3, "us") : nanoseconds < 1_000_000_000 ? (value / 1e6, "ms") : (value / 1e9, "s")
    guard scaled < 100 else { return "\(Int(scaled.rounded()))\(unit)" }
    return String(format: "%.3g", scaled) + unit
  }

  /// Text from the capture made safe for a comment line: what YAML cannot hold unescaped (line
  /// breaks, other controls) becomes a space.
  private func plain(_ text: String) -> String {
    String(
      String.UnicodeScalarView(text.unicodeScalars.map { Self.printable($0) && !Self.breaks($0) ? $0 : " " }))
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

  /// A YAML double-quoted scalar.
  private func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if Self.printable(scalar) && !Self.breaks(scalar) {
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
}
