/// The parts of a From, To or Contact value that the tool needs: the URI and the `tag`
/// parameter. `"Alice" <sip:alice@example.com>;tag=88sja8x` or `sip:alice@example.com;tag=1`.
public struct NameAddress: Hashable, Sendable {
  /// The URI text between angle brackets (or before the first `;` without them).
  public var uri: String
  /// Header parameters after the address, lower-cased names.
  public var parameters: [String: String?]

  public init?(_ text: String) {
    let value = text.trimmingSIPWhitespace()
    let parameterText: Substring
    if let open = value.firstIndex(of: "<") {
      guard let close = value[open...].firstIndex(of: ">") else { return nil }
      uri = String(value[value.index(after: open)..<close])
      parameterText = value[value.index(after: close)...]
    } else if let semicolon = value.firstIndex(of: ";") {
      uri = String(value[..<semicolon]).trimmingSIPWhitespace()
      parameterText = value[semicolon...]
    } else {
      uri = value
      parameterText = ""
    }
    if uri.isEmpty { return nil }
    var parameters: [String: String?] = [:]
    for piece in parameterText.split(separator: ";") where !piece.trimmingCharacters().isEmpty {
      let parameter = SIPParameters.parse(piece)
      parameters[parameter.name.lowercased()] = parameter.value
    }
    self.parameters = parameters
  }

  /// The `tag` parameter, if any.
  public var tag: String? { parameters["tag"] ?? nil }

  /// The URI parsed, if it is a SIP URI.
  public var sipURI: SIPURI? { SIPURI(uri) }
}

extension Substring {
  fileprivate func trimmingCharacters() -> String { String(self).trimmingSIPWhitespace() }
}
