import ArgumentParser

/// A size on the command line: `500000`, `100k`/`100KB` (thousands), `100KiB` (1 024s), `M`,
/// `MB`, `MiB`, `G`, `GB`, `GiB`, any case.
struct ByteSize: Equatable {
  var bytes: Int
  /// As written, for messages.
  var text: String

  init(_ text: String) throws {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
    let unit = trimmed.dropFirst(digits.count).lowercased()
    let multipliers: [String: Int] = [
      "": 1, "b": 1, "k": 1_000, "kb": 1_000, "kib": 1 << 10, "m": 1_000_000, "mb": 1_000_000,
      "mib": 1 << 20, "g": 1_000_000_000, "gb": 1_000_000_000, "gib": 1 << 30,
    ]
    guard let number = Int(digits), let multiplier = multipliers[unit] else {
      throw ValidationError("expected a size such as 500MB, 2GiB or 100000, got '\(text)'")
    }
    let (bytes, overflow) = number.multipliedReportingOverflow(by: multiplier)
    guard !overflow, bytes <= 1 << 50 else { throw ValidationError("'\(text)' is beyond a petabyte") }
    self.bytes = bytes
    self.text = text
  }
}
