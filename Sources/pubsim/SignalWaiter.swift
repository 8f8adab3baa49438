@preconcurrency import Dispatch
import NIOConcurrencyHelpers

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Waits for SIGINT or SIGTERM, which end a long-running command gracefully (the command then
/// stops, reports and exits 0) instead of killing the process.
enum SignalWaiter {
  /// Suspends until SIGINT or SIGTERM arrives; returns the signal's name.
  static func waitForTermination() async -> String {
    await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
      let pending = NIOLockedValueBox<CheckedContinuation<String, Never>?>(continuation)
      let sources = [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")].map { number, name in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler {
          let waiting = pending.withLockedValue { value in
            defer { value = nil }
            return value
          }
          waiting?.resume(returning: name)
        }
        source.resume()
        return source
      }
      retainedSources.withLockedValue { $0.append(contentsOf: sources) }
    }
  }

  /// Signal sources live for the rest of the process.
  private static let retainedSources = NIOLockedValueBox<[any DispatchSourceSignal]>([])
}
