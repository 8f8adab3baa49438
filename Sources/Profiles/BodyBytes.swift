/// A body's bytes, appended into one array sized ahead: rendering a body with string
/// interpolation grew and copied a String several times per modify, most of a run's
/// allocations.
struct BodyBytes {
  private(set) var bytes: [UInt8] = []

  init(capacity: Int) {
    bytes.reserveCapacity(capacity)
  }

  mutating func add(_ byte: UInt8) {
    bytes.append(byte)
  }

  mutating func add(_ text: StaticString) {
    bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
  }

  mutating func add(_ text: String) {
    bytes.append(contentsOf: text.utf8)
  }

  mutating func add(_ text: Substring) {
    bytes.append(contentsOf: text.utf8)
  }

  /// A number in decimal (the standard library's digits: a small string, not allocated).
  mutating func add(_ number: Int) {
    add(String(number))
  }

  /// The PIDF note of a change: `available v4` or `away v5`, then the propagation marker if any.
  mutating func addNote(_ change: BodyTemplate.Change) {
    add(change.open ? "available v" : "away v")
    add(change.version)
    if let marker = change.marker {
      add(UInt8(ascii: " "))
      add(marker)
    }
  }
}
