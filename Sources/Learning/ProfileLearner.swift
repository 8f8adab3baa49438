import Foundation
import Publication
import SIPCore
import Trace

/// Fits a population model to a capture's PUBLISH transactions: who publishes what (event
/// packages, bodies as templates, transport), the lifetime asked for, when publishers refresh
/// within the granted lifetime, how often they change state, how long they stay online and
/// offline, and how they arrive. Each waiting time is estimated with the waits the capture cut
/// short counted as such (``SurvivalCurve``) and written as the simplest form that fits
/// (``FittedDistribution``). Pure: records in, model out.
public enum ProfileLearner {
  /// The model; nil when no request was accepted (no publisher to learn from).
  public static func learn(_ records: [TraceRecord], captures: [String], name: String) -> LearnedProfile? {
    let lives = PublisherLives(records)
    guard !lives.publishers.isEmpty else { return nil }
    let (within, variation) = arrivalWindow(lives.arrivals)
    let (identity, start) = identityPattern(lives.sessions.map(\.resource))
    return LearnedProfile(
      name: name, captures: captures, transactions: records.count, span: lives.span,
      duration: duration(lives), publishers: lives.publishers.count,
      addresses: Set(lives.sessions.map(\.resource)).count,
      startedBefore: lives.publishers.filter { $0.first.map { lives.sessions[$0].startedBefore } ?? false }
        .count,
      identity: identity, identityStart: start,
      domain: mostCommon(lives.sessions.map { domain(of: $0.resource) }),
      classes: classes(lives), transport: mostCommon(records.map(transport)) ?? "udp",
      arrivalWithin: within, arrivalPoisson: (variation ?? 0) >= 0.5, arrivalVariation: variation,
      failures: failures(records), unanswered: records.filter { $0.recorded.status == nil }.count)
  }

  /// The capture's span, and when nearly every session ended with a remove (a recording of
  /// whole lives), time for the last arrival to live the longest of them.
  static func duration(_ lives: PublisherLives) -> UInt64 {
    let fresh = lives.sessions.filter { !$0.startedBefore }
    let lengths = fresh.filter(\.removed).map(\.length)
    guard let longest = lengths.max(), lengths.count * 10 >= fresh.count * 9 else {
      return max(lives.span, 1_000_000_000)
    }
    // A little more than the longest, so that the last remove is not cut off by the run's end.
    let tail = longest.saturatingAdd(longest / 50).saturatingAdd(100_000_000)
    return max(lives.span, (lives.arrivals.last ?? 0).saturatingAdd(tail), 1_000_000_000)
  }

  // MARK: Classes

  /// Publishers grouped by package and the Expires of their first initial, largest class first.
  static func classes(_ lives: PublisherLives) -> [LearnedProfile.PublisherClass] {
    var groups: [String: (package: String, expires: UInt32?, publishers: [[Int]])] = [:]
    for publisher in lives.publishers {
      guard let first = publisher.first else { continue }
      let session = lives.sessions[first]
      let asked = lives.records[session.accepted[0]].expires.flatMap { $0 > 0 ? $0 : nil }
      let key = session.event + " " + (asked.map(String.init) ?? "-")
      groups[key, default: (session.event, asked, [])].publishers.append(publisher)
    }
    return groups.values.sorted {
      $0.publishers.count > $1.publishers.count
        || ($0.publishers.count == $1.publishers.count
          && ($0.package, $0.expires ?? 0) < ($1.package, $1.expires ?? 0))
    }
    .map { group in
      learnClass(group.package, expires: group.expires, publishers: group.publishers, lives: lives)
    }
  }

