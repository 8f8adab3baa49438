/// One frame from a capture: its number (1-based, as Wireshark counts), capture time in
/// nanoseconds since the epoch, the bytes captured and the length the frame really had.
public struct CapturedPacket {
  public var number: Int
  public var timestamp: UInt64
  public var bytes: UnsafeRawBufferPointer
  public var originalLength: Int

  public init(number: Int, timestamp: UInt64, bytes: UnsafeRawBufferPointer, originalLength: Int) {
    self.number = number
    self.timestamp = timestamp
    self.bytes = bytes
    self.originalLength = originalLength
  }
}
