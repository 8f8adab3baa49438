#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Finding a byte with the C library's memchr: the scans over captured bytes (line ends, colons)
/// are the extractor's inner loop, and the generic collection search is several times slower.
public enum ByteSearch {
  /// The index of the first `byte` in `bytes[range]`, or nil.
  public static func first(_ byte: UInt8, in bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
    guard let base = bytes.baseAddress, !range.isEmpty, range.lowerBound >= 0, range.upperBound <= bytes.count
    else {
      return nil
    }
    guard let found = memchr(base + range.lowerBound, Int32(byte), range.count) else { return nil }
    return base.distance(to: UnsafeRawPointer(found))
  }

  /// Whether two byte strings are the same (memcmp: the generic comparison goes byte by byte
  /// through the collection protocols).
  public static func equals(_ one: UnsafeRawBufferPointer, _ other: UnsafeRawBufferPointer) -> Bool {
    guard one.count == other.count else { return false }
    guard let first = one.baseAddress, let second = other.baseAddress else { return true }
    return memcmp(first, second, one.count) == 0
  }

  /// Whether `bytes[range]` holds `text` (ASCII). With `ignoringCase`, letters compare without
  /// case and `text` must be written in lower case.
  public static func equals(
    _ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ text: StaticString, ignoringCase: Bool = false
  ) -> Bool {
    guard range.count == text.utf8CodeUnitCount, range.lowerBound >= 0, range.upperBound <= bytes.count else {
      return false
    }
    return text.withUTF8Buffer { expected in
      var index = 0
      while index < expected.count {
        let byte = bytes[range.lowerBound + index]
        guard (ignoringCase ? byte | 0x20 : byte) == expected[index] else { return false }
        index += 1
      }
      return true
    }
  }
}
