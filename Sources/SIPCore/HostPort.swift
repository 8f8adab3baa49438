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
    if text.utf8.first == UInt8(ascii: "[") {
      guard let close = text.utf8.firstIndex(of: UInt8(ascii: "]")) else { return nil }
      host = String(text[text.index(after: text.startIndex)..<close])
      let rest = text[text.index(after: close)...]
      if rest.isEmpty {
        port = nil
      } else {
        guard rest.hasPrefix(":"), let value = HostPort.port(rest.dropFirst()) else { return nil }
        port = value
      }
    } else if let colon = text.utf8.lastIndex(of: UInt8(ascii: ":")) {
      host = String(text[..<colon])
      guard let value = HostPort.port(text[text.utf8.index(after: colon)...]) else { return nil }
      port = value
    } else {
      host = text
      port = nil
    }
    if host.isEmpty { return nil }
  }

  private static func port(_ text: Substring) -> Int? {
    guard !text.isEmpty, text.utf8.count <= 5 else { return nil }
    var value = 0
    for byte in text.utf8 {
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
