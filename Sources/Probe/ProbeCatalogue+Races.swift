import Reports

/// Races: what a compositor does when requests for one publication or one resource arrive
/// together (kamailio #4565 reports duplicate entries for one entity-tag under load; OpenSIPS
/// #2249 bodies merged wrongly when PUBLISHes arrive milliseconds apart).
extension ProbeCatalogue {
  static var raceChecks: [ProbeCheck] { [raceModify, parallelInitials] }

  static let raceModify = ProbeCheck(
    id: "race-modify", rfc: "3903 §6",
    expected: "two modifies with one entity-tag back to back: one 2xx and one 412; the winner's tag refreshes"
  ) { context in
    await afterInitial(context, "race") { aor, tag in
      async let one = context.exchange(context.conditional(aor, tag: tag, version: 1))
      async let two = context.exchange(context.conditional(aor, tag: tag, version: 2))
      let (first, second) = await (one, two)
      let winners = [first, second].filter(\.isSuccess)
      let losers = [first, second].filter { $0.status == 412 }
      let observed = "\(first.text); \(second.text)"
      guard winners.count == 1, losers.count == 1, let winner = winners[0].entityTag else {
        for answer in winners { await context.cleanUp(aor, tag: answer.entityTag) }
        return .init(.fail, observed: observed, sent: "modify ×2 with \(tag), not waiting")
      }
      let refresh = await context.exchange(context.conditional(aor, tag: winner))
      await context.cleanUp(aor, tag: refresh.entityTag ?? winner)
      return .init(
        refresh.isSuccess ? .pass : .fail,
        observed: observed + "; refresh with the winner's: \(refresh.text)",
        sent: "modify ×2 with \(tag), not waiting")
    }
  }

  static let parallelInitials = ProbeCheck(
    id: "parallel-initials", rfc: "3903 §4.1, §6",
    expected: "5 publishers' initials for one resource at once: 5 × 2xx, 5 different entity-tags"
  ) { context in
    let aor = context.aor("parallel")
    let answers = await withTaskGroup(of: ProbeAnswer.self) { group in
      for _ in 0..<5 { group.addTask { await context.exchange(context.initial(aor)) } }
      return await group.reduce(into: [ProbeAnswer]()) { $0.append($1) }
    }
    let tags = answers.compactMap(\.entityTag)
    for tag in tags { await context.cleanUp(aor, tag: tag) }
    let succeeded = answers.filter(\.isSuccess).count
    let verdict: ProbeVerdict = succeeded == 5 && Set(tags).count == 5 ? .pass : .fail
    return .init(
      verdict, observed: "\(succeeded) × 2xx, \(Set(tags).count) different entity-tags",
      sent: "5 initials (5 Call-IDs) for \(aor) at once")
  }
}
