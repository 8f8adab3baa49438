import ArgumentParser
import Capture
import Foundation

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

  func run() throws {
    let result: Extractor.Result
    do {
      result = try Extractor.extract(captures)
    } catch {
      throw ValidationError(error.description)
    }
    for warning in result.summary.warnings { StandardOutput.error("warning: \(warning)") }
    let encoder = JSONEncoder()
    encoder.outputFormatting = summary ? [.sortedKeys] : [.prettyPrinted, .sortedKeys]
    let json = String(decoding: try encoder.encode(result.summary), as: UTF8.self)
    StandardOutput.line(json)
  }
}
