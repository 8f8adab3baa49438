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
    var utf8 = text
    let read = utf8.withUTF8 { bytes in
      readHead(bytes).map { head in
        (
          head, head.user.map { String(decoding: bytes[$0], as: UTF8.self) },
          String(decoding: bytes[head.parameters], as: UTF8.self)
        )
      }
    }
    let head: Head
    let user: String?
    let parametersText: String
    switch read {
    case .success(let value): (head, user, parametersText) = value
    case .failure(let refusal): throw ParseError(text: text, reason: refusal.text)
    }
    var parameters: [String: String?] = [:]
    for piece in SIPParameters.pieces(parametersText[...]) where !piece.isEmpty {
      let parameter = SIPParameters.parse(piece)
      parameters[parameter.name.lowercased()] = parameter.value
    }
    return SIPURI(
      isSecure: head.isSecure, user: user, host: head.hostPort.host, port: head.hostPort.port,
      parameters: parameters)
  }

  /// The ``addressOfRecord`` of a URI, read without its parameters (which cannot make a URI
  /// unreadable); nil when ``parse(_:)`` refuses it. A compositor reads one per PUBLISH.
  public static func addressOfRecord(of text: String) -> String? {
    var text = text
    return text.withUTF8 { addressOfRecord(of: $0) }
  }

  /// ``addressOfRecord(of:)-(String)`` over a URI's bytes in place.
  public static func addressOfRecord(of bytes: UnsafeBufferPointer<UInt8>) -> String? {
    guard case .success(let head) = readHead(bytes) else { return nil }
    var host = head.hostPort.host
    guard let userRange = head.user, host.utf8.allSatisfy({ $0 < 0x80 }) else {
      let user = head.user.map { String(decoding: bytes[$0], as: UTF8.self) }
      return SIPURI(user: user, host: host).addressOfRecord
    }
    // `user@host` written once, the host's ASCII letters lowered as ``addressOfRecord`` lowers
    // them: no user string, no concatenation.
    return host.withUTF8 { hostBytes in
      String(unsafeUninitializedCapacity: userRange.count + 1 + hostBytes.count) { text in
        var index = 0
        for byte in bytes[userRange] {
          text[index] = byte
          index += 1
        }
        text[index] = UInt8(ascii: "@")
        index += 1
        for byte in hostBytes {
          text[index] = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
          index += 1
        }
        return index
      }
    }
  }

  /// The scheme, user and host of a URI, and where its parameters lie (after the first `;`,
  /// before any `?`).
  private struct Head {
    var isSecure: Bool
    /// Where the user part lies, when there is one.
    var user: Range<Int>?
    var hostPort: HostPort
    var parameters: Range<Int>
  }

  private struct Refusal: Error {
    var text: String
  }

  private static func readHead(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Head, Refusal> {
    let blank = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
    var start = 0
    var end = bytes.count
    while start < end, blank(bytes[start]) { start += 1 }
    while end > start, blank(bytes[end - 1]) { end -= 1 }
    let isSecure: Bool
    if hasSchemePrefix(bytes[start..<end], "sips:") {
      isSecure = true
      start += 5
    } else if hasSchemePrefix(bytes[start..<end], "sip:") {
      isSecure = false
      start += 4
    } else {
      return .failure(Refusal(text: "it must start with sip: or sips:"))
    }
    end = bytes[start..<end].firstIndex(of: UInt8(ascii: "?")) ?? end
    let semicolon = bytes[start..<end].firstIndex(of: UInt8(ascii: ";"))
    var hostStart = start
    let hostEnd = semicolon ?? end
    var user: Range<Int>?
    if let at = bytes[start..<hostEnd].lastIndex(of: UInt8(ascii: "@")) {
      guard at > start else { return .failure(Refusal(text: "empty user part before '@'")) }
      user = start..<at
      hostStart = at + 1
    }
    guard let hostPort = HostPort(bytes: UnsafeBufferPointer(rebasing: bytes[hostStart..<hostEnd])) else {
      return .failure(
        Refusal(text: "bad host or port '\(String(decoding: bytes[hostStart..<hostEnd], as: UTF8.self))'"))
    }
    let parameters = semicolon.map { ($0 + 1)..<end } ?? end..<end
    return .success(Head(isSecure: isSecure, user: user, hostPort: hostPort, parameters: parameters))
  }

  private static func hasSchemePrefix(_ text: Slice<UnsafeBufferPointer<UInt8>>, _ scheme: StaticString)
    -> Bool
  {
    text.count >= scheme.utf8CodeUnitCount
      && scheme.withUTF8Buffer { expected in
        text.prefix(expected.count).elementsEqual(expected) { $0 | 0x20 == $1 }
      }
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
