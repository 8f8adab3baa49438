import Engine
import Publication
import Trace

/// A trace turned into what replay plays: its steps in time order, grouped into publishers (one
/// per recorded resource and event package, so that each keeps one PUBLISH outstanding), and the
/// timing of every copy and loop. Built once, shared read-only by every shard.
public struct ReplayScript: Sendable {
  /// One recorded (resource, event package): the publisher replay plays for every copy.
  public struct Publisher: Sendable, Equatable {
    /// The live user part of copy 0: the recorded one, made unique when two recorded resources
    /// differ only in their domain (which the replay rewrites); copies add their suffix.
    public var user: String
    /// The recorded address-of-record.
    public var resource: String
    /// Its user part (what recorded From and To addresses are matched against).
    public var recordedUser: String { ReplayScript.userPart(of: resource) }
    public var event: String
    /// Positions in ``ReplayScript/steps``, in time order.
    public var steps: [Int32]
  }

  /// Recorded time between loops, after the last step.
  public static let loopGap: UInt64 = 1_000_000_000
  /// Stands for a recorded request's missing Expires header (which is not sent either).
  public static let defaultExpires: UInt32 = 3600

  public let options: ReplayOptions
  public private(set) var steps: [ReplayStep] = []
  public private(set) var publishers: [Publisher] = []
  /// Offset of the last step, at recorded speed.
  public private(set) var duration: UInt64 = 0
  /// Conditional steps that, slowed down by the speed, fall due after the lifetime the recorded
  /// server granted their publication: the live publication will likely have expired (412).
  public private(set) var stepsOutlivingTheirPublication = 0

  /// The steps of `records` (a trace's; put in time order here) inside the options' window.
  public init(records: [TraceRecord], options: ReplayOptions) {
    self.options = options
    var publisherIndex: [String: Int32] = [:]
    var issuedTags: [Int32: Set<String>] = [:]
    var users = LiveUsers()
    /// When each recorded tag was issued, and the lifetime granted with it.
    var issued: [String: (offset: UInt64, lifetime: UInt64)] = [:]
    let ordered = records.enumerated().sorted {
      ($0.element.offsetNanos, $0.offset) < ($1.element.offsetNanos, $1.offset)
    }
    for record in ordered.map(\.element)
    where record.offsetNanos >= options.from && record.offsetNanos < options.to {
      let event = record.event ?? "presence"
      let key = record.resource + "\u{0}" + event
      let publisher: Int32
      if let known = publisherIndex[key] {
        publisher = known
      } else {
        publisher = Int32(publishers.count)
        publisherIndex[key] = publisher
        publishers.append(
          Publisher(
            user: users.user(for: record.resource), resource: record.resource, event: event, steps: []))
      }
      let step = ReplayStep(
        offset: record.offsetNanos - options.from, operation: record.operation,
        expires: record.expires ?? Self.defaultExpires, hasExpires: record.expires != nil,
        ifMatch: record.ifMatch,
        ifMatchIssuedEarlier: record.ifMatch.map { issuedTags[publisher]?.contains($0) ?? false } ?? false,
        contentType: record.contentType, body: record.bodyBytes, recordedStatus: record.recorded.status,
        recordedLatencyMicros: record.recorded.latencyMicros, recordedTag: record.recorded.entityTag,
        publisher: publisher,
        form: options.normalize ? nil : Self.form(of: record, user: publishers[Int(publisher)].recordedUser))
      if let tag = step.recordedTag {
        issuedTags[publisher, default: []].insert(tag)
        issued[tag] = (step.offset, UInt64(record.recorded.expires ?? Self.defaultExpires) * 1_000_000_000)
      }
      if let tag = step.ifMatch, let origin = issued[tag], step.offset > origin.offset,
        Double(step.offset - origin.offset) / options.speed > Double(origin.lifetime)
      {
        stepsOutlivingTheirPublication += 1
      }
      publishers[Int(publisher)].steps.append(Int32(steps.count))
      steps.append(step)
      duration = max(duration, step.offset)
    }
  }

