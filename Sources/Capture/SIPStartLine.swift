import SIPCore

/// Recognises the start of a SIP message by its content, on any port: a status line
/// (`SIP/2.0 200 ...`) or a request line (`METHOD sip:... SIP/2.0`).
public enum SIPStartLine {
  /// Whether `bytes` begin with a SIP start line (leading CR/LF keep-alives are skipped).
  public static func begins(_ bytes: UnsafeRawBufferPointer) -> Bool {
    var start = 0
    while start < bytes.count, bytes[start] == 13 || bytes[start] == 10 { start += 1 }
    return lineLength(bytes, at: start) != nil
  }

  /// The offset of the next SIP start line at or after `from`, or nil. On a stream a message
  /// follows the previous body directly, so a start line need not begin a line.
  public static func next(in bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
    var index = from
    while index < bytes.count {
      let byte = bytes[index]
      if byte >= 65 && byte <= 90, lineLength(bytes, at: index) != nil { return index }
      index += 1
    }
    return nil
  }

  /// The length of a SIP start line at `start`, or nil if there is none there.
  static func lineLength(_ bytes: UnsafeRawBufferPointer, at start: Int) -> Int? {
    let limit = min(bytes.count, start + 1024)
    guard let end = ByteSearch.first(10, in: bytes, start..<limit) else { return nil }
    let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    let version = Array("SIP/2.0".utf8)
    if line.count > 12, line.prefix(8).elementsEqual(version + [32], by: { $0 | 0x20 == $1 | 0x20 }),
      line[8...10].allSatisfy({ $0 >= 48 && $0 <= 57 })
    {
      return end - start
    }
    var trimmed = line
    if trimmed.last == 13 { trimmed = UnsafeRawBufferPointer(rebasing: trimmed.dropLast()) }
    guard trimmed.count > 12, trimmed.suffix(8).elementsEqual([32] + version, by: { $0 | 0x20 == $1 | 0x20 }),
      let space = trimmed.firstIndex(of: 32), space > 0,
      trimmed[..<space].allSatisfy({ ($0 >= 65 && $0 <= 90) || $0 == 45 }),
      trimmed.count > space + 5
    else { return nil }
    let scheme = trimmed[(space + 1)...].prefix(5)
    let isSIPURI =
      scheme.starts(with: Array("sip:".utf8)) || scheme.starts(with: Array("sips:".utf8))
      || scheme.starts(with: Array("tel:".utf8)) || scheme.starts(with: Array("SIP:".utf8))
    return isSIPURI ? end - start : nil
  }
}
