import CLibevent

/// The answer bodies handed to libevent for connections that have not finished taking them,
/// counted against `EventHTTPServer.Limits.maximumHeldAnswerBytes`.
///
/// libevent gets a body by reference (`evbuffer_add_reference`), never a copy, and a body is
/// counted once however many connections it goes to: clients answered from the same array (an
/// answer reused while the state stands) share its bytes, so a crowd asking for one large answer
/// costs that answer once.
final class HeldAnswers {
    /// One body and how many connections it is being written to.
    final class Body {
        let bytes: [UInt8]
        /// Where `bytes` keeps its elements. An array's elements live in one heap object that never
        /// moves, and `bytes` is a `let`, so nothing writes to it (and so copies it) while this
        /// object lives: the address stays valid for every reference libevent holds to it.
        let address: UnsafeRawPointer
        fileprivate var holders = 0

        fileprivate init(_ bytes: [UInt8]) {
            self.bytes = bytes
            self.address = bytes.withUnsafeBytes { $0.baseAddress! }
        }

        /// Appends `range` of the body to `buffer` by reference. The reference keeps this object
        /// (and so the bytes) alive until libevent has written or dropped them.
        func add(_ range: Range<Int>, to buffer: OpaquePointer) {
            let retained = Unmanaged.passRetained(self)
            let added = evbuffer_add_reference(buffer, address + range.lowerBound, range.count, { _, _, argument in
                guard let argument else { return }
                Unmanaged<Body>.fromOpaque(argument).release()
            }, retained.toOpaque())
            // On failure libevent never calls the cleanup: the reference is ours to drop.
            if added != 0 { retained.release() }
        }
    }

    /// Called with a body's size when no connection holds it any more.
    var released: ((Int) -> Void)?
    /// Bytes of the bodies held now, each counted once.
    private(set) var bytes = 0
    /// The bodies held now, by the address of their elements (the identity of the array's storage).
    private var bodies: [UnsafeRawPointer: Body] = [:]

    /// What `bytes` would be once `body` is held too.
    func bytes(afterHolding body: [UInt8]) -> Int {
        let held = body.withUnsafeBytes { bodies[$0.baseAddress!] != nil }
        return held ? bytes : bytes + body.count
    }

    /// Holds a non-empty body for one more connection; `release` it when that connection is done
    /// with it.
    func hold(_ body: [UInt8]) -> Body {
        let address = body.withUnsafeBytes { $0.baseAddress! }
        let held = bodies[address] ?? {
            let new = Body(body)
            bodies[address] = new
            bytes += body.count
            return new
        }()
        held.holders += 1
        return held
    }

    func release(_ body: Body) {
        body.holders -= 1
        guard body.holders == 0 else { return }
        bodies.removeValue(forKey: body.address)
        bytes -= body.bytes.count
        released?(body.bytes.count)
    }
}
