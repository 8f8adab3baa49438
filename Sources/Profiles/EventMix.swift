import Publication

/// One event package in a profile's mix: publishers are assigned to packages by weight.
public struct EventMix: Sendable, Equatable {
  public var package: String
  public var weight: Double
  public var contentType: String
  public var body: BodyTemplate
  /// How large its bodies are made; nil: as rendered.
  public var bodySize: BodySize?
  /// How its publishers behave, when the entry says (`expires:`, `refresh:`, `modify:` or
  /// `session:` under it): a class of clients unlike the rest, as a profile learned from a
  /// capture has one per package and requested lifetime. nil: the profile's behaviour.
  public var behaviour: PublisherBehaviour?

  public init(
    package: String, weight: Double = 1, contentType: String? = nil, body: BodyTemplate? = nil,
    bodySize: BodySize? = nil
  ) {
    let defaults = BodyTemplate.defaults(for: package)
    self.package = package
    self.weight = weight
    self.contentType = contentType ?? defaults.contentType
    self.body = body ?? defaults.template
    self.bodySize = bodySize
  }

  /// Publisher `number`'s body at `version`: the template rendered (with the propagation
  /// `marker`, if any), then padded to the size.
  public func body(aor: String, number: Int, version: Int, marker: String? = nil) -> [UInt8] {
    let rendered = body.render(aor: aor, version: version, number: number, marker: marker)
    guard let bodySize else { return rendered }
    return BodySize.pad(rendered, to: bodySize.bytes(publisher: number, version: version))
  }

  /// The package of publisher `index`: a deterministic spread by weight.
  public static func pick(_ mix: [EventMix], index: Int) -> EventMix {
    mix[position(in: mix, index: index)]
  }

  /// Where in the mix publisher `index`'s entry is.
  public static func position(in mix: [EventMix], index: Int) -> Int {
    let total = mix.reduce(0) { $0 + $1.weight }
    guard mix.count > 1, total > 0 else { return 0 }
    let position = Double((index &* 2_654_435_761) % 1_000_003) / 1_000_003 * total
    var sum = 0.0
    for (entry, item) in mix.enumerated() {
      sum += item.weight
      if position < sum { return entry }
    }
    return mix.count - 1
  }
}
