import Foundation
import Testing

@testable import Capture

/// Captures synthesized through libpcap's dump API, one behaviour per test.
@Suite("Extracting PUBLISH traffic from captures")
struct ExtractorTests {
  typealias Frame = (bytes: [UInt8], at: UInt64)
  static let ms: UInt64 = 1_000_000

  static func extract(linkType: Int32 = 1, _ frames: [Frame]) throws -> ExtractionSummary {
    let writer = CaptureWriter(linkType: linkType)
    for frame in frames { writer.write(frame.bytes, at: frame.at) }
    writer.close()
    defer { try? FileManager.default.removeItem(atPath: writer.path) }
    return try Extractor.extract([writer.path]).summary
  }

  static func udpFrame(_ sip: [UInt8], toServer: Bool = true, port: UInt16 = 5060) -> [UInt8] {
    let udp = toServer ? Frames.udp(sip, to: port) : Frames.udp(sip, from: port, to: 5080)
    let packet =
      toServer
      ? Frames.ipv4Packet(udp, protocol: 17)
      : Frames.ipv4Packet(udp, protocol: 17, from: Frames.server, to: Frames.client)
    return Frames.ethernet(packet)
  }

  /// initial, refresh, modify, remove, each answered 200 with a new entity-tag.
  static let cycle: [Frame] = [
    (udpFrame(Messages.publish(branch: "z9hG4bK1", cseq: 1)), 0),
    (udpFrame(Messages.response(200, branch: "z9hG4bK1", cseq: 1, etag: "a"), toServer: false), 1 * ms),
    (udpFrame(Messages.publish(branch: "z9hG4bK2", cseq: 2, ifMatch: "a", body: false)), 10 * ms),
    (udpFrame(Messages.response(200, branch: "z9hG4bK2", cseq: 2, etag: "b"), toServer: false), 11 * ms),
    (udpFrame(Messages.publish(branch: "z9hG4bK3", cseq: 3, ifMatch: "b")), 20 * ms),
    (udpFrame(Messages.response(200, branch: "z9hG4bK3", cseq: 3, etag: "c"), toServer: false), 21 * ms),
    (udpFrame(Messages.publish(branch: "z9hG4bK4", cseq: 4, ifMatch: "c", expires: 0, body: false)), 30 * ms),
    (udpFrame(Messages.response(200, branch: "z9hG4bK4", cseq: 4, etag: "d"), toServer: false), 31 * ms),
  ]

