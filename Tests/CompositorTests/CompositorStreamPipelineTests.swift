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

  /// Over TCP a watcher's NOTIFYs come on the connection its SUBSCRIBE came on, after the
  /// response, with TCP in their Via.
  @Test func notifiesFollowTheSubscribeOnItsConnection() throws {
    let channel = try Self.makeChannel()
    let subscribe =
      "SUBSCRIBE sip:alice@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5090;branch=z9hG4bK-s1\r\n"
      + "Max-Forwards: 70\r\nFrom: <sip:bob@example.com>;tag=w1\r\nTo: <sip:alice@example.com>\r\n"
      + "Call-ID: tcp-sub\r\nCSeq: 1 SUBSCRIBE\r\nContact: <sip:bob@127.0.0.1:5090;transport=tcp>\r\n"
      + "Event: presence\r\nExpires: 600\r\nContent-Length: 0\r\n\r\n"
    try channel.writeInbound(ByteBuffer(string: subscribe))
    var messages = try Self.outbound(channel)
    // The next NOTIFY waits for the answer to this one (RFC 6665 §4.2.2): the watcher answers.
    let notify = try #require(messages.last)
    var answer = "SIP/2.0 200 OK\r\n"
    for name: SIPHeaderName in [.via, .from, .to, .callID, .cseq] {
      answer += "\(name.displayName): \(notify.headers[name] ?? "")\r\n"
    }
    try channel.writeInbound(ByteBuffer(string: answer + "Content-Length: 0\r\n\r\n"))
    try channel.writeInbound(ByteBuffer(bytes: TestRequests.publish(branch: "z9hG4bK-p1").serialized()))
    messages += try Self.outbound(channel)
    #expect(
      messages.map { $0.statusCode.map(String.init) ?? $0.method?.rawValue ?? "?" } == [
        "200", "NOTIFY", "200", "NOTIFY",
      ])
    #expect(messages[1].headers[.via]?.hasPrefix("SIP/2.0/TCP ") == true)
    #expect(messages[3].headers[.cseq] == "2 NOTIFY")
    _ = try channel.finish()
  }

  static func outbound(_ channel: EmbeddedChannel) throws -> [SIPMessage] {
    var messages: [SIPMessage] = []
    while let bytes = try channel.readOutbound(as: ByteBuffer.self) {
      messages.append(try SIPParser().parse(Array(bytes.readableBytesView)))
    }
    return messages
  }

  @Test func aStreamWithoutContentLengthIsClosed() throws {
    let channel = try Self.makeChannel()
    let bytes = Array("PUBLISH sip:a@b SIP/2.0\r\nCSeq: 1 PUBLISH\r\n\r\n".utf8)
    try channel.writeInbound(ByteBuffer(bytes: bytes))
    #expect(!channel.isActive)
  }
}
