/// libFuzzer's driver, linked in by `-sanitize=fuzzer`: it parses libFuzzer's flags and calls
/// `testOneInput` with each generated input.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// Runs libFuzzer with the process's arguments. Each harness has a `@main` that calls this,
/// rather than relying on libFuzzer's own `main`: SwiftPM points an executable's `main` at the
/// module's entry point, so the harness must have one.
public func runLibFuzzer(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
}

@_silgen_name("exit")
private func exit(_ status: CInt) -> Never

/// The input libFuzzer handed over, as a buffer (libFuzzer passes a null pointer for an empty one).
public func inputBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(start: size == 0 ? nil : data, count: size)
}
