/// Who a virtual publisher is: the user part and domain of its address-of-record, and the
/// password for digest authentication when the profile gives one.
public struct Identity: Sendable, Equatable {
  public var user: String
  /// nil: the target's host.
  public var domain: String?
  public var password: String?

  public init(user: String, domain: String? = nil, password: String? = nil) {
    self.user = user
    self.domain = domain
    self.password = password
  }
}

/// Where identities come from: a pattern (`user{n}@example.com`, `{n}` counting from `start`) or
/// a CSV list (user,password,domain), used round-robin when the population is larger.
public enum IdentitySource: Sendable, Equatable {
  case template(IdentityTemplate)
  case list([Identity])

  /// Identities from a pattern such as `user{n}@example.com`, `{n}` counting from `start`.
  public static func pattern(_ pattern: String, start: Int) -> IdentitySource {
    .template(IdentityTemplate(pattern, start: start))
  }

  /// The identity of publisher number `index` (0-based).
  public func identity(at index: Int) -> Identity {
    switch self {
    case .template(let template):
      return template.identity(at: index)
    case .list(let identities):
      return identities[index % identities.count]
    }
  }

  /// Reads `user,password,domain` lines (a header line naming `user` is skipped; password and
  /// domain may be empty). Errors name the line.
  public static func parseCSV(_ text: String, file: String) throws(ProfileError) -> [Identity] {
    var identities: [Identity] = []
    for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = rawLine.trimmingCharacters(in: " \t\r")
      if line.isEmpty || line.hasPrefix("#") { continue }
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
        String($0).trimmingCharacters(in: " \t")
      }
      if identities.isEmpty && fields.first?.lowercased() == "user" { continue }
      guard let user = fields.first, !user.isEmpty, fields.count <= 3 else {
        throw ProfileError(file: file, line: offset + 1, column: 1, message: "expected user,password,domain")
      }
      let password = fields.count > 1 && !fields[1].isEmpty ? fields[1] : nil
      let domain = fields.count > 2 && !fields[2].isEmpty ? fields[2] : nil
      identities.append(Identity(user: user, domain: domain, password: password))
    }
    if identities.isEmpty { throw ProfileError(file: file, line: 0, column: 0, message: "no identities") }
    return identities
  }
}

/// A pattern split once at `{n}` into the text before and after (user and domain parts apart),
/// so that making the identity of a publisher is a few concatenations, not a search.
public struct IdentityTemplate: Sendable, Equatable {
  public let pattern: String
  public let start: Int
  private let userPrefix: String
  private let userSuffix: String
  private let domain: String?

  public init(_ pattern: String, start: Int) {
    self.pattern = pattern
    self.start = start
    var user = pattern
    if let at = pattern.lastIndex(of: "@") {
      user = String(pattern[..<at])
      domain = String(pattern[pattern.index(after: at)...])
    } else {
      domain = nil
    }
    let parts = user.components(separatedByMarker: "{n}")
    userPrefix = parts.first ?? ""
    userSuffix = parts.count > 1 ? parts.dropFirst().joined(separator: "{n}") : ""
  }

  public func identity(at index: Int) -> Identity {
    Identity(user: userPrefix + String(index + start) + userSuffix, domain: domain)
  }
}

extension StringProtocol {
  func components(separatedByMarker marker: String) -> [String] {
    var parts: [String] = []
    var rest = Substring(self)
    while let range = rest.range(of: marker) {
      parts.append(String(rest[..<range.lowerBound]))
      rest = rest[range.upperBound...]
    }
    parts.append(String(rest))
    return parts
  }

  func trimmingCharacters(in set: String) -> String {
    let characters = Set(set)
    guard let first = firstIndex(where: { !characters.contains($0) }) else { return "" }
    guard let last = lastIndex(where: { !characters.contains($0) }) else { return "" }
    return String(self[first...last])
  }

  func replacingOccurrences(of target: String, with replacement: String) -> String {
    guard !target.isEmpty else { return String(self) }
    var result = ""
    var rest = Substring(self)
    while let range = rest.range(of: target) {
      result += rest[..<range.lowerBound] + replacement
      rest = rest[range.upperBound...]
    }
    return result + rest
  }

  func range(of target: String) -> Range<Index>? {
    var index = startIndex
    while index < endIndex {
      if self[index...].hasPrefix(target) {
        return index..<self.index(index, offsetBy: target.count)
      }
      index = self.index(after: index)
    }
    return nil
  }
}
