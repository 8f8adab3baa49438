/// A host and an optional port as written in URIs and Via headers: `example.com`, `10.0.0.1:5060`,
/// `[::1]:5070`. The host keeps IPv6 brackets off; ``description`` puts them back.
public struct HostPort: Hashable, Sendable, CustomStringConvertible {
  public var host: String
  public var port: Int?

  public init(host: String, port: Int?) {
    self.host = host
    self.port = port
  }

  /// Parses `host`, `host:port`, `[v6]` or `[v6]:port`; nil for an empty host or a bad port.
  public init?(_ text: String) {
    var text = text
    guard let read = text.withUTF8({ HostPort(bytes: $0) }) else { return nil }
    self = read
  }

  /// ``init(_:)`` over the text's bytes in place (a Via's or a URI's sent-by, read per request).
  public init?(bytes: UnsafeBufferPointer<UInt8>) {
    let text = bytes[...]
    var host = text
    var port: Int?
    if text.first == UInt8(ascii: "[") {
      guard let close = text.firstIndex(of: UInt8(ascii: "]")) else { return nil }
      host = text[(text.startIndex + 1)..<close]
      let rest = text[(close + 1)...]
      if !rest.isEmpty {
        guard rest.first == UInt8(ascii: ":"), let value = HostPort.port(rest.dropFirst()) else { return nil }
        port = value
      }
    } else if let colon = text.lastIndex(of: UInt8(ascii: ":")) {
      host = text[..<colon]
      guard let value = HostPort.port(text[(colon + 1)...]) else { return nil }
      port = value
    }
    guard !host.isEmpty else { return nil }
    self.host = String(decoding: host, as: UTF8.self)
    self.port = port
  }

  private static func port(_ text: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
    guard !text.isEmpty, text.count <= 5 else { return nil }
    var value = 0
    for byte in text {
      guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
      value = value * 10 + Int(byte - UInt8(ascii: "0"))
    }
    return value <= 65535 ? value : nil
  }

  public var isIPv6: Bool { SIPHost.isIPv6Literal(host) }

  public var description: String {
    if let port { return SIPHost.text(host) + ":" + String(port) }
    return SIPHost.text(host)
  }
}
