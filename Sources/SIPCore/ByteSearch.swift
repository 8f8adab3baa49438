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
}
