import Foundation
import NIOCore
import SIPCore
import Testing

@_spi(Testing) @testable import Compositor

/// The compositor reads a usual PUBLISH in place and parses anything else whole; the two ways
/// must answer alike, byte for byte (the same seeds make the same tags).
@Suite("A PUBLISH read in place is answered as one parsed whole")
struct InPlacePublishTests {
  static let body =
    "<?xml version=\"1.0\"?><presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@h\"/>"

  /// A PUBLISH as SIPp's publish-cycle scenario sends it, lines given without their CRLF.
  static func request(
    _ lines: [String] = base, body: String = body, contentLength: Bool = true, startLine: String? = nil
  ) -> [UInt8] {
    var text = (startLine ?? "PUBLISH sip:alice@127.0.0.1:5060 SIP/2.0") + "\r\n"
    for line in lines { text += line + "\r\n" }
    if contentLength { text += "Content-Length: \(body.utf8.count)\r\n" }
    return Array((text + "\r\n" + body).utf8)
  }

  static let base = [
    "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1-1;rport",
    "Max-Forwards: 70",
    "From: <sip:alice@127.0.0.1>;tag=1t1",
    "To: <sip:alice@127.0.0.1>",
    "Call-ID: 1-123@127.0.0.1",
    "CSeq: 1 PUBLISH",
    "Event: presence",
    "Expires: 3600",
    "Content-Type: application/pidf+xml",
  ]

  static func replacing(_ prefix: String, with line: String?) -> [String] {
    base.compactMap { $0.hasPrefix(prefix) ? line : $0 }
  }

  static func expectAlike(_ bytes: [UInt8], framing: SIPFraming = .datagram, _ label: String) {
    let answers = CompositorReadPaths.responses(to: bytes, framing: framing)
    let alike = answers.inPlace == answers.parsed
    #expect(alike, "\(label): in place \(text(answers.inPlace)) parsed \(text(answers.parsed))")
  }

  static func text(_ bytes: [UInt8]?) -> String {
    bytes.map { String(decoding: $0, as: UTF8.self) } ?? "no answer"
  }

  /// What the load generators send, and what clients vary within the grammar, is read in place.
  static let readInPlace: [(String, [UInt8])] = [
    ("SIPp's initial", request()),
    (
      "SIPp's initial as sent",
      Array(
        ("PUBLISH sip:pubsim-1-4315@127.0.0.1:5099 SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-4315-1-1;rport\r\nMax-Forwards: 70\r\n"
          + "From: <sip:pubsim-1-4315@127.0.0.1>;tag=4315t1\r\nTo: <sip:pubsim-1-4315@127.0.0.1>\r\n"
          + "Call-ID: 1-4315@127.0.0.1\r\nCSeq: 1 PUBLISH\r\nEvent: presence\r\nExpires: 3600\r\n"
          + "Content-Type: application/pidf+xml\r\nContent-Length:   \(body.utf8.count)\r\n\r\n" + body).utf8)
    ),
    ("refresh", request(replacing("Content-Type", with: "SIP-If-Match: abc.1"), body: "")),
    ("remove", request(replacing("Expires", with: "Expires: 0") + ["SIP-If-Match: x"], body: "")),
    (
      "no rport, same host",
      request(replacing("Via", with: "Via: SIP/2.0/UDP 192.0.2.7:5061;branch=z9hG4bK-9"))
    ),
    (
      "rport with a value, received",
      request(replacing("Via", with: "Via: SIP/2.0/UDP h.example;rport=1;received=x;branch=z9hG4bK-2"))
    ),
    (
      "a Via of received and rport flags, each stamped",
      request(
        replacing(
          "Via",
          with: "Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-7"
            + String(repeating: ";received", count: 300) + String(repeating: ";rport", count: 100)))
    ),
    ("IPv6 sent-by", request(replacing("Via", with: "Via: SIP/2.0/UDP [fd00::1]:5061;branch=z9hG4bK-3"))),
    (
      "compact forms",
      request([
        "v: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-4", "f: <sip:a@h>;tag=1", "t: <sip:a@h>", "i: c4",
        "CSeq: 2 PUBLISH", "o: presence", "c: application/pidf+xml",
      ])
    ),
    (
      "names in other cases",
      request(
        base.map {
          $0.replacingOccurrences(of: "Event:", with: "EVENT:").replacingOccurrences(
            of: "Call-ID:", with: "call-id:")
        })
    ),
    ("space before the colon", request(replacing("Event", with: "Event  :   presence  "))),
    (
      "other headers",
      request(base + ["User-Agent: x", "Contact: <sip:a@h>", "Supported: a, b", "m: <sip:a@h>"])
    ),
    ("To with its own tag", request(replacing("To", with: "To: <sip:alice@127.0.0.1>;tag=mine"))),
    ("Call-ID before From", request(["Call-ID: c9"] + base.filter { !$0.hasPrefix("Call-ID") })),
    ("no Content-Length over UDP", request(contentLength: false)),
    ("Event parameters, upper case", request(replacing("Event", with: "Event: PRESENCE;id=7"))),
    ("unknown package", request(replacing("Event", with: "Event: weather"))),
    ("no Event", request(replacing("Event", with: nil))),
    ("Expires too short", request(replacing("Expires", with: "Expires: 5"))),
    ("Expires past 2^32", request(replacing("Expires", with: "Expires: 99999999999"))),
    ("wrong media type", request(replacing("Content-Type", with: "Content-Type: text/plain"))),
    ("If-Match of nothing", request(base + ["SIP-If-Match: nothing.1"])),
    ("leading line breaks", Array("\r\n\r\n".utf8) + request()),
    (
      "URI with parameters and upper-case host",
      request(startLine: "PUBLISH sip:alice@EXAMPLE.com;transport=udp SIP/2.0")
    ),
    ("lower-case version", request(startLine: "PUBLISH sip:alice@h sip/2.0")),
  ]

