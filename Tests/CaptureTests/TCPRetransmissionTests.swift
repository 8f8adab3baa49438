import Testing

@testable import Capture

/// TCP captures where segments come again: a retransmission of data already delivered, late
/// and after newer segments, or overlapping new data. Whatever the order, each message is
/// delivered once and nothing after the duplicate is lost.
@Suite("TCP retransmissions in captures")
struct TCPRetransmissionTests {
  typealias Frame = ExtractorTests.Frame
  static let ms: UInt64 = 1_000_000
  static let count = 40

  static let requests = (0..<count).map {
    Messages.publish(branch: "z9hG4bKr\($0)", cseq: $0 + 1, user: "u\($0)", transport: "TCP")
  }
  static let responses = (0..<count).map {
    Messages.response(
      200, branch: "z9hG4bKr\($0)", cseq: $0 + 1, etag: "e\($0)", user: "u\($0)", transport: "TCP")
  }

  /// One direction's stream and where each message starts in it.
  static func stream(_ messages: [[UInt8]]) -> (bytes: [UInt8], starts: [Int]) {
    var bytes: [UInt8] = []
    var starts: [Int] = []
    for message in messages {
      starts.append(bytes.count)
      bytes += message
    }
    return (bytes, starts)
  }

  static func segment(_ stream: [UInt8], _ range: Range<Int>, toServer: Bool) -> [UInt8] {
    let base: UInt32 = toServer ? 1_000 : 50_000
    let tcp =
      toServer
      ? Frames.tcp(Array(stream[range]), sequence: base &+ UInt32(range.lowerBound))
      : Frames.tcp(Array(stream[range]), sequence: base &+ UInt32(range.lowerBound), from: 5060, to: 40000)
    let packet =
      toServer
      ? Frames.ipv4Packet(tcp, protocol: 6)
      : Frames.ipv4Packet(tcp, protocol: 6, from: Frames.server, to: Frames.client)
    return Frames.ethernet(packet)
  }

  /// Each request and its response as one segment each, 10 ms apart, opened by SYNs; `extra`
  /// frames are inserted after the response of the given index, and the responses in
  /// `missing` were not captured.
  static func frames(extra: [Int: [(bytes: [UInt8], delay: UInt64)]], missing: Set<Int> = []) -> [Frame] {
    let up = stream(requests)
    let down = stream(responses)
    var frames: [Frame] = [(syn(toServer: true), 0), (syn(toServer: false), 1)]
    for index in 0..<count {
      let time = UInt64(index) * 10 * ms
      let upEnd = index + 1 < count ? up.starts[index + 1] : up.bytes.count
      let downEnd = index + 1 < count ? down.starts[index + 1] : down.bytes.count
      frames.append((segment(up.bytes, up.starts[index]..<upEnd, toServer: true), time))
      if !missing.contains(index) {
        frames.append((segment(down.bytes, down.starts[index]..<downEnd, toServer: false), time + ms))
      }
      for (bytes, delay) in extra[index] ?? [] { frames.append((bytes, time + ms + delay)) }
    }
    return frames.sorted { $0.at < $1.at }
  }

  /// A SYN (or SYN-ACK) one before each direction's first byte.
  static func syn(toServer: Bool) -> [UInt8] {
    let tcp =
      toServer
      ? Frames.tcp([], sequence: 999, syn: true)
      : Frames.tcp([], sequence: 49_999, from: 5060, to: 40000, syn: true)
    let packet =
      toServer
      ? Frames.ipv4Packet(tcp, protocol: 6)
      : Frames.ipv4Packet(tcp, protocol: 6, from: Frames.server, to: Frames.client)
    return Frames.ethernet(packet)
  }

  static func responseSegment(_ range: Range<Int>) -> [UInt8] {
    segment(stream(responses).bytes, range, toServer: false)
  }

  @Test func aLateDuplicateOfDeliveredDataLosesNothing() throws {
    let down = Self.stream(Self.responses)
    // Response 5 comes again 200 ms after response 20 (newer segments in between).
    let duplicate = Self.responseSegment(down.starts[5]..<down.starts[6])
    let summary = try ExtractorTests.extract(Self.frames(extra: [20: [(duplicate, 200 * Self.ms)]]))
    #expect(summary.publish.transactions == Self.count)
    #expect(summary.publish.unanswered == 0)
    #expect(summary.publish.responses["200"] == Self.count)
  }

