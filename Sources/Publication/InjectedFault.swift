/// A deliberately wrong request a publisher sends now and then (a profile's `faults:`), to see
/// that a compositor refuses it as RFC 3903 prescribes and that the publisher recovers as from a
/// real failure. Each kind breaks one thing, in the request the publisher was about to send.
public enum InjectedFault: String, Sendable, CaseIterable, Codable {
  /// A refresh or modify with an entity-tag the server never issued (or no longer holds): 412.
  case staleEntityTag
  /// An Expires below any sane minimum (1 s): 423 with Min-Expires.
  case shortExpires
  /// An Event package no compositor knows: 489.
  case unknownEvent
  /// An initial publication without a body (so without SIP-If-Match either): 400.
  case missingBody
  /// A body of a media type the package does not take: 415.
  case unsupportedContentType

  /// The answer RFC 3903 §6 prescribes.
  public var prescribedStatus: Int {
    switch self {
    case .staleEntityTag: 412
    case .shortExpires: 423
    case .unknownEvent: 489
    case .missingBody: 400
    case .unsupportedContentType: 415
    }
  }

  /// Whether the fault can be put into a request of this operation.
  public func applies(to operation: PublishOperation) -> Bool {
    switch self {
    case .staleEntityTag: operation == .refresh || operation == .modify
    case .shortExpires: operation != .remove
    case .unknownEvent: true
    case .missingBody: operation == .initial
    case .unsupportedContentType: operation == .initial || operation == .modify
    }
  }
}

/// How often each fault is injected: a fraction of the requests it applies to.
public struct FaultMix: Sendable, Equatable {
  public var fractions: [InjectedFault: Double]

  public init(_ fractions: [InjectedFault: Double] = [:]) {
    self.fractions = fractions.filter { $0.value > 0 }
  }

  public var isEmpty: Bool { fractions.isEmpty }

  /// The fault to put into a request of `operation`, if one is drawn: one uniform draw, the
  /// kinds that apply taking consecutive shares of it (so they never add up to more than one).
  public func pick(for operation: PublishOperation, using random: inout some RandomNumberGenerator)
    -> InjectedFault?
  {
    guard !fractions.isEmpty else { return nil }
    let draw = Double.random(in: 0..<1, using: &random)
    var upTo = 0.0
    for fault in InjectedFault.allCases where fault.applies(to: operation) {
      upTo += fractions[fault] ?? 0
      if draw < upTo { return fault }
    }
    return nil
  }
}
