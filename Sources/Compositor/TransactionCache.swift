import NIOCore

/// Remembers recent server transactions so that a retransmitted request gets the same response
/// without being processed twice (RFC 3261 §17.2.2: the response is kept for Timer J, 64*T1 =
/// 32 s on UDP).
///
/// Entries live in generations of a quarter of the lifetime; the oldest generation is dropped
/// whole, so expiry costs nothing per entry and an entry lives between `lifetime` and
/// 1.25 × `lifetime`.
struct TransactionCache {
  /// A decided response, held back by `--delay` or `--stall` until `sendAt`: a retransmission
  /// before then is absorbed, one after gets the response.
  struct Entry {
    var response: ByteBuffer
    var sendAt: UInt64
  }

  private var generations: [[TransactionKey: Entry]]
  private var currentStart: UInt64
  private let generationLength: UInt64

  init(lifetime: UInt64, now: UInt64) {
    generationLength = max(lifetime / 4, 1)
    generations = Array(repeating: [:], count: 5)
    currentStart = now
  }

  var count: Int { generations.reduce(0) { $0 + $1.count } }

  mutating func lookup(_ key: TransactionKey, now: UInt64) -> Entry? {
    rotate(now: now)
    for generation in generations.indices.reversed() {
      if let entry = generations[generation][key] { return entry }
    }
    return nil
  }

  mutating func record(_ key: TransactionKey, _ entry: Entry, now: UInt64) {
    rotate(now: now)
    generations[generations.count - 1][key] = entry
  }

  private mutating func rotate(now: UInt64) {
    guard now >= currentStart + generationLength else { return }
    let elapsed = (now - currentStart) / generationLength
    let shifts = Int(min(elapsed, UInt64(generations.count)))
    generations.removeFirst(shifts)
    generations.append(contentsOf: repeatElement([:], count: shifts))
    currentStart += elapsed * generationLength
  }
}
