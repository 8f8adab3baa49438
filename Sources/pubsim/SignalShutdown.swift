import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Long-running commands run as a swift-service-lifecycle service group: SIGINT and SIGTERM
/// start a graceful shutdown (the command stops its work, reports and exits 0) instead of
/// killing the process, and the group's own diagnostics go to the command's logger.
enum SignalShutdown {
  /// Runs `work` to its end. On the first SIGINT or SIGTERM, `onSignal` is called (the work is
  /// then expected to wind down and return); further signals change nothing.
  static func run<Value: Sendable>(
    logger: Logger, onSignal: @escaping @Sendable () -> Void,
    _ work: @escaping @Sendable () async throws -> Value
  ) async throws -> Value {
    let outcome = NIOLockedValueBox<Result<Value, any Error>?>(nil)
    // The service itself never throws: the work's error is handed back as it was, not wrapped by
    // the group.
    let service = ClosureService {
      let result = await withGracefulShutdownHandler {
        do {
          return Result<Value, any Error>.success(try await work())
        } catch {
          return .failure(error)
        }
      } onGracefulShutdown: {
        onSignal()
      }
      outcome.withLockedValue { $0 = result }
    }
    let group = ServiceGroup(
      configuration: ServiceGroupConfiguration(
        services: [
          .init(
            service: service, successTerminationBehavior: .gracefullyShutdownGroup,
            failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: logger.label)
        ],
        gracefulShutdownSignals: [.sigint, .sigterm], cancellationSignals: [], logger: logger))
    try await group.run()
    guard let result = outcome.withLockedValue({ $0 }) else { throw CancellationError() }
    return try result.get()
  }

  /// Runs `ready` once the signal handlers are in place (a server announcing it listens, so that a
  /// signal sent as soon as that is seen stops it gracefully instead of killing it), waits for
  /// SIGINT or SIGTERM, then runs `onSignal` (a server's stop and summary).
  static func serveUntilSignal<Value: Sendable>(
    logger: Logger, ready: @escaping @Sendable () -> Void,
    then onSignal: @escaping @Sendable () async throws -> Value
  ) async throws -> Value {
    try await run(logger: logger, onSignal: {}) {
      ready()
      try? await gracefulShutdown()
      return try await onSignal()
    }
  }
}
