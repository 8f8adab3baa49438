import Testing

@testable import Capture

/// Captures are untrusted: however many fragments, flows and bytes arrive without ever
/// completing, what the reassemblers hold stays bounded, and what they give up is counted.
@Suite("Reassembly bounds")
struct ReassemblyBoundsTests {
  static let second: UInt64 = 1_000_000_000

  static func fragment(id: UInt32, offset: Int, more: Bool, source: UInt64 = 1) -> IPDatagram {
    IPDatagram(
      source: IPAddress(high: 0, low: source, isIPv6: false),
      destination: IPAddress(high: 0, low: 2, isIPv6: false),
      transportProtocol: 17, payload: 0..<0,
      fragment: IPDatagram.Fragment(identification: id, offset: offset, moreFragments: more))
  }

  static func add(
    _ reassembler: inout FragmentReassembler, _ datagram: IPDatagram, bytes: [UInt8], at time: UInt64
  ) -> [UInt8]? {
    bytes.withUnsafeBytes { reassembler.add(datagram, payload: $0, at: time) }
  }

  @Test func aFragmentArrivingAfterTheTimeoutDoesNotCompleteTheOldDatagram() {
    var reassembler = FragmentReassembler()
    let first = Self.add(
      &reassembler, Self.fragment(id: 7, offset: 0, more: true), bytes: Array(repeating: 1, count: 8), at: 0)
    #expect(first == nil)
    let late = Self.add(
      &reassembler, Self.fragment(id: 7, offset: 8, more: false), bytes: Array(repeating: 2, count: 8),
      at: 31 * Self.second)
    #expect(late == nil, "a datagram older than 30 s must not be completed")
    #expect(reassembler.dropped == 1)
    reassembler.finish()
    #expect(reassembler.dropped == 2)
    #expect(reassembler.pendingCount == 0)
  }

  @Test func fragmentsWithinTheTimeoutStillComplete() {
    var reassembler = FragmentReassembler()
    _ = Self.add(
      &reassembler, Self.fragment(id: 7, offset: 8, more: false), bytes: Array(repeating: 2, count: 8), at: 0)
    let whole = Self.add(
      &reassembler, Self.fragment(id: 7, offset: 0, more: true), bytes: Array(repeating: 1, count: 8),
      at: 29 * Self.second)
    #expect(whole == Array(repeating: 1, count: 8) + Array(repeating: 2, count: 8))
    #expect(reassembler.dropped == 0)
  }

  @Test func a100000IncompleteDatagramsHoldAtMostTheLimit() {
    var reassembler = FragmentReassembler(maxPending: 4096)
    for id in 0..<100_000 {
      _ = Self.add(
        &reassembler, Self.fragment(id: UInt32(id), offset: 0, more: true, source: UInt64(id % 7)),
        bytes: Array(repeating: 0, count: 1400),
        at: UInt64(id) * 1_000)
    }
    #expect(reassembler.pendingCount <= 4096)
    #expect(reassembler.dropped == 100_000 - reassembler.pendingCount)
  }

  @Test func aStreamThatNeverEndsAMessageHoldsAtMostItsBuffer() {
    var stream = TCPStreamReassembler(maxBuffered: 64 * 1024)
    let header = Array("PUBLISH sip:a@b SIP/2.0\r\nContent-Length: 10\r\nX: ".utf8)
    let filler = [UInt8](repeating: UInt8(ascii: "x"), count: 1400)
    var sequence: UInt32 = 1
    for segment in 0..<2000 {
      let payload = segment == 0 ? header : filler
      _ = payload.withUnsafeBytes { stream.add(sequence: sequence, payload: $0, syn: false) }
      sequence &+= UInt32(payload.count)
      #expect(stream.heldBytes <= 2 * 64 * 1024 + 1400)
    }
    #expect(stream.skippedBytes > 0)
  }

