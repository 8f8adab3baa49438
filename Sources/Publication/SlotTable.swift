/// Values kept in numbered slots that stay put: a slot's number is a 4-byte handle other
/// structures can hold instead of a copy of the value or its key. Freed slots are reused.
///
/// Storage grows in fixed pages rather than one array that doubles, so a large table carries at
/// most one page of unused room and never copies everything it holds to grow.
struct SlotTable<Element: Sendable>: Sendable {
  static var pageSize: Int { 1 << pageShift }
  private static var pageShift: Int { 10 }

  private var pages: [[Element?]] = []
  private var freeSlots: [UInt32] = []
  private var used = 0

  /// Slots holding a value.
  var count: Int { used }

  /// Stores `value` in a free slot and returns the slot.
  mutating func insert(_ value: Element) -> UInt32 {
    used += 1
    if let slot = freeSlots.popLast() {
      set(slot, value)
      return slot
    }
    if pages.last.map({ $0.count == Self.pageSize }) ?? true {
      var page: [Element?] = []
      page.reserveCapacity(Self.pageSize)
      pages.append(page)
    }
    let slot = UInt32((pages.count - 1) << Self.pageShift + pages[pages.count - 1].count)
    pages[pages.count - 1].append(value)
    return slot
  }

  /// Empties a slot; returns what it held.
  @discardableResult
  mutating func remove(_ slot: UInt32) -> Element? {
    guard let value = self[slot] else { return nil }
    set(slot, nil)
    freeSlots.append(slot)
    used -= 1
    return value
  }

  /// The value in a slot; nil for a free slot.
  subscript(slot: UInt32) -> Element? {
    let (page, offset) = Self.position(slot)
    guard page < pages.count, offset < pages[page].count else { return nil }
    return pages[page][offset]
  }

  /// Changes the value in an occupied slot in place; nil (and nothing done) for a free slot.
  @discardableResult
  mutating func update<Result>(_ slot: UInt32, _ body: (inout Element) -> Result) -> Result? {
    let (page, offset) = Self.position(slot)
    guard page < pages.count, offset < pages[page].count, var value = pages[page][offset] else { return nil }
    // Moved out and back, so that the value's storage stays uniquely referenced while it changes.
    pages[page][offset] = nil
    defer { pages[page][offset] = value }
    return body(&value)
  }

  private mutating func set(_ slot: UInt32, _ value: Element?) {
    let (page, offset) = Self.position(slot)
    pages[page][offset] = value
  }

  private static func position(_ slot: UInt32) -> (page: Int, offset: Int) {
    (Int(slot) >> pageShift, Int(slot) & (pageSize - 1))
  }

  /// Every occupied slot's value.
  var values: [Element] { pages.flatMap { $0.compactMap { $0 } } }
}
