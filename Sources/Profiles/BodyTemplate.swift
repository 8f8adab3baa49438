import Foundation

/// The body a publisher sends for its event package, changing with every modification so that
/// each modify really changes the state: PIDF (RFC 3863) alternates its basic status and note;
/// `rpid` adds RFC 4480's rich presence (activities, mood, place-type, privacy) cycling through
/// realistic values; dialog-info (RFC 4235) alternates between trying and confirmed;
/// message-summary (RFC 3842) counts voice messages. `text` is a template with placeholders:
/// per publisher `{aor}`, `{user}`, `{domain}`, `{n}` (its number in the population), and per
/// change `{version}`, `{status}` (open, closed), `{activity}`, `{mood}`, `{place}`, `{note}`,
/// `{marker}`. With watchers, the note ends with the change's propagation marker (see
/// ``render(aor:version:number:marker:)``), so a NOTIFY that carries the state carries it too.
public enum BodyTemplate: Sendable, Equatable {
  case pidf
  case rpid
  case dialog
  case messageSummary
  case text(String)

  /// What changes from one version to the next: RFC 4480 values a real presence client sends.
  struct Change {
    static let activities = ["meeting", "on-the-phone", "busy", "away", "meal", "travel", "working"]
    static let moods = ["happy", "busy", "bored", "stressed", "hungry", "calm"]
    static let places = ["office", "home", "car", "airport", "cafe"]

    let version: Int
    var marker: String?
    var open: Bool { version % 2 == 0 }
    var status: String { open ? "open" : "closed" }
    var activity: String { Self.activities[version % Self.activities.count] }
    var mood: String { Self.moods[version % Self.moods.count] }
    var place: String { Self.places[version % Self.places.count] }
  }

  /// The body for `aor` (`user@domain`) at version `version` (0 for the initial publication);
  /// `number` is the publisher's number in the population; `marker` (with watchers) ends the
  /// PIDF note and fills `{marker}`.
  public func render(aor: String, version: Int, number: Int = 0, marker: String? = nil) -> [UInt8] {
    let change = Change(version: version, marker: marker)
    var body = BodyBytes(capacity: 640 + aor.utf8.count + (marker?.utf8.count ?? 0))
    switch self {
    case .pidf:
      body.add("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" ")
      body.add("entity=\"sip:")
      body.add(aor)
      body.add("\"><tuple id=\"t1\"><status><basic>")
      body.add(change.status)
      body.add("</basic></status><note>")
      body.addNote(change)
      body.add("</note></tuple></presence>\n")
    case .rpid:
      Self.rpid(aor: aor, change, into: &body)
    case .dialog:
      body.add(
        "<?xml version=\"1.0\"?>\n<dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\" version=\"")
      body.add(version)
      body.add("\" state=\"full\" entity=\"sip:")
      body.add(aor)
      body.add("\"><dialog id=\"d1\"><state>")
      body.add(change.open ? "trying" : "confirmed")
      body.add("</state></dialog></dialog-info>\n")
    case .messageSummary:
      body.add("Messages-Waiting: ")
      body.add(change.open ? "yes" : "no")
      body.add("\r\nVoice-Message: ")
      body.add(version % 5)
      body.add("/0\r\n")
    case .text(let template):
      Self.fill(template, aor: aor, number: number, change, into: &body)
    }
    return body.bytes
  }

  /// PIDF with RPID (RFC 4480): the person's activities, mood, place-type and privacy, and the
  /// tuple's status and note, all following the version.
  private static func rpid(aor: String, _ change: Change, into body: inout BodyBytes) {
    body.add("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" ")
    body.add(
      "xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\" xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" ")
    body.add("entity=\"sip:")
    body.add(aor)
    body.add("\">\n<tuple id=\"t1\"><status><basic>")
    body.add(change.status)
    body.add("</basic></status><note>")
    body.addNote(change)
    body.add("</note></tuple>\n<dm:person id=\"p1\"><rpid:activities><rpid:")
    body.add(change.activity)
    body.add("/></rpid:activities><rpid:mood><rpid:")
    body.add(change.mood)
    body.add("/></rpid:mood><rpid:place-type><rpid:")
    body.add(change.place)
    body.add("/></rpid:place-type><rpid:privacy>")
    body.add(change.open ? "<rpid:unknown/>" : "<rpid:audio/>")
    body.add("</rpid:privacy></dm:person>\n</presence>\n")
  }

  /// A text template's placeholders filled in one pass over it (a value is not searched again
  /// for placeholders); a brace that starts none is kept as written.
  private static func fill(
    _ template: String, aor: String, number: Int, _ change: Change, into body: inout BodyBytes
  ) {
    let at = aor.utf8.firstIndex(of: UInt8(ascii: "@"))
    let user = at.map { Substring(aor.utf8[..<$0]) } ?? Substring(aor)
    let domain = at.map { Substring(aor.utf8[aor.utf8.index(after: $0)...]) } ?? ""
    let text = Array(template.utf8)
    var index = 0
    while index < text.count {
      guard text[index] == UInt8(ascii: "{"),
        let close = text[index...].prefix(12).firstIndex(of: UInt8(ascii: "}"))
      else {
        body.add(text[index])
        index += 1
        continue
      }
      switch String(decoding: text[index + 1..<close], as: UTF8.self) {
      case "aor": body.add(aor)
      case "user": body.add(user)
      case "domain": body.add(domain)
      case "n": body.add(number)
      case "version": body.add(change.version)
      case "status": body.add(change.status)
      case "activity": body.add(change.activity)
      case "mood": body.add(change.mood)
      case "place": body.add(change.place)
      case "note": body.addNote(change)
      case "marker": body.add(change.marker ?? "")
      default:
        body.add(text[index])
        index += 1
        continue
      }
      index = close + 1
    }
  }

  /// Whether a body from this template carries the propagation marker (in the PIDF note, or
  /// where a template text says `{note}` or `{marker}`).
  public var carriesMarker: Bool {
    switch self {
    case .pidf, .rpid: return true
    case .dialog, .messageSummary: return false
    case .text(let template): return template.contains("{note}") || template.contains("{marker}")
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
