import NIOCore

/// Writes bytes into memory already reserved for them: a request is written piece by piece, and
/// a `ByteBuffer` write checks its capacity and uniqueness on each of the two dozen pieces (most
/// of the time a PUBLISH took to write). The caller reserves an upper bound first
/// (``ByteBuffer/writeCursor(reserving:_:)``); every `put` stays within it.
struct ByteCursor {
  private let memory: UnsafeMutableRawBufferPointer
  /// Bytes written so far.
  private(set) var count = 0

  init(_ memory: UnsafeMutableRawBufferPointer) {
    self.memory = memory
  }

  mutating func put(_ byte: UInt8) {
    precondition(count < memory.count, "a request outgrew the room reserved for it")
    memory[count] = byte
    count += 1
  }

  mutating func put(_ bytes: UnsafeRawBufferPointer) {
    guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
    guard let base = memory.baseAddress, count + bytes.count <= memory.count else {
      preconditionFailure("a request outgrew the room reserved for it")
    }
    (base + count).copyMemory(from: source, byteCount: bytes.count)
    count += bytes.count
  }

  mutating func put(_ text: StaticString) {
    put(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
  }

  mutating func put(_ text: String) {
    let done: Void? = text.utf8.withContiguousStorageIfAvailable { put(UnsafeRawBufferPointer($0)) }
    if done == nil { for byte in text.utf8 { put(byte) } }
  }

  mutating func put(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { put($0) }
  }

  /// A number in decimal, without a string.
  mutating func put(decimal value: UInt64) {
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for 20 digits, read back in order
    var length = 0
    var rest = value
    withUnsafeMutableBytes(of: &digits) { scratch in
      repeat {
        length += 1
        scratch[scratch.count - length] = UInt8(ascii: "0") + UInt8(rest % 10)
        rest /= 10
      } while rest > 0
      put(UnsafeRawBufferPointer(rebasing: scratch[(scratch.count - length)...]))
    }
  }

  mutating func put(decimal value: Int) {
    if value < 0 { put(UInt8(ascii: "-")) }
    put(decimal: UInt64(value.magnitude))
  }
}

extension ByteBuffer {
  /// Writes through a ``ByteCursor`` into `bound` bytes reserved at the writer index (at most
  /// that many may be written).
  mutating func writeCursor(reserving bound: Int, _ body: (inout ByteCursor) -> Void) {
    writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { memory in
      var cursor = ByteCursor(memory)
      body(&cursor)
      return cursor.count
    }
  }
}
