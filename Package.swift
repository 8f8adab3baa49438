// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "pubsim",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "pubsim", targets: ["pubsim"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
  ],
  targets: [
    // Message model, parser, serializer and stream framing. No I/O.
    .target(
      name: "SIPCore",
      dependencies: [.product(name: "NIOCore", package: "swift-nio")]
    ),
    // RFC 3903 rules shared by publishers and the compositor.
    .target(
      name: "Publication",
      dependencies: ["SIPCore"]
    ),
    // SwiftNIO channels and SIP codecs.
    .target(
      name: "Transport",
      dependencies: [
        "SIPCore",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
      ]
    ),
    // The embedded Event State Compositor.
    .target(
      name: "Compositor",
      dependencies: [
        "SIPCore", "Publication", "Transport",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
      ]
    ),
    .executableTarget(
      name: "pubsim",
      dependencies: [
        "SIPCore", "Publication", "Compositor", "Transport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
      ]
    ),
    .testTarget(name: "SIPCoreTests", dependencies: ["SIPCore"]),
    .testTarget(name: "PublicationTests", dependencies: ["Publication", "SIPCore"]),
    .testTarget(name: "TransportTests", dependencies: ["Transport", "SIPCore"]),
    .testTarget(
      name: "CompositorTests",
      dependencies: [
        "Compositor", "Publication", "SIPCore", "Transport",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOEmbedded", package: "swift-nio"),
      ]
    ),
    .testTarget(
      name: "InteropTests",
      dependencies: ["pubsim", "SIPCore"],
      exclude: ["Scenarios"]
    ),
  ]
)
