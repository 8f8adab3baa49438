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
    if text.hasPrefix("[") {
      guard let close = text.firstIndex(of: "]") else { return nil }
      host = String(text[text.index(after: text.startIndex)..<close])
      let rest = text[text.index(after: close)...]
      if rest.isEmpty {
        port = nil
      } else {
        guard rest.hasPrefix(":"), let value = HostPort.port(rest.dropFirst()) else { return nil }
        port = value
      }
    } else if let colon = text.lastIndex(of: ":") {
      host = String(text[..<colon])
      guard let value = HostPort.port(text[text.index(after: colon)...]) else { return nil }
      port = value
    } else {
      host = text
      port = nil
    }
    if host.isEmpty { return nil }
  }

  private static func port(_ text: Substring) -> Int? {
    guard !text.isEmpty, text.utf8.count <= 5, let value = Int(text), (0...65535).contains(value) else {
      return nil
    }
    return value
  }

  public var isIPv6: Bool { host.contains(":") }

  public var description: String {
    let shownHost = isIPv6 ? "[\(host)]" : host
    if let port { return "\(shownHost):\(port)" }
    return shownHost
  }
}
