/// The built-in functions, with GitHub's semantics.
extension Evaluation {
    /// Runs a call. Arguments are evaluated only as far as GitHub evaluates them (the item of
    /// `contains` only when the first argument can contain anything, `format` arguments only when
    /// the format string uses them), which matters when an unused argument would fail.
    mutating func call(
        _ function: BuiltInFunction, _ arguments: [SyntaxNode], source: Range<Int>
    ) throws(ExpressionError) -> Evaluated {
        switch function {
        case .contains:
            return Evaluated(value: .bool(try contains(arguments)))
        case .startsWith, .endsWith:
            let text = try evaluate(arguments[0]).value
            guard text.isPrimitive else { return Evaluated(value: false) }
            let part = try evaluate(arguments[1]).value
            guard part.isPrimitive else { return Evaluated(value: false) }
            let matches = function == .startsWith
                ? OrdinalIgnoreCase.hasPrefix(text.stringValue, part.stringValue)
                : OrdinalIgnoreCase.hasSuffix(text.stringValue, part.stringValue)
            return Evaluated(value: .bool(matches))
        case .format:
            return Evaluated(value: .string(try format(arguments, source: source)))
        case .join:
            return Evaluated(value: .string(try join(arguments, source: source)))
        case .toJSON:
            let json = JSONText.write(try evaluate(arguments[0]).value)
            try charge(MemoryBudget.bytes(ofString: json), building: source)
            return Evaluated(value: .string(json))
        case .fromJSON:
            let json = try evaluate(arguments[0]).value.stringValue
            do {
                return Evaluated(value: try JSONText.parse(json))
            } catch {
                throw ExpressionError(message: "Error parsing fromJson: \(error.description)", offset: source.lowerBound)
            }
        case .caseOf:
            return try caseOf(arguments, source: source)
        case .success:
            return Evaluated(value: .bool(context.jobStatus?.success ?? false))
        case .failure:
            return Evaluated(value: .bool(context.jobStatus?.failure ?? false))
        case .cancelled:
            return Evaluated(value: .bool(context.jobStatus?.cancelled ?? false))
        case .always:
            return Evaluated(value: .bool(true))
        }
    }

    /// A substring test for a string (or other primitive, as a string), a loose-equality search for
    /// an array; false for anything else.
    private mutating func contains(_ arguments: [SyntaxNode]) throws(ExpressionError) -> Bool {
        let search = try evaluate(arguments[0]).value
        switch search {
        case .array(let elements) where !elements.isEmpty:
            let item = try evaluate(arguments[1]).value
            return elements.contains { LooseComparison.equal(item, $0) }
        case _ where search.isPrimitive:
            let item = try evaluate(arguments[1]).value
            return item.isPrimitive && OrdinalIgnoreCase.contains(search.stringValue, item.stringValue)
        default:
            return false
        }
    }

    private mutating func format(_ arguments: [SyntaxNode], source: Range<Int>) throws(ExpressionError) -> String {
        let formatText = try evaluate(arguments[0]).value.stringValue
        let segments: [FormatString.Segment]
        do {
            segments = try FormatString.parse(formatText, argumentCount: arguments.count - 1)
        } catch {
            throw ExpressionError(message: error.message, offset: source.lowerBound)
        }
        var values: [Int: ExpressionValue] = [:]
        var result = ""
        for segment in segments {
            switch segment {
            case .text(let text):
                try append(text, to: &result, building: source)
            case .argument(let position, let specifiers):
                let value: ExpressionValue
                if let known = values[position] {
                    value = known
                } else {
                    value = try evaluate(arguments[position + 1]).value
                    values[position] = value
                }
                guard specifiers.isEmpty else {
                    throw ExpressionError(
                        message: "The format specifiers '\(specifiers)' are not valid for objects of type '\(value.kindName)'",
                        offset: source.lowerBound)
                }
                try append(value.stringValue, to: &result, building: source)
            }
        }
        return result
    }

    /// Array elements as strings between separators (`,` unless a primitive separator is given);
    /// a primitive first argument is itself as a string; anything else is `""`.
    private mutating func join(_ arguments: [SyntaxNode], source: Range<Int>) throws(ExpressionError) -> String {
        let items = try evaluate(arguments[0]).value
        guard case .array(let elements) = items, !elements.isEmpty else {
            return items.isPrimitive ? items.stringValue : ""
        }
        var separator = ","
        if elements.count > 1 && arguments.count > 1 {
            let given = try evaluate(arguments[1]).value
            if given.isPrimitive { separator = given.stringValue }
        }
        var result = ""
        for (position, element) in elements.enumerated() {
            if position > 0 { try append(separator, to: &result, building: source) }
            try append(element.stringValue, to: &result, building: source)
        }
        return result
    }

    /// Charges a piece of a string `format` or `join` builds before adding it, so the result never
    /// grows far past the memory limit.
    private mutating func append(
        _ piece: String, to result: inout String, building source: Range<Int>
    ) throws(ExpressionError) {
        try charge(MemoryBudget.bytes(appending: piece, to: result), building: source)
        result += piece
    }

    /// The value after the first predicate that is `true`, else the last argument. A predicate
    /// must be a boolean, not merely truthy, as on GitHub.
    private mutating func caseOf(_ arguments: [SyntaxNode], source: Range<Int>) throws(ExpressionError) -> Evaluated {
        for pair in stride(from: 0, to: arguments.count - 1, by: 2) {
            guard case .bool(let isMet) = try evaluate(arguments[pair]).value else {
                throw ExpressionError(message: "case predicate must evaluate to a boolean value",
                                      offset: source.lowerBound)
            }
            if isMet { return try evaluate(arguments[pair + 1]) }
        }
        return try evaluate(arguments[arguments.count - 1])
    }
}
