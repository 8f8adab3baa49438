import NIOCore

/// Transaction identifiers carried in the Via branch, so that a response finds its transaction
/// without a hash lookup: `z9hG4bK-<run>-<shard>-<slot>-<generation>`. The run tag keeps stray
/// responses from an earlier run from matching.
struct BranchCode: Equatable, Sendable {
  var run: UInt32
  var shard: Int
  var slot: Int
  var generation: UInt32

  /// The branch as text (what ``write(into:)`` puts on the wire).
  var text: String {
    var buffer = ByteBuffer()
    write(into: &buffer)
    return String(buffer: buffer)
  }

  init(run: UInt32, shard: Int, slot: Int, generation: UInt32) {
    self.run = run
    self.shard = shard
    self.slot = slot
    self.generation = generation
  }

  /// Writes the branch piece by piece (each piece fits a small string: no allocation).
  func write(into buffer: inout ByteBuffer) {
    buffer.writeStaticString("z9hG4bK-")
    buffer.writeString(String(run, radix: 36))
    buffer.writeStaticString("-")
    buffer.writeString(String(shard, radix: 36))
    buffer.writeStaticString("-")
    buffer.writeString(String(slot, radix: 36))
    buffer.writeStaticString("-")
    buffer.writeString(String(generation, radix: 36))
  }

  /// Reads a branch this engine wrote; nil for anything else.
  init?(_ branch: String) {
    let parts = branch.split(separator: "-")
    guard parts.count == 5, parts[0] == "z9hG4bK", let run = UInt32(parts[1], radix: 36),
      let shard = Int(parts[2], radix: 36), let slot = Int(parts[3], radix: 36),
      let generation = UInt32(parts[4], radix: 36)
    else { return nil }
    self.init(run: run, shard: shard, slot: slot, generation: generation)
  }
}
