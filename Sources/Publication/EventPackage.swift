/// An event package a compositor accepts, with the body media types it takes for it.
public struct EventPackage: Hashable, Sendable {
  public var name: String
  public var contentTypes: [String]

  public init(name: String, contentTypes: [String]) {
    self.name = name.lowercased()
    self.contentTypes = contentTypes.map { $0.lowercased() }
  }

  /// The package of this name with its usual media types; unknown names accept any type.
  public static func named(_ name: String) -> EventPackage {
    let lower = name.lowercased()
    return known.first { $0.name == lower } ?? EventPackage(name: lower, contentTypes: [])
  }

  /// Whether a body of this media type may be published (an empty list accepts anything).
  public func accepts(contentType: String?) -> Bool {
    guard !contentTypes.isEmpty else { return true }
    guard let contentType else { return false }
    return contentTypes.contains(contentType)
  }

  /// presence (RFC 3856, PIDF), dialog (RFC 4235), message-summary (RFC 3842), reg (RFC 3680).
  public static let known: [EventPackage] = [
    EventPackage(
      name: "presence",
      contentTypes: ["application/pidf+xml", "application/cpim-pidf+xml", "application/xpidf+xml"]),
    EventPackage(name: "dialog", contentTypes: ["application/dialog-info+xml"]),
    EventPackage(name: "message-summary", contentTypes: ["application/simple-message-summary"]),
    EventPackage(name: "reg", contentTypes: ["application/reginfo+xml"]),
  ]
}
