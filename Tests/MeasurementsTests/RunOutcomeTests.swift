import Measurements
import Testing

/// A run where no PUBLISH got a 2xx exits 1 with a line that says why (README, exit codes).
@Suite("What a run came to: successes, errors, why nothing succeeded")
struct RunOutcomeTests {
  static func metrics(_ codes: [Int], timeouts: Int = 0) -> RunMetrics {
    var metrics = RunMetrics(startedAt: 0)
    for code in codes {
      metrics.recordSend(intendedAt: 1, sentAt: 1)
      metrics.recordResponse(.initial, statusCode: code, intendedAt: 1, sentAt: 1, receivedAt: 2)
    }
    for _ in 0..<timeouts {
      metrics.recordSend(intendedAt: 1, sentAt: 1)
      metrics.recordTimeout(.initial, at: 3)
    }
    return metrics
  }

  @Test func refusalsAreCountedByCodeMostFirst() {
    let reason = Self.metrics(Array(repeating: 479, count: 799) + [500], timeouts: 2).nothingSucceededReason
    #expect(reason == "no PUBLISH succeeded: 479 × 799, 500 × 1, 2 timed out")
  }

  @Test func silenceIsSaidAsSuch() {
    #expect(Self.metrics([], timeouts: 3).nothingSucceededReason == "no PUBLISH was answered: 3 timed out")
    #expect(Self.metrics([]).nothingSucceededReason == "no PUBLISH was sent")
  }

  @Test func oneSuccessIsEnough() {
    #expect(Self.metrics([401, 200]).nothingSucceededReason == nil)
  }
}

extension RunOutcomeTests {
  @Test func theErrorRateLeavesChallengesOutAndCountsSilence() {
    // 401 answered then 200 twice, one 503, one timeout: 2 failed of 5 ended.
    let metrics = Self.metrics([401, 200, 200, 503], timeouts: 1)
    #expect(abs(metrics.errorRate - 2.0 / 5.0) < 1e-9)
    #expect(Self.metrics([]).errorRate == 0)
  }
}

extension RunOutcomeTests {
  /// A 2xx without SIP-ETag leaves the publisher nothing to go on: an error, not a success.
  @Test func successWithoutEntityTagIsAnError() {
    var metrics = Self.metrics([200, 200, 200, 200])
    metrics.successWithoutEntityTag = 3
    #expect(metrics.succeeded == 1)
    #expect(abs(metrics.errorRate - 3.0 / 4.0) < 1e-9)
    metrics.successWithoutEntityTag = 4
    #expect(metrics.nothingSucceededReason == "no PUBLISH succeeded: 200 × 4, 4 2xx without SIP-ETag")
  }

  /// A challenge that cannot be answered (or refuses the credentials) is an error; one answered
  /// is not.
  @Test func unanswerableChallengesAreErrors() {
    var metrics = Self.metrics([401, 401, 200])
    metrics.unanswerableChallenges = 1
    #expect(abs(metrics.errorRate - 1.0 / 3.0) < 1e-9)
  }

  /// However many distinct recorded → live code pairs a trace and a server make, the fidelity
  /// figures keep at most the limit and count the rest.
  @Test func codePairsAreBounded() {
    var fidelity = FidelityMetrics()
    for recorded in 100...699 {
      for live in [200, 412, 500] {
        fidelity.record(
          operation: "initial", recordedStatus: recorded, recordedLatencyMicros: 1, live: live,
          liveLatencyMicros: 1, skipped: false, reinitiated: false)
      }
    }
    #expect(fidelity.codePairs.count == FidelityMetrics.codePairLimit)
    #expect(fidelity.otherCodePairs == 1_800 - UInt64(FidelityMetrics.codePairLimit))
    var merged = FidelityMetrics()
    merged.merge(fidelity)
    merged.merge(fidelity)
    #expect(merged.codePairs.count == FidelityMetrics.codePairLimit)
    #expect(merged.comparable == 3_600)
    #expect(merged.codePairs.values.reduce(0, +) + merged.otherCodePairs == 3_600)
  }
}