  static func learnClass(
    _ package: String, expires: UInt32?, publishers: [[Int]], lives: PublisherLives
  ) -> LearnedProfile.PublisherClass {
    let sessions = publishers.flatMap { $0.map { lives.sessions[$0] } }
    // The class's own bodies: its publishers' accepted requests.
    let records = sessions.flatMap { lives.accepted($0) }
    let refresh = refreshWaits(sessions, lives: lives)
    let modify = modifyWaits(sessions, lives: lives)
    let returns = publishers.map { $0.count - 1 }.reduce(0, +)
    let body = bodyTemplate(records)
    let fit = { (waits: [SurvivalCurve.Observation]) in
      FittedDistribution(SurvivalCurve(waits), describe: ProfileText.duration(seconds:))
    }
    return LearnedProfile.PublisherClass(
      package: package, expires: expires, granted: granted(sessions, lives: lives),
      publishers: publishers.count,
      contentType: mostCommon(records.compactMap(\.contentType)), template: body.template,
      bodies: body.bodies,
      bodiesOfTemplate: body.ofTemplate, sizes: body.sizes,
      firstRefresh: refreshFit(refresh.first), laterRefresh: refreshFit(refresh.later),
      refreshChances: (refresh.first.count, refresh.later.count),
      firstModify: fit(modify.first), laterModify: fit(modify.later),
      exposure: PublisherLives.seconds(sessions),
      online: fit(onlineWaits(sessions)),
      offline: returns > 0 ? fit(offlineWaits(publishers, lives: lives)) : nil,
      removes: sessions.filter(\.removed).count, returns: returns)
  }

  /// The lifetimes the server granted the sessions' opening requests, most granted first.
  static func granted(_ sessions: [RecordedSession], lives: PublisherLives) -> [(value: UInt32, count: Int)] {
    ProfileText.ranked(sessions.compactMap { lives.records[$0.accepted[0]].recorded.expires })
  }

  // MARK: Waiting times

  /// A refresh point: the model draws one within the lifetime, so quantiles (or a fixed point),
  /// never an exponential form.
  static func refreshFit(_ waits: [SurvivalCurve.Observation]) -> FittedDistribution? {
    FittedDistribution(
      SurvivalCurve(waits), ceiling: 0.99, quantilesOnly: true, describe: ProfileText.percent)
  }

  /// Refresh chances: after each accepted request but a remove, until the next accepted request
  /// of the session (a refresh ends the wait; anything else cuts it short, because a
  /// modification refreshes too) or the session's end; in fractions of the granted lifetime.
  /// Chances after an initial apart from the rest: a client may refresh early once.
  static func refreshWaits(_ sessions: [RecordedSession], lives: PublisherLives) -> (
    first: [SurvivalCurve.Observation], later: [SurvivalCurve.Observation]
  ) {
    var first: [SurvivalCurve.Observation] = []
    var later: [SurvivalCurve.Observation] = []
    for session in sessions {
      let requests = lives.accepted(session)
      for (position, request) in requests.enumerated() where request.operation != .remove {
        let next = position + 1 < requests.count ? requests[position + 1] : nil
        guard let wait = request.lifetimeFraction(at: next?.offsetNanos ?? session.end) else { continue }
        let observation = SurvivalCurve.Observation(time: min(wait, 1), ended: next?.operation == .refresh)
        if request.operation == .initial { first.append(observation) } else { later.append(observation) }
      }
    }
    return (first, later)
  }

  /// Waits for modifications: from coming online to the first (or the session's end, cut
  /// short), and from each to the next (or the end); seconds.
  static func modifyWaits(_ sessions: [RecordedSession], lives: PublisherLives) -> (
    first: [SurvivalCurve.Observation], later: [SurvivalCurve.Observation]
  ) {
    var first: [SurvivalCurve.Observation] = []
    var later: [SurvivalCurve.Observation] = []
    for session in sessions where !session.startedBefore {
      var origin: UInt64?
      for request in lives.accepted(session) where request.operation == .modify {
        let wait = SurvivalCurve.Observation(
          time: Double(request.offsetNanos - min(origin ?? session.start, request.offsetNanos)) / 1e9,
          ended: true)
        if origin == nil { first.append(wait) } else { later.append(wait) }
        origin = request.offsetNanos
      }
      let rest = SurvivalCurve.Observation(
        time: Double(session.end - min(origin ?? session.start, session.end)) / 1e9, ended: false)
      if origin == nil { first.append(rest) } else { later.append(rest) }
    }
    return (first, later)
  }

  /// Sessions' time online, ended by a remove; those begun before the capture are left out
  /// (their start is unknown).
  static func onlineWaits(_ sessions: [RecordedSession]) -> [SurvivalCurve.Observation] {
    sessions.filter { !$0.startedBefore }.map { .init(time: Double($0.length) / 1e9, ended: $0.removed) }
  }

