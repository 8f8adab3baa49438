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
        + (entry.expires.map { " asking Expires \($0)" }
          ?? " asking no Expires: here, what the server granted")
        + ".",
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
    if !entry.granted.isEmpty {
      let values = entry.granted.prefix(3).map { "\($0.value) s (\($0.count))" }.joined(separator: ", ")
      lines.append(
        "    # Granted by the recorded server: \(values)\(entry.granted.count > 3 ? ", ..." : "").")
    }
    // Profiles ask for lifetimes of a second to a day.
    lines.append("    expires: \(min(max(entry.expires ?? entry.granted.first?.value ?? 3600, 1), 86_400))")
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
    let spread = arrivalVariation.map { ProfileText.figure($0) } ?? "none"
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

  private func seconds(_ value: Double) -> String { ProfileText.duration(seconds: value) }
  private func describe(_ nanoseconds: UInt64) -> String { ProfileText.duration(nanoseconds: nanoseconds) }
  private func quoted(_ text: String) -> String { ProfileText.quoted(text) }
  private func plain(_ text: String) -> String { ProfileText.plain(text) }
}
