import NIOCore
import SIPCore
import Testing

@testable import Compositor

@Suite("The compositor's request path without sockets")
struct CompositorLoopStateTests {
  static let source = ResponseWriter.Source(host: "127.0.0.1", port: 40000)

  static func makeState(faults: FaultPlan = FaultPlan()) -> CompositorLoopState {
    CompositorLoopState(
      core: CompositorCore(faults: faults), transactionLifetime: 32_000_000_000, now: 0, seed: 42)
  }

  static func bytes(_ message: SIPMessage) -> ByteBuffer {
    ByteBuffer(bytes: message.serialized())
  }

  static func response(_ reply: CompositorLoopState.Reply?) throws -> SIPMessage {
    let reply = try #require(reply)
    return try SIPParser().parse(Array(reply.bytes.readableBytesView), framing: .stream)
  }

  @Test func responseCopiesTheTransactionHeadersAndStampsVia() throws {
    let state = Self.makeState()
    let response = try Self.response(
      state.handle(Self.bytes(TestRequests.publish()), framing: .datagram, source: Self.source, now: 1))
    #expect(response.statusCode == 200)
    #expect(response.topVia?.parameter("rport") == "40000")
    #expect(response.topVia?.parameter("received") == "127.0.0.1")
    #expect(response.headers[.callID] == "call-z9hG4bK-1")
    #expect(response.headers[.cseq] == "1 PUBLISH")
    #expect(NameAddress(response.headers[.to] ?? "")?.tag != nil)
    #expect(response.headers[.sipETag] != nil)
  }

  @Test func retransmissionGetsTheSameResponseAndIsNotProcessedTwice() throws {
    let state = Self.makeState()
    let request = Self.bytes(TestRequests.publish())
    let first = try #require(state.handle(request, framing: .datagram, source: Self.source, now: 1))
    let again = try #require(state.handle(request, framing: .datagram, source: Self.source, now: 500_000_000))
    #expect(first.bytes == again.bytes)
    #expect(state.statistics.requestsByMethod["PUBLISH"] == 1)
    #expect(state.statistics.retransmissions == 1)
    #expect(state.core.livePublications(now: 2) == 1)
  }

