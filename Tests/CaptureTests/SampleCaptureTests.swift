import Foundation
import Testing

@testable import Capture

/// The captures in `captures/` (made by the project itself) against their expected summaries.
@Suite("Sample captures")
struct SampleCaptureTests {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("captures")

  /// Writes the synthesized captures and their summaries into `captures/` (run by hand with
  /// `PUBSIM_WRITE_SAMPLE_CAPTURES=1 swift test --filter SampleCaptureTests` after changing them).
  @Test(.enabled(if: ProcessInfo.processInfo.environment["PUBSIM_WRITE_SAMPLE_CAPTURES"] == "1"))
  func writeSynthesizedCaptures() throws {
    for name in EdgeCaptures.names {
      let writer = CaptureWriter(linkType: 1, path: Self.folder.appendingPathComponent("\(name).pcap").path)
      for frame in EdgeCaptures.frames(name) { writer.write(frame.bytes, at: frame.at) }
      writer.close()
      let summary = try Extractor.extract([writer.path]).summary
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      var json = try encoder.encode(summary)
      json.append(10)
      try json.write(to: Self.folder.appendingPathComponent("\(name).summary.json"))
    }
  }

  @Test(
    arguments: [
      "own-traffic", "lifecycle-50", "population-450", "auth-20", "baresip-kamailio",
      "baresip-kamailio-tcp", "linphone-kamailio",
      "linphone-kamailio-tcp",
    ] + EdgeCaptures.names)
  func summaryMatchesTheExpectedOne(name: String) throws {
    let expected = try JSONDecoder().decode(
      ExtractionSummary.self,
      from: Data(contentsOf: Self.folder.appendingPathComponent("\(name).summary.json")))
    let summary = try Extractor.extract([Self.folder.appendingPathComponent("\(name).pcap").path]).summary
    #expect(summary == expected)
  }
}
