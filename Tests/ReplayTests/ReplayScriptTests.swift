import Publication
import Testing
import Trace

@testable import Replay

@Suite("Replay script")
struct ReplayScriptTests {
  static let ms: UInt64 = 1_000_000

  static func record(
    _ offset: UInt64, _ resource: String, event: String = "presence", tag: String? = nil,
    ifMatch: String? = nil
  )
    -> TraceRecord
  {
    ReplayPublisherTests.record(
      offset, ifMatch == nil ? .initial : .refresh, ifMatch: ifMatch, tag: tag, resource: resource
    )
    .with(event: event)
  }

  @Test func publishersAreTheRecordedResourceAndEventPairs() {
    let records = [
      Self.record(0, "alice@a"), Self.record(5, "bob@a"), Self.record(10, "alice@a", event: "dialog"),
      Self.record(20, "alice@a"),
    ]
    let script = ReplayScript(records: records, options: ReplayOptions(domain: "d"))
    #expect(script.publishers.map(\.user) == ["alice", "bob", "alice"])
    #expect(script.publishers.map(\.event) == ["presence", "presence", "dialog"])
    #expect(script.publishers[0].steps == [0, 3])
    #expect(script.duration == 20 * Self.ms)
  }

  @Test func theWindowKeepsItsStepsAndCountsFromItsStart() {
    let records = (0..<10).map { Self.record(UInt64($0) * 100, "u\($0)@a") }
    let script = ReplayScript(
      records: records, options: ReplayOptions(from: 300 * Self.ms, to: 600 * Self.ms, domain: "d"))
    #expect(script.steps.count == 3)
    #expect(script.steps.map(\.offset) == [0, 100 * Self.ms, 200 * Self.ms])
  }

  @Test func speedCopiesAndLoopsShapeTheTiming() {
    let records = [Self.record(0, "a@x"), Self.record(1000, "b@x")]
    let options = ReplayOptions(speed: 10, scale: 4, loops: 2, spread: 400 * Self.ms, domain: "d")
    let script = ReplayScript(records: records, options: options)
    #expect(script.time(ofStep: 1, copy: 0, loop: 0) == 100 * Self.ms)
    #expect(script.time(ofStep: 1, copy: 2, loop: 0) == 300 * Self.ms)
    #expect(script.time(ofStep: 0, copy: 0, loop: 1) == (1000 * Self.ms + ReplayScript.loopGap) / 10)
    #expect(script.publisherCount == 8)
    #expect(script.transactionCount == 16)
    #expect(options.user("alice", copy: 0) == "alice")
    #expect(options.user("alice", copy: 3) == "alice-3")
  }

  @Test func resourcesThatDifferOnlyInDomainStayApartLive() {
    let records = [
      Self.record(0, "alice@a"), Self.record(5, "alice@b"), Self.record(9, "alice@a", event: "dialog"),
    ]
    let script = ReplayScript(records: records, options: ReplayOptions(domain: "live"))
    #expect(script.publishers.map(\.user) == ["alice", "alice.2", "alice"])
  }

  @Test func recordsOutOfOrderArePlayedInTimeOrder() {
    let records = [Self.record(50, "b@x"), Self.record(10, "a@x")]
    let script = ReplayScript(records: records, options: ReplayOptions(domain: "d"))
    #expect(script.publishers.map(\.user) == ["a", "b"])
    #expect(script.steps.map(\.offset) == [10 * Self.ms, 50 * Self.ms])
  }

  @Test func aTagIssuedEarlierByTheSamePublisherIsKnown() {
    let records = [
      Self.record(0, "a@x", tag: "t1"), Self.record(10, "a@x", ifMatch: "t1"),
      Self.record(20, "a@x", ifMatch: "t0"),
    ]
    let script = ReplayScript(records: records, options: ReplayOptions(domain: "d"))
    #expect(script.steps.map(\.ifMatchIssuedEarlier) == [false, true, false])
  }
}

extension TraceRecord {
  fileprivate func with(event: String) -> TraceRecord {
    var copy = self
    copy.event = event
    return copy
  }
}

extension ReplayScriptTests {
  @Test func slowingDownPastTheGrantedLifetimeIsNoticed() {
    var first = ReplayPublisherTests.record(0, .initial, tag: "t1")
    first.recorded.expires = 60
    let refresh = ReplayPublisherTests.record(50_000, .refresh, ifMatch: "t1")
    let normal = ReplayScript(records: [first, refresh], options: ReplayOptions(domain: "d"))
    #expect(normal.stepsOutlivingTheirPublication == 0)
    let slow = ReplayScript(records: [first, refresh], options: ReplayOptions(speed: 0.5, domain: "d"))
    #expect(slow.stepsOutlivingTheirPublication == 1)
  }
}
