import Engine
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Publication
import SIPCore
import Testing
import Transport

/// Requests the server sends to the engine's sockets (a NOTIFY to a watcher) reach the
/// workload, and the status it gives goes back on the same transport. The peer is a small
/// server of the test's own: it answers the one PUBLISH with 200, sends a NOTIFY back over the
/// same socket or connection, and records the answer.
@Suite("Incoming requests reach the workload", .serialized)
struct IncomingRequestTests {
  /// One publisher that publishes once and counts the NOTIFYs it is sent.
  final class NotifiedWorkload: Workload {
    let identity: PublisherIdentity
    private var started = false
    private var answered = false
    private(set) var notifies: [String] = []

    init(runTag: String) {
      identity = PublisherIdentity(
        user: "watcher1", domain: "127.0.0.1", number: 1, runTag: runTag, event: "presence",
        contentType: "application/pidf+xml", password: nil)
    }

    var publisherCapacity: Int { 1 }
    var isFinished: Bool { answered && !notifies.isEmpty }
    var livePublications: Int { 0 }

    func handle(
      _ event: WorkloadEvent, now: UInt64, random: inout SplitMix64, into changes: inout [WorkloadChange]
    ) {
      switch event {
      case .due:
        started = true
        let request = PublisherStateMachine.Request(
          operation: .initial, ifMatch: nil, expires: 60, intendedAt: now)
        changes.append(WorkloadChange(publisher: 0, action: .send(request), arrived: true))
      case .response, .failed:
        answered = true
        changes.append(WorkloadChange(publisher: 0, action: .leave))
      case .start, .timer, .stop, .watcherTimer, .watcherResponse, .watcherFailed: break
      }
    }

    func nextDue(now: UInt64) -> UInt64 { started ? .max : now }

    func outgoing(_ request: PublisherStateMachine.Request, publisher: Int) -> Outgoing {
      Outgoing(identity: identity, body: Array("<presence/>".utf8))
    }

    func incoming(_ request: SIPMessage, receivedAt: UInt64, now: UInt64) -> Int {
      notifies.append(request.headers[.callID] ?? "")
      return request.method == .notify ? 200 : 405
    }
  }

  /// What the peer saw: the status of the answer to its NOTIFY.
  final class Peer: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let answer: NIOLockedValueBox<[Int]>

    init(answer: NIOLockedValueBox<[Int]>) { self.answer = answer }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      let envelope = unwrapInboundIn(data)
      for reply in Self.replies(to: envelope.data, answer: answer) {
        context.write(
          wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: reply)), promise: nil
        )
      }
      context.flush()
    }

    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    /// A PUBLISH gets 200 and a NOTIFY in return; a response completes `answer`.
    static func replies(to bytes: ByteBuffer, answer: NIOLockedValueBox<[Int]>) -> [ByteBuffer] {
      guard let message = try? SIPParser().parse(Array(bytes.readableBytesView)) else { return [] }
      if let status = message.statusCode {
        answer.withLockedValue { $0.append(status) }
        return []
      }
      var ok = message.answer(200, toTag: "peer")
      ok.headers.add(.sipETag, "peer-tag")
      ok.headers.add(.expires, "60")
      var notify = SIPHeaders()
      notify.add(.via, "SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-peer-notify")
      notify.add(.from, "<sip:watched@127.0.0.1>;tag=peer")
      notify.add(.to, "<sip:watcher1@127.0.0.1>;tag=w")
      notify.add(.callID, "peer-notify-1")
      notify.add(.cseq, "1 NOTIFY")
      notify.add(.event, "presence")
      notify.add(SIPHeaderName("Subscription-State"), "active;expires=60")
      return [ok, SIPMessage.request(.notify, uri: "sip:watcher1@127.0.0.1", headers: notify)].map {
        ByteBuffer(bytes: $0.serialized())
      }
    }
  }

  /// The stream flavour of the peer (one TCP connection, framed by Content-Length).
  final class StreamPeer: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let answer: NIOLockedValueBox<[Int]>

    init(answer: NIOLockedValueBox<[Int]>) { self.answer = answer }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      for reply in Peer.replies(to: unwrapInboundIn(data), answer: answer) {
        context.write(wrapOutboundOut(reply), promise: nil)
      }
      context.flush()
    }
  }

  @Test(arguments: [SIPTransportKind.udp, .tcp])
  func aNotifyIsAnsweredWithTheWorkloadsStatus(transport: SIPTransportKind) async throws {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let answer = NIOLockedValueBox<[Int]>([])
    let server: Channel
    switch transport {
    case .udp:
      server = try await DatagramBootstrap(group: group)
        .channelInitializer { $0.pipeline.addHandler(Peer(answer: answer)) }
        .bind(host: "127.0.0.1", port: 0).get()
    default:
      server = try await ServerBootstrap(group: group)
        .childChannelInitializer { channel in
          channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SIPStreamDecoder()))
            try channel.pipeline.syncOperations.addHandler(StreamPeer(answer: answer))
          }
        }
        .bind(host: "127.0.0.1", port: 0).get()
    }
    let target = SIPEndpoint(transport: transport, host: "127.0.0.1", port: server.localAddress?.port ?? 0)
    let workloads = NIOLockedValueBox<[NotifiedWorkload]>([])
    let engine = LoadEngine(
      plan: LoadPlan(target: target, duration: 3_000_000_000, connections: 1, shards: 1)
    ) {
      _, runTag in
      let workload = NotifiedWorkload(runTag: runTag)
      workloads.withLockedValue { $0.append(workload) }
      return workload
    }
    let result = try await engine.run { _ in }
    // The answer left before the engine finished; give the peer's loop a moment to read it.
    for _ in 0..<100 where answer.withLockedValue({ $0.isEmpty }) {
      try await Task.sleep(nanoseconds: 20_000_000)
    }
    #expect(answer.withLockedValue { $0 } == [200])
    #expect(result.metrics.incomingRequests == 1)
    #expect(result.metrics.responsesByCode == [200: 1])
    #expect(workloads.withLockedValue { $0.first?.notifies } == ["peer-notify-1"])
    try await server.close()
    try await group.shutdownGracefully()
  }
}
