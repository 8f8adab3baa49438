/// The header fields of a message, in order. Lookups compare names the way SIP does (any case,
/// compact forms); values keep the text they were received with.
public struct SIPHeaders: Hashable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
  public private(set) var fields: [SIPHeaderField] = []

  public init() {}

  public init(_ fields: [SIPHeaderField]) { self.fields = fields }

  public init(dictionaryLiteral elements: (String, String)...) {
    fields = elements.map { SIPHeaderField(SIPHeaderName($0.0), $0.1) }
  }

  public var count: Int { fields.count }

  public func makeIterator() -> IndexingIterator<[SIPHeaderField]> { fields.makeIterator() }

  /// The first value of the named header, or nil.
  public subscript(name: SIPHeaderName) -> String? {
    fields.first { $0.name == name }?.value
  }

  /// How many header lines carry this name.
  public func occurrences(of name: SIPHeaderName) -> Int {
    fields.reduce(0) { $0 + ($1.name == name ? 1 : 0) }
  }

  /// Every value of the named header: repeated lines and, for list headers such as Via, the
  /// comma-separated values within one line, in order.
  public func values(_ name: SIPHeaderName) -> [String] {
    var result: [String] = []
    for field in fields where field.name == name {
      if name.allowsList {
        result.append(contentsOf: SIPHeaders.splitList(field.value))
      } else {
        result.append(field.value)
      }
    }
    return result
  }

  /// Appends a header line.
  public mutating func add(_ name: SIPHeaderName, _ value: String) {
    fields.append(SIPHeaderField(name, value))
  }

  /// Replaces every line of this name by one line with `value`, at the place of the first.
  public mutating func set(_ name: SIPHeaderName, _ value: String) {
    if let first = fields.firstIndex(where: { $0.name == name }) {
      fields[first].value = value
      var index = fields.index(after: first)
      while index < fields.endIndex {
        if fields[index].name == name { fields.remove(at: index) } else { index += 1 }
      }
    } else {
      add(name, value)
    }
  }

  /// Removes every line of this name.
  public mutating func remove(_ name: SIPHeaderName) {
    fields.removeAll { $0.name == name }
  }

  /// Splits a header value at commas that are not inside quotes or angle brackets.
  public static func splitList(_ value: String) -> [String] {
    var parts: [String] = []
    var current = Substring.UnicodeScalarView()
    var inQuotes = false
    var angleDepth = 0
    var escaped = false
    for scalar in value.unicodeScalars {
      if escaped {
        escaped = false
      } else if inQuotes && scalar == "\\" {
        escaped = true
      } else if scalar == "\"" {
        inQuotes.toggle()
      } else if !inQuotes && scalar == "<" {
        angleDepth += 1
      } else if !inQuotes && scalar == ">" {
        angleDepth = Swift.max(0, angleDepth - 1)
      } else if !inQuotes && angleDepth == 0 && scalar == "," {
        let part = String(current).trimmingSIPWhitespace()
        if !part.isEmpty { parts.append(part) }
        current = Substring.UnicodeScalarView()
        continue
      }
      current.append(scalar)
    }
    let last = String(current).trimmingSIPWhitespace()
    if !last.isEmpty { parts.append(last) }
    return parts
  }
}

extension String {
  /// The string without leading and trailing spaces and tabs.
  public func trimmingSIPWhitespace() -> String {
    let utf8 = self.utf8
    guard let first = utf8.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
    guard let last = utf8.lastIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
    if first == utf8.startIndex && last == utf8.index(before: utf8.endIndex) { return self }
    return String(self[first...last])
  }
}
