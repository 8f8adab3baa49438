import NIOCore
import NIOPosix

/// The sockets a `--listen` URI stands for. An IP address is itself. A name is each of its A and
/// AAAA addresses. A UDP wildcard (`0.0.0.0`, `::`) is every address of that family on this
/// machine's interfaces, each its own socket, because a reply sent from a wildcard socket leaves
/// from whichever address the route picks, and a client drops answers from an address it did
/// not send to; binding each address makes every answer leave from the address its request
/// came to (as Kamailio does). TCP and TLS keep the wildcard: a connection answers from its own
/// address. Addresses added to the machine later are not served over UDP.
public enum ListenAddresses {
  /// The endpoints for `target`; `interfaces` are this machine's addresses (``machineAddresses()``).
  public static func expand(_ target: SIPTarget, interfaces: [String], lookup: any NameLookup)
    throws(ResolutionError)
    -> [SIPEndpoint]
  {
    let port = target.port ?? target.defaultPort
    let hosts: [String]
    if target.isIPLiteral {
      let wildcard = target.host == "0.0.0.0" || IPLiteral.canonicalIPv6(target.host) == "::"
      if wildcard && target.transport == .udp {
        let isIPv6 = IPLiteral.isIPv6(target.host)
        hosts = interfaces.filter { IPLiteral.isIPv6($0) == isIPv6 }
      } else {
        hosts = [target.host]
      }
    } else if target.host == "localhost" {
      hosts = ["127.0.0.1"]
    } else {
      hosts = try lookup.addresses(of: target.host)
      guard !hosts.isEmpty else {
        throw ResolutionError(name: target.host, reason: "does not resolve (no A or AAAA record)")
      }
    }
    return hosts.map {
      SIPEndpoint(
        transport: target.transport, host: $0, port: port, name: target.isIPLiteral ? nil : target.host)
    }
  }

  /// Every IPv4 and IPv6 address of this machine's interfaces, link-local IPv6 left out (it
  /// needs a zone a URI cannot carry).
  public static func machineAddresses() -> [String] {
    let devices = (try? System.enumerateDevices()) ?? []
    var found: [String] = []
    for device in devices {
      guard let address = device.address?.ipAddress, !address.lowercased().hasPrefix("fe80:"),
        !found.contains(address)
      else { continue }
      found.append(address)
    }
    return found
  }
}
