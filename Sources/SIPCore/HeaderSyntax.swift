/// RFC 3261 §25's grammar for the header values a server relies on, as yes/no checks: a request
/// whose Via, From, To, Call-ID, Event, Content-Type or SIP-If-Match does not follow it gets a
/// 400 naming the header instead of being half-understood. Pure byte scans, no allocation.
public enum HeaderSyntax {
  /// `token`: alphanumerics and `-.!%*_+`'~`, at least one.
  public static func isToken(_ text: Substring) -> Bool {
    !text.isEmpty && text.utf8.allSatisfy(isTokenByte)
  }

  public static func isToken(_ text: String) -> Bool { isToken(text[...]) }

  /// `*( SEMI generic-param )` after the value: every parameter has a token name and, after an
  /// `=`, a non-empty token, host or quoted string (`;;`, `branch=` and `;=x` are refused).
  public static func isParameterList(_ text: Substring) -> Bool {
    var rest = trimmed(text)
    while !rest.isEmpty {
      guard rest.utf8.first == UInt8(ascii: ";") else { return false }
      rest = rest.dropFirst()
      let end = parameterEnd(rest)
      guard isParameter(trimmed(rest[..<end])) else { return false }
      rest = trimmed(rest[end...])
    }
    return true
  }

  /// One Via value: `SIP/2.0/TRANSPORT host[:port]` and well-formed parameters, with a branch
  /// when it has one.
  public static func isVia(_ text: String) -> Bool {
    guard let via = Via(text), isToken(via.transport) else { return false }
    let afterHead = text.utf8.firstIndex(of: UInt8(ascii: ";")).map { text[$0...] } ?? ""
    return isParameterList(afterHead)
  }

  /// From, To: `name-addr` (`["display" ]<uri>`) or `addr-spec` (a URI without brackets), then
  /// parameters. The URI needs a scheme and may not hold `<`, `>` or spaces.
  public static func isNameAddress(_ text: String) -> Bool {
    let value = trimmed(text[...])
    if let open = value.utf8.firstIndex(of: UInt8(ascii: "<")) {
      guard let close = value[open...].utf8.firstIndex(of: UInt8(ascii: ">")),
        isDisplayName(trimmed(value[..<open])),
        isAbsoluteURI(value[value.index(after: open)..<close])
      else { return false }
      return isParameterList(value[value.index(after: close)...])
    }
    let end = value.utf8.firstIndex(of: UInt8(ascii: ";")) ?? value.endIndex
    return isAbsoluteURI(value[..<end]) && isParameterList(value[end...])
  }

  /// `Call-ID`: `word [ "@" word ]`.
  public static func isCallID(_ text: String) -> Bool {
    let value = trimmed(text[...])
    let parts = value.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
    return parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy(isWordByte) }
  }

  /// `Event`: an event type (tokens joined by dots) and parameters.
  public static func isEvent(_ text: String) -> Bool {
    let value = trimmed(text[...])
    let end = value.utf8.firstIndex(of: UInt8(ascii: ";")) ?? value.endIndex
    return isToken(trimmed(value[..<end])) && isParameterList(value[end...])
  }

  /// `Content-Type`: `type/subtype` tokens and parameters.
  public static func isMediaType(_ text: String) -> Bool {
    let value = trimmed(text[...])
    let end = value.utf8.firstIndex(of: UInt8(ascii: ";")) ?? value.endIndex
    let parts = trimmed(value[..<end]).split(separator: "/", omittingEmptySubsequences: false)
    return parts.count == 2 && parts.allSatisfy(isToken) && isParameterList(value[end...])
  }

  // MARK: Pieces

  static func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"):
      return true
    default:
      return "-.!%*_+`'~".utf8.contains(byte)
    }
  }

  /// `word`: token characters and `()<>:\"/[]?{}`.
  static func isWordByte(_ byte: UInt8) -> Bool {
    isTokenByte(byte) || "()<>:\\\"/[]?{}".utf8.contains(byte)
  }

  private static func isParameter(_ piece: Substring) -> Bool {
    guard let equals = piece.utf8.firstIndex(of: UInt8(ascii: "=")) else { return isToken(piece) }
    let value = trimmed(piece[piece.utf8.index(after: equals)...])
    return isToken(trimmed(piece[..<equals])) && isParameterValue(value)
  }

  /// gen-value: token, host (IPv6 references included) or quoted string.
  private static func isParameterValue(_ value: Substring) -> Bool {
    if value.utf8.first == UInt8(ascii: "\"") { return isQuotedString(value) }
    return !value.isEmpty
      && value.utf8.allSatisfy {
        isTokenByte($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "]")
      }
  }

  private static func isDisplayName(_ text: Substring) -> Bool {
    if text.isEmpty { return true }
    if text.utf8.first == UInt8(ascii: "\"") { return isQuotedString(text) }
    return text.split(whereSeparator: { $0 == " " || $0 == "\t" }).allSatisfy(isToken)
  }

  /// `"..."` with backslash escapes, closed exactly at the end.
  private static func isQuotedString(_ text: Substring) -> Bool {
    let bytes = Array(text.utf8)
    guard bytes.count >= 2, bytes.first == UInt8(ascii: "\""), bytes.last == UInt8(ascii: "\"") else {
      return false
    }
    var index = 1
    while index < bytes.count - 1 {
      if bytes[index] == UInt8(ascii: "\\") {
        index += 2
      } else if bytes[index] == UInt8(ascii: "\"") {
        return false
      } else {
        index += 1
      }
    }
    return index == bytes.count - 1
  }

  /// `scheme ":" rest`, with no space, `<`, `>` or `"` anywhere.
  private static func isAbsoluteURI(_ text: Substring) -> Bool {
    guard let colon = text.utf8.firstIndex(of: UInt8(ascii: ":")), colon > text.startIndex,
      text.utf8.index(after: colon) < text.utf8.endIndex
    else { return false }
    let scheme = text[..<colon].utf8
    guard let first = scheme.first, (first | 0x20) >= UInt8(ascii: "a"), (first | 0x20) <= UInt8(ascii: "z"),
      scheme.allSatisfy({ isTokenByte($0) && $0 != UInt8(ascii: "_") })
    else { return false }
    return !text.utf8.contains {
      $0 <= 0x20 || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "\"")
    }
  }

  /// Where a parameter ends: the next `;` outside a quoted string.
  private static func parameterEnd(_ text: Substring) -> Substring.Index {
    var quoted = false
    var escaped = false
    for index in text.indices {
      let character = text[index]
      if escaped {
        escaped = false
      } else if quoted && character == "\\" {
        escaped = true
      } else if character == "\"" {
        quoted.toggle()
      } else if character == ";" && !quoted {
        return index
      }
    }
    return text.endIndex
  }

  private static func trimmed(_ text: Substring) -> Substring {
    var value = text
    while let first = value.utf8.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
    while let last = value.utf8.last, last == 0x20 || last == 0x09 { value = value.dropLast() }
    return value
  }
}
