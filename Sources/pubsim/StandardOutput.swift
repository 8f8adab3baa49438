#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Lines for people and scripts, written straight to the file descriptor so that a script reading
/// a pipe sees "listening on ..." before it starts sending.
enum StandardOutput {
  /// "1 publisher", "2 publishers".
  static func count(_ number: Int, _ noun: String) -> String {
    "\(number) \(noun)\(number == 1 ? "" : "s")"
  }

  static func line(_ text: String) {
    write(text + "\n", to: 1)
  }

  static func error(_ text: String, newline: Bool = true) {
    write(newline ? text + "\n" : text, to: 2)
  }

  private static func write(_ text: String, to descriptor: Int32) {
    var remaining = Array(text.utf8)[...]
    while !remaining.isEmpty {
      let written = remaining.withUnsafeBytes { bytes in
        #if canImport(Glibc)
          Glibc.write(descriptor, bytes.baseAddress, bytes.count)
        #else
          Darwin.write(descriptor, bytes.baseAddress, bytes.count)
        #endif
      }
      if written <= 0 { return }
      remaining = remaining.dropFirst(written)
    }
  }
}
