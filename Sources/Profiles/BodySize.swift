import Publication
import SIPCore

/// How large an event's bodies are made (an event's `bodySize:`): the rendered body is padded
/// with an XML comment after its root element up to a size drawn per publisher and change, for
/// example to push requests past the 1 300 bytes at which RFC 3261 §18.1.1 would move them off
/// UDP. A body already larger stays as it is. XML bodies only (PIDF, RPID, dialog-info, XML
/// templates).
public enum BodySize: Sendable, Equatable {
  case fixed(Int)
  /// Uniform between the two, inclusive.
  case uniform(Int, Int)

  /// The size for publisher `number`'s version `version`: drawn from a generator seeded by the
  /// two, so that a publisher's bodies are the same whatever the order of events.
  public func bytes(publisher number: Int, version: Int) -> Int {
    switch self {
    case .fixed(let size): return size
    case .uniform(let low, let high):
      var random = SplitMix64(
        seed: UInt64(truncatingIfNeeded: number) << 24 ^ UInt64(truncatingIfNeeded: version))
      return Int.random(in: low...high, using: &random)
    }
  }

  /// `body` padded to `size` bytes with a trailing XML comment (a comment after the root
  /// element is well-formed XML); unchanged when it is that long already, or too short a gap
  /// for a comment.
  public static func pad(_ body: [UInt8], to size: Int) -> [UInt8] {
    let frame = "<!--  -->\n".utf8.count
    guard size >= body.count + frame else { return body }
    return body + Array("<!-- ".utf8) + Array(repeating: UInt8(ascii: "x"), count: size - body.count - frame)
      + Array(" -->\n".utf8)
  }
}
