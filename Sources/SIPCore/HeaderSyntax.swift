/// RFC 3261 §25's grammar for the header values a server relies on, as yes/no checks: a request
/// whose Via, From, To, Call-ID, Event, Content-Type or SIP-If-Match does not follow it gets a
/// 400 naming the header instead of being half-understood.
///
/// Every request a compositor answers passes through these, so they scan the value's UTF-8 bytes
/// in place with integer positions: no allocation, no Unicode segmentation (the grammar is over
/// bytes; a quote followed by a combining mark is still a quote here).
public enum HeaderSyntax {
  /// A value's bytes, or a part of them; positions are the buffer's own.
  typealias Bytes = Slice<UnsafeBufferPointer<UInt8>>

  /// `token`: alphanumerics and `-.!%*_+`'~`, at least one.
  public static func isToken(_ text: Substring) -> Bool {
    var text = text
    return text.withUTF8 { isToken($0[...]) }
  }

  public static func isToken(_ text: String) -> Bool { check(text, isToken) }

  public static func isToken(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { isToken(bytes[...]) }

  /// `*( SEMI generic-param )` after the value: every parameter has a token name and, after an
  /// `=`, a non-empty token, host or quoted string (`;;`, `branch=` and `;=x` are refused).
  public static func isParameterList(_ text: Substring) -> Bool {
    var text = text
    return text.withUTF8 { isParameterList($0[...]) }
  }

  /// One Via value: `SIP/2.0/TRANSPORT host[:port]` and well-formed parameters, with a branch
  /// when it has one.
  ///
  /// What it accepts is what ``Via`` reads (the same head and sent-by rules), checked without
  /// building one.
  public static func isVia(_ text: String) -> Bool { check(text, isVia) }

  /// ``isVia(_:)-(String)`` over a value's bytes in place.
  public static func isVia(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { isVia(bytes[...]) }

  private static func isVia(_ bytes: Bytes) -> Bool {
    let headEnd = bytes.firstIndex(of: semicolon) ?? bytes.endIndex
    guard let protocolEnd = bytes[..<headEnd].firstIndex(where: isBlank) else { return false }
    let sentProtocol = bytes[..<protocolEnd]
    guard sentProtocol.count > 8,
      sentProtocol.prefix(8).elementsEqual("SIP/2.0/".utf8, by: { $0 | 0x20 == $1 | 0x20 }),
      let lastSlash = sentProtocol.lastIndex(of: UInt8(ascii: "/")),
      isToken(sentProtocol[(lastSlash + 1)...]), isHostPort(trimmed(bytes[protocolEnd..<headEnd]))
    else { return false }
    return isParameterList(bytes[headEnd...])
  }

  /// From, To: `name-addr` (`["display" ]<uri>`) or `addr-spec` (a URI without brackets), then
  /// parameters. The URI needs a scheme and may not hold `<`, `>` or spaces.
  public static func isNameAddress(_ text: String) -> Bool { check(text, isNameAddress) }

  public static func isNameAddress(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { isNameAddress(bytes[...]) }

  private static func isNameAddress(_ bytes: Bytes) -> Bool {
    let value = trimmed(bytes)
    if let open = value.firstIndex(of: UInt8(ascii: "<")) {
      guard let close = value[open...].firstIndex(of: UInt8(ascii: ">")),
        isDisplayName(trimmed(value[..<open])), isAbsoluteURI(value[(open + 1)..<close])
      else { return false }
      return isParameterList(value[(close + 1)...])
    }
    let end = value.firstIndex(of: semicolon) ?? value.endIndex
    return isAbsoluteURI(value[..<end]) && isParameterList(value[end...])
  }

  /// `Call-ID`: `word [ "@" word ]`.
  public static func isCallID(_ text: String) -> Bool { check(text, isCallID) }

  public static func isCallID(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { isCallID(bytes[...]) }

  private static func isCallID(_ bytes: Bytes) -> Bool {
    let value = trimmed(bytes)
    func isWord(_ part: Bytes) -> Bool { !part.isEmpty && part.allSatisfy(isWordByte) }
    guard let at = value.firstIndex(of: UInt8(ascii: "@")) else { return isWord(value) }
    return isWord(value[..<at]) && isWord(value[(at + 1)...])
  }

  /// `Event`: an event type (tokens joined by dots) and parameters.
  public static func isEvent(_ text: String) -> Bool { check(text, isEvent) }

  public static func isEvent(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { isEvent(bytes[...]) }

  private static func isEvent(_ bytes: Bytes) -> Bool {
    let value = trimmed(bytes)
    let end = value.firstIndex(of: semicolon) ?? value.endIndex
    return isToken(trimmed(value[..<end])) && isParameterList(value[end...])
  }

  /// `Content-Type`: `type/subtype` tokens and parameters.
  public static func isMediaType(_ text: String) -> Bool { check(text, isMediaType) }

  public static func isMediaType(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { isMediaType(bytes[...]) }

  private static func isMediaType(_ bytes: Bytes) -> Bool {
    let value = trimmed(bytes)
    let end = value.firstIndex(of: semicolon) ?? value.endIndex
    let type = trimmed(value[..<end])
    guard let slash = type.firstIndex(of: UInt8(ascii: "/")) else { return false }
    return isToken(type[..<slash]) && isToken(type[(slash + 1)...]) && isParameterList(value[end...])
  }

  // MARK: Pieces

  private static let semicolon = UInt8(ascii: ";")

  /// Runs a check over a string's UTF-8 bytes, in place.
  private static func check(_ text: String, _ body: (Bytes) -> Bool) -> Bool {
    var text = text
    return text.withUTF8 { body($0[...]) }
  }

  /// A `token` character: alphanumerics and `-.!%*_+`'~`.
  public static func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"):
      return true
    case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "%"), UInt8(ascii: "*"),
      UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "`"), UInt8(ascii: "'"), UInt8(ascii: "~"):
      return true
    default:
      return false
    }
  }

  /// `word`: token characters and `()<>:\"/[]?{}`.
  static func isWordByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: ":"),
      UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "/"), UInt8(ascii: "["), UInt8(ascii: "]"),
      UInt8(ascii: "?"), UInt8(ascii: "{"), UInt8(ascii: "}"):
      return true
    default:
      return isTokenByte(byte)
    }
  }

  private static func isToken(_ bytes: Bytes) -> Bool {
    !bytes.isEmpty && bytes.allSatisfy(isTokenByte)
  }

  private static func isParameterList(_ bytes: Bytes) -> Bool {
    var rest = trimmed(bytes)
    while let first = rest.first {
      guard first == semicolon else { return false }
      rest = rest.dropFirst()
      let end = parameterEnd(rest)
      guard isParameter(trimmed(rest[..<end])) else { return false }
      rest = trimmed(rest[end...])
    }
    return true
  }

  private static func isParameter(_ piece: Bytes) -> Bool {
    guard let equals = piece.firstIndex(of: UInt8(ascii: "=")) else { return isToken(piece) }
    return isToken(trimmed(piece[..<equals])) && isParameterValue(trimmed(piece[(equals + 1)...]))
  }

  /// gen-value: token, host (IPv6 references included) or quoted string.
  private static func isParameterValue(_ value: Bytes) -> Bool {
    if value.first == UInt8(ascii: "\"") { return isQuotedString(value) }
    return !value.isEmpty
      && value.allSatisfy {
        isTokenByte($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "]")
      }
  }

  private static func isDisplayName(_ text: Bytes) -> Bool {
    if text.isEmpty { return true }
    if text.first == UInt8(ascii: "\"") { return isQuotedString(text) }
    return text.split(whereSeparator: isBlank).allSatisfy(isToken)
  }

  /// `"..."` with backslash escapes, closed exactly at the end.
  private static func isQuotedString(_ text: Bytes) -> Bool {
    guard text.count >= 2, text.first == UInt8(ascii: "\""), text.last == UInt8(ascii: "\"") else {
      return false
    }
    var index = text.startIndex + 1
    let last = text.endIndex - 1
    while index < last {
      if text[index] == UInt8(ascii: "\\") {
        index += 2
      } else if text[index] == UInt8(ascii: "\"") {
        return false
      } else {
        index += 1
      }
    }
    return index == last
  }

  /// `scheme ":" rest`, with no space, `<`, `>` or `"` anywhere.
  private static func isAbsoluteURI(_ text: Bytes) -> Bool {
    guard let colon = text.firstIndex(of: UInt8(ascii: ":")), colon > text.startIndex,
      colon + 1 < text.endIndex
    else { return false }
    let scheme = text[..<colon]
    guard let first = scheme.first, (first | 0x20) >= UInt8(ascii: "a"), (first | 0x20) <= UInt8(ascii: "z"),
      scheme.allSatisfy({ isTokenByte($0) && $0 != UInt8(ascii: "_") })
    else { return false }
    return !text.contains {
      $0 <= 0x20 || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "\"")
    }
  }

  /// Where a parameter ends: the next `;` outside a quoted string. Generic so that a value's
  /// bytes in place and a Substring's UTF-8 view (the Via reader's) share the one scan.
  static func parameterEnd<Text: Collection<UInt8>>(_ text: Text) -> Text.Index {
    var quoted = false
    var escaped = false
    // Stepping an index by hand: `indices` on a slice made its type's metadata at run time on
    // every call (a PUBLISH reads several parameter lists).
    var index = text.startIndex
    while index != text.endIndex {
      let byte = text[index]
      if escaped {
        escaped = false
      } else if quoted && byte == UInt8(ascii: "\\") {
        escaped = true
      } else if byte == UInt8(ascii: "\"") {
        quoted.toggle()
      } else if byte == semicolon && !quoted {
        return index
      }
      text.formIndex(after: &index)
    }
    return text.endIndex
  }

  /// ``HostPort``'s rules: `[v6]` or a host, non-empty, then optionally `:` and a port of one to
  /// five digits up to 65535.
  private static func isHostPort(_ text: Bytes) -> Bool {
    var host = text
    var port: Bytes?
    if text.first == UInt8(ascii: "[") {
      guard let close = text.firstIndex(of: UInt8(ascii: "]")) else { return false }
      host = text[(text.startIndex + 1)..<close]
      let rest = text[(close + 1)...]
      if !rest.isEmpty {
        guard rest.first == UInt8(ascii: ":") else { return false }
        port = rest.dropFirst()
      }
    } else if let colon = text.lastIndex(of: UInt8(ascii: ":")) {
      host = text[..<colon]
      port = text[(colon + 1)...]
    }
    guard !host.isEmpty else { return false }
    guard let port else { return true }
    guard (1...5).contains(port.count),
      port.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
    else { return false }
    return port.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) } <= 65535
  }

  private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

  static func trimmed(_ text: Bytes) -> Bytes {
    var value = text
    while let first = value.first, isBlank(first) { value = value.dropFirst() }
    while let last = value.last, isBlank(last) { value = value.dropLast() }
    return value
  }
}
