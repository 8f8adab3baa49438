import Publication
import Testing

@testable import Profiles

/// The profile forms a learned profile writes: publisher classes under `events:`, Expires
/// choices, learned refresh points, first modifications, and arrivals within a time.
@Suite("Reading learned profiles")
struct LearnedProfileSyntaxTests {
  static func read(_ yaml: String) throws(ProfileError) -> Profile {
    try ProfileReaderTests.read(yaml)
  }

  @Test func eventEntriesCarryTheirOwnBehaviourOverTheProfiles() throws {
    let profile = try Self.read(
      """
      modify: {meanInterval: 30s}
      events:
        - package: presence
          expires: 60
          refresh: {first: {empirical: [0.001, 0.002]}, at: {empirical: [0.5, 0.9]}}
          modify: {first: {fixed: 300ms}}
          session: {online: {empirical: [1s, 2s, 30s]}}
        - package: dialog
      """)
    let own = try #require(profile.events[0].behaviour)
    #expect(own.requestedExpires == 60)
    #expect(own.firstRefreshPoints?.values == [0.001, 0.002])
    #expect(own.refreshPoints?.values == [0.5, 0.9])
    #expect(own.firstModifyInterval == .fixed(300_000_000))
    // `first:` alone: one modification a session, whatever the profile says for the rest.
    #expect(own.modifyInterval == nil)
    #expect(own.sessionLength == .empirical([1_000_000_000, 2_000_000_000, 30_000_000_000]))
    #expect(profile.events[1].behaviour == nil)
    #expect(profile.behaviour.modifyMeanInterval == 30_000_000_000)
  }

  @Test func expiresMayBeAChoice() throws {
    let profile = try Self.read(
      "expires: {choice: {3600: 3, 600: 1}}\nmodify: {interval: {uniform: [1s, 3s]}}\n")
    let mix = try #require(profile.behaviour.expiresMix)
    #expect(mix.shares.map(\.value) == [3600, 600])
    #expect(mix.shares.map(\.share) == [0.75, 0.25])
    #expect(profile.behaviour.requestedExpires == 3600)
    #expect(profile.behaviour.modifyInterval == .uniform(1_000_000_000, 3_000_000_000))
  }

  @Test func arrivalsWithinATimeFollowThePopulation() throws {
    let profile = try Self.read("population: {size: 100}\narrival: {within: 4s, process: poisson}\n")
    #expect(profile.arrivalWindow == 4_000_000_000)
    #expect(profile.arrival?.finalRate == 25)
    #expect(profile.arrival(forPopulation: 1_000)?.finalRate == 250)
    #expect(profile.arrival(forPopulation: 1_000)?.spacing == .poisson(seed: nil))
  }

  @Test func aQuotedValueEndingInABackslashClosesWhereYAMLSaysSo() throws {
    // The shape check before parsing once took `\\"` for an escaped quote and read on into the
    // next value, where brackets in a body looked like flows nested too deep.
    let profile = try Self.read(
      """
      name: "ends in a backslash \\\\"
      events:
        - package: presence
          body: "[[[[[[[[[[{{{{{ {note}"
        - package: 'it''s [[[[[[[[[[[['
      """)
    #expect(profile.name == "ends in a backslash \\")
    #expect(profile.events[1].package == "it's [[[[[[[[[[[[")
  }

  @Test func aClassesOwnSinglePointReplacesInheritedLearnedOnes() throws {
    let profile = try Self.read(
      """
      refresh: {first: {empirical: [0.1, 0.2]}, at: {empirical: [0.5, 0.9]}}
      modify: {first: 1s, interval: 5s}
      events:
        - package: presence
          refresh: {at: 0.7}
          modify: {meanInterval: 10s}
      """)
    let own = try #require(profile.events[0].behaviour)
    #expect(own.refreshPoints == nil && own.firstRefreshPoints == nil)
    #expect(own.refreshFraction == 0.7)
    #expect(own.firstModifyInterval == nil)
    #expect(own.modifyMeanInterval == 10_000_000_000)
    #expect(profile.behaviour.firstRefreshPoints != nil)
  }

  @Test(arguments: [
    (
      "refresh: {at: {empirical: [0.5, 0.2]}}\n",
      "test.yaml:1:27: empirical needs at least two rising fractions"
    ),
    ("refresh: {at: {empirical: [0.5, 0.9]}, jitter: 0.1}\n", "jitter applies to a single fraction only"),
    ("expires: {choice: {60: 0}}\n", "the choice's weights add up to 0"),
    ("expires: {choice: {sixty: 1}}\n", "expected a whole number"),
    ("arrival: {within: 4s, rate: 5/s}\n", "give either within, rate or a ramp, not two"),
    ("modify: {meanInterval: 5s, interval: 5s}\n", "give either meanInterval or interval, not both"),
    ("events:\n  - package: presence\n    expire: 60\n", "unknown key 'expire' in event"),
  ])
  func mistakesAreNamed(yaml: String, message: String) {
    do {
      _ = try Self.read(yaml)
      Issue.record("accepted: \(yaml)")
    } catch {
      #expect(error.description.contains(message), "\(error.description)")
    }
  }
}
