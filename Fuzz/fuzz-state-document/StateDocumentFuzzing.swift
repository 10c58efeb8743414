import ConcurrencySimulator
import FuzzDriver
import StateDocuments

/// libFuzzer entry point: the input as a fixture or `PUT /_mock/state` document (YAML or JSON),
/// with its workflows and replayed events. Beyond not crashing: a document that loads satisfies
/// the simulator's invariants, and its export loads back and exports to the same bytes.
@main
enum StateDocumentFuzzing {
    static func main() {
        runLibFuzzer { data, size in fuzzStateDocument(inputBytes(data, size)) }
    }
}

func fuzzStateDocument(_ input: UnsafeBufferPointer<UInt8>) -> CInt {
    let text = String(decoding: input, as: UTF8.self)
    guard let state = try? FixtureLoader.load(text, file: "fuzz.yml") else { return 0 }
    state.simulator.checkInvariants()
    let exported = StateExporter.export(state)
    let reloaded: MockState
    do {
        reloaded = try FixtureLoader.load(String(decoding: exported, as: UTF8.self), file: "export.json")
    } catch {
        fatalError("the export of a loaded document does not load: \(error)")
    }
    guard StateExporter.export(reloaded) == exported else { fatalError("export → load → export changed the bytes") }
    return 0
}