  @Test func classifiesALifeCycleAndChainsIt() throws {
    let summary = try Self.extract(Self.cycle)
    #expect(summary.packets == 8)
    #expect(summary.sipMessages == 8)
    #expect(summary.publish.transactions == 4)
    #expect(
      summary.publish.operations == ["initial": 1, "refresh": 1, "modify": 1, "remove": 1, "invalid": 0])
    #expect(summary.publish.responses == ["200": 4, "412": 0])
    #expect(summary.publish.chains == 1)
    #expect(summary.publish.events == ["presence": 4])
    #expect(summary.warnings.isEmpty)
  }

  /// Requests naming packages in turn, and one package in other cases: each counts under its
  /// package (the tracker matches a repeated spelling by its bytes, a new one by its fingerprint).
  @Test func eventPackagesInTurnAndInAnyCaseCountApart() throws {
    let spellings = ["presence", "dialog", "dialog", "Presence", "presence", "DIALOG", "message-summary"]
    var frames: [Frame] = []
    for (number, spelling) in spellings.enumerated() {
      let request = String(
        decoding: Messages.publish(branch: "z9hG4bKe\(number)", cseq: number + 1), as: UTF8.self
      )
      .replacingOccurrences(of: "Event: presence", with: "Event: \(spelling)")
      frames.append((Self.udpFrame(Array(request.utf8)), UInt64(number) * 10 * Self.ms))
    }
    let summary = try Self.extract(frames)
    #expect(summary.publish.events == ["presence": 3, "dialog": 3, "message-summary": 1])
  }

  /// An unpublish of a publication never acknowledged (baresip's: Expires 0, no SIP-If-Match,
  /// no body) fits none of RFC 3903's operations: it counts as invalid, and the five add up.
  @Test func aPublishFittingNoOperationCountsAsInvalid() throws {
    let summary = try Self.extract(
      Self.cycle + [
        (Self.udpFrame(Messages.publish(branch: "z9hG4bK5", cseq: 5, expires: 0, body: false)), 40 * Self.ms),
        (Self.udpFrame(Messages.response(400, branch: "z9hG4bK5", cseq: 5), toServer: false), 41 * Self.ms),
      ])
    #expect(summary.publish.operations["invalid"] == 1)
    #expect(summary.publish.operations.values.reduce(0, +) == summary.publish.transactions)
  }

  @Test func retransmissionsFoldProvisionalsIgnoredStraysCounted() throws {
    let summary = try Self.extract([
      (Self.udpFrame(Messages.publish(branch: "z9hG4bKr", cseq: 1)), 0),
      (Self.udpFrame(Messages.publish(branch: "z9hG4bKr", cseq: 1)), 500 * Self.ms),
      (Self.udpFrame(Messages.response(100, branch: "z9hG4bKr", cseq: 1), toServer: false), 501 * Self.ms),
      (Self.udpFrame(Messages.response(412, branch: "z9hG4bKr", cseq: 1), toServer: false), 502 * Self.ms),
      (Self.udpFrame(Messages.response(412, branch: "z9hG4bKr", cseq: 1), toServer: false), 503 * Self.ms),
      (Self.udpFrame(Messages.publish(branch: "z9hG4bKn", cseq: 2)), 600 * Self.ms),
      (
        Self.udpFrame(Messages.response(200, branch: "z9hG4bKgone", cseq: 9, etag: "x"), toServer: false),
        700 * Self.ms
      ),
    ])
    #expect(summary.publish.transactions == 2)
    #expect(summary.publish.retransmissions == 1)
    #expect(summary.publish.responses == ["200": 0, "412": 1])
    #expect(summary.publish.unanswered == 1)
    #expect(summary.publish.unmatchedResponses == 1)
    #expect(summary.publish.messages == .init(requests: 3, responses: 4))
  }

  @Test(arguments: [(Int32(113), "cooked v1"), (276, "cooked v2"), (0, "null"), (12, "raw"), (1, "QinQ")])
  func readsEveryLinkLayer(linkType: Int32, name: String) throws {
    let frames = Self.cycle.map { frame -> Frame in
      let packet = Array(frame.bytes.dropFirst(14))
      let wrapped: [UInt8]
      switch linkType {
      case 113: wrapped = [0, 0, 0, 1, 0, 6] + Array(repeating: 0, count: 8) + [0x08, 0x00] + packet
      case 276:
        wrapped = [0x08, 0x00, 0, 0] + [0, 0, 0, 1] + [0, 1, 0, 6] + Array(repeating: 0, count: 8) + packet
      case 0: wrapped = [2, 0, 0, 0] + packet
      case 12: wrapped = packet
      default: wrapped = Frames.ethernet(packet, vlans: [100, 200])
      }
      return (wrapped, frame.at)
    }
    let summary = try Self.extract(linkType: linkType, frames)
    #expect(summary.publish.transactions == 4, "\(name)")
    #expect(summary.publish.responses == ["200": 4, "412": 0], "\(name)")
  }

  @Test func sipIsFoundOnAnyPort() throws {
    let summary = try Self.extract([
      (Self.udpFrame(Messages.publish(branch: "z9hG4bKp", cseq: 1), port: 15_070), 0),
      (
        Self.udpFrame(
          Messages.response(200, branch: "z9hG4bKp", cseq: 1, etag: "a"), toServer: false, port: 15_070), 1
      ),
    ])
    #expect(summary.publish.transactions == 1)
    #expect(summary.publish.responses == ["200": 1, "412": 0])
  }

  @Test func ipv4FragmentsOutOfOrderAreReassembledAndMissingOnesDropped() throws {
    let udp = Frames.udp(Messages.publish(branch: "z9hG4bKf", cseq: 1))
    let third = udp.count / 3 / 8 * 8
    let pieces = [Array(udp[0..<third]), Array(udp[third..<2 * third]), Array(udp[(2 * third)...])]
    func fragment(_ index: Int, id: UInt16) -> [UInt8] {
      Frames.ethernet(
        Frames.ipv4Packet(
          pieces[index], protocol: 17, identification: id, fragmentOffset: index * third,
          moreFragments: index < 2))
    }
    let summary = try Self.extract([
      (fragment(2, id: 7), 0), (fragment(0, id: 7), 1), (fragment(1, id: 7), 2),
      (fragment(0, id: 8), 3), (fragment(2, id: 8), 4),
    ])
    #expect(summary.publish.transactions == 1)
    #expect(summary.warnings.contains { $0.contains("1 IP datagrams dropped") }, "\(summary.warnings)")
  }

  @Test func ipv6WithExtensionHeadersAndFragments() throws {
    let udp = Frames.udp(Messages.publish(branch: "z9hG4bK6", cseq: 1))
    let hopByHop: [UInt8] = [44, 0, 0, 0, 0, 0, 0, 0]
    func fragment(_ range: Range<Int>, offset: Int, more: Bool) -> [UInt8] {
      let header: [UInt8] = [17, 0] + Frames.be16(UInt16(offset) | (more ? 1 : 0)) + Frames.be32(99)
      return Frames.ethernet(
        Frames.ipv6Packet(Array(udp[range]), protocol: 44, extensionHeaders: [hopByHop, header]),
        etherType: 0x86DD)
    }
    let summary = try Self.extract([
      (fragment(256..<udp.count, offset: 256, more: false), 0), (fragment(0..<256, offset: 0, more: true), 1),
    ])
    #expect(summary.publish.transactions == 1)
    #expect(summary.publish.operations["initial"] == 1)
  }

  @Test func tcpStreamsSplitCoalescedReorderedDuplicatedAndJoinedMidStream() throws {
    let first = Messages.publish(branch: "z9hG4bKt1", cseq: 1, transport: "TCP")
    let second = Messages.publish(branch: "z9hG4bKt2", cseq: 2, user: "bob", transport: "TCP")
    let stream = first + second
    func segment(_ range: Range<Int>, base: UInt32 = 1000) -> [UInt8] {
      Frames.ethernet(
        Frames.ipv4Packet(
          Frames.tcp(Array(stream[range]), sequence: base + UInt32(range.lowerBound)), protocol: 6))
    }
    let syn = Frames.ethernet(Frames.ipv4Packet(Frames.tcp([], sequence: 999, syn: true), protocol: 6))
    let cut1 = 100
    let cut2 = first.count + 50
    let summary = try Self.extract([
      (syn, 0), (segment(cut1..<cut2), 1), (segment(0..<cut1), 2), (segment(0..<cut1), 3),
      (segment(cut2..<stream.count), 4),
    ])
    #expect(summary.publish.transactions == 2)

    let midStream = try Self.extract([(segment(40..<stream.count), 0)])
    #expect(midStream.publish.transactions == 1, "the partial first message is skipped, the next one found")
  }

  @Test func truncatedCaptureGivesPartialResultsAndAWarning() throws {
    let writer = CaptureWriter(linkType: 1)
    for frame in Self.cycle { writer.write(frame.bytes, at: frame.at) }
    writer.close()
    defer { try? FileManager.default.removeItem(atPath: writer.path) }
    let data = try Data(contentsOf: URL(fileURLWithPath: writer.path))
    try data.prefix(data.count - 30).write(to: URL(fileURLWithPath: writer.path))
    let summary = try Extractor.extract([writer.path]).summary
    #expect(summary.packets == 7)
    #expect(summary.warnings.contains { $0.contains("reading stopped after frame 7") }, "\(summary.warnings)")
  }

  @Test func aFileThatIsNotACaptureIsOneClearError() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("not-\(UUID().uuidString).pcap")
      .path
    try Data("hello, this is text".utf8).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect {
      try Extractor.extract([path])
    } throws: { error in
      (error as? CaptureError)?.description.contains("not a pcap or pcapng capture") == true
    }
  }

  @Test func severalCapturesMergeInTimeOrder() throws {
    let early = CaptureWriter(linkType: 1)
    let late = CaptureWriter(linkType: 1)
    for (index, frame) in Self.cycle.enumerated() {
      (index % 2 == 0 ? early : late).write(frame.bytes, at: frame.at)
    }
    early.close()
    late.close()
    defer {
      try? FileManager.default.removeItem(atPath: early.path)
      try? FileManager.default.removeItem(atPath: late.path)
    }
    let summary = try Extractor.extract([late.path, early.path]).summary
    #expect(summary.publish.transactions == 4)
    #expect(summary.publish.responses == ["200": 4, "412": 0])
    #expect(summary.publish.chains == 1)
  }
}
