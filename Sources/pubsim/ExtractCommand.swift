import ArgumentParser
import Capture
import Foundation

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
      result = try Extractor.extract(captures, keepsRequests: output != nil, progress: progress)
    } catch {
      throw CommandError.input(error.description)
    }
    if showProgress { StandardOutput.error("\r\u{1B}[2K", newline: false) }
    for warning in result.summary.warnings { StandardOutput.error("warning: \(warning)") }
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
}
