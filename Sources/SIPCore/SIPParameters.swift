/// `;name=value` parameter lists as used in URIs, Via and name-addr headers.
enum SIPParameters {
  /// ASCII case-insensitive comparison of a parameter name with a lower-case name.
  static func namesEqual(_ name: String, _ lowercaseName: String) -> Bool {
    name.utf8.count == lowercaseName.utf8.count
      && name.utf8.elementsEqual(lowercaseName.utf8) { $0 | 0x20 == $1 }
  }

  /// Parses one `name[=value]` piece (without the leading semicolon).
  static func parse(_ piece: Substring) -> (name: String, value: String?) {
    let utf8 = piece.utf8
    guard let equals = utf8.firstIndex(of: UInt8(ascii: "=")) else {
      return (String(piece).trimmingSIPWhitespace(), nil)
    }
    let name = String(piece[..<equals]).trimmingSIPWhitespace()
    var value = String(piece[utf8.index(after: equals)...]).trimmingSIPWhitespace()
    let valueBytes = value.utf8
    if valueBytes.count >= 2, valueBytes.first == UInt8(ascii: "\""), valueBytes.last == UInt8(ascii: "\"") {
      value = String(value.dropFirst().dropLast())
    }
    return (name, value)
  }

  /// `text` cut at every `;`, empty pieces kept (by bytes: a `;` is one wherever it stands).
  static func pieces(_ text: Substring) -> [Substring] {
    var result: [Substring] = []
    let utf8 = text.utf8
    var start = utf8.startIndex
    while let end = utf8[start...].firstIndex(of: UInt8(ascii: ";")) {
      result.append(text[start..<end])
      start = utf8.index(after: end)
    }
    result.append(text[start...])
    return result
  }

  /// Parses `a=1;b;c=x` (without a leading semicolon), skipping empty pieces. A `;` inside a
  /// quoted value does not end it (`x="a;rport"` is one parameter), as the grammar checks read it.
  static func parseList(_ text: Substring) -> [(name: String, value: String?)] {
    var result: [(name: String, value: String?)] = []
    let utf8 = text.utf8
    var start = utf8.startIndex
    while start < utf8.endIndex {
      let end = HeaderSyntax.parameterEnd(utf8[start...])
      if start < end { result.append(parse(text[start..<end])) }
      start = end < utf8.endIndex ? utf8.index(after: end) : end
    }
    return result
  }
}
