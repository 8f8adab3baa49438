import NIOCore
import NIOEmbedded
import SIPCore
import Testing
import Transport

@testable import Compositor

@Suite("The compositor's TCP pipeline")
struct CompositorStreamPipelineTests {
  static func makeChannel() throws -> EmbeddedChannel {
    let state = CompositorLoopState(core: CompositorCore(), transactionLifetime: 1, now: 0, seed: 1)
    let channel = EmbeddedChannel()
    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SIPStreamDecoder()))
    try channel.pipeline.syncOperations.addHandler(CompositorStreamHandler(state: state))
    return channel
  }

  @Test func splitAndCoalescedRequestsAreAllAnswered() throws {
    let channel = try Self.makeChannel()
    let stream = (1...3).flatMap {
      TestRequests.publish(user: "u\($0)", branch: "z9hG4bK-\($0)").serialized()
    }
    for chunk in stride(from: 0, to: stream.count, by: 97).map({ stream[$0..<min($0 + 97, stream.count)] }) {
      try channel.writeInbound(ByteBuffer(bytes: chunk))
    }
    var codes: [Int] = []
    while let response = try channel.readOutbound(as: ByteBuffer.self) {
      codes.append(try SIPParser().parse(Array(response.readableBytesView)).statusCode ?? 0)
    }
    #expect(codes == [200, 200, 200])
    _ = try channel.finish()
  }

  @Test func aStreamWithoutContentLengthIsClosed() throws {
    let channel = try Self.makeChannel()
    let bytes = Array("PUBLISH sip:a@b SIP/2.0\r\nCSeq: 1 PUBLISH\r\n\r\n".utf8)
    try channel.writeInbound(ByteBuffer(bytes: bytes))
    #expect(!channel.isActive)
  }
}
