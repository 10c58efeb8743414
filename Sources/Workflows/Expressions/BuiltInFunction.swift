/// The functions GitHub offers in every expression context.
///
/// The status functions `success()`, `always()`, `cancelled()` and `failure()` are here but
/// parse only where the caller allows them (a job's `if:`): GitHub offers them only in `if:`
/// conditions, and in `concurrency`, `run-name` and job `name` answers `Unrecognized function`,
/// and so does this module. `hashFiles()` is not offered at all (no job-level field has it).
enum BuiltInFunction: CaseIterable, Sendable {
    case contains, startsWith, endsWith, format, join, toJSON, fromJSON
    /// `case(predicate, value, ..., default)`
    case caseOf
    case success, failure, cancelled, always

    /// One of the four status functions, allowed only in `if:`.
    var isStatusFunction: Bool {
        switch self {
        case .success, .failure, .cancelled, .always: return true
        default: return false
        }
    }

    /// GitHub's spelling; calls match it ignoring case.
    var name: String {
        switch self {
        case .contains: return "contains"
        case .startsWith: return "startsWith"
        case .endsWith: return "endsWith"
        case .format: return "format"
        case .join: return "join"
        case .toJSON: return "toJson"
        case .fromJSON: return "fromJson"
        case .caseOf: return "case"
        case .success: return "success"
        case .failure: return "failure"
        case .cancelled: return "cancelled"
        case .always: return "always"
        }
    }

    /// How many arguments a call takes; GitHub caps variadic functions at 255.
    var parameterCount: ClosedRange<Int> {
        switch self {
        case .contains, .startsWith, .endsWith: return 2...2
        case .format: return 1...255
        case .join: return 1...2
        case .toJSON, .fromJSON: return 1...1
        case .caseOf: return 3...255
        case .success, .failure, .cancelled, .always: return 0...0
        }
    }

    init?(named name: String) {
        let wanted = name.lowercased()
        guard let match = Self.allCases.first(where: { $0.name.lowercased() == wanted }) else { return nil }
        self = match
    }

    /// GitHub's complaint about a call with this many arguments, if any.
    func arityProblem(argumentCount: Int) -> String? {
        if argumentCount < parameterCount.lowerBound { return "Too few parameters supplied" }
        if argumentCount > parameterCount.upperBound { return "Too many parameters supplied" }
        if self == .caseOf && argumentCount % 2 == 0 {
            return "Even number of parameters supplied, requires an odd number of parameters"
        }
        return nil
    }
}
