/// One frame from a capture: its number (1-based, as Wireshark counts), capture time in
/// nanoseconds since the epoch, the bytes captured and the length the frame really had.
public struct CapturedPacket {
  public var number: Int
  public var timestamp: UInt64
  public var bytes: UnsafeRawBufferPointer
  public var originalLength: Int
}
