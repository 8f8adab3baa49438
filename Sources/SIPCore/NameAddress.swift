/// The parts of a From, To or Contact value that the tool needs: the URI and the `tag`
/// parameter. `"Alice" <sip:alice@example.com>;tag=88sja8x` or `sip:alice@example.com;tag=1`.
public struct NameAddress: Hashable, Sendable {
  /// The URI text between angle brackets (or before the first `;` without them).
  public var uri: String
  /// Header parameters after the address, lower-cased names.
  public var parameters: [String: String?]

  public init?(_ text: String) {
    let value = text.trimmingSIPWhitespace()
    let utf8 = value.utf8
    let parameterText: Substring
    if let open = utf8.firstIndex(of: UInt8(ascii: "<")) {
      guard let close = utf8[open...].firstIndex(of: UInt8(ascii: ">")) else { return nil }
      uri = String(value[utf8.index(after: open)..<close])
      parameterText = value[utf8.index(after: close)...]
    } else if let semicolon = utf8.firstIndex(of: UInt8(ascii: ";")) {
      uri = String(value[..<semicolon]).trimmingSIPWhitespace()
      parameterText = value[semicolon...]
    } else {
      uri = value
      parameterText = ""
    }
    if uri.isEmpty { return nil }
    var parameters: [String: String?] = [:]
    for piece in SIPParameters.pieces(parameterText) where !piece.isBlank {
      let parameter = SIPParameters.parse(piece)
      parameters[parameter.name.lowercased()] = parameter.value
    }
    self.parameters = parameters
  }

  /// Whether `text` reads as a name-addr with a `tag` parameter (``tag`` not nil), found without
  /// building one: a response's To gets a tag of the server's exactly when this is false.
  public static func hasTag(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { hasTag($0) }
  }

  /// ``hasTag(_:)-(String)`` over a value's bytes in place.
  public static func hasTag(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let value = HeaderSyntax.trimmed(bytes[...])
    var parameters = value[value.endIndex...]
    if let open = value.firstIndex(of: UInt8(ascii: "<")) {
      guard let close = value[open...].firstIndex(of: UInt8(ascii: ">")), close > open + 1 else {
        return false
      }
      parameters = value[(close + 1)...]
    } else if let semicolon = value.firstIndex(of: UInt8(ascii: ";")) {
      guard !HeaderSyntax.trimmed(value[..<semicolon]).isEmpty else { return false }
      parameters = value[semicolon...]
    }
    // The last `tag` decides, as in ``parameters``; a flag `tag` has no value.
    var tagged = false
    var rest = parameters
    while !rest.isEmpty {
      let end = rest.firstIndex(of: UInt8(ascii: ";")) ?? rest.endIndex
      let piece = rest[..<end]
      rest = rest[min(end + 1, rest.endIndex)...]
      let equals = piece.firstIndex(of: UInt8(ascii: "="))
      let name = HeaderSyntax.trimmed(piece[..<(equals ?? piece.endIndex)])
      if name.count == 3, name.elementsEqual("tag".utf8, by: { $0 | 0x20 == $1 }) { tagged = equals != nil }
    }
    return tagged
  }

  /// The `tag` parameter, if any.
  public var tag: String? { parameters["tag"] ?? nil }

  /// The URI parsed, if it is a SIP URI.
  public var sipURI: SIPURI? { SIPURI(uri) }
}

extension Substring {
  /// Whether the piece holds nothing but spaces and tabs.
  fileprivate var isBlank: Bool { utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 } }
}
