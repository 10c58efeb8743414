/// The functions GitHub offers in every expression context.
///
/// The status functions `success()`, `always()`, `cancelled()` and `failure()` and `hashFiles()`
/// are not here: GitHub offers them only in `if:` conditions and step-level fields, never in the
/// workflow-level and job-level fields this module evaluates (`concurrency`, `run-name`, job
/// `name`), where GitHub answers `Unrecognized function`, and so does this module.
enum BuiltInFunction: CaseIterable, Sendable {
    case contains, startsWith, endsWith, format, join, toJSON, fromJSON
    /// `case(predicate, value, ..., default)`
    case caseOf

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
