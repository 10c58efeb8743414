/// `github.event`: the webhook payload GitHub hands a run, built from the trigger as GitHub
/// would send it for the event, with the trigger's own `payload` deep-merged over it.
///
/// Only what concurrency groups and job conditions commonly read is built (refs, numbers,
/// heads and bases, the repository, the sender); anything else the trigger's payload may add.
/// A property neither gives reads as `null`, as on GitHub.
enum EventPayload {
    static func build(for trigger: TriggerEvent, repository: (owner: String, name: String)) -> ExpressionValue {
        // No event's own fields name the repository or the sender: the two lists are joined, not merged.
        let common: [(key: String, value: ExpressionValue)] = [
            ("repository", [
                "full_name": .string("\(repository.owner)/\(repository.name)"),
                "name": .string(repository.name),
                "owner": ["login": .string(repository.owner)],
            ]),
            ("sender", ["login": .string(trigger.actor)]),
        ]
        let built: [(key: String, value: ExpressionValue)]
        switch trigger.event {
        case "push":
            built = [
                ("ref", .string(trigger.ref)), ("before", .string(noCommit)), ("after", .string(trigger.sha)),
                ("head_commit", ["id": .string(trigger.sha)]),
            ]
        case "pull_request", "pull_request_target":
            let number = pullRequestNumber(in: trigger.ref).map { ExpressionValue.number(Double($0)) } ?? .null
            built = [
                ("action", "synchronize"),
                ("number", number),
                ("pull_request", [
                    "number": number,
                    "head": ["ref": .string(trigger.headRef), "sha": .string(trigger.sha)],
                    "base": ["ref": .string(trigger.baseRef)],
                ]),
            ]
        case "workflow_dispatch":
            built = [("ref", .string(trigger.ref)), ("inputs", .object(trigger.inputs))]
        case "schedule":
            built = [("schedule", "")]
        case "merge_group":
            built = [
                ("action", "checks_requested"),
                ("merge_group", ["head_ref": .string(trigger.ref), "head_sha": .string(trigger.sha), "base_ref": .string(trigger.baseRef)]),
            ]
        case "release":
            built = [("action", "published"), ("release", ["tag_name": .string(refName(trigger.ref))])]
        case "issue_comment":
            built = [("action", "created"), ("issue", ["number": 1]), ("comment", ["body": ""])]
        default:
            built = []
        }
        let payload = ExpressionValue.object(common + built)
        return trigger.payload.map { merged(payload, with: $0) } ?? payload
    }

    /// `before` of a push: the all-zero commit id GitHub sends for a new branch.
    private static let noCommit = String(repeating: "0", count: 40)

    /// `N` of `refs/pull/N/merge` (or `/head`).
    static func pullRequestNumber(in ref: String) -> Int? {
        let parts = ref.split(separator: "/")
        guard parts.count == 4, parts[0] == "refs", parts[1] == "pull", parts[3] == "merge" || parts[3] == "head" else { return nil }
        return Int(parts[2])
    }

    /// The branch or tag name of a ref (`refs/heads/main` → `main`).
    static func refName(_ ref: String) -> String {
        for prefix in ["refs/heads/", "refs/tags/"] where ref.hasPrefix(prefix) { return String(ref.dropFirst(prefix.count)) }
        return ref
    }

    /// `base` with `override` laid over it: objects merge key by key (keys compared as GitHub's
    /// lookups do, ignoring case), anything else is replaced.
    static func merged(_ base: ExpressionValue, with override: ExpressionValue) -> ExpressionValue {
        guard case .object(var pairs) = base, case .object(let overrides) = override else { return override }
        for (key, value) in overrides {
            if let index = pairs.firstIndex(where: { OrdinalIgnoreCase.equal($0.key, key) }) {
                pairs[index].value = merged(pairs[index].value, with: value)
            } else {
                pairs.append((key, value))
            }
        }
        return .object(pairs)
    }
}
