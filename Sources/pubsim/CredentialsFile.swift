import Foundation
import Profiles

/// `--credentials FILE` of replay and probe: a CSV of user,password[,domain], read into
/// user → password (the first line for a user wins).
enum CredentialsFile {
  static func load(_ path: String?) throws -> [String: String] {
    guard let path else { return [:] }
    let text: String
    do {
      text = try String(contentsOf: URL(fileURLWithPath: path), encoding: .utf8)
    } catch {
      throw CommandError.input("cannot read credentials \(path): \((error as NSError).localizedDescription)")
    }
    do {
      let identities = try IdentitySource.parseCSV(text, file: path)
      return Dictionary(identities.compactMap { id in id.password.map { (id.user, $0) } }) { first, _ in first
      }
    } catch {
      throw CommandError.input(error.description)
    }
  }
}
