extension Via {
  /// A received Via value as a server sends it back (RFC 3581): `rport`'s value set to `rport`
  /// where the value has that parameter, `received` set to `received` (replaced in place, or
  /// added at the end), and every other byte as it came, quoted parameter values included.
  /// Either may be nil to leave that parameter alone.
  public static func stamped(_ original: String, received: String?, rport: Int?) -> String {
    var original = original
    return original.withUTF8 { bytes in
      let value = bytes[...]
      let headEnd = value.firstIndex(of: UInt8(ascii: ";")) ?? value.endIndex
      var result = String(decoding: value[..<headEnd], as: UTF8.self)
      var receivedWritten = false
      var start = headEnd
      while start < value.endIndex {
        let end = HeaderSyntax.parameterEnd(value[(start + 1)...])
        let piece = value[(start + 1)..<end]
        let name = HeaderSyntax.trimmed(piece[..<(piece.firstIndex(of: UInt8(ascii: "=")) ?? piece.endIndex)])
        if let rport, Self.is(name, "rport") {
          result += ";rport=" + String(rport)
        } else if let received, Self.is(name, "received") {
          result += ";received=" + received
          receivedWritten = true
        } else {
          result += ";" + String(decoding: piece, as: UTF8.self)
        }
        start = end
      }
      if let received, !receivedWritten { result += ";received=" + received }
      return result
    }
  }

  /// Whether a parameter name is `lowercaseName`, in any case.
  private static func `is`(_ name: HeaderSyntax.Bytes, _ lowercaseName: StaticString) -> Bool {
    name.count == lowercaseName.utf8CodeUnitCount
      && lowercaseName.withUTF8Buffer { name.elementsEqual($0) { $0 | 0x20 == $1 } }
  }
}
