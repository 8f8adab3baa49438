/// Strips the link-layer header from a frame and says which network protocol follows.
/// Pure; frames too short for their header decode to nil (counted by the caller).
public enum LinkLayerDecoder {
  public enum Network: Equatable, Sendable {
    case ipv4
    case ipv6
  }

  /// The network protocol and the offset where its header starts.
  public static func network(in frame: UnsafeRawBufferPointer, linkType: LinkType) -> (Network, Int)? {
    switch linkType {
    case .ethernet:
      return ethernet(frame)
    case .null:
      guard frame.count >= 4 else { return nil }
      let little = UInt32(frame[0]) | UInt32(frame[1]) << 8 | UInt32(frame[2]) << 16 | UInt32(frame[3]) << 24
      let big = UInt32(frame[3]) | UInt32(frame[2]) << 8 | UInt32(frame[1]) << 16 | UInt32(frame[0]) << 24
      return bsdFamily(min(little, big)).map { ($0, 4) }
    case .loop:
      guard frame.count >= 4 else { return nil }
      let big = UInt32(frame[3]) | UInt32(frame[2]) << 8 | UInt32(frame[1]) << 16 | UInt32(frame[0]) << 24
      return bsdFamily(big).map { ($0, 4) }
    case .raw:
      guard let first = frame.first else { return nil }
      switch first >> 4 {
      case 4: return (.ipv4, 0)
      case 6: return (.ipv6, 0)
      default: return nil
      }
    case .ipv4:
      return (.ipv4, 0)
    case .ipv6:
      return (.ipv6, 0)
    case .linuxCooked:
      guard frame.count >= 16 else { return nil }
      return etherType(UInt16(frame[14]) << 8 | UInt16(frame[15])).map { ($0, 16) }
    case .linuxCooked2:
      guard frame.count >= 20 else { return nil }
      return etherType(UInt16(frame[0]) << 8 | UInt16(frame[1])).map { ($0, 20) }
    }
  }

  private static func ethernet(_ frame: UnsafeRawBufferPointer) -> (Network, Int)? {
    var offset = 12
    while offset + 2 <= frame.count {
      let type = UInt16(frame[offset]) << 8 | UInt16(frame[offset + 1])
      switch type {
      case 0x8100, 0x88A8, 0x9100:
        offset += 4
      default:
        return etherType(type).map { ($0, offset + 2) }
      }
    }
    return nil
  }

  private static func etherType(_ type: UInt16) -> Network? {
    switch type {
    case 0x0800: return .ipv4
    case 0x86DD: return .ipv6
    default: return nil
    }
  }

  /// AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24, 28 or 30 (BSDs, macOS).
  private static func bsdFamily(_ family: UInt32) -> Network? {
    switch family {
    case 2: return .ipv4
    case 10, 24, 28, 30: return .ipv6
    default: return nil
    }
  }
}
