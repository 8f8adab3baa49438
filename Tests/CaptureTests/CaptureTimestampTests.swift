import Foundation
import Testing

@testable import Capture

/// Record headers are untrusted: a time no capture can hold is reported and replaced, never
/// carried into arithmetic.
@Suite("Capture timestamps")
struct CaptureTimestampTests {
  @Test(arguments: [
    (0, 0, UInt64(0)), (1_700_000_000, 999_999_999, UInt64(1_700_000_000_999_999_999)),
    (10_000_000_000, 0, UInt64(10_000_000_000_000_000_000)),
  ])
  func timesInRangeAreKept(seconds: Int, nanoseconds: Int, expected: UInt64) {
    #expect(CaptureFile.timestamp(seconds: seconds, nanoseconds: nanoseconds) == expected)
  }

  @Test(arguments: [
    (-1, 0), (10_000_000_001, 0), (Int.max, 0), (Int.min, 0), (0, 1_000_000_000), (0, -1), (0, Int.max),
  ])
  func timesOutOfRangeAreRefused(seconds: Int, nanoseconds: Int) {
    #expect(CaptureFile.timestamp(seconds: seconds, nanoseconds: nanoseconds) == nil)
  }

  /// A request whose record says its nanoseconds run past a second: the frame still counts, at
  /// the previous frame's time, and the warning names the first such frame.
  @Test func aBadRecordTimeIsReplacedAndReported() throws {
    let writer = CaptureWriter(linkType: 1)
    let cycle = ExtractorTests.cycle
    for (index, frame) in cycle.enumerated() {
      if index == 2 {
        writer.write(frame.bytes, seconds: 5, fraction: 4_000_000_000)
      } else {
        writer.write(frame.bytes, at: frame.at)
      }
    }
    writer.close()
    defer { try? FileManager.default.removeItem(atPath: writer.path) }
    let summary = try Extractor.extract([writer.path]).summary
    #expect(summary.publish.transactions == 4)
    #expect(summary.publish.unanswered == 0)
    #expect(summary.warnings.count == 1)
    #expect(
      summary.warnings.first?.contains("1 frame(s) had a timestamp out of range (the first: frame 3)") == true
    )
  }
}
