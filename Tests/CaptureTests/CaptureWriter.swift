import CPcap
import Foundation

/// Writes captures for tests through libpcap's own dump API, so the files are real pcaps.
final class CaptureWriter {
  private let handle: OpaquePointer
  private let dumper: OpaquePointer
  let path: String

  init(
    linkType: Int32,
    path: String = FileManager.default.temporaryDirectory
      .appendingPathComponent("pubsim-\(UUID().uuidString).pcap").path
  ) {
    self.path = path
    handle = pcap_open_dead_with_tstamp_precision(linkType, 65_535, UInt32(PCAP_TSTAMP_PRECISION_NANO))
    dumper = pcap_dump_open(handle, path)
  }

  func write(_ frame: [UInt8], at nanoseconds: UInt64) {
    var header = pcap_pkthdr()
    header.ts.tv_sec = Int(nanoseconds / 1_000_000_000)
    header.ts.tv_usec = Int(nanoseconds % 1_000_000_000)
    header.caplen = UInt32(frame.count)
    header.len = UInt32(frame.count)
    frame.withUnsafeBufferPointer { bytes in
      pcap_dump(
        UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self), &header, bytes.baseAddress)
    }
  }

  /// A frame with the record header's time fields as given, in range or not.
  func write(_ frame: [UInt8], seconds: Int, fraction: Int) {
    var header = pcap_pkthdr()
    header.ts.tv_sec = seconds
    header.ts.tv_usec = fraction
    header.caplen = UInt32(frame.count)
    header.len = UInt32(frame.count)
    frame.withUnsafeBufferPointer { bytes in
      pcap_dump(
        UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self), &header, bytes.baseAddress)
    }
  }

  func close() {
    pcap_dump_close(dumper)
    pcap_close(handle)
  }
}

/// Frames for synthetic captures: Ethernet (optionally VLAN-tagged), IPv4/IPv6, UDP, TCP.
enum Frames {
  static func ipv4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> [UInt8] { [a, b, c, d] }
  static let client = ipv4(192, 0, 2, 10)
  static let server = ipv4(192, 0, 2, 1)
  static let client6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [0x10]
  static let server6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [0x01]

  static func ethernet(_ payload: [UInt8], etherType: UInt16 = 0x0800, vlans: [UInt16] = []) -> [UInt8] {
    var frame: [UInt8] = Array(repeating: 0xAA, count: 6) + Array(repeating: 0xBB, count: 6)
    for (index, vlan) in vlans.enumerated() {
      frame += be16(index == 0 && vlans.count > 1 ? 0x88A8 : 0x8100) + be16(vlan)
    }
    return frame + be16(etherType) + payload
  }

  static func ipv4Packet(
    _ payload: [UInt8], protocol number: UInt8, from source: [UInt8] = client,
    to destination: [UInt8] = server,
    identification: UInt16 = 1, fragmentOffset: Int = 0, moreFragments: Bool = false
  ) -> [UInt8] {
    let flags = UInt16(fragmentOffset / 8) | (moreFragments ? 0x2000 : 0)
    return [0x45, 0] + be16(UInt16(20 + payload.count)) + be16(identification) + be16(flags) + [
      64, number, 0, 0,
    ]
      + source + destination + payload
  }

  static func ipv6Packet(
    _ payload: [UInt8], protocol number: UInt8, extensionHeaders: [[UInt8]] = [],
    from source: [UInt8] = client6,
    to destination: [UInt8] = server6
  ) -> [UInt8] {
    let extensions = extensionHeaders.flatMap { $0 }
    let first = extensionHeaders.isEmpty ? number : 0
    return [0x60, 0, 0, 0] + be16(UInt16(extensions.count + payload.count)) + [first, 64] + source
      + destination
      + extensions + payload
  }

  static func udp(_ payload: [UInt8], from source: UInt16 = 5080, to destination: UInt16 = 5060) -> [UInt8] {
    be16(source) + be16(destination) + be16(UInt16(8 + payload.count)) + [0, 0] + payload
  }

  static func tcp(
    _ payload: [UInt8], sequence: UInt32, from source: UInt16 = 40000, to destination: UInt16 = 5060,
    syn: Bool = false
  ) -> [UInt8] {
    be16(source) + be16(destination) + be32(sequence) + be32(0) + [0x50, syn ? 0x02 : 0x18] + be16(65535)
      + [0, 0, 0, 0] + payload
  }

  static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
  static func be32(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
  }
}

/// PUBLISH requests and responses as bytes.
enum Messages {
  static func publish(
    branch: String, cseq: Int, ifMatch: String? = nil, expires: Int = 3600, body: Bool = true,
    user: String = "alice",
    transport: String = "UDP", padding: Int = 0
  ) -> [UInt8] {
    let open = "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:\(user)@example.com\""
    let note = "><note>" + String(repeating: "n", count: padding) + "</note></presence>"
    let content = body ? open + (padding > 0 ? note : "/>") : ""
    var text =
      "PUBLISH sip:\(user)@example.com SIP/2.0\r\nVia: SIP/2.0/\(transport) 192.0.2.10:5080;branch=\(branch)\r\n"
    text +=
      "From: <sip:\(user)@example.com>;tag=f\r\nTo: <sip:\(user)@example.com>\r\nCall-ID: call-\(user)\r\n"
    text += "CSeq: \(cseq) PUBLISH\r\nEvent: presence\r\nExpires: \(expires)\r\n"
    if let ifMatch { text += "SIP-If-Match: \(ifMatch)\r\n" }
    if body { text += "Content-Type: application/pidf+xml\r\n" }
    text += "Content-Length: \(content.utf8.count)\r\n\r\n\(content)"
    return Array(text.utf8)
  }

  static func response(
    _ code: Int, branch: String, cseq: Int, etag: String? = nil, user: String = "alice",
    transport: String = "UDP"
  ) -> [UInt8] {
    var text = "SIP/2.0 \(code) Whatever\r\nVia: SIP/2.0/\(transport) 192.0.2.10:5080;branch=\(branch)\r\n"
    text +=
      "From: <sip:\(user)@example.com>;tag=f\r\nTo: <sip:\(user)@example.com>;tag=t\r\nCall-ID: call-\(user)\r\n"
    text += "CSeq: \(cseq) PUBLISH\r\n"
    if let etag { text += "SIP-ETag: \(etag)\r\nExpires: 3600\r\n" }
    text += "Content-Length: 0\r\n\r\n"
    return Array(text.utf8)
  }
}
