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
    var note: String { "\(open ? "available" : "away") v\(version)" + (marker.map { " " + $0 } ?? "") }
  }

  /// The body for `aor` (`user@domain`) at version `version` (0 for the initial publication);
  /// `number` is the publisher's number in the population; `marker` (with watchers) ends the
  /// PIDF note and fills `{marker}`.
  public func render(aor: String, version: Int, number: Int = 0, marker: String? = nil) -> [UInt8] {
    let change = Change(version: version, marker: marker)
    switch self {
    case .pidf:
      return Array(
        ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" "
          + "entity=\"sip:\(aor)\"><tuple id=\"t1\"><status><basic>\(change.status)</basic>"
          + "</status><note>\(change.note)</note></tuple></presence>\n").utf8)
    case .rpid:
      return Array(Self.rpid(aor: aor, change).utf8)
    case .dialog:
      return Array(
        ("<?xml version=\"1.0\"?>\n<dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\" "
          + "version=\"\(version)\" state=\"full\" entity=\"sip:\(aor)\"><dialog id=\"d1\">"
          + "<state>\(change.open ? "trying" : "confirmed")</state></dialog></dialog-info>\n").utf8)
    case .messageSummary:
      return Array(
        "Messages-Waiting: \(change.open ? "yes" : "no")\r\nVoice-Message: \(version % 5)/0\r\n".utf8)
    case .text(let template):
      return Array(Self.fill(template, aor: aor, number: number, change).utf8)
    }
  }

  /// PIDF with RPID (RFC 4480): the person's activities, mood, place-type and privacy, and the
  /// tuple's status and note, all following the version.
  private static func rpid(aor: String, _ change: Change) -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" "
      + "xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\" xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" "
      + "entity=\"sip:\(aor)\">\n<tuple id=\"t1\"><status><basic>\(change.status)</basic></status>"
      + "<note>\(change.note)</note></tuple>\n<dm:person id=\"p1\"><rpid:activities><rpid:\(change.activity)/>"
      + "</rpid:activities><rpid:mood><rpid:\(change.mood)/></rpid:mood><rpid:place-type><rpid:\(change.place)/>"
      + "</rpid:place-type><rpid:privacy>\(change.open ? "<rpid:unknown/>" : "<rpid:audio/>")</rpid:privacy>"
      + "</dm:person>\n</presence>\n"
  }

  private static func fill(_ template: String, aor: String, number: Int, _ change: Change) -> String {
    let parts = aor.split(separator: "@", maxSplits: 1).map(String.init)
    let values: [(String, String)] = [
      ("{aor}", aor), ("{user}", parts.first ?? aor), ("{domain}", parts.count > 1 ? parts[1] : ""),
      ("{n}", String(number)), ("{version}", String(change.version)), ("{status}", change.status),
      ("{activity}", change.activity), ("{mood}", change.mood), ("{place}", change.place),
      ("{note}", change.note), ("{marker}", change.marker ?? ""),
    ]
    return values.reduce(template) { text, value in text.replacingOccurrences(of: value.0, with: value.1) }
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
