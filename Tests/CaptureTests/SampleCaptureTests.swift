import Foundation
import Testing

@testable import Capture

/// The captures in `captures/` (made by the project itself) against their expected summaries.
@Suite("Sample captures")
struct SampleCaptureTests {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("captures")

  @Test(arguments: ["own-traffic", "lifecycle-50", "auth-20"])
  func summaryMatchesTheExpectedOne(name: String) throws {
    let expected = try JSONDecoder().decode(
      ExtractionSummary.self,
      from: Data(contentsOf: Self.folder.appendingPathComponent("\(name).summary.json")))
    let summary = try Extractor.extract([Self.folder.appendingPathComponent("\(name).pcap").path]).summary
    #expect(summary == expected)
  }
}
