import ArgumentParser
import Capture
import Foundation
import Learning
import Reports
import Trace

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
    help: ArgumentHelp(
      "Largest relative difference --compare accepts: 10% (the default) or 0.1.", valueName: "percent"),
    transform: ExtractCommand.percent)
  var tolerance: Double?

  func validate() throws {
    if tolerance != nil && compare == nil { throw ValidationError("--tolerance needs --compare") }
  }

  /// `10%`, or a bare fraction (`0.1`) as thresholds read one.
  static func percent(_ text: String) throws -> Double {
    guard let value = Threshold.fraction(text) else {
      throw ValidationError("not a percentage such as 10% (or a fraction such as 0.1)")
    }
    return value
  }

  /// A one-line progress bar on a terminal, for large captures.
  static func drawProgress(_ fraction: Double) {
    let width = 30
    let filled = Int(fraction * Double(width))
    let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
    StandardOutput.error("\r[\(bar)] \(Int(fraction * 100))%", newline: false)
  }

  func run() throws {
    let keepsRequests = output != nil || profile != nil || compare != nil
    let result = try Self.extract(captures, keepsRequests: keepsRequests, showProgress: isatty(2) != 0)
    // The trace's records, once, for everything that reads them.
    let trace = keepsRequests ? result.tracker.trace(captures: captures) : nil
    if let output, let trace {
      do {
        try TraceCodec.encode(trace.0, trace.1).write(to: URL(fileURLWithPath: output))
      } catch {
        throw CommandError.input("cannot write trace \(output): \((error as NSError).localizedDescription)")
      }
      if !summary {
        StandardOutput.error(
          "trace of \(result.summary.publish.transactions) transactions written to \(output)")
      }
    }
    if let profile, let trace { try writeProfile(trace.1, to: profile) }
    var fits = true
    if let compare, let trace { fits = try compareFit(trace.1, original: compare) }
    if summary || (profile == nil && compare == nil) {
      let encoder = JSONEncoder()
      encoder.outputFormatting = summary ? [.sortedKeys] : [.prettyPrinted, .sortedKeys]
      StandardOutput.line(String(decoding: try encoder.encode(result.summary), as: UTF8.self))
    }
    if !fits { throw ExitCode(2) }
  }

  /// The captures' PUBLISH picture, with a progress bar on a terminal and the warnings printed.
  static func extract(_ captures: [String], keepsRequests: Bool, showProgress: Bool) throws
    -> Extractor.Result
  {
    let result: Extractor.Result
    do {
      let progress: ((Double) -> Void)? = showProgress ? { Self.drawProgress($0) } : nil
      result = try Extractor.extract(captures, keepsRequests: keepsRequests, progress: progress)
    } catch {
      throw CommandError.input(error.description)
    }
    if showProgress { StandardOutput.error("\r\u{1B}[2K", newline: false) }
    for warning in result.summary.warnings { StandardOutput.error("warning: \(warning)") }
    return result
  }

  /// `--profile`: the model, written where asked, and a line saying what it holds.
  private func writeProfile(_ records: [TraceRecord], to path: String) throws {
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

  /// `--compare`: this capture's figures beside the original's; whether every checked one is
  /// within the tolerance.
  private func compareFit(_ records: [TraceRecord], original: String) throws -> Bool {
    let originalTracker = try Self.extract([original], keepsRequests: true, showProgress: false).tracker
    let originalLives = PublisherLives(originalTracker.trace(captures: [original]).1)
    guard !originalLives.sessions.isEmpty else {
      throw CommandError.input("\(original) holds no accepted PUBLISH: nothing to compare with")
    }
    let comparison = FitComparison(
      original: TraceStatistics(originalLives), candidate: TraceStatistics(PublisherLives(records)),
      tolerance: tolerance ?? 0.10)
    StandardOutput.line(
      FitTable.text(comparison, original: original, candidate: captures.joined(separator: ", ")))
    return comparison.passes
  }
}
