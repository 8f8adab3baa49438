import NIOCore
import SIPCore

/// Cuts whole SIP messages out of a TCP byte stream for a channel pipeline, using
/// ``SIPStreamFramer/frame(_:limits:)``. Emits each message's bytes as one `ByteBuffer` slice
/// (no copy); a framing error is thrown into the pipeline, which closes the connection.
public struct SIPStreamDecoder: ByteToMessageDecoder {
  public typealias InboundOut = ByteBuffer

  public let limits: SIPLimits

  public init(limits: SIPLimits = .default) {
    self.limits = limits
  }

  public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws
    -> DecodingState
  {
    let frame = try buffer.withUnsafeReadableBytes { bytes in
      try Result { () throws(SIPParseError) in try SIPStreamFramer.frame(bytes, limits: limits) }.get()
    }
    switch frame {
    case .needMoreData:
      return .needMoreData
    case .skip(let count):
      buffer.moveReaderIndex(forwardBy: count)
      return .continue
    case .message(let length):
      guard let message = buffer.readSlice(length: length) else { return .needMoreData }
      context.fireChannelRead(wrapInboundOut(message))
      return .continue
    }
  }

  public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool)
    throws
    -> DecodingState
  {
    while try decode(context: context, buffer: &buffer) == .continue {}
    return .needMoreData
  }
}
