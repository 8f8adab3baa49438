import Publication

/// A population model fitted to a capture (``ProfileLearner``): every value a profile needs, and
/// the figures behind each, which the written profile states in its comments.
public struct LearnedProfile: Sendable {
  /// A class of publishers: one event package and one requested lifetime, which is how client
  /// types tell apart in a capture; each class has its own refresh, modify and session habits.
  public struct PublisherClass: Sendable {
    public var package: String
    /// The Expires its initials ask for (nil: none asked, the server's default).
    public var expires: UInt32?
    /// What the recorded server granted them: value, count, most granted first.
    public var granted: [(value: UInt32, count: Int)]
    public var publishers: Int
    public var contentType: String?
    /// The most common body's template (nil: no bodies recorded).
    public var template: String?
    /// Bodies recorded, how many shared the template's form, and their sizes in bytes.
    public var bodies: Int
    public var bodiesOfTemplate: Int
    public var sizes: (low: Int, median: Int, high: Int)?
    /// The refresh point in the granted lifetime after an initial and after later requests.
    public var firstRefresh: FittedDistribution?
    public var laterRefresh: FittedDistribution?
    public var refreshChances: (first: Int, later: Int)
    /// Seconds from coming online to the first modification, and between later ones.
    public var firstModify: FittedDistribution?
    public var laterModify: FittedDistribution?
    /// Seconds online in all.
    public var exposure: Double
    /// Seconds online until remove, and offline before returning.
    public var online: FittedDistribution?
    public var offline: FittedDistribution?
    public var removes: Int
    public var returns: Int
  }

  public var name: String
  public var captures: [String]
  public var transactions: Int
  public var span: UInt64
  public var duration: UInt64
  public var publishers: Int
  public var addresses: Int
  /// Publishers whose first request in the capture was no initial (already publishing).
  public var startedBefore: Int
  public var identity: String
  public var identityStart: Int
  public var domain: String?
  public var classes: [PublisherClass]
  public var transport: String
  /// The whole population arrives within this time (nanoseconds), Poisson or evenly.
  public var arrivalWithin: UInt64
  public var arrivalPoisson: Bool
  public var arrivalVariation: Double?
  /// Refusals and other failures the recorded server answered: kind, count.
  public var failures: [(kind: String, count: Int)]
  public var unanswered: Int
}
