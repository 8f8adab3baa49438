import Foundation

/// The synthesized sample captures in `captures/` (edge cases a recording on loopback cannot
/// give): their frames, written through libpcap's dump API by `SampleCaptureTests` when
/// `PUBSIM_WRITE_SAMPLE_CAPTURES=1` is set, and checked against their expected summaries always.
enum EdgeCaptures {
  typealias Frame = (bytes: [UInt8], at: UInt64)
  static let ms: UInt64 = 1_000_000
  static let names = ["edge-fragments", "edge-tcp-ipv6"]

  static func frames(_ name: String) -> [Frame] {
    switch name {
    case "edge-fragments": return fragments()
    case "edge-tcp-ipv6": return tcpOverIPv6()
    default: return []
    }
  }

  /// One publisher's life as messages: initial, refresh, modify, remove, each answered 200.
  static func life(_ user: String, transport: String = "UDP") -> [(message: [UInt8], toServer: Bool)] {
    var messages: [(message: [UInt8], toServer: Bool)] = []
    var tag: String?
    for (step, operation) in ["initial", "refresh", "modify", "remove"].enumerated() {
      let branch = "z9hG4bK\(user)\(step)"
      messages.append(
        (
          Messages.publish(
            branch: branch, cseq: step + 1, ifMatch: tag, expires: operation == "remove" ? 0 : 3600,
            body: operation == "initial" || operation == "modify", user: user, transport: transport,
            padding: operation == "modify" ? 3000 : 0), true
        ))
      tag = "\(user)-etag-\(step)"
      messages.append(
        (
          Messages.response(200, branch: branch, cseq: step + 1, etag: tag, user: user, transport: transport),
          false
        ))
    }
    return messages
  }

  /// Ten publishers over IPv4 and ten over IPv6 (with a hop-by-hop header); every message cut
  /// into fragments sent last-first; one more datagram whose middle fragment is missing.
  static func fragments() -> [Frame] {
    var frames: [Frame] = []
    var clock: UInt64 = 0
    var identification: UInt16 = 100
    for publisher in 0..<20 {
      let ipv6 = publisher >= 10
      for (message, toServer) in life("frag\(publisher)") {
        let udp = toServer ? Frames.udp(message) : Frames.udp(message, from: 5060, to: 5080)
        identification += 1
        for piece in fragmentsOf(udp, identification: identification, ipv6: ipv6, toServer: toServer)
          .reversed()
        {
          frames.append((piece, clock))
          clock += 100_000
        }
        clock += ms
      }
    }
    let lost = Frames.udp(Messages.publish(branch: "z9hG4bKlost", cseq: 1, user: "lost", padding: 3000))
    let pieces = fragmentsOf(lost, identification: 9999, ipv6: false, toServer: true)
    frames.append((pieces[0], clock))
    frames.append((pieces[pieces.count - 1], clock + ms))
    return frames
  }

  /// `udp` cut into IP fragments of at most 1 232 bytes of payload.
  static func fragmentsOf(_ udp: [UInt8], identification: UInt16, ipv6: Bool, toServer: Bool) -> [[UInt8]] {
    let size = 1232
    return stride(from: 0, to: udp.count, by: size).map { offset in
      let piece = Array(udp[offset..<min(offset + size, udp.count)])
      let more = offset + size < udp.count
      if ipv6 {
        let header: [UInt8] =
          [17, 0] + Frames.be16(UInt16(offset) | (more ? 1 : 0)) + Frames.be32(UInt32(identification))
        let hopByHop: [UInt8] = [44, 0, 0, 0, 0, 0, 0, 0]
        let packet = Frames.ipv6Packet(
          piece, protocol: 0, extensionHeaders: [hopByHop, header],
          from: toServer ? Frames.client6 : Frames.server6,
          to: toServer ? Frames.server6 : Frames.client6)
        return Frames.ethernet(packet, etherType: 0x86DD)
      }
      let packet = Frames.ipv4Packet(
        piece, protocol: 17, from: toServer ? Frames.client : Frames.server,
        to: toServer ? Frames.server : Frames.client,
        identification: identification, fragmentOffset: offset, moreFragments: more)
      return Frames.ethernet(packet)
    }
  }

  /// Ten publishers over one TCP connection on IPv6: requests split across segments and
  /// coalesced two to a segment, one segment sent twice, one pair swapped; responses in order.
  static func tcpOverIPv6() -> [Frame] {
    var requests: [UInt8] = []
    var responses: [UInt8] = []
    var order: [(toServer: Bool, end: Int)] = []
    for publisher in 0..<10 {
      for (message, toServer) in life("tcp\(publisher)", transport: "TCP") {
        if toServer {
          requests += message
          order.append((true, requests.count))
        } else {
          responses += message
          order.append((false, responses.count))
        }
      }
    }
    func segment(_ stream: [UInt8], _ range: Range<Int>, toServer: Bool) -> [UInt8] {
      let base: UInt32 = toServer ? 1_000 : 50_000
      let tcp =
        toServer
        ? Frames.tcp(Array(stream[range]), sequence: base + UInt32(range.lowerBound))
        : Frames.tcp(Array(stream[range]), sequence: base + UInt32(range.lowerBound), from: 5060, to: 40000)
      let packet = Frames.ipv6Packet(
        tcp, protocol: 6, from: toServer ? Frames.client6 : Frames.server6,
        to: toServer ? Frames.server6 : Frames.client6)
      return Frames.ethernet(packet, etherType: 0x86DD)
    }
    var frames: [Frame] = []
    var clock: UInt64 = 0
    func emit(_ bytes: [UInt8]) {
      frames.append((bytes, clock))
      clock += 200_000
    }
    emit(
      Frames.ethernet(
        Frames.ipv6Packet(Frames.tcp([], sequence: 999, syn: true), protocol: 6), etherType: 0x86DD))
    var requestStart = 0
    var responseStart = 0
    for (index, step) in order.enumerated() {
      if step.toServer {
        // Every third request goes out in two segments, the second of them first.
        let range = requestStart..<step.end
        if index % 6 == 0 {
          let middle = range.lowerBound + range.count / 2
          emit(segment(requests, middle..<range.upperBound, toServer: true))
          emit(segment(requests, range.lowerBound..<middle, toServer: true))
          emit(segment(requests, range.lowerBound..<middle, toServer: true))
        } else {
          emit(segment(requests, range, toServer: true))
        }
        requestStart = step.end
      } else {
        emit(segment(responses, responseStart..<step.end, toServer: false))
        responseStart = step.end
      }
      clock += ms
    }
    return frames
  }
}