  @Test func segmentsBeyondAGapThatNeverFillsHoldAtMostTheBuffer() {
    var stream = TCPStreamReassembler(maxBuffered: 64 * 1024)
    let filler = [UInt8](repeating: UInt8(ascii: "x"), count: 1000)
    _ = filler.withUnsafeBytes { stream.add(sequence: 1, payload: $0, syn: false) }
    var sequence: UInt32 = 5001
    for _ in 0..<1000 {
      _ = filler.withUnsafeBytes { stream.add(sequence: sequence, payload: $0, syn: false) }
      sequence &+= 1000
      #expect(stream.heldBytes <= 3 * 64 * 1024)
    }
    #expect(stream.gaps >= 1)
  }

  @Test func a100000TCPFlowsHoldAtMostTheStreamLimit() {
    var decoder = PacketDecoder(maxStreams: 1024)
    let linkType = LinkType(dlt: 1)!
    let sip = Array("PUBLISH sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKx\r\n".utf8)
    for flow in 0..<100_000 {
      let segment = Frames.tcp(sip, sequence: 1, from: UInt16(1024 + flow % 60_000))
      let frame = Frames.ethernet(
        Frames.ipv4Packet(segment, protocol: 6, from: Frames.ipv4(10, 0, UInt8(flow / 60_000), 1)))
      frame.withUnsafeBytes {
        decoder.add(
          CapturedPacket(number: flow + 1, timestamp: UInt64(flow), bytes: $0, originalLength: frame.count),
          linkType: linkType)
      }
      #expect(decoder.openStreams <= 1024)
    }
  }
}

/// A long capture summarised: what the tracker holds stays bounded by its retention, while the
/// summary still counts every transaction and keeps each publication's chain.
@Suite("Tracker bounds")
struct TrackerBoundsTests {
  static let second: UInt64 = 1_000_000_000

  static let ethernet = LinkType.ethernet

  static func add(_ decoder: inout PacketDecoder, _ frame: [UInt8], at time: UInt64) {
    frame.withUnsafeBytes {
      decoder.add(
        CapturedPacket(number: decoder.packets + 1, timestamp: time, bytes: $0, originalLength: frame.count),
        linkType: ethernet)
    }
  }

  @Test func tenMinutesOfRefreshesHoldOnlyTheRetentionWindow() {
    var decoder = PacketDecoder(keepsRequests: false)
    var largest = 0
    let publishers = 50
    // Each publisher publishes once, then refreshes every second for ten minutes (granted 60 s).
    for tick in 0..<600 {
      for publisher in 0..<publishers {
        let user = "u\(publisher)"
        let cseq = tick + 1
        let branch = "z9hG4bK\(publisher)x\(tick)"
        let time = UInt64(tick) * Self.second + UInt64(publisher) * 1_000_000
        let request = Messages.publish(
          branch: branch, cseq: cseq, ifMatch: tick == 0 ? nil : "\(user)-\(tick - 1)", expires: 60,
          body: tick == 0, user: user)
        Self.add(&decoder, ExtractorTests.udpFrame(request), at: time)
        // Every tenth request is retransmitted once before its answer.
        if tick % 10 == 0 { Self.add(&decoder, ExtractorTests.udpFrame(request), at: time + 100_000) }
        let response = Messages.response(200, branch: branch, cseq: cseq, etag: "\(user)-\(tick)", user: user)
        Self.add(&decoder, ExtractorTests.udpFrame(response, toServer: false), at: time + 500_000)
        largest = max(largest, decoder.tracker.transactions.count)
      }
      #expect(decoder.tracker.rememberedTags <= 2 * publishers)
    }
    #expect(largest <= 66 * publishers, "held \(largest) transactions for a 64 s window")
    let summary = ExtractionSummary(packets: decoder.packets, tracker: decoder.tracker, warnings: [])
    #expect(summary.publish.transactions == 600 * publishers)
    #expect(summary.publish.responses == ["200": 600 * publishers, "412": 0])
    #expect(summary.publish.operations["refresh"] == 599 * publishers)
    #expect(summary.publish.chains == publishers, "every refresh continues its publication's chain")
    #expect(summary.publish.unanswered == 0)
    #expect(summary.publish.retransmissions == 60 * publishers)
  }
}
