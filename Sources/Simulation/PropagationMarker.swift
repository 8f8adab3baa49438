/// The mark a state-changing PUBLISH carries in its body (at the end of the PIDF note) so that a
/// watcher can tell which change a NOTIFY brought: `pubsim:RUN:PUBLISHER:CHANGE`, the run's tag,
/// the publisher's number in the population and its change count. Text survives every
/// compositor's composition (Kamailio's included), where a new element might not.
enum PropagationMarker {
  static func text(run: String, publisher: Int, change: UInt32) -> String {
    "pubsim:\(run):\(publisher):\(change)"
  }

  /// The newest change of `publisher` in this run a body carries; nil when it carries none.
  /// Reads at most the first 64 KB (a NOTIFY body is bounded by the parser anyway).
  static func newestChange(in body: [UInt8], run: String, publisher: Int) -> UInt32? {
    let prefix = Array("pubsim:\(run):\(publisher):".utf8)
    guard !prefix.isEmpty, body.count >= prefix.count else { return nil }
    var newest: UInt32?
    var index = 0
    let end = min(body.count, 65_536)
    while index + prefix.count <= end {
      guard body[index] == prefix[0], body[index..<index + prefix.count].elementsEqual(prefix) else {
        index += 1
        continue
      }
      index += prefix.count
      var value: UInt64 = 0
      var digits = 0
      while index < end, digits < 10, body[index] >= 0x30, body[index] <= 0x39 {
        value = value * 10 + UInt64(body[index] - 0x30)
        digits += 1
        index += 1
      }
      // A marker of publisher 1 must not be read inside one of publisher 12: the number ends here.
      if digits > 0, value <= UInt64(UInt32.max), index == end || !(0x30...0x39).contains(body[index]) {
        newest = max(newest ?? 0, UInt32(value))
      }
    }
    return newest
  }
}