  /// The recorded request's form, when the trace kept its header lines.
  static func form(of record: TraceRecord, user: String) -> RequestForm? {
    guard let headers = record.headers else { return nil }
    return RequestForm(requestURI: record.requestURI, headerLines: headers, publisherUser: user)
  }

  /// The user of an address-of-record (`alice@h` → `alice`; without `@`, all of it).
  static func userPart(of resource: String) -> String {
    resource.lastIndex(of: "@").map { String(resource[..<$0]) } ?? resource
  }

  /// Live user parts by recorded resource: the recorded user, or, when another resource already
  /// has it (alice@a and alice@b both become alice@<target>), the user with `.2`, `.3`, ...
  struct LiveUsers {
    private var byResource: [String: String] = [:]
    private var taken: Set<String> = []

    mutating func user(for resource: String) -> String {
      if let known = byResource[resource] { return known }
      let recorded = ReplayScript.userPart(of: resource)
      var user = recorded
      var number = 2
      while taken.contains(user) {
        user = "\(recorded).\(number)"
        number += 1
      }
      taken.insert(user)
      byResource[resource] = user
      return user
    }
  }

  /// Live publishers: every recorded one, once per copy.
  public var publisherCount: Int { publishers.count * max(options.scale, 1) }

  /// Transactions the whole replay plays (every step, copy and loop).
  public var transactionCount: Int { steps.count * max(options.scale, 1) * max(options.loops, 1) }

  /// Transactions one instance of a split replay plays: those of live publishers numbered
  /// ≡ `instance.index` (mod `instance.count`), publisher (copy, recorded) being number
  /// copy × recorded count + recorded. Walks only that instance's publishers.
  public func transactionCount(of instance: RunInstance) -> Int {
    guard !instance.isWhole else { return transactionCount }
    let recordedCount = publishers.count
    guard recordedCount > 0 else { return 0 }
    var total = 0
    for copy in 0..<max(options.scale, 1) {
      let first = ((instance.index - copy * recordedCount) % instance.count + instance.count) % instance.count
      for recorded in stride(from: first, to: recordedCount, by: instance.count) {
        total += publishers[recorded].steps.count
      }
    }
    return total * max(options.loops, 1)
  }

  /// How long the replay plays (until the last step of the last copy and loop is due), in
  /// nanoseconds.
  public var playingTime: UInt64 {
    guard !steps.isEmpty else { return 0 }
    let loops = Double(max(options.loops, 1))
    let recorded = Double(duration) + (loops - 1) * Double(duration + Self.loopGap)
    let scale = max(options.scale, 1)
    return Self.nanoseconds(
      recorded / options.speed + Double(options.spread) * Double(scale - 1) / Double(scale))
  }

  /// A time in nanoseconds, clamped to what a run can schedule (a century).
  static func nanoseconds(_ value: Double) -> UInt64 {
    UInt64(max(0, min(value, 3.15e18)))
  }

  /// When step `step` of copy `copy` in loop `loop` is due, in nanoseconds after the replay's
  /// start: the recorded offset (loops one after the other) divided by the speed, plus the copy's
  /// place in the spread.
  public func time(ofStep step: Int, copy: Int, loop: Int) -> UInt64 {
    let recorded = Double(steps[step].offset) + Double(loop) * Double(duration + Self.loopGap)
    let scale = max(options.scale, 1)
    let shift = Double(options.spread) * Double(copy) / Double(scale)
    return Self.nanoseconds(recorded / options.speed + shift)
  }

  /// The recorded body a publication most recently carried before step `position` of
  /// `publisher` (or, if none did, the first one after it): what a re-initiated publication
  /// sends. nil when the recording holds no body for it at all.
  public func bodyStep(forReinitiating publisher: Int, before position: Int) -> Int32? {
    let positions = publishers[publisher].steps
    for index in stride(from: min(position, positions.count - 1), through: 0, by: -1)
    where !steps[Int(positions[index])].body.isEmpty {
      return positions[index]
    }
    return positions[min(position, positions.count)...].first { !steps[Int($0)].body.isEmpty }
  }
}
