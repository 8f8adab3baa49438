import Foundation
import Testing
import Trace

@testable import Capture

@Suite("Trace files")
struct TraceTests {
  static func tracker() throws -> PublishTracker {
    let writer = CaptureWriter(linkType: 1)
    for frame in ExtractorTests.cycle { writer.write(frame.bytes, at: frame.at + 1_000_000_000) }
    writer.close()
    defer { try? FileManager.default.removeItem(atPath: writer.path) }
    return try Extractor.extract([writer.path]).tracker
  }

  @Test func roundTripsEveryTransactionWithItsChainBodyAndOutcome() throws {
    let data = try Self.tracker().encodedTrace(captures: ["cycle.pcap"])
    let (header, records) = try TraceCodec.decode(data, file: "t")
    #expect(header.version == TraceHeader.currentVersion)
    #expect(header.transactions == 4)
    #expect(records.map(\.operation) == [.initial, .refresh, .modify, .remove])
    #expect(records.map(\.offsetNanos) == [0, 10_000_000, 20_000_000, 30_000_000])
    #expect(Set(records.map(\.chain)).count == 1)
    #expect(records[0].bodyBytes == Array(records[0].body?.utf8 ?? "".utf8))
    #expect(records[0].contentType == "application/pidf+xml")
    #expect(records[1].ifMatch == "a")
    #expect(records[1].body == nil)
    #expect(records.map(\.recorded.status) == [200, 200, 200, 200])
    #expect(records.map(\.recorded.entityTag) == ["a", "b", "c", "d"])
    #expect(records[0].recorded.latencyMicros == 1_000)
  }

  @Test func newerVersionIsAClearError() {
    let data = Data(
      "{\"format\":\"pubsim-trace\",\"version\":99,\"captures\":[],\"startedAtNanos\":0,\"transactions\":0}\n"
        .utf8)
    #expect(throws: TraceCodec.FormatError.self) { try TraceCodec.decode(data, file: "new.trace") }
    do {
      _ = try TraceCodec.decode(data, file: "new.trace")
    } catch {
      #expect(error.description.contains("version 99 is newer"))
    }
  }

  @Test(arguments: [
    ("\"offsetNanos\":0", "\"offsetNanos\":18446744073709551615", "offsetNanos"),
    ("\"latencyMicros\":1000", "\"latencyMicros\":100000000000000000", "latencyMicros"),
  ])
  func implausibleValuesAreNamedNotTrusted(original: String, hostile: String, named: String) throws {
    let text = String(decoding: try Self.tracker().encodedTrace(captures: []), as: UTF8.self)
    #expect(text.contains(original))
    let data = Data(text.replacingOccurrences(of: original, with: hostile).utf8)
    do {
      _ = try TraceCodec.decode(data, file: "x.trace")
      Issue.record("decoded a trace with \(hostile)")
    } catch {
      #expect(error.description.hasPrefix("x.trace: line 2: "), "\(error.description)")
      #expect(error.description.contains(named))
    }
  }

  @Test func damagedLinesAreNamed() throws {
    var data = try Self.tracker().encodedTrace(captures: [])
    data.append(Data("{broken\n".utf8))
    do {
      _ = try TraceCodec.decode(data, file: "x.trace")
      Issue.record("decoded a damaged trace")
    } catch {
      #expect(error.description == "x.trace: line 6 is not a trace record")
    }
  }
}
