/// A `sip:` or `sips:` URI: `sip:alice@example.com:5060;transport=tcp`.
///
/// Used for Request-URIs, From/To addresses, and as the way a user names a target or a listen
/// address on the command line (docs/contract.md).
public struct SIPURI: Hashable, Sendable, CustomStringConvertible {
  /// Whether the URI is a sips: URI (TLS).
  public var isSecure: Bool
  public var user: String?
  public var host: String
  public var port: Int?
  /// URI parameters in order (`transport=tcp`, `lr`, ...).
  public var parameters: [String: String?]

  public init(
    isSecure: Bool = false, user: String? = nil, host: String, port: Int? = nil,
    parameters: [String: String?] = [:]
  ) {
    self.isSecure = isSecure
    self.user = user
    self.host = host
    self.port = port
    self.parameters = parameters
  }

  /// Why a text is not a usable SIP URI.
  public struct ParseError: Error, CustomStringConvertible, Equatable {
    public var text: String
    public var reason: String
    public var description: String { "'\(text)' is not a SIP URI: \(reason)" }
  }

  /// Parses a URI, throwing an error that says what is wrong.
  public static func parse(_ text: String) throws(ParseError) -> SIPURI {
    let head = try head(text)
    var parameters: [String: String?] = [:]
    for piece in SIPParameters.pieces(head.parameters) where !piece.isEmpty {
      let parameter = SIPParameters.parse(piece)
      parameters[parameter.name.lowercased()] = parameter.value
    }
    return SIPURI(
      isSecure: head.isSecure, user: head.user, host: head.hostPort.host, port: head.hostPort.port,
      parameters: parameters)
  }

  /// The ``addressOfRecord`` of a URI, read without its parameters (which cannot make a URI
  /// unreadable); nil when ``parse(_:)`` refuses it. A compositor reads one per PUBLISH.
  public static func addressOfRecord(of text: String) -> String? {
    guard let head = try? head(text) else { return nil }
    return SIPURI(user: head.user, host: head.hostPort.host).addressOfRecord
  }

  /// The scheme, user and host of a URI, and the text of its parameters (after the first `;`,
  /// before any `?`).
  private static func head(_ text: String) throws(ParseError) -> (
    isSecure: Bool, user: String?, hostPort: HostPort, parameters: Substring
  ) {
    let trimmed = text.trimmingSIPWhitespace()
    let isSecure: Bool
    let rest: Substring
    if Self.hasSchemePrefix(trimmed, "sips:") {
      isSecure = true
      rest = trimmed.dropFirst(5)
    } else if Self.hasSchemePrefix(trimmed, "sip:") {
      isSecure = false
      rest = trimmed.dropFirst(4)
    } else {
      throw ParseError(text: text, reason: "it must start with sip: or sips:")
    }
    let withoutHeaders = rest[..<(rest.utf8.firstIndex(of: UInt8(ascii: "?")) ?? rest.endIndex)]
    let semicolon = withoutHeaders.utf8.firstIndex(of: UInt8(ascii: ";"))
    var userAndHost = withoutHeaders[..<(semicolon ?? withoutHeaders.endIndex)]
    let parameters = withoutHeaders[
      (semicolon.map { withoutHeaders.utf8.index(after: $0) } ?? withoutHeaders.endIndex)...]
    var user: String?
    if let at = userAndHost.utf8.lastIndex(of: UInt8(ascii: "@")) {
      user = String(userAndHost[..<at])
      userAndHost = userAndHost[userAndHost.utf8.index(after: at)...]
      if user?.isEmpty == true { throw ParseError(text: text, reason: "empty user part before '@'") }
    }
    guard let hostPort = HostPort(String(userAndHost)) else {
      throw ParseError(text: text, reason: "bad host or port '\(userAndHost)'")
    }
    return (isSecure, user, hostPort, parameters)
  }

  private static func hasSchemePrefix(_ text: String, _ scheme: String) -> Bool {
    text.utf8.count >= scheme.utf8.count
      && text.utf8.prefix(scheme.utf8.count).elementsEqual(scheme.utf8) { $0 | 0x20 == $1 }
  }

  /// Parses a URI, or nil.
  public init?(_ text: String) {
    guard let uri = try? SIPURI.parse(text) else { return nil }
    self = uri
  }

  /// The `transport` parameter, lower-cased; nil when absent.
  public var transportParameter: String? {
    (parameters["transport"] ?? nil)?.lowercased()
  }

  /// `user@host` (or `host`), the identity of a resource regardless of port and parameters.
  public var addressOfRecord: String {
    let lowerHost = host.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) ? host.lowercased() : host
    if let user { return user + "@" + lowerHost }
    return lowerHost
  }

  public var hostPort: HostPort { HostPort(host: host, port: port) }

  public var description: String {
    var text = isSecure ? "sips:" : "sip:"
    if let user { text += user + "@" }
    text += hostPort.description
    for name in parameters.keys.sorted() {
      text += ";" + name
      if let value = parameters[name] ?? nil { text += "=" + value }
    }
    return text
  }
}
