import Engine
import NIOConcurrencyHelpers

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The live progress line: rewritten in place on a terminal, a plain line every five seconds
/// when the output is a file or a pipe (logs stay readable).
final class ProgressPrinter: Sendable {
  private let isTerminal = isatty(2) != 0
  private let shown = NIOLockedValueBox(false)

  func show(_ progress: LoadProgress) {
    let second = Int(progress.elapsedSeconds.rounded())
    let latency = progress.lastSecond.latency
    let line =
      "[\(pad(String(second), 4))s] \(pad(String(progress.lastSecond.completed), 7))/s  "
      + "in flight \(pad(String(progress.inFlight), 5))  p50 \(milliseconds(latency.micros(atPercentile: 50)))  "
      + "p99 \(milliseconds(latency.micros(atPercentile: 99)))  errors \(progress.errors)  "
      + "publishers \(progress.activePublishers)"
    if isTerminal {
      StandardOutput.error("\r\u{1B}[2K" + line, newline: false)
      shown.withLockedValue { $0 = true }
    } else if second % 5 == 0 {
      StandardOutput.error(line)
    }
  }

  func finish() {
    if shown.withLockedValue({ $0 }) { StandardOutput.error("") }
  }

  private func pad(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
  }

  private func milliseconds(_ micros: UInt64) -> String {
    let value = Double(micros) / 1000
    return value < 10 ? String(format2(value)) + "ms" : String(Int(value.rounded())) + "ms"
  }

  private func format2(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + String(fraction)
  }
}
