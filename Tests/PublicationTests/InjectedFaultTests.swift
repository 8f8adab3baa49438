import Testing

@testable import Publication

/// Injected faults (a profile's `faults:`): drawn in the proportions asked, only into requests
/// they apply to, and recovered from at once when refused as RFC 3903 prescribes.
@Suite("Injected faults")
struct InjectedFaultTests {
  typealias Machine = PublisherStateMachine
  static let second: UInt64 = 1_000_000_000

  @Test func faultsAreDrawnInTheirProportionsAndOnlyWhereTheyApply() {
    let mix = FaultMix([.staleEntityTag: 0.2, .missingBody: 0.1, .unknownEvent: 0.05])
    var random = SeededRandom(seed: 3)
    var drawn: [InjectedFault: Int] = [:]
    for _ in 0..<20_000 {
      if let fault = mix.pick(for: .modify, using: &random) { drawn[fault, default: 0] += 1 }
    }
    // missingBody applies to initial publications only.
    #expect(drawn[.missingBody] == nil)
    #expect(abs(Double(drawn[.staleEntityTag] ?? 0) / 20_000 - 0.2) < 0.02)
    #expect(abs(Double(drawn[.unknownEvent] ?? 0) / 20_000 - 0.05) < 0.01)
    #expect(FaultMix().pick(for: .initial, using: &random) == nil)
    #expect(InjectedFault.allCases.map(\.prescribedStatus) == [412, 423, 489, 400, 415])
  }

  /// A fault refused as prescribed is sent again at once, without it, measured from then; a
  /// run of them is not the server refusing everything (no back-off).
  @Test func aPrescribedRefusalIsRetriedAtOnceWithoutTheFault() {
    var machine = Machine(behaviour: PublisherBehaviour())
    var random = SeededRandom(seed: 1)
    _ = machine.start(now: 0, using: &random)
    for attempt in 1...6 {
      #expect(machine.injectFault(.unknownEvent)?.fault == .unknownEvent)
      let action = machine.responseReceived(
        Machine.Response(statusCode: 489), now: UInt64(attempt), using: &random)
      guard case .send(let retry) = action else {
        Issue.record("attempt \(attempt): \(action)")
        return
      }
      #expect(retry.fault == nil && retry.operation == .initial && retry.intendedAt == UInt64(attempt))
    }
  }

  /// A refusal other than the prescribed one is a failure like any other.
  @Test func anotherAnswerIsAFailure() {
    var machine = Machine(behaviour: PublisherBehaviour())
    var random = SeededRandom(seed: 1)
    _ = machine.start(now: 0, using: &random)
    _ = machine.injectFault(.unsupportedContentType)
    let action = machine.responseReceived(Machine.Response(statusCode: 500), now: 1, using: &random)
    guard case .wakeUp(let at) = action else {
      Issue.record("expected a back-off, got \(action)")
      return
    }
    #expect(at >= Self.second, "backs off a second")
  }

  /// After a 412 to a modify (a stale entity-tag), the publisher starts over and goes on
  /// modifying from its new publication.
  @Test func modificationsGoOnAfterStartingOver() {
    var machine = Machine(behaviour: PublisherBehaviour(modifyMeanInterval: Self.second))
    var random = SeededRandom(seed: 5)
    _ = machine.start(now: 0, using: &random)
    guard
      case .wakeUp(let due) = machine.responseReceived(
        .init(statusCode: 200, entityTag: "a", expires: 3600), now: 1, using: &random),
      case .send(let modify) = machine.timerFired(now: due, using: &random), modify.operation == .modify
    else {
      Issue.record("expected a modify")
      return
    }
    _ = machine.injectFault(.staleEntityTag)
    let again = machine.responseReceived(Machine.Response(statusCode: 412), now: due + 1, using: &random)
    #expect(Self.request(again)?.operation == .initial)
    let next = machine.responseReceived(
      .init(statusCode: 200, entityTag: "b", expires: 3600), now: due + 2, using: &random)
    guard case .wakeUp(let modifyDue) = next else {
      Issue.record("expected a timer, got \(next)")
      return
    }
    #expect(modifyDue < 2_000 * Self.second, "a modification is scheduled again, not only the refresh")
    #expect(Self.request(machine.timerFired(now: modifyDue, using: &random))?.operation == .modify)
  }

  static func request(_ action: Machine.Action) -> Machine.Request? {
    if case .send(let request) = action { return request }
    return nil
  }
}
