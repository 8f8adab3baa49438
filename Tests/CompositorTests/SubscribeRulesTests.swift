import NIOCore
import NIOEmbedded
import Publication
import SIPCore
import Testing

@testable import Compositor

/// The notifier's decisions for SUBSCRIBE, in RFC 6665's order, and the NOTIFY it writes.
@Suite struct SubscribeRulesTests {
  struct Route: NotifyRoute {
    var transport = "udp"
    var sentBy = "127.0.0.1:5060"
    var eventLoop: EventLoop { EmbeddedEventLoop() }
    func send(_ bytes: [UInt8]) {}
  }

  static let second: UInt64 = 1_000_000_000
  static let rules = SubscribeRules(policy: CompositorPolicy())

  static func subscribe(
    event: String? = "presence", expires: String? = "600", toTag: String? = nil,
    contact: String? = "<sip:watcher@127.0.0.1:5090>"
  ) -> SIPMessage {
    var headers = SIPHeaders()
    headers.add(.via, "SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-s1;rport")
    headers.add(.from, "<sip:watcher@example.com>;tag=w1")
    headers.add(.to, "<sip:alice@example.com>" + (toTag.map { ";tag=\($0)" } ?? ""))
    headers.add(.callID, "sub-1")
    headers.add(.cseq, "1 SUBSCRIBE")
    if let event { headers.add(.event, event) }
    if let expires { headers.add(.expires, expires) }
    if let contact { headers.add(.contact, contact) }
    return .request(.subscribe, uri: "sip:alice@example.com", headers: headers, body: [])
  }

  static func respond(_ message: SIPMessage, book: inout SubscriptionBook, now: UInt64 = 0)
    -> (decision: CompositorDecision, notify: Subscription?)
  {
    rules.respond(to: message, book: &book, notifierTag: "n1", route: Route(), now: now)
  }

  @Test func aSubscriptionIsMadeRefreshedAndEnded() throws {
    var book = SubscriptionBook()
    let made = Self.respond(Self.subscribe(), book: &book)
    #expect(made.decision.statusCode == 200)
    #expect(made.decision.toTag == "n1")
    #expect(made.decision[.expires] == "600")
    let subscription = try #require(made.notify)
    #expect(
      subscription.key == PublicationStore.ResourceKey(resource: "alice@example.com", event: "presence"))
    #expect(subscription.remoteTarget == "sip:watcher@127.0.0.1:5090")
    #expect(book.watchers(of: subscription.key, now: 0).count == 1)
    // A refresh in the dialog, past the first lifetime's half: the new one counts from now.
    let refreshed = Self.respond(
      Self.subscribe(expires: "7200", toTag: "n1", contact: nil), book: &book, now: 300 * Self.second)
    #expect(refreshed.decision[.expires] == "3600", "clamped to the maximum")
    #expect(book.watchers(of: subscription.key, now: 3_000 * Self.second).count == 1)
    let ended = Self.respond(Self.subscribe(expires: "0", toTag: "n1"), book: &book, now: 400 * Self.second)
    #expect(ended.decision.statusCode == 200)
    #expect(ended.notify != nil, "a last NOTIFY goes out")
    #expect(book.count == 0)
  }

  @Test(arguments: [
    (subscribe(event: "unknown-package"), 489), (subscribe(event: nil), 489),
    (subscribe(toTag: "never-issued"), 481), (subscribe(expires: "10"), 423), (subscribe(contact: nil), 400),
  ])
  func refusals(message: SIPMessage, status: Int) {
    var book = SubscriptionBook()
    let outcome = Self.respond(message, book: &book)
    #expect(outcome.decision.statusCode == status)
    #expect(outcome.notify == nil)
    #expect(book.count == 0)
  }

  @Test func subscriptionsRunOut() {
    var book = SubscriptionBook()
    _ = Self.respond(Self.subscribe(expires: "60"), book: &book)
    #expect(book.removeExpired(now: 59 * Self.second).isEmpty)
    #expect(book.removeExpired(now: 60 * Self.second).count == 1)
    #expect(book.count == 0)
  }

  @Test func aNotifyCarriesTheDialogTheStateAndTheDocument() throws {
    var book = SubscriptionBook()
    let subscription = try #require(Self.respond(Self.subscribe(), book: &book).notify)
    let document = PresenceComposer.compose([], resource: "alice@example.com", event: "presence")
    let bytes = NotifyWriter.write(
      subscription, state: .active(expires: 600), document: document, cseq: 1, branch: "z9hG4bK-n1")
    let message = try SIPParser().parse(bytes)
    #expect(message.method == .notify)
    #expect(message.requestURI == "sip:watcher@127.0.0.1:5090")
    #expect(message.headers[.to] == "<sip:watcher@example.com>;tag=w1")
    #expect(message.headers[.from].flatMap(NameAddress.init)?.tag == "n1")
    #expect(message.headers[.callID] == "sub-1")
    #expect(message.headers[.cseq] == "1 NOTIFY")
    #expect(message.headers[SIPHeaderName("Subscription-State")] == "active;expires=600")
    #expect(message.headers[.contentType] == "application/pidf+xml")
    #expect(message.body == document?.body)
    let last = NotifyWriter.write(subscription, state: .terminated, document: document, cseq: 3, branch: "b")
    #expect(
      try SIPParser().parse(last).headers[SIPHeaderName("Subscription-State")] == "terminated;reason=timeout")
  }
}
