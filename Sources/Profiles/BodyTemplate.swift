/// The body a publisher sends for its event package. PIDF (RFC 3863) alternates its basic status
/// and note between modifications so that each modify really changes the state; dialog-info
/// (RFC 4235) alternates between trying and confirmed; `text` is a template with `{aor}`,
/// `{status}` and `{version}` placeholders.
public enum BodyTemplate: Sendable, Equatable {
  case pidf
  case dialog
  case messageSummary
  case text(String)

  /// The body for `aor` (`user@domain`) at version `version` (0 for the initial publication).
  public func render(aor: String, version: Int) -> [UInt8] {
    let open = version % 2 == 0
    switch self {
    case .pidf:
      return Array(
        ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" "
          + "entity=\"sip:\(aor)\"><tuple id=\"t1\"><status><basic>\(open ? "open" : "closed")</basic>"
          + "</status><note>\(open ? "available" : "away") v\(version)</note></tuple></presence>\n").utf8)
    case .dialog:
      return Array(
        ("<?xml version=\"1.0\"?>\n<dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\" "
          + "version=\"\(version)\" state=\"full\" entity=\"sip:\(aor)\"><dialog id=\"d1\">"
          + "<state>\(open ? "trying" : "confirmed")</state></dialog></dialog-info>\n").utf8)
    case .messageSummary:
      return Array("Messages-Waiting: \(open ? "yes" : "no")\r\nVoice-Message: \(version % 5)/0\r\n".utf8)
    case .text(let template):
      let text = template.replacingOccurrences(of: "{aor}", with: aor)
        .replacingOccurrences(of: "{status}", with: open ? "open" : "closed")
        .replacingOccurrences(of: "{version}", with: String(version))
      return Array(text.utf8)
    }
  }

  /// The usual template and media type for a package.
  public static func defaults(for package: String) -> (template: BodyTemplate, contentType: String) {
    switch package {
    case "dialog": return (.dialog, "application/dialog-info+xml")
    case "message-summary": return (.messageSummary, "application/simple-message-summary")
    default: return (.pidf, "application/pidf+xml")
    }
  }
}
