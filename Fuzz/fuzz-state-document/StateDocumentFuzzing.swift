import ConcurrencySimulator
import FuzzDriver
import SourceDocuments
import StateDocuments

/// libFuzzer entry point: the input as a fixture or `PUT /_mock/state` document (YAML or JSON),
/// with its workflows and replayed events. Beyond not crashing: its bytes read where they lie (a
/// request body) give what its text gives, a document that loads satisfies the simulator's
/// invariants, and its export loads back and exports to the same bytes.
@main
enum StateDocumentFuzzing {
    static func main() {
        runLibFuzzer { data, size in fuzzStateDocument(inputBytes(data, size)) }
    }
}

func fuzzStateDocument(_ input: UnsafeBufferPointer<UInt8>) -> CInt {
    let text = String(decoding: input, as: UTF8.self)
    let fromText = Result { () throws(SourceError) in try FixtureLoader.load(text, file: "fuzz.yml") }
    let fromBytes = Result { () throws(SourceError) in try FixtureLoader.load(utf8: Array(input), file: "fuzz.yml") }
    switch (fromText, fromBytes) {
    case (.failure(let textError), .failure(let bytesError)):
        guard textError == bytesError else { fatalError("the text is refused with \(textError), its bytes with \(bytesError)") }
        return 0
    case (.success(let state), .success(let stateFromBytes)):
        guard StateExporter.export(state) == StateExporter.export(stateFromBytes) else { fatalError("the text and its bytes load different states") }
    default:
        fatalError("the text and its bytes are not both loaded or both refused")
    }
    let state = try! fromText.get()
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
