import Foundation
import Publication

/// What a watcher of a resource is told: the composition of its live publications (RFC 3903
/// §2 leaves the policy to the compositor). pubsim's policy, documented in the README:
///
/// - `presence` (PIDF, RFC 3863): one document for the resource whose children are the union of
///   every live publication's children (tuples, and RPID/data-model person and device
///   elements), newest publication first, where an element with the `id` of one already taken
///   (the same tuple published twice) is left out, so that ids stay unique as RFC 3863 asks;
///   under a root that declares every namespace prefix the publications declared (the first
///   declaration of a prefix wins). A body that is not PIDF is left out; with no publication the
///   document has no children (the resource is unknown or offline).
/// - any other package: the body of the publication whose state changed last, as is.
///
/// Markers a publisher puts inside a tuple (a `<note>` or `<timestamp>`) survive, which is what
/// propagation latency is measured by. The children stop at ``childrenLimit`` bytes (the
/// newest kept, whole elements only): a NOTIFY over UDP must fit one datagram, and a resource's
/// publications must not compose into a document of any size. Pure: text in, text out.
public enum PresenceComposer {
  public struct Document: Equatable, Sendable {
    public var contentType: String
    public var body: [UInt8]
  }

  /// Most bytes of composed children: with the root and a NOTIFY's headers, within a UDP
  /// datagram (65 507 bytes).
  public static let childrenLimit = 60_000

  /// The state to notify for `resource` (`user@host`) and `event`; nil for a package without
  /// publications to take a body from.
  public static func compose(_ publications: [StoredPublication], resource: String, event: String)
    -> Document?
  {
    guard event == "presence" else {
      guard let newest = publications.max(by: { isOlder($0, than: $1) }) else { return nil }
      return Document(contentType: newest.contentType ?? "application/octet-stream", body: newest.body)
    }
    var namespaces: [(prefix: String, text: String, value: String)] = []
    var prefixes: Set<String> = [""]
    var children = ""
    var ids: Set<String> = []
    // Newest first: the publication whose state changed last (a refresh changes nothing).
    let newestFirst = publications.sorted { isOlder($1, than: $0) }
    for publication in newestFirst {
      guard let parts = PIDFParts(String(decoding: publication.body, as: UTF8.self)) else { continue }
      for declaration in parts.namespaces where prefixes.insert(declaration.prefix).inserted {
        namespaces.append(declaration)
      }
      for element in parts.elements where element.id.map({ ids.insert($0).inserted }) ?? true {
        guard children.utf8.count + element.text.utf8.count <= childrenLimit else { continue }
        children += element.text
      }
    }
    var root = "<presence"
    // The root is PIDF's whatever the bodies declared: a body whose default namespace is another
    // one is not PIDF (left out above).
    root += " xmlns=\"\(PIDFParts.namespace)\""
    for declaration in namespaces { root += " " + declaration.text }
    root += " entity=\"sip:\(escaped(resource))\""
    let text =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + root
      + (children.isEmpty ? "/>\n" : ">" + children + "</presence>\n")
    return Document(contentType: "application/pidf+xml", body: Array(text.utf8))
  }

  /// Changed earlier, or at the same time but expiring sooner (then by entity-tag, so that the
  /// order is total).
  private static func isOlder(_ one: StoredPublication, than other: StoredPublication) -> Bool {
    (one.changedAt, one.expiresAt, one.entityTag) < (other.changedAt, other.expiresAt, other.entityTag)
  }

  private static func escaped(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
      .replacingOccurrences(of: "<", with: "&lt;")
  }
}

/// A PIDF document cut into what composition needs: its root's namespace declarations and the
/// text between the root's tags.
struct PIDFParts {
  var namespaces: [(prefix: String, text: String, value: String)]
  var children: String

  /// A child element of the root, as written, and its `id` attribute.
  struct Element {
    var text: String
    var id: String?
  }

  /// The root's child elements (text and comments between them left out).
  var elements: [Element] {
    var found: [Element] = []
    let scalars = Array(children.unicodeScalars)
    var index = 0
    var depth = 0
    var start = 0
    var startID: String?
    while index < scalars.count {
      guard scalars[index] == "<" else {
        index += 1
        continue
      }
      let rest = String(String.UnicodeScalarView(scalars[index..<min(index + 4, scalars.count)]))
      let end = Self.tagEnd(scalars, from: index, comment: rest.hasPrefix("<!--"))
      let tag = String(String.UnicodeScalarView(scalars[index..<end]))
      index = end
      if rest.hasPrefix("<!") || rest.hasPrefix("<?") { continue }
      if rest.hasPrefix("</") {
        depth -= 1
        if depth == 0 {
          found.append(Element(text: String(String.UnicodeScalarView(scalars[start..<end])), id: startID))
        }
        if depth < 0 { return found }
        continue
      }
      if depth == 0 {
        start = end - tag.unicodeScalars.count
        startID = Self.attribute("id", in: tag)
      }
      if tag.hasSuffix("/>") {
        if depth == 0 { found.append(Element(text: tag, id: startID)) }
      } else {
        depth += 1
      }
    }
    return found
  }

