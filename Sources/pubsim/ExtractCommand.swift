import ArgumentParser
import Capture
import Foundation
import Learning

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `pubsim extract CAPTURE...`: the PUBLISH traffic in packet captures.
struct ExtractCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "extract",
    abstract: "Find the PUBLISH traffic in pcap and pcapng captures.",
    discussion: """
      Reads Ethernet (802.1Q/QinQ), Linux cooked v1/v2, BSD loopback and raw IP captures; \
      reassembles IPv4/IPv6 fragments and TCP streams; finds SIP by content on any port; \
      folds retransmissions into transactions and classifies each PUBLISH (initial, refresh, \
      modify, remove). Several captures are merged in time order. A damaged capture gives \
      what could be read and a warning.

      --profile FILE fits a population model to the capture and writes it as a profile for \
      `pubsim run` (commented: what each value was fitted to, and how well). --compare ORIGINAL \
      checks a fit: the capture given (a run's --pcap of the learned profile) against the \
      original, figure by figure; exit 2 when a checked figure differs by more than --tolerance.
      """
  )

  @Argument(help: ArgumentHelp("pcap or pcapng files.", valueName: "capture"))
  var captures: [String]

  @Flag(help: "Print the summary as one JSON object on standard output.")
  var summary = false

  @Option(
    name: .shortAndLong,
    help: ArgumentHelp("Write a replayable trace (JSON Lines, versioned) here.", valueName: "trace"))
  var output: String?

  @Option(
    help: ArgumentHelp(
      "Write a profile fitted to the capture (YAML for `pubsim run`) here.", valueName: "file"))
  var profile: String?

  @Option(
    help: ArgumentHelp(
      "Compare the capture's publishers with this original capture's (the fit check); exit 2 beyond "
        + "--tolerance.", valueName: "original"))
  var compare: String?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Largest relative difference --compare accepts (default 10%).", valueName: "percent"),
    transform: ExtractCommand.percent)
  var tolerance: Double = 0.10

  static func percent(_ text: String) throws -> Double {
    let number = text.hasSuffix("%") ? String(text.dropLast()) : text
    guard let value = Double(number), value.isFinite, value >= 0 else {
      throw ValidationError("not a percentage such as 10%")
    }
    return value / 100
  }

  /// A one-line progress bar on a terminal, for large captures.
  static func drawProgress(_ fraction: Double) {
    let width = 30
    let filled = Int(fraction * Double(width))
    let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
    StandardOutput.error("\r[\(bar)] \(Int(fraction * 100))%", newline: false)
  }

  func run() throws {
    let result: Extractor.Result
    let showProgress = isatty(2) != 0
    do {
      let progress: ((Double) -> Void)? = showProgress ? { Self.drawProgress($0) } : nil
      result = try Extractor.extract(
        captures, keepsRequests: output != nil || profile != nil || compare != nil, progress: progress)
    } catch {
      throw CommandError.input(error.description)
    }
    if showProgress { StandardOutput.error("\r\u{1B}[2K", newline: false) }
    for warning in result.summary.warnings { StandardOutput.error("warning: \(warning)") }
    if let profile { try writeProfile(result.tracker, to: profile) }
    if let compare {
      try compareFit(result.tracker, original: compare)
      return
    }
    if profile != nil && !summary { return }
    if let output {
      do {
        try result.tracker.encodedTrace(captures: captures).write(to: URL(fileURLWithPath: output))
      } catch {
        throw CommandError.input("cannot write trace \(output): \((error as NSError).localizedDescription)")
      }
      if !summary {
        StandardOutput.error(
          "trace of \(result.summary.publish.transactions) transactions written to \(output)")
      }
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = summary ? [.sortedKeys] : [.prettyPrinted, .sortedKeys]
    let json = String(decoding: try encoder.encode(result.summary), as: UTF8.self)
    StandardOutput.line(json)
  }

  /// `--profile`: the model, written where asked, and a line saying what it holds.
  private func writeProfile(_ tracker: PublishTracker, to path: String) throws {
    let records = tracker.trace(captures: captures).1
    guard !records.isEmpty else {
      throw CommandError.input(
        "no PUBLISH transactions in \(captures.joined(separator: ", ")): nothing to learn")
    }
    let base = URL(fileURLWithPath: captures[0]).deletingPathExtension().lastPathComponent
    guard let learned = ProfileLearner.learn(records, captures: captures, name: "learned-" + base) else {
      throw CommandError.input(
        "none of the \(records.count) PUBLISH transactions in \(captures.joined(separator: ", ")) was accepted "
          + "(2xx): no publisher to learn from")
    }
    do {
      try Data(learned.yaml.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw CommandError.input("cannot write profile \(path): \((error as NSError).localizedDescription)")
    }
    StandardOutput.error(
      "profile \(learned.name) written to \(path): \(learned.publishers) publishers, "
        + "\(learned.classes.count) classes, \(records.count) transactions learned")
  }

  /// `--compare`: this capture's figures beside the original's, and exit 2 past the tolerance.
  private func compareFit(_ tracker: PublishTracker, original: String) throws {
    let originalTracker: PublishTracker
    do {
      originalTracker = try Extractor.extract([original], keepsRequests: true, progress: nil).tracker
    } catch {
      throw CommandError.input(error.description)
    }
    let comparison = FitComparison(
      original: TraceStatistics(PublisherLives(originalTracker.trace(captures: [original]).1)),
      candidate: TraceStatistics(PublisherLives(tracker.trace(captures: captures).1)), tolerance: tolerance)
    StandardOutput.line(
      FitTable.text(comparison, original: original, candidate: captures.joined(separator: ", ")))
    if !comparison.passes { throw ExitCode(2) }
  }
}
