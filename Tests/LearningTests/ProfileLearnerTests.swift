import Foundation
import Profiles
import Publication
import SIPCore
import Testing
import Trace

@testable import Learning

@Suite("Learning a profile from a capture")
struct ProfileLearnerTests {
  /// 40 scripted publishers in two classes, arriving every 100 ms: "short" ones ask Expires 60,
  /// change state once after 300 ms and leave after 500 ms; "long" ones ask 3600, refresh after
  /// 200 ms and leave after 1.3 s. One 423 and one 412 for the server's part.
  static var scripted: [TraceRecord] {
    var records: [TraceRecord] = []
    for index in 0..<40 {
      let start = Double(index) * 0.1
      let user = "user\(index + 7)"
      let chain = index + 1
      if index % 2 == 0 {
        records += [
          Records.record(
            start, chain: chain, .initial, user: user, expires: 60, body: Records.pidf(user, "open", "hi")),
          Records.record(
            start + 0.3, chain: chain, .modify, user: user, expires: 60,
            body: Records.pidf(user, "closed", "away")),
          Records.record(start + 0.5, chain: chain, .remove, user: user),
        ]
      } else {
        records += [
          Records.record(
            start, chain: chain, .initial, user: user, expires: 3600, body: Records.pidf(user, "open", "x")),
          Records.record(start + 0.2, chain: chain, .refresh, user: user, expires: 3600),
          Records.record(start + 1.3, chain: chain, .remove, user: user),
        ]
      }
    }
    records.append(Records.record(0.05, chain: 100, .initial, user: "user7", expires: 5, status: 423))
    records.append(Records.record(0.06, chain: 101, .modify, user: "user8", status: 412))
    return records.sorted { $0.offsetNanos < $1.offsetNanos }
  }

  static func fixed(_ fit: FittedDistribution?) -> Double? {
    if case .fixed(let value)? = fit?.form { return value }
    return nil
  }

  @Test func eachClassGetsItsOwnHabits() throws {
    let learned = try #require(
      ProfileLearner.learn(Self.scripted, captures: ["scripted.pcap"], name: "learned-scripted"))
    #expect(learned.publishers == 40)
    #expect(learned.identity == "user{n}" && learned.identityStart == 7)
    #expect(learned.classes.map(\.expires) == [60, 3600])
    let short = learned.classes[0]
    #expect(Self.fixed(short.firstModify).map { abs($0 - 0.3) < 1e-6 } == true)
    #expect(short.laterModify == nil)
    #expect(short.firstRefresh == nil)
    #expect(Self.fixed(short.online).map { abs($0 - 0.5) < 1e-6 } == true)
    let long = learned.classes[1]
    #expect(long.firstModify == nil)
    #expect(Self.fixed(long.firstRefresh).map { abs($0 - 0.2 / 3600) < 1e-9 } == true)
    #expect(Self.fixed(long.online).map { abs($0 - 1.3) < 1e-6 } == true)
    #expect(!learned.arrivalPoisson)
    #expect(learned.failures.map(\.count) == [1, 1])
    // Every session was removed: the run lasts until the last arrival has lived the longest life.
    #expect(learned.duration >= 3_900_000_000 + 1_300_000_000)
  }

  @Test func theWrittenProfileReadsBackAsTheModel() throws {
    let learned = try #require(
      ProfileLearner.learn(Self.scripted, captures: ["scripted.pcap"], name: "learned-scripted"))
    let profile = try ProfileReader(file: "learned.yaml") { _ in "" }.read(learned.yaml)
    #expect(profile.name == "learned-scripted")
    #expect(profile.population == 40)
    #expect(profile.events.count == 2)
    #expect(profile.arrivalWindow != nil)
    let short = try #require(profile.events[0].behaviour)
    #expect(short.requestedExpires == 60)
    #expect(short.firstModifyInterval == .fixed(300_000_000))  // written as 300ms
    #expect(short.modifyInterval == nil)
    #expect(short.sessionLength == .fixed(500_000_000))
    let long = try #require(profile.events[1].behaviour)
    #expect(long.requestedExpires == 3600)
    #expect(long.firstRefreshPoints != nil)
    #expect(long.refreshFraction == 0.8 && long.refreshPoints == nil)
    guard case .text(let template) = profile.events[0].body else {
      Issue.record("the body is a learned template")
      return
    }
    #expect(template.contains("entity=\"sip:{aor}\"") && template.contains("<basic>{status}</basic>"))
    #expect(template.contains("<note>{note}</note>"))
    #expect(learned.yaml.contains("412 (unknown entity-tag): 1"))
  }

  @Test func bodiesBecomeTemplates() {
    let pidf = BodyTemplateLearner.template(
      from: "<presence entity=\"pres:bob@example.com\"><tuple id=\"a\"><status><basic>open</basic></status>"
        + "<note xml:lang=\"en\">At lunch</note></tuple></presence>", aor: "bob@example.com")
    #expect(
      pidf
        == "<presence entity=\"pres:{aor}\"><tuple id=\"a\"><status><basic>{status}</basic></status>"
        + "<note xml:lang=\"en\">{note}</note></tuple></presence>")
    let dialog = BodyTemplateLearner.template(
      from: "<dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\" version=\"12\" state=\"full\">",
      aor: "bob@example.com")
    #expect(dialog.contains("version=\"{version}\""))
    let numbered = BodyTemplateLearner.template(
      from: "<dialog-info version=\"3\" entity=\"sip:dlg12@h\"><dialog id=\"d12\">", aor: "dlg12@h")
    #expect(numbered == "<dialog-info version=\"{version}\" entity=\"sip:{aor}\"><dialog id=\"d{n}\">")
    let rpid = BodyTemplateLearner.template(
      from: "<rpid:activities><rpid:on-the-phone/></rpid:activities><rpid:mood><rpid:happy/></rpid:mood>",
      aor: "x@y")
    #expect(
      rpid == "<rpid:activities><rpid:{activity}/></rpid:activities><rpid:mood><rpid:{mood}/></rpid:mood>")
  }

  @Test func withoutAnAcceptedRequestThereIsNothingToLearn() {
    let refused = [
      Records.record(0, chain: 1, .initial, status: 403), Records.record(1, chain: 2, .modify, status: nil),
    ]
    #expect(ProfileLearner.learn(refused, captures: [], name: "none") == nil)
  }

  @Test func poissonArrivalsAreToldFromAMetronome() {
    var random = SplitMix64(seed: 3)
    var time = 0.0
    let poisson = (0..<500).map { _ -> UInt64 in
      time += -0.01 * log(1 - Double.random(in: 0..<1, using: &random))
      return UInt64(time * 1e9)
    }
    #expect((ProfileLearner.arrivalWindow(poisson).1 ?? 0) > 0.8)
    let even = (0..<500).map { UInt64($0) * 10_000_000 }
    let (window, variation) = ProfileLearner.arrivalWindow(even)
    #expect((variation ?? 1) < 0.01)
    #expect(window == 5_000_000_000)
  }
}

