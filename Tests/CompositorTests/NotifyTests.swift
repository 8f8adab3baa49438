import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SIPCore
import Testing
import Transport

@testable import Compositor

/// The embedded compositor as a presence server over UDP: a watcher of the test's own
/// subscribes, publications reach it in NOTIFYs, NOTIFYs are retransmitted until answered, and a
/// watcher that forgot the dialog (481) ends the subscription.
@Suite("Compositor NOTIFYs to watchers", .serialized)
struct NotifyTests {
  /// A UDP socket that keeps every message it is sent and answers NOTIFYs with `answer`
  /// (nil: not at all).
  final class Watcher: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>
    let received = NIOLockedValueBox<[SIPMessage]>([])
    let answer = NIOLockedValueBox<Int?>(200)

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      let envelope = unwrapInboundIn(data)
      guard let message = try? SIPParser().parse(Array(buffer: envelope.data)) else { return }
      received.withLockedValue { $0.append(message) }
      guard message.method == .notify, let status = answer.withLockedValue({ $0 }) else { return }
      var response = "SIP/2.0 \(status) \(SIPStatus.reasonPhrase(for: status))\r\n"
      for name: SIPHeaderName in [.via, .from, .to, .callID, .cseq] {
        response += "\(name.displayName): \(message.headers[name] ?? "")\r\n"
      }
      response += "Content-Length: 0\r\n\r\n"
      context.writeAndFlush(
        wrapOutboundOut(
          AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(string: response))),
        promise: nil)
    }

    var notifies: [SIPMessage] { received.withLockedValue { $0.filter { $0.method == .notify } } }
  }

  struct Setup {
    let server: CompositorServer
    let target: SocketAddress
    let channel: Channel
    let watcher: Watcher
    let port: Int

    func send(_ text: String) {
      channel.writeAndFlush(
        AddressedEnvelope(remoteAddress: target, data: ByteBuffer(string: text)), promise: nil)
    }

    func stop() async {
      try? await channel.close()
      try? await server.stop()
    }
  }

  /// `targetPort`: another server to watch (Kamailio) rather than a compositor of the test's own.
  static func setUp(
    policy: CompositorPolicy = CompositorPolicy(), server: CompositorServer? = nil, targetPort: Int? = nil
  ) async throws -> Setup {
    let server = server ?? CompositorServer(core: CompositorCore(policy: policy))
    let bound =
      if let targetPort {
        [SIPEndpoint(transport: .udp, host: "127.0.0.1", port: targetPort)]
      } else {
        try await server.start(listening: [SIPEndpoint(transport: .udp, host: "127.0.0.1", port: 0)])
      }
    let watcher = Watcher()
    let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(watcher) }
      }
      .bind(host: "127.0.0.1", port: 0).get()
    return Setup(
      server: server, target: try SocketAddress(ipAddress: "127.0.0.1", port: bound[0].port),
      channel: channel,
      watcher: watcher, port: channel.localAddress?.port ?? 0)
  }

  /// `uri`: where an in-dialog request goes (RFC 3261 §12.2.1.1: the remote target, the 200's
  /// Contact).
  static func subscribe(
    _ setup: Setup, expires: Int = 600, toTag: String? = nil, cseq: Int = 1,
    uri: String = "sip:alice@127.0.0.1"
  ) {
    setup.send(
      "SUBSCRIBE \(uri) SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:\(setup.port);branch=z9hG4bK-s\(cseq)\r\n"
        + "Max-Forwards: 70\r\nFrom: <sip:bob@127.0.0.1>;tag=w1\r\nTo: <sip:alice@127.0.0.1>"
        + (toTag.map { ";tag=\($0)" } ?? "") + "\r\nCall-ID: sub-1\r\nCSeq: \(cseq) SUBSCRIBE\r\n"
        + "Contact: <sip:bob@127.0.0.1:\(setup.port)>\r\nEvent: presence\r\nExpires: \(expires)\r\n"
        + "Content-Length: 0\r\n\r\n")
  }

  static func publish(_ setup: Setup, note: String, branch: String, expires: Int = 600) {
    let body =
      "<?xml version=\"1.0\"?><presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:alice@127.0.0.1\">"
      + "<tuple id=\"t\(branch)\"><status><basic>open</basic></status><note>\(note)</note></tuple></presence>"
    setup.send(
      "PUBLISH sip:alice@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:\(setup.port);branch=z9hG4bK-\(branch)\r\n"
        + "Max-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=p1\r\nTo: <sip:alice@127.0.0.1>\r\n"
        + "Call-ID: pub-\(branch)\r\nCSeq: 1 PUBLISH\r\nEvent: presence\r\nExpires: \(expires)\r\n"
        + "Content-Type: application/pidf+xml\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
  }

  /// Waits (up to 10 s: a bound, not a timing claim) until `condition` holds.
  static func eventually(_ condition: () -> Bool) async throws -> Bool {
    for _ in 0..<200 {
      if condition() { return true }
      try await Task.sleep(nanoseconds: 50_000_000)
    }
    return condition()
  }

  static func state(_ message: SIPMessage) -> String? { message.headers[SIPHeaderName("Subscription-State")] }

  @Test func aWatcherIsToldEveryChangeAndTheEnd() async throws {
    let setup = try await Self.setUp()
    Self.subscribe(setup)
    #expect(try await Self.eventually { setup.watcher.notifies.count == 1 })
    let first = try #require(setup.watcher.notifies.first)
    #expect(Self.state(first)?.hasPrefix("active;expires=") == true)
    let toTag = try #require(first.headers[.from].flatMap(NameAddress.init)?.tag)
    Self.publish(setup, note: "marker-1", branch: "p1")
    #expect(try await Self.eventually { setup.watcher.notifies.count == 2 })
    #expect(String(decoding: setup.watcher.notifies[1].body, as: UTF8.self).contains("<note>marker-1</note>"))
    #expect(setup.watcher.notifies[1].headers[.cseq] == "2 NOTIFY")
    // In the dialog, to the remote target the 200 gave.
    let answer = setup.watcher.received.withLockedValue { $0.first { $0.statusCode == 200 } }
    let contact = try #require(answer?.headers[.contact].flatMap(NameAddress.init)?.uri)
    Self.subscribe(setup, expires: 0, toTag: toTag, cseq: 2, uri: contact)
    #expect(try await Self.eventually { setup.watcher.notifies.count == 3 })
    #expect(Self.state(setup.watcher.notifies[2]) == "terminated;reason=timeout")
    #expect(try await Self.eventually { setup.server.core.notifier.counts.answered == 3 })
    #expect(setup.server.core.liveSubscriptions == 0)
    await setup.stop()
  }

  /// Kamailio with the project's configuration (scripts/kamailio/kamailio.cfg) tells a watcher
  /// the same way: the reference watcher load is measured against.
  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/sbin/kamailio")))
  func kamailioTellsAWatcherTheSame() async throws {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().path
    let started = try Self.peers(repository, ["kamailio-start"])
    let peer = try #require(try JSONSerialization.jsonObject(with: Data(started.utf8)) as? [String: Any])
    let pid = try #require(peer["pid"] as? Int)
    defer { _ = try? Self.peers(repository, ["stop", String(pid)]) }
    let setup = try await Self.setUp(targetPort: try #require(peer["port"] as? Int))
    Self.subscribe(setup)
    #expect(try await Self.eventually { setup.watcher.notifies.count == 1 })
    let toTag = try #require(setup.watcher.notifies.first?.headers[.from].flatMap(NameAddress.init)?.tag)
    Self.publish(setup, note: "marker-k", branch: "pk")
    #expect(try await Self.eventually { setup.watcher.notifies.count == 2 })
    #expect(String(decoding: setup.watcher.notifies[1].body, as: UTF8.self).contains("<note>marker-k</note>"))
    Self.subscribe(setup, expires: 0, toTag: toTag, cseq: 2)
    #expect(try await Self.eventually { setup.watcher.notifies.count == 3 })
    #expect(Self.state(setup.watcher.notifies[2])?.hasPrefix("terminated") == true)
    await setup.stop()
  }

  /// scripts/peers.py's output.
  static func peers(_ repository: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    process.arguments = [repository + "/scripts/peers.py"] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
  }

  /// The once-a-second sweep tells watchers of a publication that ran out, and ends a
  /// subscription that ran out with a last NOTIFY.
  @Test func expiriesAreToldToo() async throws {
    let setup = try await Self.setUp(policy: CompositorPolicy(minExpires: 1))
    Self.subscribe(setup, expires: 3)
    #expect(try await Self.eventually { setup.watcher.notifies.count == 1 })
    Self.publish(setup, note: "short-lived", branch: "p9", expires: 1)
    #expect(try await Self.eventually { setup.watcher.notifies.count == 3 })
    let notifies = setup.watcher.notifies
    #expect(String(decoding: notifies[1].body, as: UTF8.self).contains("short-lived"))
    #expect(!String(decoding: notifies[2].body, as: UTF8.self).contains("short-lived"), "expired")
    #expect(try await Self.eventually { setup.watcher.notifies.count == 4 })
    #expect(Self.state(setup.watcher.notifies[3]) == "terminated;reason=timeout")
    #expect(setup.server.core.liveSubscriptions == 0)
    await setup.stop()
  }

  /// `--notify-delay`: a NOTIFY leaves no sooner than the delay after the PUBLISH that caused
  /// it (a lower bound only: how much later depends on the machine).
  @Test func notifiesAreHeldByTheDelayKnob() async throws {
    var faults = FaultPlan()
    faults.notifyDelay = .fixed(nanoseconds: 300_000_000)
    let server = CompositorServer(core: CompositorCore(faults: faults))
    let setup = try await Self.setUp(server: server)
    Self.subscribe(setup)
    #expect(try await Self.eventually { setup.watcher.notifies.count == 1 })
    let sent = Date()
    Self.publish(setup, note: "held", branch: "p5")
    #expect(try await Self.eventually { setup.watcher.notifies.count == 2 })
    #expect(Date().timeIntervalSince(sent) >= 0.29)
    await setup.stop()
  }

  /// RFC 6665 §4.2.2: the next NOTIFY in a dialog waits for the answer to the one before, and
  /// CSeqs rise in the order they are sent, whatever the delays.
  @Test func notifiesInADialogGoOneAtATimeInOrder() async throws {
    var faults = FaultPlan()
    faults.notifyDelay = .uniform(lower: 0, upper: 200_000_000)
    let setup = try await Self.setUp(server: CompositorServer(core: CompositorCore(faults: faults)))
    Self.subscribe(setup)
    #expect(try await Self.eventually { setup.watcher.notifies.count == 1 })
    for change in 1...5 { Self.publish(setup, note: "change-\(change)", branch: "q\(change)") }
    #expect(try await Self.eventually { setup.watcher.notifies.count == 6 })
    let sequence = setup.watcher.notifies.compactMap { $0.cseq?.sequence }
    #expect(sequence == Array(1...6), "\(sequence)")
    let last = String(decoding: setup.watcher.notifies[5].body, as: UTF8.self)
    #expect((1...5).allSatisfy { last.contains("change-\($0)") }, "the last state holds every change")
    #expect(setup.server.core.notifier.counts.refused == 0)
    await setup.stop()
  }

  @Test func anUnansweredNotifyIsSentAgain() async throws {
    let setup = try await Self.setUp()
    setup.watcher.answer.withLockedValue { $0 = nil }
    Self.subscribe(setup)
    #expect(try await Self.eventually { setup.watcher.notifies.count >= 2 })
    let copies = setup.watcher.notifies
    #expect(copies[0].topVia?.branch == copies[1].topVia?.branch, "the same transaction")
    #expect(setup.server.core.notifier.counts.retransmitted >= 1)
    await setup.stop()
  }

  @Test func aWatcherThatForgotTheDialogEndsTheSubscription() async throws {
    let setup = try await Self.setUp()
    setup.watcher.answer.withLockedValue { $0 = 481 }
    Self.subscribe(setup)
    #expect(try await Self.eventually { setup.server.core.notifier.counts.refused == 1 })
    #expect(setup.server.core.liveSubscriptions == 0)
    await setup.stop()
  }
}
