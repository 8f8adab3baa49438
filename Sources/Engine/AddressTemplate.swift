/// A recorded SIP URI or name-addr (`"Alice" <sip:alice@10.0.0.7:5070;transport=udp>;tag=8a7b`)
/// cut where replay writes its own values: the user (when it is the recorded publisher's), the
/// host and port (the target's domain), and the end of the `tag` parameter (where the live
/// dialog's suffix goes). Everything else (display name, URI and header parameters, spacing)
/// is kept as recorded. Pure.
public struct AddressTemplate: Sendable, Equatable {
  /// Text up to the user (`"Alice" <sip:`).
  public var head: String
  /// The recorded user when replay keeps it (someone else's address); nil: the live user.
  public var keptUser: String?
  /// Text from after the host and port to the end of the tag value (or to the end).
  public var middle: String
  /// Text after the tag value; nil when there is no tag.
  public var afterTag: String?

  /// Cuts `text`. `publisherUser` is the recorded publisher's user: an address with another user
  /// keeps its user. nil when the text holds no `sip:`/`sips:` URI with a host.
  public init?(_ text: String, publisherUser: String) {
    let characters = Array(text.unicodeScalars)
    let (uriStart, uriEnd) = Self.uriBounds(characters)
    guard let colon = characters[uriStart..<uriEnd].firstIndex(of: ":") else { return nil }
    let scheme = String(String.UnicodeScalarView(characters[uriStart..<colon])).lowercased()
    guard scheme == "sip" || scheme == "sips" else { return nil }
    let afterScheme = colon + 1
    // The user part may hold `;` (`+4930123;phone-context=x@host`), parameters and headers may
    // not hold `@`: the host starts after the last `@` of the URI.
    let at = characters[afterScheme..<uriEnd].lastIndex(of: "@")
    let hostStart = at.map { $0 + 1 } ?? afterScheme
    let hostEnd = characters[hostStart..<uriEnd].firstIndex { $0 == ";" || $0 == "?" } ?? uriEnd
    guard hostStart < hostEnd else { return nil }
    let user = at.map { String(String.UnicodeScalarView(characters[afterScheme..<$0])) }
    head = String(String.UnicodeScalarView(characters[..<afterScheme]))
    // A user with a password (`alice:secret`) keeps it only when it is someone else's.
    let userName = user.map { $0.split(separator: ":", maxSplits: 1).first.map(String.init) ?? $0 }
    keptUser = userName == nil || userName == publisherUser ? nil : user
    let rest = String(String.UnicodeScalarView(characters[hostEnd...]))
    if let tagEnd = Self.tagValueEnd(in: rest, from: uriEnd - hostEnd) {
      middle = String(rest[..<tagEnd])
      afterTag = String(rest[tagEnd...])
    } else {
      middle = rest
      afterTag = nil
    }
  }

  /// The URI: between angle brackets, or from the first non-blank to the first `;` (header
  /// parameters) without them.
  private static func uriBounds(_ characters: [Unicode.Scalar]) -> (Int, Int) {
    var inQuotes = false
    for (index, character) in characters.enumerated() {
      if character == "\"" { inQuotes.toggle() }
      guard !inQuotes, character == "<" else { continue }
      let close = characters[(index + 1)...].firstIndex(of: ">") ?? characters.count
      return (index + 1, close)
    }
    let start = characters.firstIndex { $0 != " " && $0 != "\t" } ?? characters.count
    let end = characters[start...].firstIndex(of: ";") ?? characters.count
    return (start, end)
  }

  /// Where the `tag` header parameter's value ends in `rest` (which starts right after the
  /// host and port; header parameters begin `uriTail` characters in).
  private static func tagValueEnd(in rest: String, from uriTail: Int) -> String.Index? {
    let scalars = rest.unicodeScalars
    let parameters = scalars.index(scalars.startIndex, offsetBy: min(uriTail, scalars.count))
    var search = parameters
    while let semicolon = scalars[search...].firstIndex(of: ";") {
      var name = scalars.index(after: semicolon)
      while name < scalars.endIndex, scalars[name] == " " { name = scalars.index(after: name) }
      // Only the next four characters matter (a long run of parameters stays linear).
      let text = String(scalars[name...].prefix(4)).lowercased()
      if text == "tag=" {
        let value = scalars.index(name, offsetBy: 4)
        return scalars[value...].firstIndex { $0 == ";" || $0 == " " || $0 == "," } ?? scalars.endIndex
      }
      search = scalars.index(after: semicolon)
    }
    return nil
  }

  /// The address with the live user and domain, and `dialog` appended to the tag.
  public func text(user: String, domain: String, dialog: String) -> String {
    var text = head + (keptUser ?? user) + "@" + domain + middle
    if let afterTag { text += "-" + dialog + afterTag }
    return text
  }
}