  /// Malformed or unusual requests go the general way, which answers them (or not) as before.
  static let parsedWhole: [(String, [UInt8])] = [
    ("folded line", request(base + [" continued"])),
    ("two Via lines", request(base + ["Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-x"])),
    (
      "a Via list",
      request(replacing("Via", with: "Via: SIP/2.0/UDP a;branch=z9hG4bK-1, SIP/2.0/UDP b;branch=z9hG4bK-2"))
    ),
    ("quoted branch", request(replacing("Via", with: "Via: SIP/2.0/UDP a;branch=\"z9hG4bK-q\""))),
    ("non-ASCII in a header", request(replacing("From", with: "From: \"Zoë\" <sip:a@h>;tag=1"))),
    ("lower-case method", request(startLine: "publish sip:alice@h SIP/2.0")),
    ("other method", request(startLine: "OPTIONS sip:alice@h SIP/2.0")),
    ("duplicate Expires", request(base + ["Expires: 60"])),
    ("duplicate Content-Length", request(base + ["Content-Length: \(body.utf8.count)"])),
    ("Min-Expires", request(base + ["Min-Expires: 60"])),
    ("missing From", request(replacing("From", with: nil))),
    ("missing Via", request(replacing("Via", with: nil))),
    ("bad Via", request(replacing("Via", with: "Via: SIP/2.0/UDP"))),
    ("bad CSeq method", request(replacing("CSeq", with: "CSeq: 1 INVITE"))),
    ("CSeq too large", request(replacing("CSeq", with: "CSeq: 2147483648 PUBLISH"))),
    ("bad Expires", request(replacing("Expires", with: "Expires: soon"))),
    ("bad Max-Forwards", request(replacing("Max-Forwards", with: "Max-Forwards: -1"))),
    ("bad Call-ID", request(replacing("Call-ID", with: "Call-ID: a b"))),
    ("bad Event", request(replacing("Event", with: "Event: ;x"))),
    ("bad Content-Type", request(replacing("Content-Type", with: "Content-Type: pidf"))),
    ("bad URI", request(startLine: "PUBLISH tel:123 SIP/2.0")),
    ("empty If-Match", request(base + ["SIP-If-Match:"])),
    ("body shorter than Content-Length", request(base + ["Content-Length: 900"], contentLength: false)),
    ("binary byte", request(replacing("Max-Forwards", with: "Max-Forwards: 7\u{1}0"))),
    ("no blank line", Array("PUBLISH sip:a@h SIP/2.0\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK-1\r\n".utf8)),
  ]

  @Test(arguments: readInPlace.map(\.0))
  func usualRequestsAreReadInPlaceAndAnsweredAlike(_ label: String) throws {
    let bytes = try #require(Self.readInPlace.first { $0.0 == label }?.1)
    #expect(CompositorReadPaths.readsInPlace(bytes, framing: .datagram), "\(label) read in place")
    Self.expectAlike(bytes, label)
  }

  @Test(arguments: parsedWhole.map(\.0))
  func unusualRequestsAreParsedWholeAndAnsweredAlike(_ label: String) throws {
    let bytes = try #require(Self.parsedWhole.first { $0.0 == label }?.1)
    #expect(!CompositorReadPaths.readsInPlace(bytes, framing: .datagram), "\(label) parsed whole")
    Self.expectAlike(bytes, label)
  }

