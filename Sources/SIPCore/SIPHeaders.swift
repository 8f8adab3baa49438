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
    let utf8 = value.utf8
    guard utf8.contains(UInt8(ascii: ",")) else {
      let single = value.trimmingSIPWhitespace()
      return single.isEmpty ? [] : [single]
    }
    var parts: [String] = []
    var partStart = utf8.startIndex
    var inQuotes = false
    var angleDepth = 0
    var escaped = false
    var index = utf8.startIndex
    while index < utf8.endIndex {
      let byte = utf8[index]
      if escaped {
        escaped = false
      } else if inQuotes && byte == UInt8(ascii: "\\") {
        escaped = true
      } else if byte == UInt8(ascii: "\"") {
        inQuotes.toggle()
      } else if !inQuotes && byte == UInt8(ascii: "<") {
        angleDepth += 1
      } else if !inQuotes && byte == UInt8(ascii: ">") {
        angleDepth = Swift.max(0, angleDepth - 1)
      } else if !inQuotes && angleDepth == 0 && byte == UInt8(ascii: ",") {
        appendTrimmed(value[partStart..<index], to: &parts)
        partStart = utf8.index(after: index)
      }
      index = utf8.index(after: index)
    }
    appendTrimmed(value[partStart..<utf8.endIndex], to: &parts)
    return parts
  }

  private static func appendTrimmed(_ part: Substring, to parts: inout [String]) {
    let trimmed = String(part).trimmingSIPWhitespace()
    if !trimmed.isEmpty { parts.append(trimmed) }
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
