/// One IP packet (or fragment) as decoded from a frame: addresses, the transport protocol, and
/// the payload's byte range within the frame.
public struct IPDatagram: Sendable, Equatable {
  /// Fragmentation details, when the packet is a fragment.
  public struct Fragment: Sendable, Equatable {
    public var identification: UInt32
    /// Byte offset of this fragment's payload in the whole datagram.
    public var offset: Int
    public var moreFragments: Bool
  }

  public var source: IPAddress
  public var destination: IPAddress
  public var transportProtocol: UInt8
  public var payload: Range<Int>
  public var fragment: Fragment?

  /// Decodes an IPv4 or IPv6 header at `offset`; nil for anything malformed or truncated below
  /// the header (a payload cut by the snapshot length is kept as far as it goes).
  public static func decode(
    _ frame: UnsafeRawBufferPointer, at offset: Int, network: LinkLayerDecoder.Network
  )
    -> IPDatagram?
  {
    switch network {
    case .ipv4: return decodeIPv4(frame, at: offset)
    case .ipv6: return decodeIPv6(frame, at: offset)
    }
  }

  private static func decodeIPv4(_ frame: UnsafeRawBufferPointer, at offset: Int) -> IPDatagram? {
    guard frame.count >= offset + 20, frame[offset] >> 4 == 4 else { return nil }
    let headerLength = Int(frame[offset] & 0x0F) * 4
    let totalLength = Int(frame[offset + 2]) << 8 | Int(frame[offset + 3])
    guard headerLength >= 20, totalLength >= headerLength, frame.count >= offset + headerLength else {
      return nil
    }
    let end = min(offset + totalLength, frame.count)
    let flags = Int(frame[offset + 6]) << 8 | Int(frame[offset + 7])
    let fragmentOffset = (flags & 0x1FFF) * 8
    let more = flags & 0x2000 != 0
    let identification = UInt32(frame[offset + 4]) << 8 | UInt32(frame[offset + 5])
    return IPDatagram(
      source: IPAddress(ipv4: frame, at: offset + 12), destination: IPAddress(ipv4: frame, at: offset + 16),
      transportProtocol: frame[offset + 9], payload: (offset + headerLength)..<end,
      fragment: more || fragmentOffset > 0
        ? Fragment(identification: identification, offset: fragmentOffset, moreFragments: more) : nil)
  }

  private static func decodeIPv6(_ frame: UnsafeRawBufferPointer, at offset: Int) -> IPDatagram? {
    guard frame.count >= offset + 40, frame[offset] >> 4 == 6 else { return nil }
    let payloadLength = Int(frame[offset + 4]) << 8 | Int(frame[offset + 5])
    let end = min(offset + 40 + payloadLength, frame.count)
    var next = frame[offset + 6]
    var cursor = offset + 40
    var fragment: Fragment?
    while true {
      switch next {
      case 0, 43, 60:
        guard cursor + 8 <= end else { return nil }
        next = frame[cursor]
        cursor += (Int(frame[cursor + 1]) + 1) * 8
      case 51:
        guard cursor + 8 <= end else { return nil }
        next = frame[cursor]
        cursor += (Int(frame[cursor + 1]) + 2) * 4
      case 44:
        guard cursor + 8 <= end else { return nil }
        next = frame[cursor]
        let field = Int(frame[cursor + 2]) << 8 | Int(frame[cursor + 3])
        let identification =
          UInt32(frame[cursor + 4]) << 24 | UInt32(frame[cursor + 5]) << 16 | UInt32(frame[cursor + 6]) << 8
          | UInt32(frame[cursor + 7])
        fragment = Fragment(
          identification: identification, offset: field & 0xFFF8, moreFragments: field & 1 != 0)
        cursor += 8
      default:
        guard cursor <= end else { return nil }
        return IPDatagram(
          source: IPAddress(ipv6: frame, at: offset + 8),
          destination: IPAddress(ipv6: frame, at: offset + 24),
          transportProtocol: next, payload: cursor..<end, fragment: fragment)
      }
    }
  }
}
