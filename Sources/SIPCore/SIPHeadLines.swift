/// A message's header lines exactly as written: names in their recorded spelling (compact or
/// long, any case), values with their own spacing, in order. Replay writes a recorded request
/// again from these, so they keep what the parser normalises away.
public enum SIPHeadLines {
  /// The header lines of `bytes` (a whole message or its head), after the start line and before
  /// the blank line; a folded line (one that starts with a space or tab) is joined to the one
  /// before with a single space. Bytes that are not UTF-8 are replaced.
  public static func lines(of bytes: [UInt8]) -> [String] {
    var lines: [String] = []
    // Blank lines before the start line are keep-alives (RFC 3261 §7.5), not the end of a head.
    var start = bytes.firstIndex { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") } ?? bytes.count
    var isStartLine = true
    while start < bytes.count {
      var end = start
      while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
      let contentEnd = end > start && bytes[end - 1] == UInt8(ascii: "\r") ? end - 1 : end
      if contentEnd == start { break }
      let line = String(decoding: bytes[start..<contentEnd], as: UTF8.self)
      if isStartLine {
        isStartLine = false
      } else if let first = line.utf8.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t"),
        !lines.isEmpty
      {
        lines[lines.count - 1] += " " + line.trimmingSIPWhitespace()
      } else {
        lines.append(line)
      }
      start = end + 1
    }
    return lines
  }

  /// A line's name (before the colon, trimmed) and where its value starts: `("v", 3)` for
  /// `v: SIP/2.0/UDP ...`. nil for a line without a colon.
  public static func split(_ line: String) -> (name: String, valueStart: String.Index)? {
    guard let colon = line.firstIndex(of: ":") else { return nil }
    var valueStart = line.index(after: colon)
    while valueStart < line.endIndex, line[valueStart] == " " || line[valueStart] == "\t" {
      valueStart = line.index(after: valueStart)
    }
    return (String(line[..<colon]).trimmingSIPWhitespace(), valueStart)
  }
}
