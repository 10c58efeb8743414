import Glibc

/// Runs `work` on a thread of its own and waits for it.
///
/// Loading a large state makes and drops a great many temporaries. Made on another thread, they
/// come from a malloc arena of that thread's own, and the event loop's arena stays as compact
/// as it was: after a 100,000-item fixture loaded on the loop's own thread, every later request
/// spent about 4 µs more CPU in malloc (25 instead of 21 µs a request), searching the free
/// chunks the load had left. Nothing runs concurrently: the caller waits.
public func onThreadOfItsOwn<T, E: Error>(_ work: @escaping () throws(E) -> T) throws(E) -> T {
    let task = ThreadTask(work)
    if let thread = startThread(running: task) {
        pthread_join(thread, nil)
    } else {
        // No thread to be had: the work is the same on this one.
        task.run()
    }
    return try task.result!.get()
}

/// Calls `use` with the reading of each element, in order, on the calling thread, while a
/// thread of its own reads the elements ahead of it: loading a large state adds each run on one
/// core while the next runs are read on the other. Whenever the calling thread would wait for a
/// reading, it reads a batch no thread has begun instead, so neither core idles while there is
/// reading left. Throws the first error in the order of the elements, whether reading or `use`
/// threw it; nothing after it is used. A short list, or one no thread can be had for, is read
/// on the calling thread.
///
/// Each thread reads with a reader of its own, made by `makeReader` on that thread, so a reader
/// may keep state (a table of shared values) without locks. It may only read what it is given
/// and what it captures besides (a parsed document is never changed): the compiler cannot check
/// this for a generic tree.
public func forEachReadAhead<Element, Read, E: Error>(
    _ elements: [Element], makeReader: @escaping () -> (Element) throws(E) -> Read, use: (Read) throws(E) -> Void
) throws(E) {
    func readHere() throws(E) {
        let read = makeReader()
        for element in elements { try use(try read(element)) }
    }
    guard elements.count >= 2 * readAheadBatchSize else { return try readHere() }
    let ahead = ReadAhead(elements, makeReader: makeReader)
    guard let thread = startThread(running: ahead) else { return try readHere() }
    defer {
        ahead.stop()
        pthread_join(thread, nil)
    }
    let read = makeReader()
    var number = 0
    while let batch = ahead.batch(number, readingMeanwhileWith: read) {
        for result in batch { try use(try result.get()) }
        number += 1
    }
}

/// `transform` of each element, in order: the first half mapped on the calling thread while a
/// thread of its own maps the second, for work with nothing to overlap (a fixture's queues are
/// read after its runs). Throws the first error in the order of the elements. A short list, or
/// one no thread can be had for, is mapped on the calling thread alone.
///
/// `transform` runs on both threads at once, so it may only read what it is given and what it
/// captures, as a reader of `forEachReadAhead` may.
public func mapOnTwoThreads<Element, Mapped, E: Error>(
    _ elements: [Element], _ transform: @escaping (Element) throws(E) -> Mapped
) throws(E) -> [Mapped] {
    guard elements.count >= 2 * readAheadBatchSize else { return try elements.map(transform) }
    let middle = elements.count / 2
    let (firstHalf, secondHalf) = atOnce(
        { Result { () throws(E) -> [Mapped] in try elements[..<middle].map(transform) } },
        { Result { () throws(E) -> [Mapped] in try elements[middle...].map(transform) } })
    return try firstHalf.get() + secondHalf.get()
}

/// Runs `there` on a thread of its own while `here` runs on the calling thread, and answers
/// both results once both are done; one after the other on the calling thread when no thread
/// can be had. `there` runs beside `here`, so it may only read what it captures, as a reader of
/// `forEachReadAhead` may.
public func atOnce<Here, There>(_ here: () -> Here, _ there: @escaping () -> There) -> (Here, There) {
    let task = ThreadTask { () throws(Never) -> There in there() }
    guard let thread = startThread(running: task) else { return (here(), there()) }
    let answer = here()
    pthread_join(thread, nil)
    return (answer, task.result!.get())
}

/// Elements read and handed over together, so the two threads meet once per batch.
private let readAheadBatchSize = 64
/// Batches read and not yet used at most, which bounds the memory the thread ahead holds.
private let readAheadBatchesWaiting = 32

/// Starts `task.run()` on a new thread; `nil` when the system gives none.
func startThread(running task: RunsOnce) -> pthread_t? {
    var thread = pthread_t()
    let argument = Unmanaged.passRetained(task as AnyObject).toOpaque()
    let started = pthread_create(&thread, nil, { argument in
        guard let argument else { return nil }
        (Unmanaged<AnyObject>.fromOpaque(argument).takeRetainedValue() as? RunsOnce)?.run()
        return nil
    }, argument)
    guard started == 0 else {
        Unmanaged<AnyObject>.fromOpaque(argument).release()
        return nil
    }
    return thread
}