  @Test func overAStreamContentLengthIsNeeded() {
    #expect(CompositorReadPaths.readsInPlace(Self.request(), framing: .stream))
    #expect(!CompositorReadPaths.readsInPlace(Self.request(contentLength: false), framing: .stream))
    Self.expectAlike(Self.request(), framing: .stream, "stream")
    Self.expectAlike(Self.request(contentLength: false), framing: .stream, "stream without Content-Length")
  }

  /// Thousands of requests a byte or a line away from usual ones (a fixed seed: the same ones on
  /// every run), each answered alike by both paths.
  @Test func mutatedRequestsAreAnsweredAlike() {
    var random = SplitMix64(seed: 3903)
    let seeds = (Self.readInPlace + Self.parsedWhole).map(\.1)
    let interesting = Array(" \t\r\n:;,=<>\"@/0aZ\u{7f}".utf8) + [0, 0xC3, 0xFF]
    var readInPlace = 0
    for _ in 0..<3_000 {
      var bytes = seeds[Int(random.next() % UInt64(seeds.count))]
      for _ in 0...(random.next() % 3) {
        let at = Int(random.next() % UInt64(bytes.count))
        let byte = interesting[Int(random.next() % UInt64(interesting.count))]
        switch random.next() % 3 {
        case 0: bytes[at] = byte
        case 1: bytes.insert(byte, at: at)
        default: bytes.remove(at: at)
        }
      }
      if CompositorReadPaths.readsInPlace(bytes, framing: .datagram) { readInPlace += 1 }
      Self.expectAlike(bytes, "mutated: \(Self.text(bytes))")
    }
    // The mutations leave many requests usual: both paths were exercised.
    #expect(readInPlace > 300)
  }

  /// A publication's life (initial, refresh, modify, remove) and a retransmission, through two
  /// compositors that read differently.
  @Test func aLifeCycleIsAnsweredAlike() throws {
    let states = [true, false].map { readsInPlace in
      CompositorLoopState(
        core: CompositorCore(entityTagSeed: 1), transactionLifetime: 32_000_000_000, now: 0, seed: 1,
        readsInPlace: readsInPlace)
    }
    var etag = ""
    func step(_ bytes: [UInt8], at now: UInt64) throws {
      let replies = states.map {
        $0.handle(ByteBuffer(bytes: bytes), framing: .datagram, source: CompositorReadPaths.source, now: now)
      }
      let answers = replies.map { $0.map { String(buffer: $0.bytes) } }
      #expect(answers[0] == answers[1])
      let response = try SIPParser().parse(Array(try #require(answers[0]).utf8), framing: .stream)
      #expect(response.statusCode == 200)
      etag = response.headers[.sipETag] ?? etag
    }
    func branch(_ n: Int) -> String { "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-\(n);rport" }
    let initial = Self.request(Self.replacing("Via", with: branch(1)))
    try step(initial, at: 1)
    try step(initial, at: 2)  // a retransmission: the kept answer
    try step(
      Self.request(Self.replacing("Via", with: branch(2)) + ["SIP-If-Match: \(etag)"], body: ""), at: 3)
    try step(Self.request(Self.replacing("Via", with: branch(3)) + ["SIP-If-Match: \(etag)"]), at: 4)
    try step(
      Self.request(
        Self.replacing("Via", with: branch(4)).map { $0 == "Expires: 3600" ? "Expires: 0" : $0 }
          + ["SIP-If-Match: \(etag)"], body: ""), at: 5)
    #expect(states.map { $0.statistics.retransmissions } == [1, 1])
    #expect(states.map { $0.core.livePublications(now: 6) } == [0, 0])
  }
}

/// The eight-bytes-at-a-time line check against the byte-by-byte rule it stands for.
@Suite("A line's bytes are checked eight at a time")
struct PlainTextTests {
  @Test func agreesWithTheByteRuleForEveryByteAtEveryPlace() {
    for length in [0, 1, 7, 8, 9, 16, 23] {
      for place in 0..<max(length, 1) {
        for byte in UInt8.min...UInt8.max {
          var line = [UInt8](repeating: UInt8(ascii: "a"), count: length)
          if length > 0 { line[place] = byte }
          let expected = line.allSatisfy { !($0 < 0x20 && $0 != 0x09 || $0 >= 0x7F) }
          let checked = line.withUnsafeBytes { InPlacePublish.isPlainText($0, 0..<length) }
          #expect(checked == expected, "byte \(byte) at \(place) of \(length)")
        }
      }
    }
  }
}