@Suite("A learned profile reads back whatever the capture held")
struct LearnedProfileBoundsTests {
  @Test func oddRecordsStillGiveAProfilePubsimReads() throws {
    var records: [TraceRecord] = []
    for index in 0..<30 {
      let user = "u\(index)x99999999999999999999"
      let chain = index + 1
      let at = Double(index)
      records += [
        Records.record(
          at, chain: chain, .initial, user: user, event: "we:ird #\npackage", expires: 100_000, granted: 0,
          body: "no markup here"),
        Records.record(at, chain: chain, .refresh, user: user, event: "we:ird #\npackage", expires: 100_000),
        Records.record(at, chain: chain, .remove, user: user, event: "we:ird #\npackage"),
      ]
    }
    var odd = records[0]
    odd.resource = "x@ex\nample: #com"
    odd.chain = 999
    records.append(odd)
    let learned = try #require(
      ProfileLearner.learn(records, captures: ["odd\nname.pcap"], name: "learned: odd # name"))
    let profile = try ProfileReader(file: "learned.yaml") { _ in "" }.read(learned.yaml)
    #expect(profile.name == "learned: odd # name")
    #expect(profile.events.first?.package == "we:ird #\npackage")
    #expect(profile.events.first?.behaviour?.requestedExpires == 86_400)
    #expect(!learned.yaml.contains("ex\nample"))
  }

  /// A capture's clock may claim any time up to 10¹⁰ s: sums of such times must not trap.
  @Test func timesNearTheEndOfTimeDoNotOverflow() throws {
    var late = Records.record(0, chain: 2, .initial, user: "b")
    late.offsetNanos = UInt64.max - 5
    late.recorded.latencyMicros = UInt64.max / 2
    let records = [
      Records.record(0, chain: 1, .initial, user: "a"), Records.record(1, chain: 1, .remove, user: "a"),
      late,
    ]
    let learned = try #require(ProfileLearner.learn(records, captures: ["late.pcap"], name: "late"))
    let profile = try ProfileReader(file: "learned.yaml") { _ in "" }.read(learned.yaml)
    #expect(profile.duration > 0)
    _ = TraceStatistics(PublisherLives(records))
  }

  /// A 2xx that grants no lifetime leaves no refresh point to measure (not a division by 0).
  @Test func aLifetimeOfZeroGivesNoRefreshPoint() {
    let records = [
      Records.record(0, chain: 1, .initial, granted: 0), Records.record(1, chain: 1, .refresh),
      Records.record(2, chain: 1, .remove),
    ]
    let lives = PublisherLives(records)
    #expect(TraceStatistics.refreshPoints(lives).isEmpty)
    let figures = TraceStatistics(lives).figures
    #expect(figures.allSatisfy { $0.value.map(\.isFinite) ?? true })
  }
}
