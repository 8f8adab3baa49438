import Publication
import SIPCore
import Testing

@testable import Compositor

@Suite("Compositor decisions, in RFC 3903's order")
struct PublishRulesTests {
  static let second: UInt64 = 1_000_000_000

  struct Harness {
    var rules = PublishRules(policy: CompositorPolicy(events: [.named("presence"), .named("dialog")]))
    var store = PublicationStore()
    var tags = EntityTagGenerator(lane: 0, seed: 1)

    mutating func send(_ message: SIPMessage, at now: UInt64 = 0) -> CompositorDecision {
      do {
        return rules.respond(to: try PublishRequest(message), store: &store, tags: &tags, now: now)
      } catch {
        return CompositorDecision(400, reason: error.reason)
      }
    }
  }

  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var request: SIPMessage
    var status: Int
    var header: (SIPHeaderName, String)?
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "unknown package: 489", request: TestRequests.publish(event: "foo-bar"), status: 489,
      header: (.allowEvents, "presence, dialog")),
    Case(name: "no Event: 489", request: TestRequests.publish(event: nil), status: 489, header: nil),
    Case(
      name: "unknown tag: 412", request: TestRequests.publish(ifMatch: "nope", body: ""), status: 412,
      header: nil),
    Case(
      name: "unknown tag beats short Expires: 412", request: TestRequests.publish(ifMatch: "n", expires: "5"),
      status: 412, header: nil),
    Case(
      name: "unknown package beats unknown tag: 489", request: TestRequests.publish(event: "x", ifMatch: "n"),
      status: 489, header: nil),
    Case(name: "no body, no tag: 400", request: TestRequests.publish(body: ""), status: 400, header: nil),
    Case(
      name: "short Expires: 423", request: TestRequests.publish(expires: "10"), status: 423,
      header: (.minExpires, "60")),
    Case(
      name: "short Expires beats bad type: 423",
      request: TestRequests.publish(expires: "10", contentType: "text/plain"), status: 423, header: nil),
    Case(
      name: "wrong body type: 415", request: TestRequests.publish(contentType: "text/plain"), status: 415,
      header: nil),
    Case(
      name: "body without type: 415", request: TestRequests.publish(contentType: nil), status: 415,
      header: nil),
    Case(
      name: "long Expires is shortened", request: TestRequests.publish(expires: "7200"), status: 200,
      header: (.expires, "3600")),
    Case(
      name: "no Expires gets the default", request: TestRequests.publish(expires: nil), status: 200,
      header: (.expires, "3600")),
    Case(name: "bad Expires: 400", request: TestRequests.publish(expires: "abc"), status: 400, header: nil),
  ]

  @Test(arguments: cases)
  func answers(_ testCase: Case) {
    var harness = Harness()
    let decision = harness.send(testCase.request)
    #expect(decision.statusCode == testCase.status)
    if let (name, value) = testCase.header {
      #expect(decision[name] == value)
    }
    if decision.statusCode != 200 { #expect(harness.store.count == 0) }
  }

  @Test func initialRefreshModifyRemoveEachGetAFreshTag() {
    var harness = Harness()
    let initial = harness.send(TestRequests.publish())
    #expect(initial.statusCode == 200)
    #expect(initial.operation == .initial)
    let tag1 = initial[.sipETag] ?? ""
    let refresh = harness.send(TestRequests.publish(ifMatch: tag1, body: ""), at: 10 * Self.second)
    #expect(refresh.operation == .refresh)
    let tag2 = refresh[.sipETag] ?? ""
    #expect(tag2 != tag1)
    #expect(harness.send(TestRequests.publish(ifMatch: tag1, body: "")).statusCode == 412)
    let modify = harness.send(TestRequests.publish(ifMatch: tag2, body: "<new/>"))
    #expect(modify.operation == .modify)
    let tag3 = modify[.sipETag] ?? ""
    #expect(
      harness.store.live(tag: tag3, resource: "alice@example.com", event: "presence", now: 0)?.body
        == Array("<new/>".utf8))
    let remove = harness.send(TestRequests.publish(ifMatch: tag3, expires: "0", body: ""))
    #expect(remove.statusCode == 200)
    #expect(remove.operation == .remove)
    #expect(remove[.expires] == "0")
    #expect(remove[.sipETag] != nil)
    #expect(harness.store.count == 0)
    #expect(harness.send(TestRequests.publish(ifMatch: tag3, expires: "0", body: "")).statusCode == 412)
  }

  @Test func refreshKeepsTheBodyAndExtendsTheLifetime() {
    var harness = Harness()
    let tag = harness.send(TestRequests.publish(expires: "100"))[.sipETag] ?? ""
    let refreshed = harness.send(
      TestRequests.publish(ifMatch: tag, expires: "100", body: ""), at: 90 * Self.second)
    let newTag = refreshed[.sipETag] ?? ""
    let live = harness.store.live(
      tag: newTag, resource: "alice@example.com", event: "presence", now: 150 * Self.second)
    #expect(live?.body == Array(TestRequests.pidf.utf8))
  }

  @Test func unrefreshedStateExpires() {
    var harness = Harness()
    let tag = harness.send(TestRequests.publish(expires: "60"))[.sipETag] ?? ""
    #expect(
      harness.send(TestRequests.publish(ifMatch: tag, body: ""), at: 61 * Self.second).statusCode == 412)
  }

  @Test func tagOfAnotherResourceDoesNotMatch() {
    var harness = Harness()
    let tag = harness.send(TestRequests.publish(user: "alice"))[.sipETag] ?? ""
    #expect(harness.send(TestRequests.publish(user: "bob", ifMatch: tag, body: "")).statusCode == 412)
  }

  @Test func severalPublishersOfOneResourceCoexist() {
    var harness = Harness()
    _ = harness.send(TestRequests.publish())
    _ = harness.send(TestRequests.publish())
    #expect(harness.store.publications(of: "alice@example.com").count == 2)
  }
}
