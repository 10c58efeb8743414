import ConcurrencySimulator
import SourceDocuments
import StateDocuments
import Testing
import Workflows

@Suite struct RunPlannerTests {
    let app = RepositoryKey(owner: "acme", name: "app")
    let infra = RepositoryKey(owner: "acme", name: "infra")

    func state(_ workflows: [(RepositoryKey, String, String)]) throws -> MockState {
        var simulator = Simulator(now: Timestamp(rfc3339: "2026-01-15T16:00:00Z")!)
        simulator.runIDStart = RunID(7)
        try simulator.addRepository(owner: "acme", name: "app", visibility: .public)
        try simulator.addRepository(owner: "acme", name: "infra", visibility: .private)
        var state = MockState(simulator: simulator)
        for (repository, file, source) in workflows {
            try state.registerWorkflow(source, file: file, in: repository)
        }
        return state
    }

    func plan(_ state: MockState, _ trigger: TriggerEvent) throws -> RunPlan {
        try RunPlanner(registry: state.workflows, simulator: state.simulator).plan(trigger, in: app)
    }

    @Test func theWorkflowLevelGroupSeesGitHubInputsAndVars() throws {
        let state = try state([(app, "deploy.yml", """
            name: Deploy
            run-name: Deploy ${{ inputs.target }} by ${{ github.actor }}${{ inputs.dry && ' (dry run)' || '' }}
            on:
              workflow_dispatch:
                inputs:
                  target: { type: choice, options: [staging, prod], required: true }
                  dry: { type: boolean, default: false }
            concurrency:
              group: ${{ github.workflow }}-${{ github.ref_name }}-${{ inputs.target }}-${{ vars.REGION }}-${{ github.run_id }}-${{ github.run_number }}
              cancel-in-progress: ${{ startsWith(github.ref, 'refs/tags/') }}
            jobs:
              go: {}
            """)])
        let plan = try plan(state, TriggerEvent(
            workflow: "deploy.yml", ref: "refs/tags/v1.2", event: "workflow_dispatch",
            inputs: [("target", .string("prod"))], vars: [("REGION", .string("eu"))], actor: "mona"))
        #expect(plan.name == "Deploy prod by mona")
        #expect(plan.concurrency == ConcurrencySettings(group: "Deploy-v1.2-prod-eu-7-1", cancelInProgress: true, queue: .single))
    }

    @Test func dispatchInputsAreTypedCheckedAndDefaulted() throws {
        let state = try state([(app, "deploy.yml", """
            on:
              workflow_dispatch:
                inputs:
                  target: { type: choice, options: [staging, prod], default: staging }
                  count: { type: number, required: true }
                  dry: { type: boolean }
            concurrency: ${{ inputs.target }}-${{ inputs.count }}-${{ inputs.dry }}
            jobs:
              go: {}
            """)])
        func dispatch(_ inputs: [(key: String, value: ExpressionValue)]) throws -> String? {
            try plan(state, TriggerEvent(workflow: "deploy.yml", event: "workflow_dispatch", inputs: inputs)).concurrency?.group
        }
        #expect(try dispatch([("count", .string("3"))]) == "staging-3-false")
        #expect(try dispatch([("count", .number(2)), ("target", .string("prod")), ("dry", .string("true"))]) == "prod-2-true")
        let refusals: [([(key: String, value: ExpressionValue)], String)] = [
            ([], "Required input 'count' not provided"),
            ([("count", .number(1)), ("colour", .string("red"))], "Unexpected inputs provided: [\"colour\"]"),
            ([("count", .number(1)), ("target", .string("qa"))], "Provided value 'qa' for input 'target' not in the list of allowed values"),
            ([("count", .string("many"))], "Provided value 'many' for input 'count' is not a number"),
        ]
        for (inputs, message) in refusals {
            #expect(throws: SourceError(file: "deploy.yml", line: 0, column: 0, message: message)) { try dispatch(inputs) }
        }
    }

