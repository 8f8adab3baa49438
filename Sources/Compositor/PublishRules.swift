import Publication
import SIPCore

/// The Event State Compositor's decision for a PUBLISH, as a pure function of the request, the
/// store and the time (RFC 3903 §6), checked in this order:
///
/// 1. unknown event package: 489 with Allow-Events;
/// 2. SIP-If-Match that matches no live publication of that resource and event: 412;
/// 3. neither body nor SIP-If-Match: 400;
/// 4. non-zero Expires below the minimum: 423 with Min-Expires;
/// 5. body of a media type the package does not take: 415 with Accept;
/// 6. Expires 0: remove, 200;
/// 7. otherwise store under a fresh entity-tag: 200 with SIP-ETag and the granted Expires.
public struct PublishRules: Sendable {
  public var policy: CompositorPolicy

  public init(policy: CompositorPolicy) {
    self.policy = policy
  }

  public func respond(
    to request: PublishRequest, store: inout PublicationStore, tags: inout EntityTagGenerator, now: UInt64
  ) -> CompositorDecision {
    guard let package = policy.package(named: request.event), let event = request.event else {
      return CompositorDecision(489, headers: [SIPHeaderField(.allowEvents, policy.allowEventsValue)])
    }
    var existing: StoredPublication?
    if let tag = request.ifMatch {
      existing = store.live(tag: tag, resource: request.resource, event: event, now: now)
      if existing == nil { return CompositorDecision(412) }
    }
    guard let operation = request.operation else {
      return CompositorDecision(400, reason: "Missing Body or SIP-If-Match")
    }
    let requested = request.expires ?? policy.defaultExpires
    if requested > 0 && requested < policy.minExpires {
      return CompositorDecision(423, headers: [SIPHeaderField(.minExpires, String(policy.minExpires))])
    }
    if !request.body.isEmpty && !package.accepts(contentType: request.contentType) {
      let accept = package.contentTypes.joined(separator: ", ")
      return CompositorDecision(415, headers: [SIPHeaderField(.accept, accept)])
    }
    let newTag = tags.next()
    if requested == 0 {
      if let existing { store.remove(tag: existing.entityTag) }
      return success(tag: newTag, expires: 0, operation: operation)
    }
    let granted = min(requested, policy.maxExpires)
    var publication =
      existing
      ?? StoredPublication(
        entityTag: newTag, resource: request.resource, event: event, contentType: request.contentType,
        body: request.body, expiresAt: 0)
    publication.entityTag = newTag
    publication.expiresAt = now + UInt64(granted) * 1_000_000_000
    if !request.body.isEmpty {
      publication.body = request.body
      publication.contentType = request.contentType
      publication.changedAt = now
    }
    store.store(publication, replacing: existing?.entityTag)
    return success(tag: newTag, expires: granted, operation: operation)
  }

  private func success(tag: String, expires: UInt32, operation: PublishOperation) -> CompositorDecision {
    CompositorDecision(
      200, headers: [SIPHeaderField(.sipETag, tag), SIPHeaderField(.expires, String(expires))],
      operation: operation)
  }
}
