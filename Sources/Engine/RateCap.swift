/// The most PUBLISH requests a shard sends per second (a profile's `rateCap:`, shared out over
/// shards): a token bucket filled at `perSecond`, holding at most `burst` tokens.
///
/// The burst is 10 ms worth of tokens (at least one). A shard works on a 1 ms grid and can
/// wake a few ticks late; a 10 ms bucket lets it send in one late tick what fell due during
/// the others, so the cap is met over any second, while a pause (a stalled server, a busy
/// machine) cannot bank a second's worth and release it as a flood when it ends.
struct RateCap {
  let perSecond: Double
  let burst: Double
  private var tokens: Double = 0
  private var lastRefill: UInt64

  init(perSecond: Double, now: UInt64) {
    self.perSecond = perSecond
    burst = max(perSecond / 100, 1)
    lastRefill = now
  }

  /// Takes a token if one is there (the request may go now).
  mutating func take(now: UInt64) -> Bool {
    if now > lastRefill {
      tokens = min(tokens + Double(now - lastRefill) / 1e9 * perSecond, burst)
      lastRefill = now
    }
    guard tokens >= 1 else { return false }
    tokens -= 1
    return true
  }
}