  /// Where the tag (or comment) starting at `start` ends: after its `>` (quotes skipped).
  private static func tagEnd(_ scalars: [Unicode.Scalar], from start: Int, comment: Bool) -> Int {
    var index = start + 1
    var quote: Unicode.Scalar?
    while index < scalars.count {
      let scalar = scalars[index]
      if comment {
        if scalar == ">" && index >= 2 && scalars[index - 1] == "-" && scalars[index - 2] == "-" {
          return index + 1
        }
      } else if let open = quote {
        if scalar == open { quote = nil }
      } else if scalar == "\"" || scalar == "'" {
        quote = scalar
      } else if scalar == ">" {
        return index + 1
      }
      index += 1
    }
    return scalars.count
  }

  /// An attribute's value in a start tag.
  private static func attribute(_ name: String, in tag: String) -> String? {
    for quote in ["\"", "'"] {
      guard let range = tag.range(of: " \(name)=" + quote) else { continue }
      let rest = tag[range.upperBound...]
      guard let close = rest.firstIndex(of: Character(quote)) else { return nil }
      return String(rest[..<close])
    }
    return nil
  }

  /// nil when the text has no `presence` root element (with or without a prefix).
  init?(_ text: String) {
    var rest = Substring(text)
    // Skip the XML declaration, comments and processing instructions before the root.
    while let open = rest.firstIndex(of: "<") {
      let after = rest[rest.index(after: open)...]
      if after.hasPrefix("?") || after.hasPrefix("!") {
        guard let close = after.firstIndex(of: ">") else { return nil }
        rest = after[after.index(after: close)...]
        continue
      }
      rest = after
      break
    }
    guard let tagEnd = Self.endOfTag(rest) else { return nil }
    let startTag = rest[..<tagEnd]
    let name = startTag.prefix { !" \t\r\n/>".contains($0) }
    let localName = name.split(separator: ":").last.map(String.init) ?? ""
    guard localName == "presence" else { return nil }
    namespaces = Self.declarations(in: startTag.dropFirst(name.count))
    if let defaultNamespace = namespaces.first(where: { $0.prefix.isEmpty }) {
      guard defaultNamespace.value == Self.namespace else { return nil }
    }
    let selfClosing = startTag.hasSuffix("/")
    let content = rest[rest.index(after: tagEnd)...]
    if selfClosing {
      children = ""
    } else {
      guard let closing = content.range(of: "</" + name, options: .backwards) else { return nil }
      children = String(content[..<closing.lowerBound])
    }
  }

  /// Where a start tag's `>` is (quotes skipped).
  private static func endOfTag(_ text: Substring) -> Substring.Index? {
    var quote: Character?
    for index in text.indices {
      let character = text[index]
      if let open = quote {
        if character == open { quote = nil }
      } else if character == "\"" || character == "'" {
        quote = character
      } else if character == ">" {
        return index
      }
    }
    return nil
  }

  static let namespace = "urn:ietf:params:xml:ns:pidf"

  /// `xmlns="..."` and `xmlns:p="..."` attributes, as written, read attribute by attribute (a
  /// value that holds `xmlns` is not one).
  private static func declarations(in attributes: Substring) -> [(
    prefix: String, text: String, value: String
  )] {
    var found: [(prefix: String, text: String, value: String)] = []
    var rest = attributes
    while true {
      rest = rest.drop { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
      guard let equals = rest.firstIndex(of: "="),
        let quoteIndex = rest[equals...].dropFirst().firstIndex(where: { $0 != " " }),
        rest[quoteIndex] == "\"" || rest[quoteIndex] == "'"
      else { break }
      let name = rest[..<equals].trimmingCharacters(in: .whitespaces)
      let valueStart = rest.index(after: quoteIndex)
      guard let valueEnd = rest[valueStart...].firstIndex(of: rest[quoteIndex]) else { break }
      if name == "xmlns" || name.hasPrefix("xmlns:") {
        found.append(
          (
            name == "xmlns" ? "" : String(name.dropFirst(6)), String(rest[...valueEnd]),
            String(rest[valueStart..<valueEnd])
          ))
      }
      rest = rest[rest.index(after: valueEnd)...]
    }
    return found
  }
}