    @Test func matrixLegsFollowGitHubsIncludeAndExcludeRules() throws {
        let state = try state([(app, "ci.yml", """
            on: push
            jobs:
              test:
                strategy:
                  matrix:
                    os: [linux, windows]
                    node: [18, 20]
                    exclude:
                      - { os: windows, node: 18 }
                    include:
                      - { os: linux, experimental: true }
                      - { os: macos, node: 22 }
                concurrency: t-${{ matrix.os }}-${{ matrix.node }}-${{ strategy.job-index }}
              named:
                name: Build on ${{ matrix.arch }}
                strategy:
                  matrix: { arch: [arm64] }
            """)])
        let plan = try plan(state, TriggerEvent(workflow: "ci.yml"))
        #expect(plan.jobs.map(\.key) == [
            "test (linux, 18, true)", "test (linux, 20, true)", "test (windows, 20)", "test (macos, 22)", "named (arm64)",
        ])
        #expect(plan.jobs.map(\.name) == [
            "test (linux, 18, true)", "test (linux, 20, true)", "test (windows, 20)", "test (macos, 22)", "Build on arm64",
        ])
        #expect(plan.jobs.compactMap { $0.concurrencyWhenReady(in: plan)?.group } == ["t-linux-18-0", "t-linux-20-1", "t-windows-20-2", "t-macos-22-3"])
    }

    @Test func needsOfAMatrixJobWaitForEveryLeg() throws {
        let state = try state([(app, "ci.yml", """
            on: push
            jobs:
              report:
                needs: [test]
                concurrency: report-${{ needs.test.result }}
              test:
                strategy: { matrix: { n: [1, 2] } }
            """)])
        let plan = try plan(state, TriggerEvent(workflow: "ci.yml"))
        #expect(plan.jobs.map(\.key) == ["report", "test (1)", "test (2)"])
        #expect(plan.jobs[0].needs == [1, 2])
        #expect(plan.jobs[0].concurrencyWhenReady(in: plan)?.group == "report-success")
    }

    @Test func aCalledWorkflowOfAnotherRepositorySeesTheCallersGitHubAndItsOwnInputs() throws {
        let state = try state([
            (infra, "deploy.yml", """
                name: Shared
                on:
                  workflow_call:
                    inputs:
                      environment: { type: string, required: true }
                      replicas: { type: number, default: 2 }
                      canary: { type: boolean }
                concurrency: ${{ github.workflow }}-${{ inputs.environment }}-${{ inputs.replicas }}-${{ inputs.canary }}
                jobs:
                  rollout:
                    name: Roll out ${{ inputs.environment }}
                """),
            (app, "release.yml", """
                name: Release
                on: push
                jobs:
                  ship:
                    uses: acme/infra/.github/workflows/deploy.yml@main
                    concurrency: gate
                    with:
                      environment: prod
                      canary: ${{ github.ref == 'refs/heads/main' }}
                """),
        ])
        let plan = try plan(state, TriggerEvent(workflow: "release.yml"))
        #expect(plan.jobs.map(\.key) == ["ship", "ship/rollout"])
        #expect(plan.jobs.map(\.name) == ["ship", "ship / Roll out prod"])
        #expect(plan.jobs[0].callsReusableWorkflow)
        #expect(plan.jobs[0].concurrencyWhenReady(in: plan)?.group == "gate")
        #expect(plan.jobs[0].calledWorkflowConcurrency?.group == "Release-prod-2-true")
        #expect(plan.jobs[1].parent == 0)
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let workflows: [(String, String)]
        let trigger: String
        let message: String
        var testDescription: String { message }
    }

    static let called = "on:\n  workflow_call:\n    inputs:\n      env: { type: number, required: true }\njobs:\n  a: {}\n"

    static let refusals: [Refusal] = [
        Refusal(workflows: [("a.yml", "on: push\njobs:\n  x: {}\n")], trigger: "b.yml", message: "b.yml: workflow b.yml is not registered in acme/app"),
        Refusal(workflows: [("a.yml", "on: pull_request\njobs:\n  x: {}\n")], trigger: "a.yml", message: "a.yml: workflow a.yml does not run on push (its triggers: pull_request)"),
        Refusal(workflows: [("c.yml", called), ("a.yml", "on: push\njobs:\n  x:\n    uses: ./.github/workflows/c.yml\n")], trigger: "a.yml",
                message: "a.yml:3:3: job 'x' does not give c.yml its required input 'env'"),
        Refusal(workflows: [("c.yml", called), ("a.yml", "on: push\njobs:\n  x:\n    uses: ./.github/workflows/c.yml\n    with: { env: abc }\n")], trigger: "a.yml",
                message: "a.yml:5:18: input 'env' of c.yml must be a number, not 'abc'"),
        Refusal(workflows: [("c.yml", called), ("a.yml", "on: push\njobs:\n  x:\n    uses: ./.github/workflows/c.yml\n    with: { env: 1, other: 2 }\n")], trigger: "a.yml",
                message: "a.yml:5:28: c.yml has no input 'other'"),
        Refusal(workflows: [("a.yml", "on: push\nconcurrency: ${{ vars.MISSING }}\njobs:\n  x: {}\n")], trigger: "a.yml",
                message: "a.yml:2:14: the concurrency group evaluated to an empty string"),
        Refusal(workflows: [("a.yml", "on: push\nconcurrency:\n  group: g\n  queue: max\n  cancel-in-progress: ${{ true }}\njobs:\n  x: {}\n")], trigger: "a.yml",
                message: "a.yml:5:23: queue: max cannot be combined with cancel-in-progress: true"),
        Refusal(workflows: [("a.yml", "on: push\njobs:\n  x:\n    strategy:\n      matrix:\n        o: [1]\n        exclude: [{ o: 1 }]\n")], trigger: "a.yml",
                message: "a.yml:3:3: the matrix of job 'x' has no combinations left"),
    ]

    @Test(arguments: refusals)
    func aRunThatCannotBePlannedIsRefused(_ refusal: Refusal) throws {
        let state = try state(refusal.workflows.map { (app, $0.0, $0.1) })
        do {
            _ = try plan(state, TriggerEvent(workflow: refusal.trigger))
            Issue.record("planned a run that should be refused")
        } catch {
            #expect((error as? SourceError)?.description == refusal.message)
        }
    }

    @Test func aUsesTargetMustExistAndBeCallableWhenTheRunIsTriggered() throws {
        var state = try state([(app, "plain.yml", "on: push\njobs:\n  x: {}\n")])
        try state.registerWorkflow("on: push\njobs:\n  x:\n    uses: ./.github/workflows/plain.yml\n", file: "a.yml", in: app)
        try state.registerWorkflow("on: push\njobs:\n  x:\n    uses: nobody/repo/.github/workflows/x.yml@v1\n", file: "b.yml", in: app)
        #expect(throws: SourceError(file: "a.yml", line: 4, column: 11, message: "job 'x' uses ./.github/workflows/plain.yml, which has no 'on: workflow_call' trigger")) {
            try plan(state, TriggerEvent(workflow: "a.yml"))
        }
        #expect(throws: SourceError(file: "b.yml", line: 4, column: 11, message: "job 'x' uses nobody/repo/.github/workflows/x.yml@v1, which is not a registered workflow of a mocked repository")) {
            try plan(state, TriggerEvent(workflow: "b.yml"))
        }
        #expect(throws: SourceError(file: "a", line: 0, column: 0, message: "a workflow file name ends in .yml or .yaml and has no '/'", field: "file")) {
            try state.registerWorkflow("on: push\njobs:\n  x: {}\n", file: "a", in: app)
        }
    }

    @Test func nestedMatricesOfCallsCannotBlowATriggerUp() throws {
        let legs = (1...200).map(String.init).joined(separator: ", ")
        let state = try state([
            (app, "inner.yml", "on: workflow_call\njobs:\n  leg:\n    strategy: { matrix: { n: [\(legs)] } }\n"),
            (app, "outer.yml", "on: push\njobs:\n  call:\n    strategy: { matrix: { n: [\(legs)] } }\n    uses: ./.github/workflows/inner.yml\n"),
        ])
        #expect(throws: SourceError(file: "inner.yml", line: 3, column: 3, message: "the run would have more than 1000 jobs (matrix legs and called workflows' jobs included)")) {
            try plan(state, TriggerEvent(workflow: "outer.yml"))
        }
    }

    /// `count` axes `a0`, `a1`... of the values 0 to 9, then `extra` lines under `matrix:`.
    static func matrixWorkflow(axes count: Int, extra: String = "") -> String {
        let axes = (0..<count).map { "        a\($0): [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n" }.joined()
        return "on: push\njobs:\n  x:\n    strategy:\n      matrix:\n" + axes + extra
    }

    @Test func aMatrixIsCountedFromItsAxesBeforeAnyLegIsBuilt() throws {
        let state = try state([(app, "a.yml", Self.matrixWorkflow(axes: 8)), (app, "b.yml", Self.matrixWorkflow(axes: 30))])
        let start = ContinuousClock.now
        #expect(throws: SourceError(file: "a.yml", line: 3, column: 3, message: "the matrix of job 'x' has 100000000 combinations; GitHub allows at most 256")) {
            try plan(state, TriggerEvent(workflow: "a.yml"))
        }
        #expect(throws: SourceError(file: "b.yml", line: 3, column: 3, message: "the matrix of job 'x' has at least 9223372036854775807 combinations; GitHub allows at most 256")) {
            try plan(state, TriggerEvent(workflow: "b.yml"))
        }
        #expect(ContinuousClock.now - start < .seconds(1))
    }

    @Test func excludesThatRemoveAlmostEverythingBuildOnlyWhatIsKept() throws {
        // 10^8 combinations, of which every value but 0 of the axes a2...a7 is excluded: 100 legs.
        let exclude = (2..<8).flatMap { axis in (1...9).map { "          - { a\(axis): \($0) }\n" } }.joined()
        let state = try state([(app, "a.yml", Self.matrixWorkflow(axes: 8, extra: "        exclude:\n" + exclude))])
        let start = ContinuousClock.now
        let plan = try plan(state, TriggerEvent(workflow: "a.yml"))
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(plan.jobs.count == 100)
        #expect(plan.jobs.first?.key == "x (0, 0, 0, 0, 0, 0, 0, 0)")
        #expect(plan.jobs.dropFirst().first?.key == "x (0, 1, 0, 0, 0, 0, 0, 0)")
        #expect(plan.jobs.last?.key == "x (9, 9, 0, 0, 0, 0, 0, 0)")
    }

    @Test func includeEntriesCountOnlyWhenTheyAddALeg() throws {
        // 10 legs; 246 entries that merge into a leg (a0 matches, extra key) add none, the
        // entries with an a0 value of no leg add one each.
        let merging = (0..<246).map { "          - { a0: \($0 % 10), extra: \($0) }\n" }.joined()
        func adding(_ count: Int) -> String { (0..<count).map { "          - { a0: \(100 + $0) }\n" }.joined() }
        let state = try state([
            (app, "fits.yml", Self.matrixWorkflow(axes: 1, extra: "        include:\n" + merging + adding(246))),
            (app, "over.yml", Self.matrixWorkflow(axes: 1, extra: "        include:\n" + merging + adding(247))),
        ])
        #expect(try plan(state, TriggerEvent(workflow: "fits.yml")).jobs.count == 256)
        #expect(throws: SourceError(file: "over.yml", line: 3, column: 3, message: "the matrix of job 'x' has 257 combinations; GitHub allows at most 256")) {
            try plan(state, TriggerEvent(workflow: "over.yml"))
        }
    }

    @Test func countedLegsAreTheLegsOfTheProductFilteredAndMerged() throws {
        // Small random matrices, planned, against GitHub's rules written the plain way: build the
        // product, drop exclude matches, merge or add each include entry.
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        for round in 0..<300 {
            let axes = (0..<(1 + next(3))).map { axis in (name: "k\(axis)", values: (0..<(1 + next(3))).map { _ in next(3) }) }
            func entry() -> [(key: String, value: Int)] {
                var pairs: [(key: String, value: Int)] = []
                for axis in axes where next(2) == 0 { pairs.append((axis.name, next(3))) }
                if next(3) == 0 { pairs.append(("extra", next(3))) }
                return pairs
            }
            let exclude = (0..<next(4)).map { _ in entry() }
            let include = (0..<next(3)).map { _ in entry() }.filter { !$0.isEmpty }
            func flow(_ pairs: [(key: String, value: Int)]) -> String { "{ " + pairs.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + " }" }
            var yaml = "on: push\njobs:\n  x:\n    strategy:\n      matrix:\n"
            for axis in axes { yaml += "        \(axis.name): [\(axis.values.map(String.init).joined(separator: ", "))]\n" }
            if !exclude.isEmpty { yaml += "        exclude: [\(exclude.map(flow).joined(separator: ", "))]\n" }
            if !include.isEmpty { yaml += "        include: [\(include.map(flow).joined(separator: ", "))]\n" }

            var product: [[(key: String, value: Int)]] = [[]]
            for axis in axes { product = product.flatMap { partial in axis.values.map { partial + [(axis.name, $0)] } } }
            product.removeAll { combination in
                exclude.contains { exclusion in exclusion.allSatisfy { pair in combination.contains { $0 == pair } } }
            }
            var expected = product
            for pairs in include {
                var merged = false
                for index in product.indices where !pairs.contains(where: { pair in product[index].contains { $0.key == pair.key && $0.value != pair.value } }) {
                    for pair in pairs {
                        if let existing = expected[index].firstIndex(where: { $0.key == pair.key }) { expected[index][existing].value = pair.value } else { expected[index].append(pair) }
                    }
                    merged = true
                }
                if !merged { expected.append(pairs) }
            }
            let keys = expected.map { "x (" + $0.map { String($0.value) }.joined(separator: ", ") + ")" }

            let state = try state([(app, "m.yml", yaml)])
            do {
                let planned = try plan(state, TriggerEvent(workflow: "m.yml")).jobs.map(\.key)
                #expect(planned == keys, "round \(round):\n\(yaml)")
            } catch {
                #expect(keys.isEmpty, "round \(round): \(error)\n\(yaml)")
            }
        }
    }

    @Test func aRunIsBoundedBeforeAJobsLegsAreBuilt() throws {
        // Three jobs of 256 legs fit; a fourth would pass 1,000 and is refused before its legs exist.
        let legs = (1...256).map(String.init).joined(separator: ", ")
        let jobs = (1...4).map { "  j\($0):\n    strategy: { matrix: { n: [\(legs)] } }\n" }.joined()
        let state = try state([(app, "a.yml", "on: push\njobs:\n" + jobs)])
        #expect(throws: SourceError(file: "a.yml", line: 9, column: 3, message: "the run would have more than 1000 jobs (matrix legs and called workflows' jobs included)")) {
            try plan(state, TriggerEvent(workflow: "a.yml"))
        }
    }

    @Test func aWorkflowCallingItselfIsRefused() throws {
        var state = try state([])
        try state.registerWorkflow("on: [push, workflow_call]\njobs:\n  again:\n    uses: ./.github/workflows/loop.yml\n", file: "loop.yml", in: app)
        do {
            _ = try plan(state, TriggerEvent(workflow: "loop.yml"))
            Issue.record("planned an endless call")
        } catch {
            #expect((error as? SourceError)?.message == "job 'again' calls ./.github/workflows/loop.yml again from inside itself: loop.yml -> loop.yml")
        }
    }
}
