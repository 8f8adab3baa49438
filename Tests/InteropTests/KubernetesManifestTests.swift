import Foundation
import Testing

/// deploy/kubernetes as far as a machine without a cluster can check it: every object against
/// Kubernetes' API schemas (strict), the kustomizations built, and the Jobs consistent with each
/// other (scripts/check-kubernetes.py).
@Suite("Kubernetes manifests", .enabled(if: KubernetesValidator.available))
struct KubernetesManifestTests {
  @Test func manifestsAreValidAndConsistent() throws {
    let result = try runProgram(
      "/usr/bin/env",
      [
        "python3", Interop.repository + "/scripts/check-kubernetes.py",
        Interop.repository + "/deploy/kubernetes",
      ], timeout: 120)
    #expect(result.status == 0, "\(result.output)\(result.errors)")
    #expect(result.output.contains("objects valid against Kubernetes"), "\(result.output)")
  }
}

/// kubernetes-validate (PyPI), which scripts/install-peers.sh installs. On CI a missing one is
/// a failure, not a skip.
enum KubernetesValidator {
  static let available =
    ProcessInfo.processInfo.environment["CI"] != nil
    || (try? runProgram("/usr/bin/env", ["python3", "-c", "import kubernetes_validate"], timeout: 30).status)
      == 0
}
