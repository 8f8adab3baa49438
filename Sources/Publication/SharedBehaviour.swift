/// One ``PublisherBehaviour`` held by reference, so that the publishers of a profile share it:
/// a million state machines then carry a pointer each, not a 96-byte copy.
public final class SharedBehaviour: Sendable {
  public let value: PublisherBehaviour

  public init(_ value: PublisherBehaviour) {
    self.value = value
  }
}
