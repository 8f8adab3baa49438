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
