extension Via {
  /// A received Via value as a server sends it back (RFC 3581): `rport`'s value set to `rport`
  /// where the value has that parameter, `received` set to `received` (replaced in place, or
  /// added at the end), and every other byte as it came, quoted parameter values included.
  /// Either may be nil to leave that parameter alone.
  public static func stamped(_ original: String, received: String?, rport: Int?) -> String {
    var original = original
    var result = ""
    original.withUTF8 { bytes in
      writeStamped(bytes, received: received, rport: rport) { result += String(decoding: $0, as: UTF8.self) }
    }
    return result
  }

  /// ``stamped(_:received:rport:)`` over a value's bytes, handed to `emit` piece by piece in
  /// order: a server writes the stamped Via straight into its response.
  public static func writeStamped(
    _ value: UnsafeBufferPointer<UInt8>, received: String?, rport: Int?,
    _ emit: (UnsafeBufferPointer<UInt8>) -> Void
  ) {
    let whole = value[...]
    func emitPiece(_ piece: HeaderSyntax.Bytes) { emit(UnsafeBufferPointer(rebasing: piece)) }
    func emitText(_ text: StaticString) {
      text.withUTF8Buffer(emit)
    }
    func emitText(_ text: String) {
      var text = text
      text.withUTF8(emit)
    }
    let headEnd = whole.firstIndex(of: UInt8(ascii: ";")) ?? whole.endIndex
    emitPiece(whole[..<headEnd])
    var receivedWritten = false
    var start = headEnd
    while start < whole.endIndex {
      let end = HeaderSyntax.parameterEnd(whole[(start + 1)...])
      let piece = whole[(start + 1)..<end]
      let name = HeaderSyntax.trimmed(piece[..<(piece.firstIndex(of: UInt8(ascii: "=")) ?? piece.endIndex)])
      if let rport, Self.is(name, "rport") {
        emitText(";rport=")
        emitText(String(rport))
      } else if let received, Self.is(name, "received") {
        emitText(";received=")
        emitText(received)
        receivedWritten = true
      } else {
        emitPiece(whole[start..<end])
      }
      start = end
    }
    if let received, !receivedWritten {
      emitText(";received=")
      emitText(received)
    }
  }

  /// Whether a parameter name is `lowercaseName`, in any case.
  static func `is`(_ name: HeaderSyntax.Bytes, _ lowercaseName: StaticString) -> Bool {
    name.count == lowercaseName.utf8CodeUnitCount
      && lowercaseName.withUTF8Buffer { name.elementsEqual($0) { $0 | 0x20 == $1 } }
  }
}
