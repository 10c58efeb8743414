import ConcurrencySimulator
import Foundation
import Server
import StateDocuments
import Testing

/// `--retain-completed`: the oldest completed runs beyond the limit are dropped with their jobs.
@Suite struct RetentionTests {
    /// No concurrency; the run name shows `run_number`, which must keep counting past drops.
    static let workflow = "on: push\nrun-name: number ${{ github.run_number }}\njobs:\n  build: {}\n"

    /// Runs 100...103 (jobs 1000...1003) triggered, then completed in the order 101, 100, 102
    /// under a limit of 2: run 101, the first to complete, is dropped with job 1001.
    private func driverAfterThreeCompletions() throws -> Driver {
        let driver = try Driver(retainedCompletedRuns: 2)
        driver.workflow("w.yml", Self.workflow)
        for _ in 0..<4 { driver.trigger("w.yml") }
        for run in [101, 100, 102] {
            #expect(driver.send("POST", "/_mock/repos/acme/app/runs/\(run)/complete").status == 200)
        }
        return driver
    }

    @Test func theFirstRunToCompleteIsDroppedWithItsJobsOnEveryEndpoint() throws {
        let driver = try driverAfterThreeCompletions()
        #expect(driver.send("GET", "/_mock/repos/acme/app/runs/101").status == 404)
        #expect(driver.send("GET", "/repos/acme/app/actions/runs/101/concurrency_groups").status == 404)
        #expect(driver.send("POST", "/_mock/repos/acme/app/runs/101/cancel").status == 404)
        #expect(driver.send("POST", "/_mock/repos/acme/app/jobs/1001/complete", #"{"conclusion":"success"}"#).status == 404)
        #expect(driver.send("GET", "/repos/acme/app/actions/concurrency_groups/x?ahead_of_run=101").status == 404)
        for kept in [100, 102, 103] {
            #expect(driver.send("GET", "/_mock/repos/acme/app/runs/\(kept)").status == 200, "run \(kept)")
        }
        let repository = driver.server.simulator.repository(owner: "acme", name: "app")!
        #expect(repository.runs.keys.map(\.rawValue).sorted() == [100, 102, 103])
        #expect(repository.jobs.keys.map(\.rawValue).sorted() == [1000, 1002, 1003])
        #expect((100...103).filter { driver.server.simulator.repositoryKey(ofRun: RunID($0)) != nil } == [100, 102, 103])
        #expect((1000...1003).filter { driver.server.simulator.repositoryKey(ofJob: JobID($0)) != nil } == [1000, 1002, 1003])
        #expect(driver.server.simulator.invariantViolations() == [])
    }

    @Test func idsAndRunNumbersKeepCountingPastDroppedRuns() throws {
        let driver = try driverAfterThreeCompletions()
        let next = driver.trigger("w.yml")
        #expect(next == 104)
        #expect(driver.run(104)["name"] as? String == "number 5")
        #expect((driver.run(104)["jobs"] as? [[String: Any]])?.first?["id"] as? Int == 1004)
    }

    @Test func anExportCarriesTheRunCountSoAnImportGoesOnCounting() throws {
        let driver = try driverAfterThreeCompletions()
        #expect(driver.send("POST", "/_mock/repos/acme/app/runs/103/complete").status == 200)
        let exported = driver.send("GET", "/_mock/state").text
        #expect(exported.contains(#""run_counts":[{"workflow":"w.yml","count":4}],"runs":[{"id":102,"#))
        #expect(driver.send("PUT", "/_mock/state", exported).status == 200)
        #expect(driver.send("GET", "/_mock/state").text == exported)
        #expect(driver.trigger("w.yml") == 104)
        #expect(driver.run(104)["name"] as? String == "number 5")
    }

    @Test func aReplacedStateIsTrimmedToTheServersLimit() throws {
        let driver = try driverAfterThreeCompletions()
        let exported = driver.send("GET", "/_mock/state").text
        let narrower = try Driver(retainedCompletedRuns: 1)
        #expect(narrower.send("PUT", "/_mock/state", exported).status == 200)
        let repository = narrower.server.simulator.repository(owner: "acme", name: "app")!
        #expect(repository.runs.keys.map(\.rawValue).sorted() == [102, 103], "an import orders completed runs as listed: 100 before 102")
        #expect(narrower.server.simulator.retainedCompletedRuns == 1)
    }

    @Test func loweringTheLimitDropsAtOnceAndAnUnfinishedRunIsNeverDropped() throws {
        var simulator = try Driver(retainedCompletedRuns: 2).server.simulator
        let key = RepositoryKey(owner: "acme", name: "app")
        for id in 1...3 {
            try simulator.addRun(in: key, Simulator.RunSpec(
                id: RunID(id), name: "r\(id)", jobs: [Simulator.JobSpec(id: JobID(10 + id), name: "j")], configuredGroups: [],
                status: id == 2 ? .inProgress : .completed, conclusion: id == 2 ? nil : .success))
        }
        #expect(simulator.repository(owner: "acme", name: "app")!.runs.keys.map(\.rawValue).sorted() == [1, 2, 3])
        simulator.retainCompletedRuns(1)
        #expect(simulator.repository(owner: "acme", name: "app")!.runs.keys.map(\.rawValue).sorted() == [2, 3])
        #expect((11...13).filter { simulator.repositoryKey(ofJob: JobID($0)) != nil } == [12, 13])
        #expect(simulator.highestRunID == 3)
    }
}