  /// Time offline between a publisher's sessions, and after its last remove until the capture
  /// ends (cut short).
  static func offlineWaits(_ publishers: [[Int]], lives: PublisherLives) -> [SurvivalCurve.Observation] {
    publishers.flatMap { publisher -> [SurvivalCurve.Observation] in
      let sessions = publisher.map { lives.sessions[$0] }
      var waits = zip(sessions, sessions.dropFirst()).map { previous, next in
        SurvivalCurve.Observation(time: Double(next.start - min(previous.end, next.start)) / 1e9, ended: true)
      }
      if let last = sessions.last, last.removed {
        waits.append(.init(time: Double(lives.span - min(last.end, lives.span)) / 1e9, ended: false))
      }
      return waits
    }
  }

  // MARK: Population

  /// The time the arrivals take, stretched by one gap (n arrivals spaced evenly over a window
  /// are n gaps long), and the gaps' coefficient of variation: about 1 for a Poisson process,
  /// near 0 for a metronome.
  static func arrivalWindow(_ arrivals: [UInt64]) -> (UInt64, Double?) {
    guard let first = arrivals.first, let last = arrivals.last, arrivals.count > 1, last > first else {
      return (1_000_000, nil)
    }
    let gaps = zip(arrivals, arrivals.dropFirst()).map { Double($1 - $0) }
    let mean = gaps.reduce(0, +) / Double(gaps.count)
    let variance = gaps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(gaps.count)
    return (
      (last - first).saturatingAdd(UInt64(min(mean, 1e18))), mean > 0 ? variance.squareRoot() / mean : nil
    )
  }

  /// `prefix{n}` when the addresses' user parts are a common prefix and a number (the first
  /// number as the start), else `user{n}`.
  static func identityPattern(_ resources: [String]) -> (String, Int) {
    let users = Set(resources.map { String($0.split(separator: "@").first ?? "") })
    let split = users.map { user -> (String, Int?) in
      let digits = user.reversed().prefix { $0.isASCII && $0.isNumber }
      return (String(user.dropLast(digits.count)), Int(String(digits.reversed())))
    }
    guard let prefix = split.first?.0, split.allSatisfy({ $0.0 == prefix && $0.1 != nil }),
      let start = split.compactMap(\.1).min(), start <= Int(Int32.max) / 2
    else { return ("user{n}", 1) }
    return (prefix + "{n}", start)
  }

  static func domain(of resource: String) -> String {
    resource.split(separator: "@", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
  }

  static func transport(_ record: TraceRecord) -> String {
    let kind = record.source.split(separator: "/").last.map { $0.lowercased() } ?? "udp"
    return kind == "udp" ? "udp" : "tcp"
  }

  static func mostCommon(_ values: [String]) -> String? {
    ProfileText.ranked(values.filter { !$0.isEmpty }).first?.value
  }

  /// A package's most common body form as a template, with the bodies' count and sizes.
  static func bodyTemplate(_ records: [TraceRecord]) -> (
    template: String?, bodies: Int, ofTemplate: Int, sizes: (low: Int, median: Int, high: Int)?
  ) {
    let bodies = records.filter { $0.body != nil }
    var forms: [String: (template: String, count: Int)] = [:]
    for record in bodies where record.bodyEncoding != "base64" {
      guard let body = record.body else { continue }
      let template = BodyTemplateLearner.template(from: body, aor: record.resource)
      let form = BodyTemplateLearner.form(of: template)
      forms[form] = (forms[form]?.template ?? template, (forms[form]?.count ?? 0) + 1)
    }
    let chosen = forms.values.max {
      $0.count < $1.count || ($0.count == $1.count && $0.template > $1.template)
    }
    let sizes = bodies.map(\.bodyBytes.count).sorted()
    return (
      chosen?.template, bodies.count, chosen?.count ?? 0,
      sizes.isEmpty ? nil : (sizes[0], sizes[sizes.count / 2], sizes[sizes.count - 1])
    )
  }

  /// Final answers other than 2xx, by kind, the most common first.
  static func failures(_ records: [TraceRecord]) -> [(kind: String, count: Int)] {
    let kinds = records.compactMap { record -> String? in
      guard let status = record.recorded.status, status >= 300 else { return nil }
      switch status {
      case 401, 407: return "401/407 (challenge)"
      case 412: return "412 (unknown entity-tag)"
      case 423: return "423 (interval too brief)"
      default: return String(status)
      }
    }
    return ProfileText.ranked(kinds).map { ($0.value, $0.count) }
  }
}
