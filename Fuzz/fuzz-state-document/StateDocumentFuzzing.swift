import ConcurrencySimulator
import FuzzDriver
@_spi(Testing) import SourceDocuments
import StateDocuments

/// libFuzzer entry point: the input as a fixture or `PUT /_mock/state` document (YAML or JSON),
/// with its workflows and replayed events. Beyond not crashing: read as JSON on two threads, the
/// second begun at a byte the input picks, it reads as on one; its bytes read where they lie (a
/// request body) give what its text gives, a document that loads satisfies the simulator's
/// invariants, and its export loads back and exports to the same bytes.
@main
enum StateDocumentFuzzing {
    static func main() {
        runLibFuzzer { data, size in fuzzStateDocument(inputBytes(data, size)) }
    }
}

func fuzzStateDocument(_ input: UnsafeBufferPointer<UInt8>) -> CInt {
    let middle = input.isEmpty ? 0 : Int(input[0]) * input.count / 256
    guard jsonReading(Array(input), secondHalfFrom: middle) == jsonReading(Array(input), secondHalfFrom: nil) else {
        fatalError("read on two threads from byte \(middle), the document reads otherwise than on one")
    }
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

/// What reading `bytes` as JSON gives: every node in document order, or the refusal, or `nil`
/// when JSON reading leaves the document to YAML.
func jsonReading(_ bytes: [UInt8], secondHalfFrom middle: Int?) -> String? {
    func describe(_ node: JSONNode) -> String {
        switch node.content {
        case .scalar(let text, let plain): return "\(plain ? "plain" : "string")(\(text))"
        case .sequence(let elements): return "[" + elements.map(describe).joined(separator: ",") + "]"
        case .mapping(let entries): return "{" + entries.map { describe($0.key) + ":" + describe($0.value) }.joined(separator: ",") + "}"
        }
    }
    do {
        return try YAMLReader(file: "fuzz.json").withJSON(utf8: bytes, secondHalfFrom: middle) { root, _ in describe(root) }
    } catch {
        return "\(error)"
    }
}
