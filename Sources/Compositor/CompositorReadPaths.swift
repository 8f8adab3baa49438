import NIOCore
import SIPCore

/// Both of the compositor's ways of reading a request side by side, for the tests and the
/// fuzzing harness that hold them to the same answers: a PUBLISH read in place
/// (``InPlacePublish``) must get the response, byte for byte, that parsing it whole gets.
@_spi(Testing)
public enum CompositorReadPaths {
  /// What two fresh compositors, alike but for how they read, answer to the same bytes (nil:
  /// no answer). Their entity-tags and To tags come from the same seeds, so equal answers are
  /// equal bytes.
  public static func responses(to bytes: [UInt8], framing: SIPFraming) -> (
    inPlace: [UInt8]?, parsed: [UInt8]?
  ) {
    func answer(readingInPlace: Bool) -> [UInt8]? {
      let state = CompositorLoopState(
        core: CompositorCore(entityTagSeed: 7), transactionLifetime: 32_000_000_000, now: 0, seed: 7,
        readsInPlace: readingInPlace)
      let reply = state.handle(
        ByteBuffer(bytes: bytes), framing: framing, source: source, now: 1_000_000_000)
      return reply.map { Array($0.bytes.readableBytesView) + portText($0.port) }
    }
    return (answer(readingInPlace: true), answer(readingInPlace: false))
  }

  /// Whether `bytes` would be read in place (the fast path taken).
  public static func readsInPlace(_ bytes: [UInt8], framing: SIPFraming) -> Bool {
    bytes.withUnsafeBytes { InPlacePublish($0, framing: framing, limits: .default) != nil }
  }

  /// A sender that differs from most sent-bys, so that `received` is written.
  static let source = ResponseWriter.Source(host: "192.0.2.7", port: 40_123)

  /// The port an answer goes to, compared with its bytes.
  private static func portText(_ port: Int) -> [UInt8] { Array(" -> port \(port)".utf8) }
}
