import NIOCore

/// Remembers recent server transactions so that a retransmitted request gets the same response
/// without being processed twice (RFC 3261 §17.2.2: the response is kept for Timer J, 64*T1 =
/// 32 s on UDP).
///
/// Entries live in generations of a quarter of the lifetime; the oldest generation is dropped
/// whole, so expiry costs nothing per entry and an entry lives between `lifetime` and
/// 1.25 × `lifetime`. The cache is also bounded in entries and bytes whatever the request rate:
/// a generation that fills its share (a fifth of either bound) starts the next one early, so
/// under a flood the oldest entries go first and sooner (a retransmission after that is
/// processed again, which RFC 3903's entity-tags make harmless).
struct TransactionCache {
  /// A decided response, held back by `--delay` or `--stall` until `sendAt`: a retransmission
  /// before then is absorbed, one after gets the response.
  struct Entry {
    var response: ByteBuffer
    var sendAt: UInt64
  }

  private var generations: [[TransactionKey: Entry]]
  /// Response bytes held by each generation.
  private var generationBytes: [Int]
  private var currentStart: UInt64
  private let generationLength: UInt64
  private let entriesPerGeneration: Int
  private let bytesPerGeneration: Int
  /// Generations started early because the newest one was full.
  private(set) var earlyRotations = 0

  init(lifetime: UInt64, now: UInt64, maxEntries: Int = 2_000_000, maxBytes: Int = 512 << 20) {
    generationLength = max(lifetime / 4, 1)
    generations = Array(repeating: [:], count: 5)
    generationBytes = Array(repeating: 0, count: 5)
    currentStart = now
    entriesPerGeneration = max(maxEntries / 5, 1)
    bytesPerGeneration = max(maxBytes / 5, 1)
  }

  var bytes: Int { generationBytes.reduce(0, +) }

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
    let newest = generations.count - 1
    // A retransmitted request whose answer changed (a held response sent) replaces its entry.
    if let previous = generations[newest][key] {
      generationBytes[newest] += entry.response.readableBytes - previous.response.readableBytes
      generations[newest][key] = entry
      return
    }
    let cost =
      key.branch.utf8.count + key.sentBy.utf8.count + key.method.utf8.count + entry.response.readableBytes
    if !generations[newest].isEmpty
      && (generations[newest].count >= entriesPerGeneration
        || generationBytes[newest] + cost > bytesPerGeneration)
    {
      shift(1)
      earlyRotations += 1
    }
    generations[newest][key] = entry
    generationBytes[newest] += cost
  }

  private mutating func rotate(now: UInt64) {
    guard now >= currentStart + generationLength else { return }
    let elapsed = (now - currentStart) / generationLength
    shift(Int(min(elapsed, UInt64(generations.count))))
    currentStart += elapsed * generationLength
  }

  /// Drops the oldest `count` generations and opens as many empty ones.
  private mutating func shift(_ count: Int) {
    generations.removeFirst(count)
    generations.append(contentsOf: repeatElement([:], count: count))
    generationBytes.removeFirst(count)
    generationBytes.append(contentsOf: repeatElement(0, count: count))
  }
}
