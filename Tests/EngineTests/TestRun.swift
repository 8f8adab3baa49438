import Engine
import Profiles
import Publication
import Simulation
import Transport

/// A simulated run as a test states it: the engine's plan and the population in one call.
struct TestRun {
  var plan: LoadPlan
  var simulation: SimulationPlan

  init(
    target: SIPEndpoint, duration: UInt64, population: Int,
    identities: IdentitySource = .pattern("user{n}", start: 1),
    behaviour: PublisherBehaviour = PublisherBehaviour(), arrival: Double? = nil, rateCap: Double? = nil,
    connections: Int = 4, cleanup: Bool = false, shards: Int = 2, drainTimeout: UInt64 = 32_000_000_000,
    transactionTimers: ClientTransaction.Timers = .standard
  ) {
    plan = LoadPlan(
      target: target, duration: duration, rateCap: rateCap, connections: connections, cleanup: cleanup,
      shards: shards, drainTimeout: drainTimeout, transactionTimers: transactionTimers)
    simulation = SimulationPlan(
      target: target, population: population, identities: identities, behaviour: behaviour,
      arrival: arrival.map(ArrivalProcess.constant))
  }
}