protocol RunsOnce: AnyObject {
    func run()
}

/// A mutex and a condition signalled when what it guards changes: for the state two threads
/// share while loading.
final class Monitor {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        changed.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }

    /// `body` with the mutex held.
    func locked<Answer>(_ body: () -> Answer) -> Answer {
        lock()
        defer { unlock() }
        return body()
    }

    /// Waits, the mutex held before and after, until another thread signals a change.
    func wait() { pthread_cond_wait(changed, mutex) }
    /// Wakes the threads waiting for a change; called with the mutex held.
    func signalChange() { pthread_cond_broadcast(changed) }
}

/// The work and its result, handed between the two threads; only one of them touches it at a
/// time (the caller waits in `pthread_join`).
private final class ThreadTask<T, E: Error>: RunsOnce, @unchecked Sendable {
    private let work: () throws(E) -> T
    var result: Result<T, E>?

    init(_ work: @escaping () throws(E) -> T) {
        self.work = work
    }

    func run() {
        do throws(E) {
            result = .success(try work())
        } catch {
            result = .failure(error)
        }
    }
}

/// The batches of `forEachReadAhead`: read by the thread of its own (`run`) and, while it waits
/// for the next one in order, by the using thread (`batch`), which takes them in order. Everything
/// both threads touch is behind `monitor`; the elements are only read.
private final class ReadAhead<Element, Read, E: Error>: RunsOnce, @unchecked Sendable {
    private typealias Batch = [Result<Read, E>]

    private let elements: [Element]
    private let makeReader: () -> (Element) throws(E) -> Read
    /// Signals when a batch is stored or taken and when the using side stops.
    private let monitor = Monitor()
    /// Batches read and not yet taken, by number (batch n holds elements from n × the batch size).
    private var ready: [Int: Batch] = [:]
    /// The first batch no thread has begun.
    private var nextUnclaimed = 0
    /// One past the last batch worth reading: all of them, or up to the first that failed.
    private var end: Int
    /// The using thread wants no more batches.
    private var stopped = false

    init(_ elements: [Element], makeReader: @escaping () -> (Element) throws(E) -> Read) {
        self.elements = elements
        self.makeReader = makeReader
        self.end = (elements.count + readAheadBatchSize - 1) / readAheadBatchSize
    }

    /// Reads batch after batch, at most `readAheadBatchesWaiting` ahead of the using thread,
    /// until none is left to begin or `stop` is called.
    func run() {
        let read = makeReader()
        monitor.lock()
        while true {
            while ready.count >= readAheadBatchesWaiting, !stopped { monitor.wait() }
            guard !stopped, let number = claim() else { break }
            readAndStore(number, with: read)
        }
        monitor.unlock()
    }

    /// Batch `number`, waiting for it, or reading an unclaimed batch meanwhile with `read`;
    /// `nil` past the last batch worth reading. Batches are asked for in order.
    func batch(_ number: Int, readingMeanwhileWith read: (Element) throws(E) -> Read) -> [Result<Read, E>]? {
        monitor.lock()
        defer { monitor.unlock() }
        while true {
            if let batch = ready.removeValue(forKey: number) {
                monitor.signalChange()
                return batch
            }
            guard number < end else { return nil }
            // Within the same bound as the reading thread: a batch slow to read there must not
            // let this thread read (and hold) the rest of the list meanwhile.
            if ready.count < readAheadBatchesWaiting, let unclaimed = claim() {
                readAndStore(unclaimed, with: read)
            } else {
                monitor.wait()
            }
        }
    }

    /// Lets the reading thread end without reading further.
    func stop() {
        monitor.locked {
            stopped = true
            monitor.signalChange()
        }
    }

    /// The next batch no thread has begun, now begun by the caller; called with the monitor locked.
    private func claim() -> Int? {
        guard nextUnclaimed < end else { return nil }
        defer { nextUnclaimed += 1 }
        return nextUnclaimed
    }

    /// Reads batch `number` with the monitor unlocked (locked on entry and on return), up to its first
    /// error, and stores it; a failed batch is the last worth reading.
    private func readAndStore(_ number: Int, with read: (Element) throws(E) -> Read) {
        monitor.unlock()
        let start = number * readAheadBatchSize
        var batch: Batch = []
        batch.reserveCapacity(min(readAheadBatchSize, elements.count - start))
        var failed = false
        for element in elements[start..<min(start + readAheadBatchSize, elements.count)] {
            do throws(E) {
                batch.append(.success(try read(element)))
            } catch {
                batch.append(.failure(error))
                failed = true
                break
            }
        }
        monitor.lock()
        if failed { end = min(end, number + 1) }
        ready[number] = batch
        monitor.signalChange()
    }
}
