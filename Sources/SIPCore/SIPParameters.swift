/// `;name=value` parameter lists as used in URIs, Via and name-addr headers.
enum SIPParameters {
  /// Parses one `name[=value]` piece (without the leading semicolon).
  static func parse(_ piece: Substring) -> (name: String, value: String?) {
    if let equals = piece.firstIndex(of: "=") {
      let name = String(piece[..<equals]).trimmingSIPWhitespace()
      var value = String(piece[piece.index(after: equals)...]).trimmingSIPWhitespace()
      if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
        value = String(value.dropFirst().dropLast())
      }
      return (name, value)
    }
    return (String(piece).trimmingSIPWhitespace(), nil)
  }
}
