import NIOCore

/// Writes bytes into memory already reserved for them: a request (the engine's) or a response
/// (the compositor's) is written piece by piece, and a `ByteBuffer` write checks its capacity
/// and uniqueness on each of the two dozen pieces (most of the time a PUBLISH took to write).
/// The caller reserves an upper bound first (``ByteBuffer/writeCursor(reserving:_:)``); every
/// `put` stays within it. Inlinable: each `put` is a few instructions, called across modules.
public struct ByteCursor {
  @usableFromInline let memory: UnsafeMutableRawBufferPointer
  /// Bytes written so far.
  public var count: Int { written }
  @usableFromInline var written = 0

  @inlinable
  public init(_ memory: UnsafeMutableRawBufferPointer) {
    self.memory = memory
  }

  @inlinable
  public mutating func put(_ byte: UInt8) {
    precondition(count < memory.count, "a message outgrew the room reserved for it")
    memory[written] = byte
    written += 1
  }

  @inlinable
  public mutating func put(_ bytes: UnsafeRawBufferPointer) {
    guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
    guard let base = memory.baseAddress, count + bytes.count <= memory.count else {
      preconditionFailure("a message outgrew the room reserved for it")
    }
    (base + written).copyMemory(from: source, byteCount: bytes.count)
    written += bytes.count
  }

  @inlinable
  public mutating func put(_ text: StaticString) {
    put(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
  }

  @inlinable
  public mutating func put(_ text: String) {
    let done: Void? = text.utf8.withContiguousStorageIfAvailable { put(UnsafeRawBufferPointer($0)) }
    if done == nil { for byte in text.utf8 { put(byte) } }
  }

  @inlinable
  public mutating func put(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { put($0) }
  }

  /// A number in decimal, without a string.
  @inlinable
  public mutating func put(decimal value: UInt64) {
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

  @inlinable
  public mutating func put(decimal value: Int) {
    if value < 0 { put(UInt8(ascii: "-")) }
    put(decimal: UInt64(value.magnitude))
  }
}

extension ByteBuffer {
  /// Writes through a ``ByteCursor`` into `bound` bytes reserved at the writer index (at most
  /// that many may be written).
  @inlinable
  public mutating func writeCursor(reserving bound: Int, _ body: (inout ByteCursor) -> Void) {
    writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { memory in
      var cursor = ByteCursor(memory)
      body(&cursor)
      return cursor.count
    }
  }
}
