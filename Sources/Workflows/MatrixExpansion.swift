/// A job's `strategy.matrix` expanded by GitHub's rules: the product of the axes, minus
/// `exclude` matches, then each `include` entry merged into every kept combination whose axis
/// values it does not overwrite, or added on its own.
///
/// A few short axes multiply into more combinations than memory holds (eight axes of ten values
/// are 10^8), so the legs are counted from the axes without being built, and built only once the
/// count is known to be small, without ever visiting a combination an exclusion removes.
struct MatrixExpansion {
    typealias Combination = [(key: String, value: ExpressionValue)]

    private let axes: [(name: String, values: [ExpressionValue])]
    /// Each `exclude` entry as the value it requires of each axis (by index). An entry naming a
    /// key that is no axis matches no combination, so it is left out.
    private let exclusions: [[Int: ExpressionValue]]
    private let include: [Combination]

    init(_ matrix: MatrixDefinition) {
        axes = matrix.axes
        exclusions = matrix.exclude.compactMap { entry in
            var required: [Int: ExpressionValue] = [:]
            for pair in entry {
                guard let axis = matrix.axes.firstIndex(where: { $0.name == pair.key }) else { return nil }
                required[axis] = pair.value
            }
            return required
        }
        include = matrix.include
    }

    /// How many legs the matrix has; `Int.max` stands for that many or more.
    var legCount: Int {
        let keptCount = axes.isEmpty ? 0 : kept(from: 0, active: exclusions, axes: axes)
        return Self.saturatingSum(keptCount, include.filter { !mergesIntoKeptCombination($0) }.count)
    }

    /// The legs in GitHub's order. Call it only when `legCount` is small: what it builds is the
    /// kept combinations and the partial combinations leading to them, nothing else.
    var legs: [Combination] {
        var partials: [(combination: Combination, active: [[Int: ExpressionValue]])] = axes.isEmpty ? [] : [([], exclusions)]
        for (depth, axis) in axes.enumerated() {
            partials = partials.flatMap { partial in
                axis.values.compactMap { value -> (Combination, [[Int: ExpressionValue]])? in
                    let active = partial.active.filter { $0[depth] == nil || $0[depth] == value }
                    guard kept(from: depth + 1, active: active, axes: axes) > 0 else { return nil }
                    return (partial.combination + [(axis.name, value)], active)
                }
            }
        }
        let keptCombinations = partials.map(\.combination)
        let axisNames = Set(axes.map(\.name))
        var result = keptCombinations
        for entry in include {
            var merged = false
            for index in keptCombinations.indices where !Self.overwritesAxisValue(entry, of: keptCombinations[index], axisNames: axisNames) {
                for pair in entry {
                    if let existing = result[index].firstIndex(where: { $0.key == pair.key }) {
                        result[index][existing].value = pair.value
                    } else {
                        result[index].append(pair)
                    }
                }
                merged = true
            }
            if !merged { result.append(entry) }
        }
        return result
    }

    /// How many combinations of `axes[depth...]` no exclusion in `active` removes, each of those
    /// having matched every axis before `depth` already (saturating).
    ///
    /// Values of an axis that no active exclusion names all lead to the same remainder, so they
    /// are counted once; only named values branch, which keeps the work near the size of `exclude`.
    private func kept(from start: Int, active: [[Int: ExpressionValue]], axes: [(name: String, values: [ExpressionValue])]) -> Int {
        if active.contains(where: { $0.keys.allSatisfy { $0 < start } }) { return 0 }
        // Axes no active exclusion names only multiply the count: no branching, no recursion.
        var depth = start
        var factor = 1
        while depth < axes.count, !active.contains(where: { $0[depth] != nil }) {
            factor = Self.saturatingProduct(factor, axes[depth].values.count)
            depth += 1
        }
        guard depth < axes.count, factor > 0 else { return factor }
        let unnamed = active.filter { $0[depth] == nil }
        var total = 0
        var unnamedValues = 0
        for value in axes[depth].values {
            let naming = active.filter { $0[depth] == value }
            if naming.isEmpty {
                unnamedValues += 1
            } else {
                total = Self.saturatingSum(total, kept(from: depth + 1, active: unnamed + naming, axes: axes))
            }
        }
        if unnamedValues > 0 {
            total = Self.saturatingSum(total, Self.saturatingProduct(unnamedValues, kept(from: depth + 1, active: unnamed, axes: axes)))
        }
        return Self.saturatingProduct(factor, total)
    }

    /// Whether an `include` entry merges into some kept combination: whether any is left once
    /// every axis the entry names is narrowed to the entry's value.
    private func mergesIntoKeptCombination(_ entry: Combination) -> Bool {
        guard !axes.isEmpty else { return false }
        let narrowed = axes.map { axis in
            guard let required = entry.first(where: { $0.key == axis.name })?.value else { return axis }
            return (name: axis.name, values: axis.values.filter { $0 == required })
        }
        return kept(from: 0, active: exclusions, axes: narrowed) > 0
    }

    private static func overwritesAxisValue(_ entry: Combination, of combination: Combination, axisNames: Set<String>) -> Bool {
        entry.contains { pair in
            axisNames.contains(pair.key) && combination.contains { $0.key == pair.key && $0.value != pair.value }
        }
    }

    private static func saturatingProduct(_ a: Int, _ b: Int) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .max : product
    }

    private static func saturatingSum(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }
}