  @Test func aRetransmissionOverlappingOldAndNewDataDeliversTheNewPartOnce() throws {
    let down = Self.stream(Self.responses)
    // Responses 10 and 11 were lost and are resent as one segment that starts inside response 9.
    let overlap = Self.responseSegment((down.starts[10] - 30)..<down.starts[12])
    let summary = try ExtractorTests.extract(
      Self.frames(extra: [11: [(overlap, 2 * Self.ms)]], missing: [10, 11]))
    #expect(summary.publish.transactions == Self.count)
    #expect(summary.publish.unanswered == 0)
    #expect(summary.publish.responses["200"] == Self.count)
  }

  @Test func aRetransmittedSynAfterDataLosesNothing() throws {
    let summary = try ExtractorTests.extract(
      Self.frames(extra: [
        5: [(Self.syn(toServer: false), 2 * Self.ms), (Self.syn(toServer: true), 3 * Self.ms)]
      ]))
    #expect(summary.publish.transactions == Self.count)
    #expect(summary.publish.unanswered == 0)
    #expect(summary.publish.responses["200"] == Self.count)
  }

  @Test func manyDuplicatesInAnyOrderLoseNothing() throws {
    let down = Self.stream(Self.responses)
    var extra: [Int: [(bytes: [UInt8], delay: UInt64)]] = [:]
    for index in stride(from: 3, to: Self.count, by: 3) {
      let old = index / 2
      extra[index] = [
        (Self.responseSegment(down.starts[old]..<down.starts[old + 1]), 3 * Self.ms),
        (Self.responseSegment(down.starts[index - 1]..<down.starts[index]), 4 * Self.ms),
      ]
    }
    let summary = try ExtractorTests.extract(Self.frames(extra: extra))
    #expect(summary.publish.transactions == Self.count)
    #expect(summary.publish.unanswered == 0)
    #expect(summary.publish.responses["200"] == Self.count)
  }

  /// A segment exactly half the sequence space away (found by fuzzing: negating the distance
  /// overflowed) is old data, ignored.
  @Test func aSegmentHalfTheSequenceSpaceAwayIsIgnored() {
    var stream = TCPStreamReassembler()
    let message = Messages.publish(branch: "z9hG4bKh", cseq: 1, transport: "TCP")
    let first = message.withUnsafeBytes { stream.add(sequence: 1_000, payload: $0, syn: false) }
    #expect(first.count == 1)
    let far = message.withUnsafeBytes {
      stream.add(sequence: 1_000 &+ UInt32(message.count) &+ 0x8000_0000, payload: $0, syn: false)
    }
    #expect(far.isEmpty)
  }

  /// In-order segments are framed where they lie and only an unfinished tail is kept: however
  /// the stream is cut (a message per segment, several, or one spread over many, with
  /// keep-alive line breaks between), the same messages come out, whole and in order.
  @Test(arguments: [1, 7, 100, 613, 1_500, 4_096, 100_000])
  func anyCutOfAStreamDeliversTheSameMessages(segmentSize: Int) {
    let messages = Array(Self.requests.prefix(12))
    var bytes: [UInt8] = []
    for (number, message) in messages.enumerated() {
      bytes += message
      if number % 3 == 0 { bytes += Array("\r\n\r\n".utf8) }
    }
    var stream = TCPStreamReassembler()
    var delivered: [[UInt8]] = []
    var offset = 0
    while offset < bytes.count {
      let end = min(offset + segmentSize, bytes.count)
      let segment = Array(bytes[offset..<end])
      segment.withUnsafeBytes { payload in
        stream.add(sequence: 7_000 &+ UInt32(offset), payload: payload, syn: false) {
          delivered.append(Array($0))
        }
      }
      offset = end
    }
    #expect(delivered == messages)
    #expect(stream.skippedBytes == 0)
  }
}
