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
    .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
  ] + benchmarkPackages,
  targets: [
    // 1. SIP message model, parser, serializer, stream framing, hosts written the SIP way. No I/O.
    .target(
      name: "SIPCore",
      dependencies: [
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "Crypto", package: "swift-crypto"),
      ]
    ),
    // 2. RFC 3903 rules shared by publishers and the compositor: operations, state machine, store.
    .target(
      name: "Publication",
      dependencies: ["SIPCore"]
    ),
    // 3. libpcap, the system library captures are read with.
    .systemLibrary(
      name: "CPcap",
      path: "Sources/CPcap",
      pkgConfig: "libpcap",
      providers: [.apt(["libpcap-dev"])]
    ),
    // 4. Captures: link layers, IP and TCP reassembly, SIP by content, the PUBLISH picture.
    .target(
      name: "Capture",
      dependencies: ["CPcap", "SIPCore", "Publication", "Trace"]
    ),
    // 5. Trace files: the recorded PUBLISH transactions extract writes and replay reads.
    .target(name: "Trace", dependencies: ["Publication"]),
    // 6. Profiles (YAML) and what they describe: identities, event mixes, bodies, behaviour.
    .target(
      name: "Profiles",
      dependencies: ["Publication", "SIPCore", .product(name: "Yams", package: "Yams")]
    ),
    // 6a. Learning a profile from a capture: publishers' lives, censored waiting times, fitted
    //     distributions, body templates, and the fit check's scale-free figures.
    .target(name: "Learning", dependencies: ["Publication", "SIPCore", "Trace"]),
    // 7. sendmmsg/recvmmsg with kernel receive timestamps (needs _GNU_SOURCE, so a C target).
    .target(name: "CDatagram"),
    // 8. The system resolver's DNS query (res_nquery) for SRV and NAPTR, which Glibc does not expose.
    .target(name: "CResolv", linkerSettings: [.linkedLibrary("resolv")]),
    // 9. Sockets and codecs: targets located by name (RFC 3263), source addresses, client
    //    transactions, the tick-read UDP socket, TLS.
    .target(
      name: "Transport",
      dependencies: [
        "SIPCore", "CDatagram", "CResolv",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "NIOTLS", package: "swift-nio"),
      ]
    ),
    // zlib, which HdrHistogram's log format compresses each histogram with.
    .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
    // 10. Latency histograms, counters and the per-second time series of a run.
    .target(
      name: "Measurements",
      dependencies: [
        "Publication", "CZlib",
        .product(name: "Histogram", package: "hdrhistogram-swift"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
      ]
    ),
    // 11. The scheduler: share-nothing shards driving a workload's publishers against a target; it
    //     knows only the Workload protocol.
    .target(
      name: "Engine",
      dependencies: [
        "SIPCore", "Publication", "Transport", "Measurements",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "HeapModule", package: "swift-collections"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    // 12. A profile's population as a workload: arrivals, stages, identities, bodies.
    .target(
      name: "Simulation",
      dependencies: [
        "Engine", "Profiles", "Publication", "Transport",
        .product(name: "DequeModule", package: "swift-collections"),
      ]
    ),
    // 13. A recorded trace as a workload: steps, live publishers, entity-tag mapping, fidelity.
    .target(
      name: "Replay",
      dependencies: [
        "Engine", "Trace", "Publication", "Profiles", "Measurements",
        .product(name: "HeapModule", package: "swift-collections"),
      ]
    ),
    // 14. run.json, timeseries.csv, report.html, thresholds and comparisons.
    .target(
      name: "Reports",
      dependencies: ["Measurements", "Publication", "SIPCore"]
    ),
    // 15. The embedded Event State Compositor (the default target, and the reference).
    .target(
      name: "Compositor",
      dependencies: [
        "SIPCore", "Publication", "Transport",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    // 16. The conformance probe: scripted exchanges that hold a compositor to RFC 3903.
    .target(
      name: "Probe",
      dependencies: [
        "SIPCore", "Transport", "Profiles", "Reports",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
      ]
    ),
    // 17. The command line: one file per subcommand.
    .executableTarget(
      name: "pubsim",
      dependencies: [
        "SIPCore", "Publication", "Compositor", "Transport", "Engine", "Measurements", "Profiles",
        "Simulation", "Reports", "Capture", "Trace", "Replay", "Probe", "Learning",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ]
    ),
    // 18. libFuzzer harnesses for every parser of untrusted input (scripts/fuzz.sh); built plainly
    //     it replays inputs instead: `pubsim-fuzz TARGET FILE...`.
    .executableTarget(
      name: "pubsim-fuzz",
      dependencies: [
        "SIPCore", "Capture", "Compositor", "Engine", "Learning", "Profiles", "Trace", "Transport",
      ]
    ),
    .testTarget(name: "SIPCoreTests", dependencies: ["SIPCore"]),
    .testTarget(name: "PublicationTests", dependencies: ["Publication", "SIPCore"]),
    .testTarget(name: "TransportTests", dependencies: ["Transport", "SIPCore"]),
    .testTarget(name: "ProfilesTests", dependencies: ["Profiles", "Publication"]),
    .testTarget(
      name: "LearningTests", dependencies: ["Learning", "Profiles", "Publication", "SIPCore", "Trace"]),
    .testTarget(name: "MeasurementsTests", dependencies: ["Measurements", "Publication"]),
    .testTarget(
      name: "SimulationTests", dependencies: ["Simulation", "Engine", "Profiles", "Publication", "Transport"]),
    .testTarget(name: "ReplayTests", dependencies: ["Replay", "Trace", "Publication", "Engine"]),
    .testTarget(name: "CaptureTests", dependencies: ["Capture", "CPcap", "SIPCore", "Publication", "Trace"]),
    .testTarget(name: "ReportsTests", dependencies: ["Reports", "Measurements", "Publication"]),
    .testTarget(name: "ProbeTests", dependencies: ["Probe", "Reports", "SIPCore"]),
    .testTarget(
      name: "EngineTests",
      dependencies: [
        "Engine", "Compositor", "Measurements", "Publication", "Transport", "SIPCore", "Profiles",
        "Simulation", "Replay", "Trace",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
      ]
    ),
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
      dependencies: ["pubsim", "pubsim-fuzz", "SIPCore"],
      exclude: ["Scenarios", "Profiles"]
    ),
  ] + benchmarkTargets
)

// Micro-benchmarks of the hot paths (Benchmarks/), with allocation counts: `swift package
// benchmark` (README, Benchmarks). Left out of the fuzzing build (scripts/fuzz.sh sets
// PUBSIM_FUZZ_BUILD), whose sanitizer flags would also reach the benchmark plugin's own tools.
var benchmarkPackages: [Package.Dependency] {
  guard Context.environment["PUBSIM_FUZZ_BUILD"] == nil else { return [] }
  return [
    .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"])
  ]
}

var benchmarkTargets: [Target] {
  guard Context.environment["PUBSIM_FUZZ_BUILD"] == nil else { return [] }
  return [
    .executableTarget(
      name: "Hotpaths",
      dependencies: [
        "Engine", "SIPCore", "Measurements", "Publication", "Profiles", "Transport", "CDatagram",
        .product(name: "Benchmark", package: "benchmark"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOEmbedded", package: "swift-nio"),
      ],
      path: "Benchmarks/Hotpaths",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
  ]
}

// Release builds of the modules on the per-message path leave out Swift's run-time exclusivity
// checks: every change to a shard's or a socket's stored properties called into the runtime
// (swift_beginAccess and a thread-local lookup), about 7 % of a load run's CPU under `perf`.
// Debug builds, which the tests run, keep the checks.
let perMessageModules: Set<String> = [
  "SIPCore", "Publication", "Capture", "Transport", "Measurements", "Engine", "Simulation", "Replay",
  "Compositor",
]
for target in package.targets where perMessageModules.contains(target.name) {
  target.swiftSettings =
    (target.swiftSettings ?? []) + [
      .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
    ]
}