  @Test func retransmissionWhileTheResponseIsDelayedIsAbsorbed() throws {
    let state = Self.makeState(faults: FaultPlan(delay: .fixed(nanoseconds: 1_000_000_000)))
    let request = Self.bytes(TestRequests.publish())
    let first = try #require(state.handle(request, framing: .datagram, source: Self.source, now: 0))
    #expect(first.delay == 1_000_000_000)
    #expect(state.handle(request, framing: .datagram, source: Self.source, now: 500_000_000) == nil)
    #expect(
      state.handle(request, framing: .datagram, source: Self.source, now: 1_500_000_000)?.bytes == first.bytes
    )
  }

  @Test func droppedRequestsGetNoResponseAndNoState() {
    let state = Self.makeState(faults: FaultPlan(dropProbability: 1))
    #expect(
      state.handle(Self.bytes(TestRequests.publish()), framing: .datagram, source: Self.source, now: 0) == nil
    )
    #expect(state.statistics.dropped == 1)
    #expect(state.core.livePublications(now: 0) == 0)
  }

  @Test func injectedFailuresAnswerWithTheCode() throws {
    let state = Self.makeState(faults: FaultPlan(failures: [.init(probability: 1, statusCode: 503)]))
    let response = try Self.response(
      state.handle(Self.bytes(TestRequests.publish()), framing: .datagram, source: Self.source, now: 0))
    #expect(response.statusCode == 503)
    #expect(state.statistics.responsesByCode == [503: 1])
  }

  @Test func replyPortFollowsViaWithoutRport() throws {
    let state = Self.makeState()
    let request = TestRequests.publish(via: "SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-9")
    let reply = try #require(
      state.handle(Self.bytes(request), framing: .datagram, source: Self.source, now: 0))
    #expect(reply.port == 5999)
  }

  @Test func optionsListsPublish() throws {
    let state = Self.makeState()
    var options = TestRequests.publish(body: "")
    options.startLine = .request(method: .options, uri: "sip:esc@127.0.0.1")
    options.headers.set(.cseq, "1 OPTIONS")
    let response = try Self.response(
      state.handle(Self.bytes(options), framing: .datagram, source: Self.source, now: 0))
    #expect(response.statusCode == 200)
    #expect(response.headers[.allow]?.contains("PUBLISH") == true)
  }

  @Test func malformedRequestsGet400AndGarbageIsCounted() throws {
    let state = Self.makeState()
    var bad = TestRequests.publish()
    bad.headers.add(.callID, "second")
    let response = try Self.response(
      state.handle(Self.bytes(bad), framing: .datagram, source: Self.source, now: 0))
    #expect(response.statusCode == 400)
    #expect(
      state.handle(ByteBuffer(bytes: [0, 1, 2, 3]), framing: .datagram, source: Self.source, now: 0) == nil)
    #expect(state.statistics.malformed == 1)
  }

  /// RFC 3261 §18.3: a datagram request whose body cannot be framed still gets its 400.
  @Test(arguments: [
    ("abc", "Bad Content-Length"), ("-1", "Bad Content-Length"), ("9999", "Body Shorter Than Content-Length"),
  ])
  func badContentLengthOverUDPGets400(length: String, reason: String) throws {
    let state = Self.makeState()
    var request = TestRequests.publish()
    request.headers.set(.contentLength, length)
    var text = String(decoding: request.serialized(), as: UTF8.self)
    // The serializer writes its own Content-Length; put the bad one back.
    text = text.replacingOccurrences(
      of: "Content-Length: \(request.body.count)\r\n", with: "Content-Length: \(length)\r\n")
    let reply = state.handle(ByteBuffer(string: text), framing: .datagram, source: Self.source, now: 0)
    let response = try Self.response(reply)
    #expect(response.statusCode == 400)
    #expect(response.startLine == .response(statusCode: 400, reason: reason))
    #expect(response.headers[.callID] == "call-z9hG4bK-1")
    #expect(state.statistics.malformed == 1 && state.statistics.responsesByCode[400] == 1)
    // Over a stream the length is the framing itself: nothing is left to answer in.
    #expect(state.handle(ByteBuffer(string: text), framing: .stream, source: Self.source, now: 0) == nil)
  }

  @Test func otherMethodsGet405() throws {
    let state = Self.makeState()
    var subscribe = TestRequests.publish(body: "")
    subscribe.startLine = .request(method: .subscribe, uri: "sip:alice@example.com")
    subscribe.headers.set(.cseq, "1 SUBSCRIBE")
    let response = try Self.response(
      state.handle(Self.bytes(subscribe), framing: .datagram, source: Self.source, now: 0))
    #expect(response.statusCode == 405)
  }
}

extension CompositorLoopStateTests {
  /// A request with one broken header line (a NUL byte, a line over the limit) is answered 400
  /// from the lines that read, over UDP and TCP, instead of being dropped in silence.
  @Test(arguments: [
    ("Subject: a\u{0}b", "Binary Data in Header"),
    ("X-Padding: " + String(repeating: "a", count: 9_000), "Header Line Too Long"),
  ])
  func brokenHeaderLineGets400(line: String, reason: String) throws {
    for framing in [SIPFraming.datagram, .stream] {
      let state = Self.makeState()
      let text = String(decoding: TestRequests.publish().serialized(), as: UTF8.self)
        .replacingOccurrences(of: "\r\nContent-Length:", with: "\r\n\(line)\r\nContent-Length:")
      let response = try Self.response(
        state.handle(ByteBuffer(string: text), framing: framing, source: Self.source, now: 0))
      #expect(response.startLine == .response(statusCode: 400, reason: reason))
      #expect(response.headers[.callID] == "call-z9hG4bK-1")
    }
  }

  /// RFC 3261 §8.1.1.5: a CSeq number must be below 2^31.
  @Test func cseqAtTwoToTheThirtyFirstGets400() throws {
    let state = Self.makeState()
    var request = TestRequests.publish()
    request.headers.set(.cseq, "2147483648 PUBLISH")
    let response = try Self.response(
      state.handle(ByteBuffer(bytes: request.serialized()), framing: .datagram, source: Self.source, now: 0))
    #expect(response.startLine == .response(statusCode: 400, reason: "Bad CSeq"))
  }
}
