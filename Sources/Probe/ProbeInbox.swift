import NIOConcurrencyHelpers
import SIPCore

/// Responses read from the server, kept by the branch of their top Via until a check asks for
/// them. A check waits for the next response of a branch with a deadline; whichever comes first
/// (the response or the deadline) resumes it, once.
final class ProbeInbox: Sendable {
  private struct Waiter {
    var id: UInt64
    var continuation: CheckedContinuation<SIPMessage?, Never>
  }

  private struct State {
    var arrived: [String: [SIPMessage]] = [:]
    var waiters: [String: Waiter] = [:]
    var nextID: UInt64 = 0
    var closures: UInt64 = 0
    /// Responses kept at most (a server answering garbage branches cannot fill memory).
    static let limit = 10_000
    var kept = 0
  }

  private let state = NIOLockedValueBox(State())

  /// A response arrived: to its waiter (by branch, or by Call-ID for a request sent with a Via
  /// broken on purpose), or kept for later.
  func deliver(_ message: SIPMessage) {
    let branch = message.topViaBranch.flatMap { $0.isEmpty ? nil : $0 }
    let call = message.headers[.callID].map(Self.callKey)
    guard let key = branch ?? call else { return }
    let waiter: Waiter? = state.withLockedValue { state in
      if let waiter = state.waiters.removeValue(forKey: key) { return waiter }
      if let call, let waiter = state.waiters.removeValue(forKey: call) { return waiter }
      guard state.kept < State.limit else { return nil }
      state.kept += 1
      state.arrived[key, default: []].append(message)
      return nil
    }
    waiter?.continuation.resume(returning: message)
  }

  /// The key a response is matched by when its branch cannot be: its Call-ID.
  static func callKey(_ callID: String) -> String { "call-id:" + callID }

  /// The next response for `branch` (or a ``callKey(_:)``), or nil when none comes within `timeout`.
  func next(branch: String, timeout: Duration) async -> SIPMessage? {
    await withCheckedContinuation { continuation in
      let id: UInt64? = state.withLockedValue { state in
        if var queue = state.arrived[branch], !queue.isEmpty {
          let message = queue.removeFirst()
          state.arrived[branch] = queue.isEmpty ? nil : queue
          state.kept -= 1
          continuation.resume(returning: message)
          return nil
        }
        state.nextID += 1
        state.waiters[branch] = Waiter(id: state.nextID, continuation: continuation)
        return state.nextID
      }
      guard let id else { return }
      Task {
        try? await Task.sleep(for: timeout)
        self.expire(branch: branch, id: id)
      }
    }
  }

  /// The connection closed: whoever waits gets nil now rather than at the deadline.
  func connectionClosed() {
    let waiters = state.withLockedValue { state -> [Waiter] in
      state.closures += 1
      defer { state.waiters.removeAll() }
      return Array(state.waiters.values)
    }
    for waiter in waiters { waiter.continuation.resume(returning: nil) }
  }

  /// How many times the connection has closed (a request compares it before and after).
  var closures: UInt64 { state.withLockedValue { $0.closures } }

  /// Forgets what arrived for a branch (before resending a request to compare the answers).
  func drop(branch: String) {
    state.withLockedValue { state in
      state.kept -= state.arrived.removeValue(forKey: branch)?.count ?? 0
    }
  }

  private func expire(branch: String, id: UInt64) {
    let waiter: Waiter? = state.withLockedValue { state in
      guard state.waiters[branch]?.id == id else { return nil }
      return state.waiters.removeValue(forKey: branch)
    }
    waiter?.continuation.resume(returning: nil)
  }
}
