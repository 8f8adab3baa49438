import Capture
@_spi(Testing) import Compositor
import Engine
import Foundation
import Learning
import Profiles
import Publication
import SIPCore
import Trace
import Transport

/// The parsers of untrusted input, each fed arbitrary bytes. A harness only has to return: a
/// trap, an overflow, an out-of-bounds read (AddressSanitizer) or a hang is the finding.
enum FuzzTarget: String, CaseIterable {
  /// SIP messages as datagrams and as a stream, the compositor's decision on a request, and its
  /// two ways of reading a PUBLISH held to the same answer.
  case sip
  /// The one-pass scanners: PublishScan (captures) and the engine's response summary.
  case scan
  /// Captured frames through link layer, IP (fragments), UDP and TCP reassembly to PUBLISH
  /// transactions.
  case capture
  /// Trace files (`extract -o`) as replay reads them, and the profile learned from them, which
  /// `pubsim run` must be able to read whatever the records.
  case trace
  /// Profiles (YAML) as `pubsim run` reads them.
  case profile
  /// DNS answers (SRV, NAPTR) as target resolution reads them.
  case dns

  func run(_ bytes: UnsafeRawBufferPointer) {
    switch self {
    case .sip: Self.sip(bytes)
    case .scan: Self.scan(bytes)
    case .capture: Self.capture(bytes)
    case .trace: Self.trace(bytes)
    case .profile: Self.profile(bytes)
    case .dns: _ = try? DNSAnswer(Array(bytes))
    }
  }

  private static func sip(_ bytes: UnsafeRawBufferPointer) {
    let parser = SIPParser()
    if let message = try? parser.parse(bytes, framing: .datagram) {
      // A compositor of its own per input, so that each run is the same whatever came before.
      _ = CompositorCore().decide(message, now: 1_000_000_000)
      _ = message.topVia
      _ = message.cseq
      // A published body, composed for watchers.
      let publication = StoredPublication(
        entityTag: "t", resource: "a@b", event: "presence", contentType: nil, body: message.body, expiresAt: 1
      )
      _ = PresenceComposer.compose([publication], resource: "a@b", event: "presence")
    }
    // A PUBLISH the compositor reads in place must be answered as if parsed whole.
    for framing in [SIPFraming.datagram, .stream] {
      let answers = CompositorReadPaths.responses(to: Array(bytes), framing: framing)
      if answers.inPlace != answers.parsed {
        let text = { (answer: [UInt8]?) in answer.map { String(decoding: $0, as: UTF8.self) } ?? "none" }
        fatalError(
          "the compositor's read paths differ (\(framing)):\n\(text(answers.inPlace))\n\(text(answers.parsed))"
        )
      }
    }
    // Header lines as a trace keeps them.
    _ = SIPHeadLines.lines(of: Array(bytes))
    _ = parser.parseHead(bytes)
    var framer = SIPStreamFramer()
    framer.append(bytes)
    while case .some(.some) = try? framer.nextMessage() {}
  }

  /// A trace, and each record's recorded form as replay reads it.
  private static func trace(_ bytes: UnsafeRawBufferPointer) {
    guard let (_, records) = try? TraceCodec.decode(Data(bytes), file: "fuzz.trace") else { return }
    for record in records {
      _ = RequestForm(requestURI: record.requestURI, headerLines: record.headers ?? [], publisherUser: "u")
    }
    guard let learned = ProfileLearner.learn(records, captures: ["fuzz.pcap"], name: "learned") else {
      return
    }
    let reader = ProfileReader(file: "learned.yaml") { _ in "" }
    do {
      _ = try reader.read(learned.yaml)
    } catch {
      fatalError("a learned profile pubsim cannot read: \(error)\n\(learned.yaml)")
    }
    _ = TraceStatistics(PublisherLives(records))
  }

  private static func scan(_ bytes: UnsafeRawBufferPointer) {
    if let fields = PublishScan.fields(bytes) {
      for range in [fields.branch, fields.ifMatch, fields.entityTag].compactMap({ $0 }) {
        _ = PublishScan.text(bytes, range)
      }
    }
    _ = PublishScan.scan(bytes)
    _ = ResponseSummary(bytes)
  }

  /// The input as frames: a link type byte, then frames of a 2-byte length and that many bytes,
  /// each 1 ms after the one before, with a TCP stream limit small enough to be reached.
  private static func capture(_ bytes: UnsafeRawBufferPointer) {
    guard let first = bytes.first else { return }
    let links: [LinkType] = [.ethernet, .raw, .linuxCooked, .linuxCooked2, .null, .loop, .ipv4, .ipv6]
    let link = links[Int(first) % links.count]
    var decoder = PacketDecoder(maxStreams: 16, keepsRequests: true)
    var offset = 1
    var number = 0
    while offset + 2 <= bytes.count {
      let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
      offset += 2
      let end = min(offset + length, bytes.count)
      number += 1
      let frame = UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
      decoder.add(
        CapturedPacket(
          number: number, timestamp: UInt64(number) * 1_000_000, bytes: frame, originalLength: length),
        linkType: link)
      offset = end
    }
    _ = decoder.finish()
  }

  private static func profile(_ bytes: UnsafeRawBufferPointer) {
    let text = String(decoding: bytes, as: UTF8.self)
    let reader = ProfileReader(file: "fuzz.yaml") { _ in "user1,secret,example.com\n" }
    _ = try? reader.read(text)
  }
}
