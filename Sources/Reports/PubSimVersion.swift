/// pubsim's version: what `pubsim --version` prints and run.json records (`pubsimVersion`), so
/// that a result can be traced to the build that measured it. SwiftPM gives a package no version
/// of its own; this is the one place it is set.
public enum PubSimVersion {
  public static let current = "0.5.0"
}
