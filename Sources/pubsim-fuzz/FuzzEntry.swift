import Foundation

/// libFuzzer's entry: the harness named by `PUBSIM_FUZZ_TARGET` (see ``FuzzTarget``) gets each
/// input. Built with `-sanitize=fuzzer,address -D FUZZING` by `scripts/fuzz.sh`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  FuzzEntry.target.run(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
  return 0
}

enum FuzzEntry {
  static let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["PUBSIM_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
      let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
      FileHandle.standardError.write(Data("PUBSIM_FUZZ_TARGET must be one of: \(names)\n".utf8))
      exit(64)
    }
    return target
  }()
}

#if FUZZING
  /// libFuzzer's driver, from its runtime (linked by `-sanitize=fuzzer`).
  @_silgen_name("LLVMFuzzerRunDriver")
  func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
  ) -> Int32

  /// SwiftPM points an executable's `main` at `<module>_main`; here that hands over to libFuzzer.
  @_cdecl("pubsim_fuzz_main")
  public func fuzzMain(
    _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
  ) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzzTestOneInput(data, size) }
  }
#else
  /// Without libFuzzer: `pubsim-fuzz TARGET FILE...` runs each file through a harness once (the
  /// regression tests replay the corpora and every crash found this way).
  @main
  struct FuzzReplay {
    static func main() {
      let arguments = CommandLine.arguments.dropFirst()
      guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
        FileHandle.standardError.write(Data("usage: pubsim-fuzz \(names) FILE...\n".utf8))
        exit(64)
      }
      var count = 0
      for path in arguments.dropFirst() {
        guard let data = FileManager.default.contents(atPath: path) else {
          FileHandle.standardError.write(Data("pubsim-fuzz: cannot read \(path)\n".utf8))
          exit(66)
        }
        data.withUnsafeBytes { target.run($0) }
        count += 1
      }
      print("\(target.rawValue): \(count) inputs run")
    }
  }
#endif
